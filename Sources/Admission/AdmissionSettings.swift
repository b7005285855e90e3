/// What the webhook needs to know beyond the request.
public struct AdmissionSettings: Sendable {
    /// The identity kcp-ingress writes leaves with; the only one allowed to
    /// create, change or delete them.
    public var controllerUsername = "system:serviceaccount:kcp-ingress:kcp-ingress"
    /// Groups whose members may update a leaf's status (the syncers).
    public var syncerGroups: Set<String> = []
    /// The time all leaf writes of one review may take, well inside the
    /// webhook's timeout.
    public var leafWriteTimeout: Duration = .seconds(5)

    public init() {}
}

/// Two roots claimed one host: the older one keeps it, the newer loses it
/// (Envoy refuses a route table in which two virtual hosts share a domain).
public struct HostConflict: Hashable, Sendable, CustomStringConvertible {
    /// Lower case, without a final dot.
    public var host: String
    /// The root that keeps the host: the oldest by creationTimestamp, then by key.
    public var winner: RootIdentity
    public var loser: RootIdentity

    public init(host: String, winner: RootIdentity, loser: RootIdentity) {
        self.host = host
        self.winner = winner
        self.loser = loser
    }

    public var description: String { "host \(host) kept by \(winner), refused to \(loser)" }
}

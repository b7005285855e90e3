/// What the translation takes from the command line.
public struct TranslationSettings: Hashable, Sendable {
    /// `--envoy-listener-address`.
    public var listenerAddress: String
    /// `-envoy-listener-port`.
    public var listenerPort: Int
    /// `-domain`, when Envoy fronts the roots: a root that names no host of
    /// its own is served at its status host (`StatusHost`), the one name
    /// its status tells users. Nil: such a root is not served.
    public var statusHostDomain: String?

    public init(listenerAddress: String = "0.0.0.0", listenerPort: Int = 80, statusHostDomain: String? = nil) {
        self.listenerAddress = listenerAddress
        self.listenerPort = listenerPort
        self.statusHostDomain = statusHostDomain
    }
}

/// The one HTTP listener Envoy opens, and the route configuration its
/// connection manager reads.
public struct EnvoyListener: Hashable, Sendable {
    /// `listener_<port>`.
    public var name: String
    public var address: String
    public var port: Int
    /// `routes_<port>`: the prefix of every virtual host's name.
    public var routeConfigurationName: String
    /// Requests asking to upgrade to WebSocket are passed through (Envoy's
    /// `upgrade_configs` with `websocket`): the gateways behind decide.
    public var allowsWebSocketUpgrade: Bool
    /// Envoy drops any port from the Host header before choosing a virtual
    /// host (`strip_any_host_port`). Exact hosts match with a port through
    /// their `host:*` domains anyway, but a wildcard domain such as
    /// `*.example.com` cannot carry a port, so without this
    /// `a.example.com:8080` would match nothing.
    public var stripsHostPort: Bool

    public init(address: String, port: Int, allowsWebSocketUpgrade: Bool = true, stripsHostPort: Bool = true) {
        self.name = "listener_\(port)"
        self.address = address
        self.port = port
        self.routeConfigurationName = "routes_\(port)"
        self.allowsWebSocketUpgrade = allowsWebSocketUpgrade
        self.stripsHostPort = stripsHostPort
    }
}

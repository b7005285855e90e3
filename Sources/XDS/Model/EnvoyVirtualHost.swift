/// One root's virtual host: its domains and its routes, in the order Envoy
/// should try them. One per root, so that a change to one root is a change
/// to one resource (a VHDS resource under delta xDS).
public struct EnvoyVirtualHost: Hashable, Sendable {
    /// `<route configuration>/<root key>`: Envoy files a VHDS resource
    /// under the route configuration named by everything before the last
    /// `/`, so the root key holds none (see `RouteTable.rootKey`).
    public var name: String
    /// The root's hosts as Envoy domains: each exact host also as
    /// `host:*`, so a Host header that carries a port matches too. Unique
    /// across the whole table.
    public var domains: [String]
    public var routes: [EnvoyRoute]
    /// The root this came from.
    public var root: RootIdentity
    /// The hosts the root keeps (lower case, no final dot), after any it
    /// lost to an older root: what Envoy serves for it once it ACKs this
    /// virtual host.
    public var hosts: [String]

    public init(name: String, domains: [String], routes: [EnvoyRoute], root: RootIdentity, hosts: [String]) {
        self.name = name
        self.domains = domains
        self.routes = routes
        self.root = root
        self.hosts = hosts
    }

    /// The gateway clusters this virtual host's routes forward to.
    public var clusterNames: Set<String> { Set(routes.flatMap(\.action.clusterNames)) }
}

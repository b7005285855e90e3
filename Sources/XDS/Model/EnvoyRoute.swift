/// One route of a virtual host: Envoy tries a virtual host's routes in
/// order and the first whose match holds takes the request.
public struct EnvoyRoute: Hashable, Sendable {
    public var match: RouteMatch
    public var action: RouteAction

    public init(match: RouteMatch, action: RouteAction) {
        self.match = match
        self.action = action
    }
}

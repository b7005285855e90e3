import EnvoyAPI
import SwiftProtobuf

/// A root's virtual host as Envoy's VirtualHost; its name doubles as the
/// VHDS resource name, which is how Envoy removes it again.
extension EnvoyVirtualHost {
    var envoyVirtualHost: Envoy_Config_Route_V3_VirtualHost {
        var host = Envoy_Config_Route_V3_VirtualHost()
        host.name = name
        host.domains = domains
        host.routes = routes.map(\.envoyRoute)
        return host
    }
}

extension EnvoyRoute {
    var envoyRoute: Envoy_Config_Route_V3_Route {
        var route = Envoy_Config_Route_V3_Route()
        route.match = match.envoyMatch
        switch action {
        case .weightedClusters(let clusters) where clusters.count == 1:
            var forward = Envoy_Config_Route_V3_RouteAction()
            forward.cluster = clusters[0].cluster
            route.route = forward
        case .weightedClusters(let clusters):
            var weighted = Envoy_Config_Route_V3_WeightedCluster()
            weighted.clusters = clusters.map { share in
                var cluster = Envoy_Config_Route_V3_WeightedCluster.ClusterWeight()
                cluster.name = share.cluster
                cluster.weight = Google_Protobuf_UInt32Value(share.weight)
                return cluster
            }
            var forward = Envoy_Config_Route_V3_RouteAction()
            forward.weightedClusters = weighted
            route.route = forward
        case .directResponse(let status, let body):
            var answer = Envoy_Config_Route_V3_DirectResponseAction()
            answer.status = UInt32(status)
            var source = Envoy_Config_Core_V3_DataSource()
            source.inlineString = body
            answer.body = source
            route.directResponse = answer
        }
        return route
    }
}

extension RouteMatch {
    var envoyMatch: Envoy_Config_Route_V3_RouteMatch {
        var match = Envoy_Config_Route_V3_RouteMatch()
        switch path {
        case .prefix(let prefix): match.prefix = prefix
        case .pathSeparatedPrefix(let prefix): match.pathSeparatedPrefix = prefix
        case .exact(let path): match.path = path
        case .regex(let expression): match.safeRegex = .init(expression)
        }
        match.headers = headers.map { header in
            var matcher = Envoy_Config_Route_V3_HeaderMatcher()
            matcher.name = header.name
            matcher.stringMatch = header.value.envoyMatcher
            return matcher
        }
        match.queryParameters = queryParameters.map { parameter in
            var matcher = Envoy_Config_Route_V3_QueryParameterMatcher()
            matcher.name = parameter.name
            matcher.stringMatch = parameter.value.envoyMatcher
            return matcher
        }
        return match
    }
}

extension StringMatch {
    var envoyMatcher: Envoy_Type_Matcher_V3_StringMatcher {
        var matcher = Envoy_Type_Matcher_V3_StringMatcher()
        switch self {
        case .exact(let value): matcher.exact = value
        case .exactIgnoringCase(let value):
            matcher.exact = value
            matcher.ignoreCase = true
        case .regex(let expression): matcher.safeRegex = .init(expression)
        }
        return matcher
    }
}

extension Envoy_Type_Matcher_V3_RegexMatcher {
    /// An RE2 expression (Envoy's default engine).
    init(_ expression: String) {
        self.init()
        regex = expression
    }
}

extension RouteTable {
    /// For state of the world: every virtual host inline.
    var inlineRouteConfiguration: Envoy_Config_Route_V3_RouteConfiguration {
        var configuration = Envoy_Config_Route_V3_RouteConfiguration()
        configuration.name = routeConfigurationName
        configuration.virtualHosts = virtualHosts.map(\.envoyVirtualHost)
        return configuration
    }

    /// For delta: no virtual host inline; Envoy asks VHDS for them.
    var vhdsRouteConfiguration: Envoy_Config_Route_V3_RouteConfiguration {
        var configuration = Envoy_Config_Route_V3_RouteConfiguration()
        configuration.name = routeConfigurationName
        var vhds = Envoy_Config_Route_V3_Vhds()
        vhds.configSource = .aggregated
        configuration.vhds = vhds
        return configuration
    }
}

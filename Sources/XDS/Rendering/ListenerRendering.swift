import EnvoyAPI
import SwiftProtobuf

/// The one HTTP listener: an HTTP connection manager whose routes come
/// over ADS under the route configuration's name.
extension EnvoyListener {
    static let connectionManagerFilter = "envoy.filters.network.http_connection_manager"
    static let routerFilter = "envoy.filters.http.router"

    func envoyListener() throws -> Envoy_Config_Listener_V3_Listener {
        var manager = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager()
        manager.statPrefix = "ingress_http"
        manager.codecType = .auto
        var rds = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_Rds()
        rds.configSource = .aggregated
        rds.routeConfigName = routeConfigurationName
        manager.rds = rds
        var router = Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpFilter()
        router.name = Self.routerFilter
        router.typedConfig = try Google_Protobuf_Any(message: Envoy_Extensions_Filters_Http_Router_V3_Router())
        manager.httpFilters = [router]
        if allowsWebSocketUpgrade {
            var websocket =
                Envoy_Extensions_Filters_Network_HttpConnectionManager_V3_HttpConnectionManager
                .UpgradeConfig()
            websocket.upgradeType = "websocket"
            manager.upgradeConfigs = [websocket]
        }
        // Paths are matched as the gateways behind will read them.
        manager.normalizePath = Google_Protobuf_BoolValue(true)
        manager.mergeSlashes = true
        manager.stripAnyHostPort = stripsHostPort

        var filter = Envoy_Config_Listener_V3_Filter()
        filter.name = Self.connectionManagerFilter
        filter.typedConfig = try Google_Protobuf_Any(message: manager)
        var chain = Envoy_Config_Listener_V3_FilterChain()
        chain.filters = [filter]
        var listener = Envoy_Config_Listener_V3_Listener()
        listener.name = name
        listener.address = .socket(host: address, port: port)
        listener.filterChains = [chain]
        return listener
    }
}

extension Envoy_Config_Core_V3_ConfigSource {
    /// "From the ADS stream this Envoy already has", in xDS v3.
    static var aggregated: Envoy_Config_Core_V3_ConfigSource {
        var source = Envoy_Config_Core_V3_ConfigSource()
        source.ads = Envoy_Config_Core_V3_AggregatedConfigSource()
        source.resourceApiVersion = .v3
        return source
    }
}

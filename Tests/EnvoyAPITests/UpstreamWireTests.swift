import EnvoyAPI
import SwiftProtobuf
import Testing

/// The fixtures were serialized by Envoy's own Python classes (the xds-protos
/// package) when `contrib/gen-envoy-api.sh` ran `contrib/envoy-api/make-fixtures.py`;
/// the values expected here are the ones that script sets. Decoding them and
/// writing them back byte for byte shows the field numbers and types agree.
@Suite("Wire compatibility with Envoy's own classes")
struct UpstreamWireTests {
    @Test("a DiscoveryRequest written by Envoy's classes decodes to the fields they set")
    func discoveryRequest() throws {
        let bytes = try Fixtures.bytes("discovery-request.binpb")
        let request = try Envoy_Service_Discovery_V3_DiscoveryRequest(serializedBytes: bytes)
        #expect(request.versionInfo == "7")
        #expect(request.node.id == "kcp-ingress")
        #expect(request.node.cluster == "kcp")
        #expect(request.node.userAgentName == "envoy")
        #expect(request.node.userAgentVersion == "1.36.2")
        #expect(request.resourceNames == ["kcp-ingress", "other"])
        #expect(request.typeURL == "type.googleapis.com/envoy.config.route.v3.RouteConfiguration")
        #expect(request.responseNonce == "nonce-3")
        #expect(request.errorDetail.code == 3)
        #expect(request.errorDetail.message == "unknown cluster")
        #expect(request.unknownFields.data.isEmpty)
        #expect(try request.serializedBytes() == bytes)
    }

    @Test("a RouteConfiguration written by Envoy's classes decodes to the fields they set")
    func routeConfiguration() throws {
        let bytes = try Fixtures.bytes("route-configuration.binpb")
        let config = try Envoy_Config_Route_V3_RouteConfiguration(serializedBytes: bytes)
        #expect(config.name == "kcp-ingress")
        #expect(config.validateClusters == .init(false))
        #expect(config.vhds.configSource.configSourceSpecifier == .ads(.init()))
        #expect(config.vhds.configSource.resourceApiVersion == .v3)

        try #require(config.virtualHosts.count == 1)
        let host = config.virtualHosts[0]
        #expect(host.name == "default/web")
        #expect(host.domains == ["web.example.com", "*.web.example.com"])
        try #require(host.routes.count == 3)

        let split = host.routes[0]
        #expect(split.name == "split")
        #expect(split.match.pathSpecifier == .pathSeparatedPrefix("/api"))
        #expect(split.match.caseSensitive == .init(true))
        #expect(split.match.headers.map(\.name) == ["x-canary"])
        #expect(split.match.headers.first?.stringMatch.matchPattern == .exact("yes"))
        #expect(split.match.headers.first?.invertMatch == true)
        #expect(split.match.queryParameters.first?.name == "debug")
        #expect(split.match.queryParameters.first?.queryParameterMatchSpecifier == .presentMatch(true))
        #expect(split.route.weightedClusters.clusters.map(\.name) == ["gateway-a", "gateway-b"])
        #expect(split.route.weightedClusters.clusters.map(\.weight.value) == [3, 1])
        #expect(split.route.timeout == .init(seconds: 15))
        #expect(split.route.upgradeConfigs.map(\.upgradeType) == ["websocket"])
        #expect(split.route.upgradeConfigs.first?.enabled == .init(true))
        #expect(split.route.clusterNotFoundResponseCode == .notFound)

        let regex = host.routes[1]
        #expect(regex.match.safeRegex.regex == "^/v[0-9]+/.*$")
        #expect(regex.match.safeRegex.engineType == .googleRe2(.init()))
        #expect(regex.route.clusterSpecifier == .cluster("gateway-a"))

        let missing = host.routes[2]
        #expect(missing.match.pathSpecifier == .prefix("/"))
        #expect(missing.directResponse.status == 404)
        #expect(missing.directResponse.body.specifier == .inlineString("no backend"))

        #expect(config.unknownFields.data.isEmpty)
        #expect(try config.serializedBytes() == bytes)
    }
}

public import EnvoyAPI

/// Envoy's discovery messages to and from the stream logic's own.
extension XDSRequest {
    public init(_ request: Envoy_Service_Discovery_V3_DiscoveryRequest) {
        self.init(typeURL: request.typeURL)
        nodeID = request.hasNode ? request.node.id : ""
        responseNonce = request.responseNonce
        errorDetail = request.hasErrorDetail ? Self.describe(request.errorDetail) : nil
        versionInfo = request.versionInfo
        resourceNames = request.resourceNames
    }

    public init(_ request: Envoy_Service_Discovery_V3_DeltaDiscoveryRequest) {
        self.init(typeURL: request.typeURL)
        nodeID = request.hasNode ? request.node.id : ""
        responseNonce = request.responseNonce
        errorDetail = request.hasErrorDetail ? Self.describe(request.errorDetail) : nil
        subscribe = request.resourceNamesSubscribe
        unsubscribe = request.resourceNamesUnsubscribe
        initialVersions = request.initialResourceVersions
    }

    /// Envoy's message, which says what was wrong; never empty for a NACK.
    private static func describe(_ status: Google_Rpc_Status) -> String {
        status.message.isEmpty ? "rejected (code \(status.code))" : status.message
    }
}

extension XDSResponse {
    public var stateOfTheWorld: Envoy_Service_Discovery_V3_DiscoveryResponse {
        var response = Envoy_Service_Discovery_V3_DiscoveryResponse()
        response.typeURL = type.typeURL
        response.versionInfo = versionInfo
        response.nonce = nonce
        response.resources = resources.map(\.body)
        return response
    }

    public var delta: Envoy_Service_Discovery_V3_DeltaDiscoveryResponse {
        var response = Envoy_Service_Discovery_V3_DeltaDiscoveryResponse()
        response.typeURL = type.typeURL
        response.systemVersionInfo = versionInfo
        response.nonce = nonce
        response.resources = resources.map { resource in
            var entry = Envoy_Service_Discovery_V3_Resource()
            entry.name = resource.name
            entry.version = resource.version
            entry.resource = resource.body
            return entry
        }
        response.removedResources = removed
        return response
    }
}

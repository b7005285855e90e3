/// A discovery request as the stream logic needs it, from either protocol:
/// state of the world fills `versionInfo` and `resourceNames`, delta fills
/// `subscribe`, `unsubscribe` and `initialVersions`.
public struct XDSRequest: Sendable, Equatable {
    public var typeURL: String
    public var nodeID = ""
    /// The response this request answers; empty for a new subscription.
    public var responseNonce = ""
    /// Set on a NACK: Envoy's reason for rejecting the response.
    public var errorDetail: String?
    public var versionInfo = ""
    public var resourceNames: [String] = []
    public var subscribe: [String] = []
    public var unsubscribe: [String] = []
    public var initialVersions: [String: String] = [:]

    public init(typeURL: String) {
        self.typeURL = typeURL
    }
}

/// A discovery response: state of the world sends every resource of the
/// type with `versionInfo`; delta sends the changed ones and `removed`.
public struct XDSResponse: Sendable, Equatable {
    public var type: ResourceType
    public var versionInfo: String
    public var nonce: String
    public var resources: [XDSResource]
    public var removed: [String] = []
}

/// What a request meant, for logs and metrics.
public enum XDSRequestOutcome: Sendable, Equatable {
    /// A new or changed subscription.
    case subscribed(ResourceType)
    case acknowledged(ResourceType, version: String)
    /// Envoy rejected a response; `resources` are those it changed.
    case rejected(ResourceType, error: String, resources: [String])
    /// Answers a response that is no longer the latest: ignored, as the
    /// protocol asks.
    case stale(ResourceType)
    case unknownType(String)
}

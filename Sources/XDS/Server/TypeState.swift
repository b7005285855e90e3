/// What one stream knows about one resource type: what Envoy subscribed
/// to, what it holds, and the response it has not answered yet.
struct TypeState: Sendable {
    /// One resource as Envoy holds it. The resource itself is unknown when
    /// Envoy reported only its version (delta, after a reconnect).
    struct Held: Sendable, Equatable {
        var version: String
        var resource: XDSResource?

        init(_ resource: XDSResource) {
            version = resource.version
            self.resource = resource
        }

        init(version: String) {
            self.version = version
        }

        var clusters: Set<String> { resource?.clusters ?? [] }
    }

    /// A response sent and not yet ACKed or NACKed. At most one per type:
    /// what changes meanwhile goes out together once Envoy answers.
    struct InFlight: Sendable {
        var nonce: String
        var target: [String: Held]
        var version: String
        /// Every cluster the target names, worked out once when it is sent.
        let clusters: Set<String>

        init(nonce: String, target: [String: Held], version: String) {
            self.nonce = nonce
            self.target = target
            self.version = version
            clusters = target.values.reduce(into: []) { $0.formUnion($1.clusters) }
        }
    }

    var subscribed = false
    var wildcard: Bool
    var names: Set<String> = []
    /// What Envoy has accepted (or reported holding when it reconnected).
    var held: [String: Held] = [:] {
        // Worked out when Envoy's holdings change, not on every event.
        didSet { heldClusters = held.values.reduce(into: []) { $0.formUnion($1.clusters) } }
    }
    /// Every cluster the held resources name.
    private(set) var heldClusters: Set<String> = []
    var inFlight: InFlight?
    /// The nonce of the latest response of this type on the stream.
    var lastNonce = ""
    /// The version of the response Envoy last ACKed.
    var ackedVersionInfo: String?
    /// Versions of the last rejected response: never sent again as is.
    var rejected: [String: String]?
    var lastError: String?
    /// Virtual hosts that the rejected response changed or carried.
    var rejectedVirtualHosts: Set<String> = []
    /// Resources Envoy refused, name → the refused version: held at what
    /// Envoy has until they change, while every other resource moves on.
    var refused: [String: String] = [:]
    /// The same for the virtual hosts inside a state-of-the-world route
    /// configuration: one refused root must not hold back the others.
    var refusedVirtualHosts: [String: String] = [:]
    /// Envoy asked and must get an answer even if nothing changed.
    var needsResponse = false
    /// Names subscribed explicitly and already reported as not existing.
    var reportedMissing: Set<String> = []

    /// Names are namespaces too: Envoy's VHDS subscribes to its route
    /// configuration's name and takes every `<name>/…` resource under it.
    let namespaced: Bool

    init(type: ResourceType) {
        wildcard = type.isWildcardByDefault
        namespaced = type == .virtualHost
    }

    func includes(_ name: String) -> Bool {
        if wildcard || names.contains(name) { return true }
        guard namespaced, let slash = name.lastIndex(of: "/") else { return false }
        return names.contains(String(name[..<slash]))
    }

    /// Whether a subscribed name stands for a resource (which may be
    /// missing), not for a namespace of them.
    func namesResource(_ name: String) -> Bool { !namespaced || name.contains("/") }

    var heldVersions: [String: String] { held.mapValues(\.version) }
}

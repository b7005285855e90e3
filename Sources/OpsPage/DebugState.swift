/// What the operator's page shows and `/debug/state.json` serves: one
/// model, from which the page is rendered, so the two cannot disagree.
public struct DebugState: Codable, Sendable, Equatable {
    /// One Envoy connected to this replica (one ADS stream).
    public struct Envoy: Codable, Sendable, Equatable {
        public var node: String
        public var stream: Int
        /// `delta` or `sotw` (state of the world).
        public var mode: String
        /// Per type (`cds`, `lds`, `rds`, `vhds`): the version Envoy last ACKed.
        public var acked: [String: String]
        /// Per type: Envoy's error for the response it rejects now.
        public var rejected: [String: String]
    }

    /// One leaf: the copy of a root on one physical cluster.
    public struct Leaf: Codable, Sendable, Equatable {
        public var name: String
        public var cluster: String
        /// What its syncer copied back, in a line.
        public var status: String
        /// The gateway addresses that status gives.
        public var gateways: [String]
    }

    public struct Root: Codable, Sendable, Equatable {
        /// `Ingress`, `HTTPRoute` or `Route`.
        public var kind: String
        public var namespace: String
        public var name: String
        public var hosts: [String]
        /// Placement's clusters (the annotation `kcp.dev/clusters`).
        public var clusters: [String]
        public var leaves: [Leaf]
        /// The root's merged status, in a line.
        public var status: String
        /// `programmed` (every connected Envoy holds its current routes),
        /// `pending`, `rejected`, or `unknown` without the xDS server.
        public var routing: String
        /// Why it is pending or rejected (Envoy's text for a rejection).
        public var routingDetail: String?
        /// How long its last change took from admission to the first Envoy ACK.
        public var programmedSeconds: Double?
    }

    /// One physical cluster, as the leaves name it.
    public struct PhysicalCluster: Codable, Sendable, Equatable {
        public var name: String
        /// Every address its leaves report.
        public var gateways: [String]
        /// The Envoy cluster those addresses become; nil before any is reported.
        public var envoyCluster: String?
        /// Roots placed on it.
        public var roots: Int
    }

    public struct Filter: Codable, Sendable, Equatable {
        public var namespace: String?
        /// `ingress`, `httproute` or `route`.
        public var kind: String?
        public var cluster: String?
        public var notReady: Bool

        public init(namespace: String? = nil, kind: String? = nil, cluster: String? = nil, notReady: Bool = false) {
            self.namespace = namespace
            self.kind = kind
            self.cluster = cluster
            self.notReady = notReady
        }
    }

    public struct Page: Codable, Sendable, Equatable {
        /// From 1.
        public var number: Int
        public var size: Int
        public var pages: Int
        /// Roots that pass the filter, and roots in all.
        public var matching: Int
        public var total: Int
    }

    public var version: String
    /// Whether this replica holds the Lease; nil without leader election.
    public var leader: Bool?
    public var informersSynced: Bool
    /// The status loop's queue; nil while this replica does not run it.
    public var queueDepth: Int?
    public var envoys: [Envoy]
    public var filter: Filter
    public var page: Page
    public var roots: [Root]
    public var clusters: [PhysicalCluster]
}

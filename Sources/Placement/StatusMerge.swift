public import KubeAPI

/// A root's status as the merge of its leaves' statuses (../shared/DESIGN.md,
/// "Per-kind facts"). Pure: the status loop compares the result with the
/// root's status by value and writes only when they differ.
public enum StatusMerge {
    /// One leaf's status and the cluster it reports from.
    public struct Report: Sendable {
        public var cluster: String
        public var status: JSON?

        public init(cluster: String, status: JSON?) {
            self.cluster = cluster
            self.status = status
        }

        /// The report of a leaf as stored: its `kcp.dev/cluster` label and status.
        public init(leaf: JSON) {
            cluster = leaf["metadata"]?["labels"]?[PlacementLabels.cluster]?.stringValue ?? ""
            status = leaf["status"]
        }
    }

    /// The status `root` should have. `statusHost`, when Envoy is the entry
    /// point, replaces an Ingress's addresses; `now` (RFC 3339) stamps
    /// conditions whose status changes.
    public static func status(
        of root: JSON, kind: RootKind, reports: [Report], statusHost: String? = nil, now: String
    ) -> JSON {
        let reports = reports.sorted { $0.cluster < $1.cluster }
        var status = root["status"] ?? .object(JSONObject())
        if status.objectValue == nil { status = .object(JSONObject()) }
        switch kind {
        case .ingress:
            let entries: [JSON] = statusHost.map { [["hostname": .string($0)]] } ?? loadBalancerUnion(reports)
            status["loadBalancer"] = entries.isEmpty ? .object(JSONObject()) : ["ingress": .array(entries)]
        case .httpRoute:
            status["parents"] = .array(
                HTTPRouteParents.merge(root: root, reports: reports, now: now))
        case .route:
            var seen = Set<JSON>()
            let entries = reports.flatMap { $0.status?["ingress"]?.arrayValue ?? [] }.filter {
                seen.insert($0).inserted
            }
            status["ingress"] = entries.isEmpty ? nil : .array(entries)
        }
        return status
    }

    /// The merge patch that gives `root` the `merged` status, touching
    /// nothing else; nil when the root already has it (values compared, so
    /// key order and number spelling never cause a write).
    public static func patch(for root: JSON, merged: JSON) -> JSON? {
        (root["status"] ?? .object(JSONObject())) == merged ? nil : ["status": merged]
    }

    /// Every address any cluster reports, without duplicates, sorted by IP,
    /// then hostname, then the rest.
    static func loadBalancerUnion(_ reports: [Report]) -> [JSON] {
        let all = reports.flatMap { $0.status?["loadBalancer"]?["ingress"]?.arrayValue ?? [] }
        return Array(Set(all)).sorted { a, b in
            let left = (
                a["ip"]?.stringValue ?? "", a["hostname"]?.stringValue ?? "", String(decoding: a.bytes, as: UTF8.self)
            )
            let right = (
                b["ip"]?.stringValue ?? "", b["hostname"]?.stringValue ?? "", String(decoding: b.bytes, as: UTF8.self)
            )
            return left < right
        }
    }
}

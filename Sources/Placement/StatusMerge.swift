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
    /// conditions whose status changes. Until `routing` says the proxies
    /// route the root, an Ingress keeps the addresses it had and the
    /// HTTPRoute's `Accepted` or the Route's `Admitted` says why not.
    public static func status(
        of root: JSON, kind: RootKind, reports: [Report], statusHost: String? = nil, routing: RoutingState = .routed,
        now: String
    ) -> JSON {
        let reports = reports.sorted { $0.cluster < $1.cluster }
        var status = root["status"] ?? .object(JSONObject())
        if status.objectValue == nil { status = .object(JSONObject()) }
        switch kind {
        case .ingress:
            guard routing == .routed else { break }
            let entries: [JSON] = statusHost.map { [["hostname": .string($0)]] } ?? loadBalancerUnion(reports)
            status["loadBalancer"] = entries.isEmpty ? .object(JSONObject()) : ["ingress": .array(entries)]
        case .httpRoute:
            let before = root["status"]?["parents"]?.arrayValue ?? []
            status["parents"] = .array(
                HTTPRouteParents.merge(root: root, reports: reports, now: now).map { parent in
                    let previous = before.first {
                        $0["parentRef"] == parent["parentRef"] && $0["controllerName"] == parent["controllerName"]
                    }
                    return gated(parent, routing, type: "Accepted", previous: previous, now: now)
                })
        case .route:
            var seen = Set<JSON>()
            let entries = reports.flatMap { $0.status?["ingress"]?.arrayValue ?? [] }.filter {
                seen.insert($0).inserted
            }
            let before = root["status"]?["ingress"]?.arrayValue ?? []
            status["ingress"] =
                entries.isEmpty
                ? nil
                : .array(
                    entries.map { entry in
                        let previous = before.first { $0["routerName"] == entry["routerName"] }
                        return gated(entry, routing, type: "Admitted", previous: previous, now: now)
                    })
        }
        return status
    }

    /// The merge patch that gives `root` the `merged` status, touching
    /// nothing else; nil when the root already has it (values compared, so
    /// key order and number spelling never cause a write).
    public static func patch(for root: JSON, merged: JSON) -> JSON? {
        (root["status"] ?? .object(JSONObject())) == merged ? nil : ["status": merged]
    }

    /// `entry` with its `conditions` gated by `routing`.
    private static func gated(_ entry: JSON, _ routing: RoutingState, type: String, previous: JSON?, now: String)
        -> JSON
    {
        guard routing != .routed, let conditions = entry["conditions"]?.arrayValue else { return entry }
        var entry = entry
        entry["conditions"] = .array(
            routing.gate(conditions, type: type, previous: previous?["conditions"]?.arrayValue ?? [], now: now))
        return entry
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

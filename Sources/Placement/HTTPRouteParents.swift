import KubeAPI

/// `status.parents` of an HTTPRoute root: one entry per parentRef and
/// controllerName that any leaf reports, its conditions combined across
/// the clusters; entries of controllers no leaf reports stay as they are.
enum HTTPRouteParents {
    struct Key: Hashable {
        var parentRef: JSON
        var controllerName: String
    }

    static func merge(root: JSON, reports: [StatusMerge.Report], now: String) -> [JSON] {
        let generation = root["metadata"]?["generation"]
        let previous = root["status"]?["parents"]?.arrayValue ?? []
        var order: [Key] = []
        var byCluster: [Key: [String: [JSON]]] = [:]
        for report in reports {
            for entry in report.status?["parents"]?.arrayValue ?? [] {
                let key = Key(
                    parentRef: entry["parentRef"] ?? .null, controllerName: entry["controllerName"]?.stringValue ?? "")
                if byCluster[key] == nil { order.append(key) }
                byCluster[key, default: [:]][report.cluster] = entry["conditions"]?.arrayValue ?? []
            }
        }
        let ours = Set(order.map(\.controllerName))
        let kept = previous.filter { !ours.contains($0["controllerName"]?.stringValue ?? "") }
        let clusters = reports.map(\.cluster)
        let merged = order.map { key -> JSON in
            let old = previous.first {
                Key(parentRef: $0["parentRef"] ?? .null, controllerName: $0["controllerName"]?.stringValue ?? "") == key
            }
            let conditions = combine(
                byCluster[key] ?? [:], clusters: clusters, previous: old?["conditions"]?.arrayValue ?? [],
                generation: generation, now: now)
            return [
                "parentRef": key.parentRef, "controllerName": .string(key.controllerName),
                "conditions": .array(conditions),
            ]
        }
        return kept + merged
    }

    /// Each condition type any cluster reports: `True` only when every
    /// cluster says `True`; else `False` if one says so, else `Unknown`; the
    /// message then names the clusters that do not say `True`.
    static func combine(
        _ byCluster: [String: [JSON]], clusters: [String], previous: [JSON], generation: JSON?, now: String
    ) -> [JSON] {
        var types: [String] = []
        for cluster in clusters {
            for condition in byCluster[cluster] ?? [] {
                if let type = condition["type"]?.stringValue, !types.contains(type) { types.append(type) }
            }
        }
        return types.map { type in
            let said = clusters.map { cluster in
                (cluster, (byCluster[cluster] ?? []).first { $0["type"]?.stringValue == type })
            }
            let statuses = said.map { $0.1?["status"]?.stringValue ?? "Unknown" }
            let status =
                statuses.allSatisfy { $0 == "True" } ? "True" : statuses.contains("False") ? "False" : "Unknown"
            let dissent = said.filter { ($0.1?["status"]?.stringValue ?? "Unknown") != "True" }
            let first = (dissent.first ?? said.first)?.1
            let reason = first?["reason"]?.stringValue ?? (status == "True" ? type : "Pending")
            let message: String
            if dissent.isEmpty {
                message = first?["message"]?.stringValue ?? ""
            } else {
                message =
                    "not True on " + dissent.map(\.0).joined(separator: ", ") + ": "
                    + dissent.map { "\($0.0): \($0.1?["message"]?.stringValue ?? "no report")" }.joined(separator: "; ")
            }
            let before = previous.first { $0["type"]?.stringValue == type }
            let since =
                before?["status"]?.stringValue == status
                ? (before?["lastTransitionTime"] ?? .string(now)) : .string(now)
            var condition: JSON = [
                "type": .string(type), "status": .string(status), "reason": .string(reason),
                "message": .string(message), "lastTransitionTime": since,
            ]
            if let generation { condition["observedGeneration"] = generation }
            return condition
        }
    }
}

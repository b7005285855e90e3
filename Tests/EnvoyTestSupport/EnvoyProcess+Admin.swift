public import KubeAPI

/// Envoy's admin API, for what a test asserts about the configuration Envoy
/// holds. The shapes are Envoy 1.40's; see the notes on each.
extension EnvoyProcess {
    /// GET `path` on the admin listener.
    public func admin(_ path: String, query: [(String, String)] = []) async throws -> AdminResponse {
        try await EnvoyAdmin.get(address: adminAddress, path, query: query)
    }

    /// `/config_dump`, whole or cut down: `resource` picks one field of the
    /// dumps (`dynamic_active_clusters`, `dynamic_listeners`,
    /// `dynamic_route_configs`, `static_clusters`...) and lists its items under
    /// `configs`; `mask` keeps only the named fields (`cluster.name`).
    public func configDump(resource: String? = nil, mask: String? = nil) async throws -> JSON {
        var query: [(String, String)] = []
        if let resource { query.append(("resource", resource)) }
        if let mask { query.append(("mask", mask)) }
        return try await json("/config_dump", query: query)
    }

    /// The items of one `configDump(resource:)`. Envoy answers `{}`, with no
    /// `configs` at all, while it holds none: that is an empty list here.
    public func configs(_ resource: String, mask: String? = nil) async throws -> [JSON] {
        try await configDump(resource: resource, mask: mask)["configs"]?.arrayValue ?? []
    }

    /// `/clusters?format=json`: every cluster with its hosts.
    public func clusters() async throws -> [EnvoyCluster] {
        let statuses = try await json("/clusters", query: [("format", "json")])["cluster_statuses"]?.arrayValue ?? []
        return statuses.map { cluster in
            EnvoyCluster(
                name: cluster["name"]?.stringValue ?? "",
                // proto3 JSON leaves out false.
                addedViaAPI: cluster["added_via_api"]?.boolValue ?? false,
                hosts: (cluster["host_statuses"]?.arrayValue ?? []).map { host in
                    let socket = host["address"]?["socket_address"]
                    return EnvoyHost(
                        address: socket?["address"]?.stringValue ?? "",
                        port: Int(socket?["port_value"]?.integerValue ?? 0),
                        edsHealthStatus: host["health_status"]?["eds_health_status"]?.stringValue,
                        weight: Int(host["weight"]?.integerValue ?? 0))
                })
        }
    }

    /// `/listeners?format=json`: every active listener and the port it bound.
    public func listeners() async throws -> [EnvoyListener] {
        let statuses = try await json("/listeners", query: [("format", "json")])["listener_statuses"]?.arrayValue ?? []
        return statuses.map { listener in
            let socket = listener["local_address"]?["socket_address"]
            return EnvoyListener(
                name: listener["name"]?.stringValue ?? "",
                address: socket?["address"]?.stringValue ?? "",
                port: Int(socket?["port_value"]?.integerValue ?? 0))
        }
    }

    /// Counters and gauges whose names match the regular expression `filter`
    /// (all without one). Text readouts (`cds.version_text`) and histograms
    /// are left out.
    public func stats(matching filter: String? = nil) async throws -> [String: Int] {
        var query = [("format", "json")]
        if let filter { query.append(("filter", filter)) }
        var stats: [String: Int] = [:]
        for stat in try await json("/stats", query: query)["stats"]?.arrayValue ?? [] {
            guard let name = stat["name"]?.stringValue else { continue }  // the histograms entry
            switch stat["value"] {
            case .integer(let value)?: stats[name] = Int(value)
            case nil: stats[name] = 0
            default: continue
            }
        }
        return stats
    }

    /// One counter or gauge by its exact name, such as
    /// `control_plane.connected_state`; nil if Envoy has no such stat.
    public func stat(_ name: String) async throws -> Int? {
        let escaped = name.map { $0.isLetter || $0.isNumber || $0 == "_" ? String($0) : "\\\($0)" }.joined()
        return try await stats(matching: "^\(escaped)$")[name]
    }

    /// `/server_info`'s `state`: `PRE_INITIALIZING` and `INITIALIZING` until
    /// the first clusters and listeners came (or each initial fetch timed out,
    /// 15 s by default), then `LIVE`.
    public func serverState() async throws -> String {
        try await json("/server_info")["state"]?.stringValue ?? ""
    }

    private func json(_ path: String, query: [(String, String)] = []) async throws -> JSON {
        let answer = try await admin(path, query: query)
        guard answer.status == 200 else {
            throw EnvoyTestError("GET \(path) on Envoy's admin listener answered \(answer.status): \(answer.body)")
        }
        return try JSON(parsing: answer.body)
    }
}

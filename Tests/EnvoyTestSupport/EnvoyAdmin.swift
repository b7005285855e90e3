/// An answer of Envoy's admin API.
public struct AdminResponse: Sendable {
    public var status: Int
    public var body: String
}

/// GETs on Envoy's admin API, by the real curl.
enum EnvoyAdmin {
    /// `path` with `query` parameters, URL-encoded (stats filters are regular
    /// expressions).
    static func get(address: String, _ path: String, query: [(String, String)] = []) async throws -> AdminResponse {
        let encoded = query.flatMap { ["--data-urlencode", "\($0.0)=\($0.1)"] }
        let result = try await Command.run(
            Command.find("curl"),
            ["-sS", "--max-time", "10", "--get", "-o", "-", "-w", "\n%{http_code}"] + encoded
                + ["http://\(address)\(path)"],
            timeout: .seconds(15))
        guard result.status == 0, let newline = result.stdout.lastIndex(of: "\n"),
            let status = Int(result.stdout[result.stdout.index(after: newline)...])
        else {
            throw EnvoyTestError("GET \(path) on Envoy's admin listener failed: \(result.stderr)")
        }
        return AdminResponse(status: status, body: String(result.stdout[..<newline]))
    }
}

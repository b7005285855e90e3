import Foundation

/// What `curl(through:host:path:)` got back.
public struct CurlResult: Sendable {
    /// The HTTP status; 0 when no HTTP answer came (refused, reset, timed out).
    public var status: Int
    public var body: String
    /// curl's own error message, when it had one.
    public var error: String

    /// The body as a stand-in gateway's reply; nil when something else
    /// answered (Envoy's own 404 or 503, say).
    public var reply: StandInReply? { StandInReply(body: body) }
}

/// A request through Envoy's proxy listener on 127.0.0.1:`port` by the real
/// curl, with `Host: host` as a client of the public address would send it
/// (no port in it: Envoy matches the port too, when there is one).
/// `--path-as-is`: the path reaches Envoy exactly as given.
///
/// - Parameter arguments: more curl arguments (`-X`, `-H`...).
public func curl(
    through port: Int,
    host: String,
    path: String = "/",
    arguments: [String] = [],
    timeout: Duration = .seconds(10)
) async throws -> CurlResult {
    let seconds = max(1, Int(timeout.components.seconds))
    let result = try await Command.run(
        Command.find("curl"),
        ["-sS", "--path-as-is", "--max-time", "\(seconds)", "-o", "-", "-w", "\n%{http_code}", "-H", "Host: \(host)"]
            + arguments + ["http://127.0.0.1:\(port)\(path)"],
        timeout: timeout + .seconds(5))
    let newline = result.stdout.lastIndex(of: "\n")
    let status = newline.flatMap { Int(result.stdout[result.stdout.index(after: $0)...]) } ?? 0
    let body = newline.map { String(result.stdout[..<$0]) } ?? ""
    return CurlResult(status: status, body: body, error: result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
}

import EnvoyTestSupport
import Foundation

/// A steady stream of requests through Envoy while something changes
/// behind it: one curl process sending `count` GETs, one after the other
/// at `perSecond`, each to `path?n=<i>` (so the stand-in that answered a
/// given request can be found in its `requests`), every answer's status
/// recorded in order. One process rather than one per request: curl's own
/// pacing keeps the rate even on a busy machine, and a keep-alive
/// connection is what a real client of Envoy holds.
struct RequestLoop {
    var port: Int
    var host: String
    var path: String
    var count: Int
    var perSecond: Int

    /// The statuses of every request, in order; 0 where no HTTP answer came
    /// (connection refused or reset, timeout).
    func run() async throws -> [Int] {
        let pacing = Duration.seconds(count / max(1, perSecond) + 1)
        let result = try await Command.run(
            Command.find("curl"),
            [
                "-sS", "--rate", "\(perSecond)/s", "--max-time", "5", "-w", "%{http_code}\\n", "-H", "Host: \(host)",
                // One URL glob, so that the one -o takes every answer's body.
                "-o", "/dev/null", "http://127.0.0.1:\(port)\(path)?n=[1-\(count)]",
            ],
            timeout: pacing * 2 + .seconds(30))
        let statuses = result.stdout.split(separator: "\n").map { Int($0) ?? 0 }
        // curl writes one line per transfer; one missing is one that never ran.
        return statuses + Array(repeating: 0, count: max(0, count - statuses.count))
    }
}

extension Array where Element == Int {
    /// "200 ×298, 503 ×2": what a failed loop saw, for the failure message.
    var tally: String {
        Dictionary(grouping: self) { $0 }.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value.count)" }
            .joined(separator: ", ")
    }
}

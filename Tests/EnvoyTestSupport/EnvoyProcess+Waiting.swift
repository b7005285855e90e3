import TestSupport

extension EnvoyProcess {
    /// `waitFor` that stops at once if Envoy exits, and whose failure carries
    /// the end of Envoy's log.
    public func waitFor(
        _ what: String,
        timeout: Duration = .seconds(20),
        interval: Duration = .milliseconds(100),
        _ condition: () async throws -> Bool
    ) async throws {
        let outcome: WaitOutcome
        do {
            outcome = try await TestSupport.waitFor(what, timeout: timeout, interval: interval) {
                guard isRunning else { return .exited }
                return try await condition() ? .held : nil
            }
        } catch let timedOut as WaitTimedOut {
            throw EnvoyTestError("\(timedOut)", log: logTail())
        }
        if outcome == .exited { throw EnvoyTestError("Envoy exited while waiting: \(what)", log: logTail()) }
    }

    private enum WaitOutcome { case held, exited }
}

extension EnvoyProcess {
    /// Curls `host` and `path` through Envoy's proxy listener on `port` until
    /// the stand-in gateway of `cluster` answers, and returns its reply: the
    /// step of an end-to-end test that waits for configuration to reach
    /// Envoy. On timeout the error names the last answer.
    @discardableResult
    public func waitForRoute(
        port: Int,
        host: String,
        path: String = "/",
        to cluster: String,
        timeout: Duration = .seconds(20)
    ) async throws -> StandInReply {
        var last: CurlResult?
        var reply: StandInReply?
        do {
            try await waitFor("\(host)\(path) answered by \(cluster)", timeout: timeout) {
                let answer = try await curl(through: port, host: host, path: path, timeout: .seconds(5))
                last = answer
                reply = answer.reply
                return answer.status == 200 && reply?.cluster == cluster
            }
        } catch var error as EnvoyTestError {
            if let last { error.message += "; last answer: \(last.status) \(last.body) \(last.error)" }
            throw error
        }
        guard let reply else { throw EnvoyTestError("no reply from \(cluster)") }
        return reply
    }
}

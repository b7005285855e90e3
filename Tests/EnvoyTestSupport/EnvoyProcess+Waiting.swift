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

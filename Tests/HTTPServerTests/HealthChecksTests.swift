import HTTPServer
import Testing

@Suite("Readiness: waiting until ready", .timeLimit(.minutes(1)))
struct HealthChecksTests {
    @Test("waitUntilReady returns once every check passes")
    func returnsWhenReady() async throws {
        let health = HealthChecks()
        let passing = ReadyFlag()
        health.addReadinessCheck("flag") { await passing.value ? .passed : .failed("not yet") }
        let waiter = Task { try await health.waitUntilReady(checkingEvery: .milliseconds(5)) }
        await passing.set()
        try await waiter.value
    }

    /// A process stopped before it was ever ready: the wait ends with the
    /// cancellation, rather than looking again and again with no pause.
    @Test("waitUntilReady throws when cancelled, also after shutdown began")
    func cancelled() async throws {
        let health = HealthChecks()
        health.beginShutdown()
        let waiter = Task { try await health.waitUntilReady(checkingEvery: .seconds(3600)) }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }
}

actor ReadyFlag {
    var value = false
    func set() { value = true }
}

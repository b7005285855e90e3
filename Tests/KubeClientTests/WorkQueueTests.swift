import MetricsTestKit
import Synchronization
import Testing

@testable import KubeClient

/// A clock that moves only when told to.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let state = Mutex<(now: Instant, sleepers: [(Instant, CheckedContinuation<Void, Never>)])>(
        (Instant(offset: .zero), []))

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if deadline <= state.now { return true }
                state.sleepers.append((deadline, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func advance(by duration: Duration) {
        let due = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.now = state.now.advanced(by: duration)
            let due = state.sleepers.filter { $0.0 <= state.now }.map(\.1)
            state.sleepers.removeAll { $0.0 <= state.now }
            return due
        }
        for continuation in due { continuation.resume() }
    }

    var sleeping: Int { state.withLock { $0.sleepers.count } }
}

@Suite("Work queue with client-go's semantics", .timeLimit(.minutes(1)))
struct WorkQueueTests {
    @Test("a queued key is not queued twice; a key added while processed comes back after done")
    func deduplication() async {
        let queue = WorkQueue<String, ManualClock>(clock: ManualClock())
        await queue.add("a")
        await queue.add("a")
        await queue.add("b")
        #expect(await queue.count == 2)
        #expect(await queue.get() == "a")
        await queue.add("a")  // while "a" is being processed
        #expect(await queue.count == 1, "not handed to a second worker")
        #expect(await queue.get() == "b")
        await queue.done("a")
        #expect(await queue.get() == "a", "processed again after done")
    }

    @Test("workqueue_depth follows the queue, also when done() puts back a key added while it was processed")
    func depthMetric() async throws {
        let metrics = TestMetrics()
        let queue = WorkQueue<String, ManualClock>(clock: ManualClock(), name: "q", metricsFactory: metrics)
        let depth = { try metrics.expectGauge("workqueue_depth", [("name", "q")]).lastValue }
        await queue.add("a")
        #expect(try depth() == 1)
        #expect(await queue.get() == "a")
        #expect(try depth() == 0)
        await queue.add("a")  // while "a" is being processed: not queued yet
        #expect(try depth() == 0)
        await queue.done("a")
        #expect(try depth() == 1, "the key is back on the queue")
        #expect(try metrics.expectCounter("workqueue_adds_total", [("name", "q")]).totalValue == 2)
    }

    @Test("a waiting worker gets the next key; after shutdown, workers drain and then get nil")
    func waitingAndShutdown() async {
        let queue = WorkQueue<String, ManualClock>(clock: ManualClock())
        let waiting = Task { await queue.get() }
        // Only once the worker waits does `add` take the hand-over path.
        for _ in 0..<10_000 {
            if await queue.waitingWorkers > 0 { break }
            try? await Task.sleep(for: .milliseconds(1))
        }
        #expect(await queue.waitingWorkers == 1)
        await queue.add("x")
        let (waiters, queued) = (await queue.waitingWorkers, await queue.count)
        #expect(waiters == 0 && queued == 0, "handed over, not queued")
        #expect(await waiting.value == "x")
        await queue.add("y")
        await queue.shutDown()
        await queue.add("z")
        #expect(await queue.get() == "y")
        #expect(await queue.get() == nil)
    }

    @Test("per-key backoff doubles from 5 ms up to 1000 s, and forget resets it")
    func backoff() async {
        let queue = WorkQueue<String, ManualClock>(clock: ManualClock(), rate: 1_000_000, burst: 1_000_000)
        var delays: [Duration] = []
        for _ in 0..<4 { delays.append(await queue.rateLimitDelay(for: "a")) }
        #expect(delays == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40)])
        #expect(await queue.requeues(of: "a") == 4)
        for _ in 0..<30 { _ = await queue.rateLimitDelay(for: "a") }
        #expect(await queue.rateLimitDelay(for: "a") == .seconds(1000))
        await queue.forget("a")
        #expect(await queue.rateLimitDelay(for: "a") == .milliseconds(5))
    }

    @Test("the overall bucket lets a burst of 100 through, then 10 per second")
    func bucket() async {
        let clock = ManualClock()
        let queue = WorkQueue<Int, ManualClock>(clock: clock)
        for key in 0..<100 { #expect(await queue.rateLimitDelay(for: key) == .milliseconds(5)) }
        #expect(await queue.rateLimitDelay(for: 100) == .milliseconds(100))
        #expect(await queue.rateLimitDelay(for: 101) == .milliseconds(200))
        clock.advance(by: .seconds(1))
        #expect(
            await queue.rateLimitDelay(for: 102) == .milliseconds(5),
            "ten tokens came back after a second, two were owed")
    }

    @Test("a rate-limited key appears only once its delay has passed on the clock")
    func delayedAdd() async throws {
        let clock = ManualClock()
        let queue = WorkQueue<String, ManualClock>(clock: clock)
        await queue.addRateLimited("a")
        while clock.sleeping == 0 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(await queue.count == 0)
        clock.advance(by: .milliseconds(4))
        #expect(await queue.count == 0)
        clock.advance(by: .milliseconds(1))
        #expect(await queue.get() == "a")
    }

    @Test("a worker parked in get() returns nil when its task is cancelled")
    func cancelledGet() async {
        let queue = WorkQueue<String, ManualClock>(clock: ManualClock())
        let worker = Task { await queue.get() }
        for _ in 0..<10_000 {
            if await queue.waitingWorkers > 0 { break }
            try? await Task.sleep(for: .milliseconds(1))
        }
        #expect(await queue.waitingWorkers == 1)
        worker.cancel()
        #expect(await worker.value == nil)
        #expect(await queue.waitingWorkers == 0)
        // The queue still works for others, and the cancelled worker took no key.
        await queue.add("k")
        #expect(await queue.get() == "k")
    }

    @Test("shutDown drops delayed adds: none lands afterwards")
    func shutDownDropsDelayed() async {
        let clock = ManualClock()
        let queue = WorkQueue<String, ManualClock>(clock: clock)
        await queue.add("late", after: .seconds(5))
        #expect(await queue.pendingDelayedAdds == 1)
        await queue.shutDown()
        #expect(await queue.pendingDelayedAdds == 0)
        clock.advance(by: .seconds(10))
        #expect(await queue.get() == nil)
        #expect(await queue.count == 0)
    }
}

import Foundation
import HTTPServer
import KubeAPI
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import KubeClient

@Suite("Leader election on a Lease", .timeLimit(.minutes(2)))
struct LeaderElectorTests {
    /// Shorter than client-go's, but with the renew deadline still many
    /// retries long, so that a machine loaded by other tests renews in time;
    /// and a lease long enough that a hand-over by release and one by expiry
    /// cannot be mistaken for each other.
    func configuration(_ identity: String) -> LeaderElectionConfiguration {
        var configuration = LeaderElectionConfiguration(
            namespace: "kube-system", name: "kcp-ingress", identity: identity)
        configuration.leaseDuration = .seconds(10)
        configuration.renewDeadline = .seconds(6)
        configuration.retryPeriod = .milliseconds(500)
        return configuration
    }

    /// When each elector started and stopped leading, on one clock.
    final class Timeline: Sendable {
        let events = Mutex<[(who: String, leading: Bool, at: ContinuousClock.Instant)]>([])

        func record(_ who: String, _ leading: Bool) {
            events.withLock { $0.append((who, leading, .now)) }
        }

        func first(_ who: String, leading: Bool) -> ContinuousClock.Instant? {
            events.withLock { $0.first { $0.who == who && $0.leading == leading }?.at }
        }
    }

    /// Runs `elector`; its lead body records start and (on cancellation) stop.
    func run(_ elector: LeaderElector, _ who: String, _ timeline: Timeline) -> Task<Void, Never> {
        Task {
            await elector.run {
                timeline.record(who, true)
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
                timeline.record(who, false)
            }
        }
    }

    @Test("one of two leads; stopped, it releases the lease and the other takes over at once")
    func handOverOnStop() async throws {
        try await TestAPIServer.with { server in
            let logger = Logger(label: "elector")
            let first = try LeaderElector(
                client: try server.client(), configuration: configuration("first"), logger: logger)
            let second = try LeaderElector(
                client: try server.client(), configuration: configuration("second"), logger: logger)
            let timeline = Timeline()
            let firstTask = run(first, "first", timeline)
            try await waitUntil { first.isLeader }
            let secondTask = run(second, "second", timeline)
            defer { secondTask.cancel() }
            // The second keeps trying and must not lead while the first renews.
            try await Task.sleep(for: .seconds(2))
            #expect(first.isLeader && !second.isLeader)

            let lease = Lease(
                json: try await server.client().get(Lease.type, namespace: "kube-system", name: "kcp-ingress"))
            #expect(lease.holderIdentity == "first" && lease.leaseDurationSeconds == 10)

            let stoppedAt = ContinuousClock.now
            firstTask.cancel()
            await firstTask.value
            // The lead body records its start just after isLeader turns true: wait for the record.
            try await waitUntil { timeline.first("second", leading: true) != nil }
            let startedAt = try #require(timeline.first("second", leading: true))
            // Released: the successor does not wait out the lease (10 s from the last change it saw, so
            // at least 8.9 s from here), only for its next retry (≤ 2.2 × 0.5 s).
            #expect(stoppedAt.duration(to: startedAt) < .seconds(5))
            let after = Lease(
                json: try await server.client().get(Lease.type, namespace: "kube-system", name: "kcp-ingress"))
            #expect(after.holderIdentity == "second" && after.leaseTransitions == 1)
        }
    }

    @Test("a leader cut off from the API stops leading before the other starts")
    func cutOffLeaderStopsFirst() async throws {
        try await TestAPIServer.with { server in
            let proxy = try await TCPProxy(targetPort: server.port)
            defer { proxy.close() }
            var viaProxy = server.connection
            viaProxy.server = "https://127.0.0.1:\(proxy.port)"
            var options = APIClientOptions()
            options.requestTimeout = .seconds(5)
            let logger = Logger(label: "elector")
            let cutOff = try LeaderElector(
                client: try APIClient(connection: viaProxy, options: options), configuration: configuration("cut-off"),
                logger: logger)
            let other = try LeaderElector(
                client: try server.client(), configuration: configuration("other"), logger: logger)
            let timeline = Timeline()
            let cutOffTask = run(cutOff, "cut-off", timeline)
            defer { cutOffTask.cancel() }
            try await waitUntil { cutOff.isLeader }
            let otherTask = run(other, "other", timeline)
            defer { otherTask.cancel() }
            try await Task.sleep(for: .milliseconds(500))

            let cutAt = ContinuousClock.now
            proxy.cut()
            try await waitUntil(within: .seconds(20)) { timeline.first("other", leading: true) != nil }
            let stopped = try #require(timeline.first("cut-off", leading: false))
            let started = try #require(timeline.first("other", leading: true))
            #expect(stopped < started, "the cut-off leader stopped before the other started")
            // It stopped within the renew deadline of its last renewal (≤ 6 s after the cut)…
            #expect(cutAt.duration(to: stopped) <= .milliseconds(6200))
            // …and the other took over once the lease expired: 10 s after the last change it saw, plus a retry.
            #expect(cutAt.duration(to: started) <= .seconds(10) + .milliseconds(1100 + 1000))
            #expect(!cutOff.isLeader)
        }
    }
    @Test(
        "a leader whose workers are all parked on the queue, cut off from the API, stops at the renew deadline and its term ends"
    )
    func parkedWorkersEndWithTheTerm() async throws {
        try await TestAPIServer.with { server in
            let proxy = try await TCPProxy(targetPort: server.port)
            defer { proxy.close() }
            var viaProxy = server.connection
            viaProxy.server = "https://127.0.0.1:\(proxy.port)"
            var options = APIClientOptions()
            options.requestTimeout = .seconds(5)
            let elector = try LeaderElector(
                client: try APIClient(connection: viaProxy, options: options), configuration: configuration("parked"),
                logger: Logger(label: "elector"))
            let timeline = Timeline()
            let termEnded = Mutex<ContinuousClock.Instant?>(nil)
            let task = Task {
                await elector.run {
                    // As the status loop leads: a fresh queue per term, workers parked in get().
                    timeline.record("parked", true)
                    let queue = WorkQueue<String, ContinuousClock>(clock: ContinuousClock())
                    await withDiscardingTaskGroup { group in
                        for _ in 0..<4 {
                            group.addTask { while let key = await queue.get() { await queue.done(key) } }
                        }
                    }
                    await queue.shutDown()
                    termEnded.withLock { $0 = $0 ?? .now }
                }
            }
            defer { task.cancel() }
            try await waitUntil { elector.isLeader }
            let cutAt = ContinuousClock.now
            proxy.cut()
            try await waitUntil(within: .seconds(20)) { termEnded.withLock { $0 } != nil }
            let ended = try #require(termEnded.withLock { $0 })
            #expect(!elector.isLeader)
            // The renew deadline (6 s) of the last renewal before the cut, plus a retry period.
            #expect(cutAt.duration(to: ended) <= .milliseconds(6700), "the parked workers left with the term")
        }
    }
}

@Suite("Leader election when renewals hang", .timeLimit(.minutes(1)))
struct LeaderElectorHangingRenewalTests {
    /// A Lease API that stores what it is sent and, after `successfulUpdates`
    /// updates, never answers another: a renewal that hangs rather than fails.
    final class LeaseAPI: Sendable {
        let state = Mutex<(lease: JSON?, updates: Int, lastAnswered: ContinuousClock.Instant?)>((nil, 0, nil))
        let successfulUpdates: Int

        init(successfulUpdates: Int) { self.successfulUpdates = successfulUpdates }

        func answer(_ request: HTTPRequest) async -> HTTPResponse {
            switch request.method {
            case .GET:
                guard let lease = state.withLock({ $0.lease }) else {
                    return ScriptedServer.status(404, "NotFound", "leases.coordination.k8s.io \"x\" not found")
                }
                return ScriptedServer.ok(lease)
            default:
                let hang = state.withLock { state -> Bool in
                    if request.method == .PUT { state.updates += 1 }
                    return state.updates > successfulUpdates
                }
                if hang {
                    try? await Task.sleep(for: .seconds(60))
                    return ScriptedServer.status(504, "Timeout", "too late")
                }
                var lease = (try? JSON(parsing: request.body.readableBytesView)) ?? [:]
                return state.withLock { state in
                    lease.setField("metadata", "resourceVersion", to: .string("\(state.updates + 1)"))
                    state.lease = lease
                    state.lastAnswered = .now
                    return ScriptedServer.ok(lease)
                }
            }
        }
    }

    @Test("a leader whose renewals hang stops at the renew deadline, not when the request times out")
    func hangingRenewal() async throws {
        let api = LeaseAPI(successfulUpdates: 3)
        let server = try await ScriptedServer(requests: { _, request in await api.answer(request) })
        defer { server.stop() }
        var configuration = LeaderElectionConfiguration(namespace: "default", name: "x", identity: "me")
        // A deadline many retries long, so that a machine loaded by other tests still
        // renews successfully before the renewals start to hang.
        configuration.leaseDuration = .seconds(8)
        configuration.renewDeadline = .seconds(5)
        configuration.retryPeriod = .milliseconds(300)
        // Each request may take 30 s: only the renew deadline can end leadership in time.
        let elector = try LeaderElector(
            client: try APIClient(connection: server.connection()), configuration: configuration,
            logger: Logger(label: "elector"))
        let task = Task {
            await elector.run { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) } }
        }
        defer { task.cancel() }
        try await waitUntil { elector.isLeader }
        #expect(elector.isLeader)
        try await waitUntil(within: .seconds(20)) { !elector.isLeader }
        let stopped = ContinuousClock.now
        #expect(!elector.isLeader)
        let lastAnswered = try #require(api.state.withLock { $0.lastAnswered })
        #expect(api.state.withLock { $0.updates } > 3, "a renewal was hanging")
        // The deadline counts from the start of the last successful renewal, which began before its answer.
        #expect(lastAnswered.duration(to: stopped) <= .seconds(5) + .milliseconds(500))
    }
}

import Logging
import Synchronization
import Testing
import XDS

@Suite struct StreamDriverTests {
    /// Collects what the driver sends, and lets a test wait for it.
    final class Sent: Sendable {
        private let responses = Mutex<[XDSResponse]>([])

        func append(_ response: XDSResponse) { responses.withLock { $0.append(response) } }
        var all: [XDSResponse] { responses.withLock { $0 } }

        func wait(for count: Int) async throws -> [XDSResponse] {
            for _ in 0..<500 {
                let all = self.all
                if all.count >= count { return all }
                try await Task.sleep(for: .milliseconds(10))
            }
            Issue.record("expected \(count) responses, got \(all.count)")
            return all
        }
    }

    @Test func aBurstOfSnapshotsWhileEnvoyIsBusyBecomesOneResponse() async throws {
        let cache = SnapshotCache(Fixture.snapshot(1, clusters: [Fixture.cluster("c0")], hosts: []))
        let registry = XDSStreamRegistry()
        let driver = XDSStreamDriver(cache: cache, registry: registry, logger: Logger(label: "test"))
        let (requests, envoy) = AsyncStream.makeStream(of: XDSRequest.self)
        let sent = Sent()
        let run = Task {
            try await driver.run(delta: false, requests: requests) { sent.append($0) }
        }
        var request = Fixture.request(.cluster)
        request.nodeID = "kcp-ingress"
        envoy.yield(request)
        let first = try await sent.wait(for: 1)[0]
        #expect(first.resources.map(\.name) == ["c0"])
        #expect(registry.streams.map(\.nodeID) == ["kcp-ingress"])

        // A thousand changes while the first response is unanswered.
        for sequence in 2...1001 {
            cache.publish(Fixture.snapshot(UInt64(sequence), clusters: [Fixture.cluster("c\(sequence)")], hosts: []))
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(sent.all.count == 1)
        envoy.yield(Fixture.request(.cluster, nonce: first.nonce, version: first.versionInfo))
        let second = try await sent.wait(for: 2)[1]
        #expect(second.resources.map(\.name) == ["c1001"])
        try await Task.sleep(for: .milliseconds(50))
        #expect(sent.all.count == 2)

        envoy.finish()
        try await run.value
        #expect(registry.streams.isEmpty)
    }

    @Test func aNackIsRecordedForTheStream() async throws {
        let cache = SnapshotCache(Fixture.snapshot(1, clusters: [Fixture.cluster("east")], hosts: []))
        let registry = XDSStreamRegistry()
        let driver = XDSStreamDriver(cache: cache, registry: registry, logger: Logger(label: "test"))
        let (requests, envoy) = AsyncStream.makeStream(of: XDSRequest.self)
        let sent = Sent()
        let run = Task { try await driver.run(delta: true, requests: requests) { sent.append($0) } }
        envoy.yield(Fixture.deltaRequest(.cluster))
        let first = try await sent.wait(for: 1)[0]
        envoy.yield(Fixture.deltaRequest(.cluster, nonce: first.nonce, error: "invalid cluster"))
        var rejections: [ResourceType: String] = [:]
        for _ in 0..<200 where rejections.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
            rejections = registry.streams.first?.rejections ?? [:]
        }
        #expect(rejections == [.cluster: "invalid cluster"])
        run.cancel()
        _ = try? await run.value
        #expect(registry.streams.isEmpty)
    }
}

extension StreamDriverTests {
    @Test func requestsWaitForTheFirstSnapshot() async throws {
        // A restarted server has no snapshot until its informers synced:
        // answering before would tell Envoy every route is gone.
        let cache = SnapshotCache()
        let driver = XDSStreamDriver(cache: cache, registry: XDSStreamRegistry(), logger: Logger(label: "test"))
        let (requests, envoy) = AsyncStream.makeStream(of: XDSRequest.self)
        let sent = Sent()
        let run = Task { try await driver.run(delta: false, requests: requests) { sent.append($0) } }
        envoy.yield(Fixture.request(.cluster))
        try await Task.sleep(for: .milliseconds(100))
        #expect(sent.all.isEmpty)
        cache.publish(Fixture.snapshot(1, clusters: [Fixture.cluster("east")], hosts: []))
        let first = try await sent.wait(for: 1)[0]
        #expect(first.resources.map(\.name) == ["east"])
        envoy.finish()
        try await run.value
    }
}

import Foundation
import HTTPServer
import KubeAPI
import Logging
import NIOCore
import NIOHTTP1
import Placement
import Synchronization
import Testing

@testable import KubeClient

/// Records every handler call, and can say whether any (key, resourceVersion)
/// was delivered twice.
final class HandlerLog: Sendable {
    struct Call: Hashable {
        var kind: String
        var key: String
        var version: String
    }

    let calls = Mutex<[Call]>([])
    /// The objects handlers were given, in order.
    let objects = Mutex<[JSON]>([])

    func record(_ event: InformerEvent) {
        let kind =
            switch event {
            case .added: "added"
            case .updated: "updated"
            case .deleted: "deleted"
            }
        let object = event.object
        objects.withLock { $0.append(object) }
        calls.withLock {
            $0.append(
                Call(
                    kind: kind, key: InformerStore.key(of: object),
                    version: object["metadata"]?["resourceVersion"]?.stringValue ?? ""))
        }
    }

    var all: [Call] { calls.withLock { $0 } }
    var handed: [JSON] { objects.withLock { $0 } }

    /// Adds and updates delivered more than once for the same version.
    var duplicates: [Call] {
        var seen = Set<Call>()
        return all.filter {
            $0.kind != "deleted" && !seen.insert(Call(kind: "", key: $0.key, version: $0.version)).inserted
        }
    }
}

@Suite("Informers against the development API server", .timeLimit(.minutes(3)))
struct InformerTests {
    let logger = Logger(label: "informer-test")

    /// Runs an informer for Services in a task; returns it with its handler log.
    func start(_ client: APIClient, watchTimeout: ClosedRange<Int> = 300...599) -> (
        Informer, HandlerLog, Task<Void, Never>
    ) {
        let informer = Informer(
            client: client, type: Service.type, indexers: PlacementIndex.forRoots, watchTimeoutSeconds: watchTimeout,
            logger: logger)
        let log = HandlerLog()
        informer.addHandler { log.record($0) }
        let task = Task { await informer.run() }
        return (informer, log, task)
    }

    /// Waits until the store holds exactly what the server lists (keys and versions).
    func expectConverged(_ informer: Informer, _ client: APIClient, within: Duration = .seconds(20)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: within)
        var expected: [String: String] = [:]
        while clock.now < deadline {
            let list = try await client.list(Service.type)
            expected = Dictionary(
                uniqueKeysWithValues: list.items.map {
                    (InformerStore.key(of: $0), $0["metadata"]?["resourceVersion"]?.stringValue ?? "")
                })
            if informer.store.versions() == expected { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(informer.store.versions() == expected, "the store never matched the server's list")
    }

    @Test("sync, then adds, updates with old and new objects, deletes; indexes follow")
    func events() async throws {
        try await TestAPIServer.with { server in
            let client = try server.client()
            _ = try await client.createService("before")
            let (informer, log, task) = start(client)
            defer { task.cancel() }
            try await waitUntil { informer.hasSynced }
            #expect(informer.hasSynced && informer.store.get(namespace: "default", name: "before") != nil)

            _ = try await client.createService("leaf", labels: [PlacementLabels.ownedBy: "root"])
            _ = try await client.patch(
                Service.type, namespace: "default", name: "before", .merge(["metadata": ["labels": ["v": "2"]]]))
            try await client.delete(Service.type, namespace: "default", name: "before")
            try await expectConverged(informer, client)
            try await waitUntil { log.all.count == 4 }

            #expect(log.all.map(\.kind) == ["added", "added", "updated", "deleted"])
            #expect(informer.store.byIndex("owned-by", "default/root").count == 1)
            #expect(informer.store.byIndex("namespace", "default").count == 1)
            #expect(log.duplicates.isEmpty)
        }
    }

    @Test("a label-selected informer holds only matching objects; one relabelled out of the selector is deleted")
    func labelSelector() async throws {
        try await TestAPIServer.with { server in
            let client = try server.client()
            _ = try await client.createService("web", labels: ["app": "web"])
            _ = try await client.createService("db", labels: ["app": "db"])
            let informer = Informer(
                client: client, type: Service.type, labelSelector: "app=web", logger: logger)
            let log = HandlerLog()
            informer.addHandler { log.record($0) }
            let task = Task { await informer.run() }
            defer { task.cancel() }
            try await waitUntil { informer.hasSynced }
            #expect(informer.store.keys() == ["default/web"])

            _ = try await client.createService("web-2", labels: ["app": "web"])
            _ = try await client.patch(
                Service.type, namespace: "default", name: "web", .merge(["metadata": ["labels": ["app": "old"]]]))
            _ = try await client.patch(
                Service.type, namespace: "default", name: "db", .merge(["metadata": ["labels": ["app": "web"]]]))
            try await waitUntil { informer.store.keys() == ["default/web-2", "default/db"] }
            #expect(informer.store.keys() == ["default/web-2", "default/db"])
            #expect(
                log.all.map { "\($0.kind) \($0.key)" } == [
                    "added default/web", "added default/web-2", "deleted default/web", "added default/db",
                ])
        }
    }

    @Test("the services index: roots found by the Services their backends name")
    func servicesIndex() async throws {
        try await TestAPIServer.with { server in
            let client = try server.client()
            let ingress = try JSON(
                parsing: """
                    {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"shop","namespace":"default"},
                     "spec":{"rules":[{"host":"shop.example.com","http":{"paths":[
                       {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}},
                       {"path":"/api","pathType":"Prefix","backend":{"service":{"name":"api","port":{"number":80}}}}]}}]}}
                    """)
            _ = try await client.create(ingress, Ingress.type, namespace: "default")
            let informer = Informer(
                client: client, type: Ingress.type, indexers: PlacementIndex.forRoots, logger: logger)
            let task = Task { await informer.run() }
            defer { task.cancel() }
            try await waitUntil { informer.hasSynced }
            #expect(informer.store.byIndex("services", "default/web").count == 1)
            #expect(informer.store.byIndex("services", "default/api").count == 1)
            #expect(informer.store.byIndex("services", "default/other").isEmpty)
        }
    }

    @Test("watches the server ends every second, while writes go on: no event lost, none repeated")
    func serverClosesWatches() async throws {
        try await TestAPIServer.with { server in
            let client = try server.client()
            let (informer, log, task) = start(client, watchTimeout: 1...1)
            defer { task.cancel() }
            try await waitUntil { informer.hasSynced }
            let clock = ContinuousClock()
            let end = clock.now.advanced(by: .seconds(3))
            var index = 0
            while clock.now < end {
                _ = try await client.createService("s-\(index)")
                if index % 3 == 2 {
                    try await client.delete(Service.type, namespace: "default", name: "s-\(index - 1)")
                }
                index += 1
                try await Task.sleep(for: .milliseconds(10))
            }
            try await expectConverged(informer, client)
            #expect(log.duplicates.isEmpty)
            #expect(informer.listCount == 1, "ended watches resume from their version; no relist")
            let adds = log.all.filter { $0.kind == "added" }.count
            #expect(adds == index, "one add per create")
        }
    }

    @Test("a watch cut off until its version has left the history gets 410 and relists to the server's state")
    func expiredWatchRelists() async throws {
        try await TestAPIServer.with(historyCapacity: 20) { server in
            let client = try server.client()
            let proxy = try await TCPProxy(targetPort: server.port)
            defer { proxy.close() }
            var viaProxy = server.connection
            viaProxy.server = "https://127.0.0.1:\(proxy.port)"
            let proxied = try APIClient(connection: viaProxy)
            for index in 0..<5 { _ = try await client.createService("keep-\(index)") }
            let (informer, log, task) = start(proxied)
            defer { task.cancel() }
            try await waitUntil { informer.hasSynced }

            proxy.cut()
            for index in 0..<30 { _ = try await client.createService("new-\(index)") }
            try await client.delete(Service.type, namespace: "default", name: "keep-0")
            _ = try await client.patch(
                Service.type, namespace: "default", name: "keep-1", .merge(["metadata": ["labels": ["x": "y"]]]))
            proxy.restore()

            try await expectConverged(informer, client, within: .seconds(30))
            #expect(informer.listCount >= 2)
            #expect(log.duplicates.isEmpty)
            let calls = log.all
            #expect(calls.filter { $0.kind == "added" }.count == 35)
            #expect(calls.contains { $0.kind == "deleted" && $0.key == "default/keep-0" })
            #expect(calls.filter { $0.kind == "updated" && $0.key == "default/keep-1" }.count == 1)
        }
    }

    @Test("a restarted API server: the informer reconnects and ends identical to the server's list")
    func restartedServer() async throws {
        try await TestAPIServer.with(persistent: true) { server in
            let client = try server.client()
            for index in 0..<10 { _ = try await client.createService("svc-\(index)") }
            let (informer, log, task) = start(client)
            defer { task.cancel() }
            try await waitUntil { informer.hasSynced }

            // The test's own writes go through a client made after each restart: a
            // pooled connection the restart closed may still take a POST or PATCH,
            // which (as in Go) is not replayed. The informer keeps its client.
            try await server.restart()
            let afterFirst = try server.client()
            for index in 10..<20 { _ = try await afterFirst.createService("svc-\(index)") }
            try await afterFirst.delete(Service.type, namespace: "default", name: "svc-3")
            try await server.restart()
            let afterSecond = try server.client()
            _ = try await afterSecond.patch(
                Service.type, namespace: "default", name: "svc-4",
                .merge(["metadata": ["labels": ["after": "restart"]]]))

            try await expectConverged(informer, afterSecond, within: .seconds(30))
            #expect(log.duplicates.isEmpty)
            #expect(log.all.filter { $0.kind == "added" }.count == 20)
            #expect(log.all.filter { $0.kind == "deleted" }.map(\.key) == ["default/svc-3"])
        }
    }

    @Test("a burst of 10,000 creates: every one delivered once, store identical to the list")
    func burst() async throws {
        try await TestAPIServer.with { server in
            let client = try server.client()
            let (informer, log, task) = start(client)
            defer { task.cancel() }
            try await waitUntil { informer.hasSynced }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        for index in stride(from: worker, to: 10_000, by: 16) {
                            _ = try await client.createService("burst-\(index)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await expectConverged(informer, client, within: .seconds(60))
            #expect(log.all.count == 10_000)
            #expect(log.duplicates.isEmpty)
        }
    }
}

@Suite("Informers against a server that misbehaves", .timeLimit(.minutes(1)))
struct InformerMisbehavingServerTests {
    @Test("watches closed at once with nothing in them are retried with backoff, not in a tight loop")
    func veryShortWatches() async throws {
        // The first request is the list; every watch after it ends at once, empty and successful.
        let server = try await ScriptedServer { index in
            index == 0
                ? ScriptedServer.ok(["kind": "ServiceList", "metadata": ["resourceVersion": "1"], "items": []])
                : HTTPResponse.bytes(.ok, contentType: "application/json", ByteBuffer())
        }
        defer { server.stop() }
        let informer = Informer(
            client: try APIClient(connection: server.connection()), type: Service.type,
            logger: Logger(label: "informer-test"))
        let task = Task { await informer.run() }
        defer { task.cancel() }
        let watches = { server.requests.filter { $0.query?.contains("watch=true") == true }.count }
        try await waitUntil { watches() >= 1 }
        #expect(informer.hasSynced)
        let first = watches()
        try await Task.sleep(for: .seconds(2))
        // Backoff starts at 0.8 s: two or three more in two seconds; a tight loop makes hundreds.
        let more = watches() - first
        #expect(first >= 1 && more <= 5, "\(more) more watches in 2 s")
    }
}

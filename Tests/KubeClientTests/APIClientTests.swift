import Foundation
import HTTPServer
import KubeAPI
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import TLS
import Testing

@testable import KubeClient

@Suite("REST client against the development API server", .timeLimit(.minutes(2)))
struct APIClientTests {
    @Test("every verb: create, get, list, update, patch (JSON and merge), status, delete with preconditions")
    func verbs() async throws {
        try await TestAPIServer.with { server in
            let client = try server.client()

            let created = try await client.createService("web", labels: ["app": "web"])
            #expect(created["metadata"]?["uid"]?.stringValue?.isEmpty == false)
            let fetched = try await client.get(Service.type, namespace: "default", name: "web")
            #expect(fetched["metadata"]?["uid"] == created["metadata"]?["uid"])

            var changed = Service(json: fetched)
            changed.metadata.labels["tier"] = "front"
            let updated = try await client.update(changed.json, Service.type)
            #expect(Service(json: updated).metadata.labels == ["app": "web", "tier": "front"])

            let merged = try await client.patch(
                Service.type, namespace: "default", name: "web", .merge(["metadata": ["labels": ["tier": .null]]]))
            #expect(Service(json: merged).metadata.labels == ["app": "web"])
            let patched = try await client.patch(
                Service.type, namespace: "default", name: "web",
                .json(JSONPatch([.add(try JSONPointer("/metadata/annotations"), ["note": "json-patch"])])))
            #expect(Service(json: patched).metadata.annotations == ["note": "json-patch"])

            var withStatus = patched
            withStatus.setField("status", to: ["loadBalancer": ["ingress": [["ip": "10.0.0.1"]]]])
            let statusUpdated = try await client.updateStatus(withStatus, Service.type)
            #expect(Service(json: statusUpdated).loadBalancerIngress.first?.ip == "10.0.0.1")
            let statusPatched = try await client.patch(
                Service.type, namespace: "default", name: "web",
                .merge(["status": ["loadBalancer": ["ingress": [["hostname": "lb.example.com"]]]]]),
                subresource: "status")
            #expect(Service(json: statusPatched).loadBalancerIngress.first?.hostname == "lb.example.com")

            _ = try await client.createService("api", labels: ["app": "api"])
            let selected = try await client.list(Service.type, namespace: "default", labelSelector: "app in (web)")
            #expect(selected.items.compactMap { $0["metadata"]?["name"]?.stringValue } == ["web"])
            #expect(!selected.resourceVersion.isEmpty)

            // dryRun: a created object that is not stored, a deletion that deletes nothing.
            let notStored = try await client.create(
                Service(name: "dry", namespace: "default").json, Service.type, namespace: "default", dryRun: true)
            #expect(notStored["metadata"]?["name"] == "dry")
            let absent = try await #require(throws: KubeError.self) {
                try await client.get(Service.type, namespace: "default", name: "dry")
            }
            #expect(absent.reason == .notFound)
            let stored = try await client.createService("dry", labels: [:])
            #expect(stored["metadata"]?["name"] == "dry")
            try await client.delete(Service.type, namespace: "default", name: "dry", dryRun: true)
            _ = try await client.get(Service.type, namespace: "default", name: "dry")

            let stale = try await #require(throws: KubeError.self) {
                try await client.delete(
                    Service.type, namespace: "default", name: "web",
                    resourceVersion: created["metadata"]?["resourceVersion"]?.stringValue)
            }
            #expect(stale.reason == .conflict)
            try await client.delete(
                Service.type, namespace: "default", name: "web", uid: created["metadata"]?["uid"]?.stringValue)
            let gone = try await #require(throws: KubeError.self) {
                try await client.get(Service.type, namespace: "default", name: "web")
            }
            #expect(gone.reason == .notFound && gone.code == 404 && gone.message.contains("web"))
        }
    }

    @Test("typed errors from the server's Status: AlreadyExists, Conflict, Invalid, NotFound, Unauthorized, Expired")
    func typedErrors() async throws {
        try await TestAPIServer.with(historyCapacity: 5) { server in
            let client = try server.client()
            let first = try await client.createService("one")

            let exists = try await #require(throws: KubeError.self) { try await client.createService("one") }
            #expect(exists.reason == .alreadyExists && exists.code == 409)

            _ = try await client.patch(Service.type, namespace: "default", name: "one", .merge(["spec": ["x": 1]]))
            let conflict = try await #require(throws: KubeError.self) { try await client.update(first, Service.type) }
            #expect(conflict.reason == .conflict && conflict.status?.reason == "Conflict")

            let invalid = try await #require(throws: KubeError.self) { try await client.createService("Not_A_Name") }
            #expect(invalid.reason == .invalid && invalid.code == 422)

            let missingNamespace = try await #require(throws: KubeError.self) {
                try await client.createService("x", namespace: "nowhere")
            }
            #expect(missingNamespace.reason == .notFound)

            var anonymous = server.connection
            anonymous.token = "wrong"
            let unauthorized = try await #require(throws: KubeError.self) {
                _ = try await APIClient(connection: anonymous).get(Service.type, namespace: "default", name: "one")
            }
            #expect(unauthorized.reason == .unauthorized && unauthorized.code == 401)

            let oldVersion = first["metadata"]?["resourceVersion"]?.stringValue
            for index in 0..<10 { _ = try await client.createService("filler-\(index)") }
            let expired = try await #require(throws: KubeError.self) {
                try await client.watch(Service.type, resourceVersion: oldVersion) { _ in }
            }
            #expect(expired.reason == .expired && expired.code == 410)
        }
    }

    @Test("list follows continue pages: 1,234 Services in pages of 100")
    func paging() async throws {
        try await TestAPIServer.with { server in
            let client = try server.client { $0.pageSize = 100 }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for index in stride(from: worker, to: 1234, by: 8) {
                            _ = try await client.createService("svc-\(index)")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let list = try await client.list(Service.type, namespace: "default")
            let names = Set(list.items.compactMap { $0["metadata"]?["name"]?.stringValue })
            #expect(list.items.count == 1234 && names.count == 1234)
            let onePage = try await client.list(
                Service.type, namespace: "default", fieldSelector: "metadata.name=svc-7")
            #expect(onePage.items.count == 1)
        }
    }

    @Test("a watch delivers ADDED, MODIFIED, DELETED and BOOKMARK events in order, resuming from a version")
    func watchEvents() async throws {
        try await TestAPIServer.with { server in
            let client = try server.client()
            let start = try await client.list(Service.type).resourceVersion
            _ = try await client.createService("w")
            _ = try await client.patch(Service.type, namespace: "default", name: "w", .merge(["spec": ["a": 1]]))
            try await client.delete(Service.type, namespace: "default", name: "w")

            let seen = Mutex<[String]>([])
            try await client.watch(Service.type, resourceVersion: start, timeoutSeconds: 2) { event in
                seen.withLock { $0.append(event.type?.rawValue ?? "?") }
            }
            let types = seen.withLock { $0 }
            #expect(Array(types.prefix(3)) == ["ADDED", "MODIFIED", "DELETED"])
            #expect(types.dropFirst(3).allSatisfy { $0 == "BOOKMARK" } && types.count > 3)
        }
    }

    @Test("no server: an unreachable error naming the address")
    func unreachable() async throws {
        let connection = ClusterConnection(
            server: "https://127.0.0.1:1", certificateAuthority: nil, insecureSkipTLSVerify: true,
            clientCertificate: nil, clientKey: nil, token: nil, tokenFile: nil)
        let error = try await #require(throws: KubeError.self) {
            _ = try await APIClient(connection: connection).get(Service.type, namespace: "default", name: "x")
        }
        #expect(error.reason == .unreachable && error.message.contains("127.0.0.1:1"))
    }

    @Test("the rate limiter holds requests to QPS after the burst")
    func rateLimit() async throws {
        try await TestAPIServer.with { server in
            let client = try server.client {
                $0.qps = 20
                $0.burst = 5
            }
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<15 { _ = try await client.list(Namespace.type) }
            // 5 at once, then 10 more at 20/s: at least half a second.
            #expect(start.duration(to: clock.now) >= .milliseconds(480))
        }
    }
}

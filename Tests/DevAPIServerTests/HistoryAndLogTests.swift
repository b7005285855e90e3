import Foundation
import HTTPServer
import KubeAPI
import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import DevAPIServer

/// Memory and start-up stay bounded by the live data, not by how many
/// versions of it were ever written.
@Suite("Development API server: bounded history and log")
struct HistoryAndLogTests {
    static let ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"

    func call(_ server: DevAPIServer, _ method: HTTPMethod, _ uri: String, _ body: String = "", patch: Bool = false)
        async -> (code: UInt, json: JSON?)
    {
        let request = HTTPRequest(
            method: method, uri: uri,
            headers: [
                "authorization": "Bearer t",
                "content-type": patch ? "application/merge-patch+json" : "application/json",
            ],
            body: ByteBuffer(string: body))
        let response = await server.router.respond(to: request, logger: Logger(label: "test"))
        return (response.status.code, try? JSON(parsing: response.body.readableBytesView))
    }

    @Test("history is bounded by bytes: large updates push old versions out, and an old watch is 410")
    func historyBoundedByBytes() async throws {
        let server = try DevAPIServer(
            authenticator: TokenAuthenticator(tokens: ["t": .admin]), logger: Logger(label: "test"),
            historyByteCapacity: 1024 * 1024)
        let created = await call(server, .POST, Self.ingresses, #"{"metadata":{"name":"big"}}"#)
        let first = try #require(created.json?["metadata"]?["resourceVersion"]?.stringValue)
        let blob = String(repeating: "x", count: 100_000)
        for index in 0..<50 {
            let patch = #"{"metadata":{"annotations":{"blob":"\#(index)\#(blob)"}}}"#
            #expect(await call(server, .PATCH, Self.ingresses + "/big", patch, patch: true).code == 200)
        }
        _ = await call(server, .DELETE, Self.ingresses + "/big")
        let usage = server.store.historyUsage
        #expect(usage.bytes <= 1024 * 1024)
        #expect(usage.events < 10, "each update keeps two 100 KB versions: a handful fit in 1 MiB")
        #expect(await call(server, .GET, Self.ingresses + "?watch=true&resourceVersion=\(first)").code == 410)
        let now = server.store.revision
        #expect(await call(server, .GET, Self.ingresses + "?watch=true&resourceVersion=\(now)").code == 200)
    }

    @Test("a restart keeps the revision past a deletion of the newest object; superseded versions are compacted away")
    func restartAfterDeletions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-log-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var revision: UInt64 = 0
        do {
            let server = try DevAPIServer(
                authenticator: TokenAuthenticator(tokens: ["t": .admin]), logger: Logger(label: "test"),
                dataDirectory: directory)
            _ = await call(server, .POST, Self.ingresses, #"{"metadata":{"name":"kept"}}"#)
            _ = await call(server, .POST, Self.ingresses, #"{"metadata":{"name":"churn"}}"#)
            let blob = String(repeating: "y", count: 20_000)
            for index in 0..<20 {
                _ = await call(
                    server, .PATCH, Self.ingresses + "/churn",
                    #"{"metadata":{"annotations":{"n":"\#(index)\#(blob)"}}}"#,
                    patch: true)
            }
            _ = await call(server, .DELETE, Self.ingresses + "/churn")
            revision = server.store.revision
        }
        let log = directory.appendingPathComponent("objects.log")
        let before = try #require(try FileManager.default.attributesOfItem(atPath: log.path)[.size] as? Int)
        #expect(before > 400_000)
        let restarted = try DevAPIServer(
            authenticator: TokenAuthenticator(tokens: ["t": .admin]), logger: Logger(label: "test"),
            dataDirectory: directory)
        #expect(restarted.store.revision == revision, "a new write must not reuse a revision clients have seen")
        #expect(await call(restarted, .GET, Self.ingresses + "/kept").code == 200)
        #expect(await call(restarted, .GET, Self.ingresses + "/churn").code == 404)
        let after = try #require(try FileManager.default.attributesOfItem(atPath: log.path)[.size] as? Int)
        #expect(after < 10_000, "only the live objects remain")
        // And once more: the compacted log alone gives the same state.
        let again = try DevAPIServer(
            authenticator: TokenAuthenticator(tokens: ["t": .admin]), logger: Logger(label: "test"),
            dataDirectory: directory)
        #expect(again.store.revision == revision)
        #expect(await call(again, .GET, Self.ingresses + "/kept").code == 200)
    }
}

@Suite("Development API server: group commit")
struct GroupCommitTests {
    @Test("concurrent writes are each acknowledged only once on disk, and a restart finds every one")
    func concurrentWritesDurable() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-log-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = ObjectStore(log: try ObjectLog(directory: directory))
        let log = directory.appendingPathComponent("objects.log")
        // Every acknowledged write finds its line in the file when it returns.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<16 {
                group.addTask {
                    for index in 0..<25 {
                        let name = "w\(writer)-\(index)"
                        try await store.write("ingresses", namespace: "default", name: name) { _ throws(APIError) in
                            ["metadata": ["name": .string(name)]]
                        }
                        let text = try String(contentsOf: log, encoding: .utf8)
                        #expect(text.contains(#""key":"default/\#(name)""#), "acknowledged before it was on disk")
                    }
                }
            }
            try await group.waitForAll()
        }
        let restarted = ObjectStore(log: try ObjectLog(directory: directory))
        #expect(restarted.list("ingresses", namespace: "default").items.count == 400)
        #expect(restarted.revision == store.revision)
    }
}

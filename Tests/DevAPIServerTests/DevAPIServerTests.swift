import Foundation
import HTTPServer
import KubeAPI
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import DevAPIServer

/// The API server's REST semantics through its router, without sockets.
@Suite("Development API server: REST semantics")
struct DevAPIServerTests {
    let authenticator = TokenAuthenticator(tokens: ["admin-token": .admin])

    func server(historyCapacity: Int = 10_000) -> DevAPIServer {
        // In memory (no data directory): construction cannot fail.
        try! DevAPIServer(authenticator: authenticator, logger: Logger(label: "test"), historyCapacity: historyCapacity)
    }

    func call(
        _ server: DevAPIServer,
        _ method: HTTPMethod,
        _ uri: String,
        _ body: String? = nil,
        contentType: String = "application/json"
    ) async -> (code: UInt, json: JSON?, response: HTTPResponse) {
        var headers: HTTPHeaders = ["authorization": "Bearer admin-token", "content-type": contentType]
        if body == nil { headers.remove(name: "content-type") }
        let request = HTTPRequest(method: method, uri: uri, headers: headers, body: ByteBuffer(string: body ?? ""))
        let response = await server.router.respond(to: request, logger: Logger(label: "test"))
        return (response.status.code, try? JSON(parsing: response.body.readableBytesView), response)
    }

    static let ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"
    static let ingress =
        #"{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"a","labels":{"app":"a"}},"spec":{"rules":[{"host":"a.example.com"}]},"status":{"loadBalancer":{"ingress":[{"ip":"1.2.3.4"}]}}}"#

    @Test(
        "create fills uid, timestamps, generation and resourceVersion, drops status; a second create is AlreadyExists")
    func create() async throws {
        let server = server()
        let created = await call(server, .POST, Self.ingresses, Self.ingress)
        #expect(created.code == 201)
        let meta = ObjectMeta(json: try #require(created.json?["metadata"]))
        #expect(meta.uid?.count == 36)
        #expect(meta.generation == 1)
        #expect(meta.namespace == "default")
        #expect(meta.creationTimestamp?.hasSuffix("Z") == true)
        #expect(created.json?["status"] == nil, "status is written through the status subresource only")
        let again = await call(server, .POST, Self.ingresses, Self.ingress)
        #expect(again.code == 409)
        #expect(again.json?["reason"] == "AlreadyExists")
    }

    @Test("generateName makes a unique name; dryRun stores nothing")
    func generateNameAndDryRun() async throws {
        let server = server()
        let generated = await call(server, .POST, Self.ingresses, #"{"metadata":{"generateName":"shop-"},"spec":{}}"#)
        let name = try #require(generated.json?["metadata"]?["name"]?.stringValue)
        #expect(name.hasPrefix("shop-") && name.count == 10)
        let dry = await call(server, .POST, Self.ingresses + "?dryRun=All", Self.ingress)
        #expect(dry.code == 201)
        #expect(await call(server, .GET, Self.ingresses + "/a").code == 404)
    }

    @Test("an update with a stale resourceVersion is a Conflict; spec changes bump generation, metadata ones do not")
    func optimisticConcurrency() async throws {
        let server = server()
        let created = try #require(await call(server, .POST, Self.ingresses, Self.ingress).json)
        var labelled = created
        labelled["metadata"]?["labels"]?["x"] = "y"
        let updated = try #require(await call(server, .PUT, Self.ingresses + "/a", labelled.text).json)
        #expect(updated["metadata"]?["generation"] == 1)
        let stale = await call(server, .PUT, Self.ingresses + "/a", labelled.text)
        #expect(stale.code == 409)
        #expect(stale.json?["reason"] == "Conflict")
        #expect(stale.json?["message"]?.stringValue?.contains("the object has been modified") == true)
        var respecced = updated
        respecced["spec"]?["rules"] = [["host": "b.example.com"]]
        #expect(await call(server, .PUT, Self.ingresses + "/a", respecced.text).json?["metadata"]?["generation"] == 2)
    }

    @Test("the status subresource writes only status; main-resource writes keep it")
    func statusSubresource() async throws {
        let server = server()
        _ = await call(server, .POST, Self.ingresses, Self.ingress)
        let patched = await call(
            server, .PATCH, Self.ingresses + "/a/status",
            #"{"status":{"loadBalancer":{"ingress":[{"hostname":"lb"}]}},"spec":{"rules":[]}}"#,
            contentType: "application/merge-patch+json")
        #expect(patched.code == 200)
        #expect(patched.json?["status"]?["loadBalancer"]?["ingress"]?[0]?["hostname"] == "lb")
        #expect(patched.json?["spec"]?["rules"]?[0]?["host"] == "a.example.com", "spec untouched by a status write")
        let main = await call(
            server, .PATCH, Self.ingresses + "/a", #"{"status":null,"metadata":{"labels":{"b":"c"}}}"#,
            contentType: "application/merge-patch+json")
        #expect(main.json?["status"]?["loadBalancer"]?["ingress"]?[0]?["hostname"] == "lb", "status kept")
        #expect(
            await call(server, .PATCH, Self.ingresses + "/a", "{}", contentType: "application/apply-patch+yaml").code
                == 415)
    }

    @Test("a body in a format the server does not read (CBOR) is refused with 415 naming what is read")
    func unreadFormatRefused() async throws {
        let server = try DevAPIServer(authenticator: authenticator, logger: Logger(label: "test"))
        let created = await call(server, .POST, "/api/v1/namespaces", "\u{a0}", contentType: "application/cbor")
        #expect(created.code == 415)
        #expect(created.json?["reason"] == "UnsupportedMediaType")
        #expect(
            created.json?["message"]?.stringValue?.contains(
                "application/json, application/vnd.kubernetes.protobuf (got application/cbor)") == true)
        let patched = await call(
            server, .PATCH, Self.ingresses + "/a", "{}", contentType: "application/apply-patch+yaml")
        #expect(patched.json?["message"]?.stringValue?.contains("application/merge-patch+json") == true)
        let untyped = await call(
            server, .POST, Self.ingresses, Self.ingress, contentType: "application/json; charset=utf-8")
        #expect(untyped.code == 201)
    }

    @Test("list pages with limit and continue, and filters by label and field selectors")
    func listing() async throws {
        let server = server()
        for name in ["a", "b", "c", "d", "e"] {
            _ = await call(
                server, .POST, Self.ingresses,
                #"{"metadata":{"name":"\#(name)","labels":{"even":"\#(["b", "d"].contains(name))"}}}"#)
        }
        var names: [String] = []
        var token = ""
        repeat {
            let page = try #require(await call(server, .GET, Self.ingresses + "?limit=2&continue=\(token)").json)
            names += (page["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
            token = page["metadata"]?["continue"]?.stringValue ?? ""
        } while !token.isEmpty
        #expect(names == ["a", "b", "c", "d", "e"])
        let even = await call(server, .GET, Self.ingresses + "?labelSelector=even%3Dtrue")
        #expect(even.json?["items"]?.arrayValue?.count == 2)
        let byName = await call(server, .GET, "/apis/networking.k8s.io/v1/ingresses?fieldSelector=metadata.name%3Dc")
        #expect(byName.json?["items"]?.arrayValue?.count == 1)
        #expect(byName.json?["kind"] == "IngressList")
    }

    @Test(
        "pages between writes: a key created after the cursor is listed, one before it or deleted is not; a selector pages over matches only; a namespace keeps to its own"
    )
    func pagingAcrossWrites() async throws {
        let server = server()
        func create(_ name: String, even: Bool = false, in namespace: String = "default") async {
            _ = await call(
                server, .POST, "/apis/networking.k8s.io/v1/namespaces/\(namespace)/ingresses",
                #"{"metadata":{"name":"\#(name)","labels":{"even":"\#(even)"}}}"#)
        }
        func page(_ query: String) async throws -> (names: [String], token: String) {
            let page = try #require(await call(server, .GET, Self.ingresses + "?" + query).json)
            return (
                (page["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue },
                page["metadata"]?["continue"]?.stringValue ?? ""
            )
        }
        for name in ["b", "d", "f", "h"] { await create(name, even: true) }
        _ = await call(server, .POST, "/api/v1/namespaces", #"{"metadata":{"name":"other"}}"#)
        await create("c", in: "other")
        let first = try await page("limit=2")
        #expect(first.names == ["b", "d"])
        await create("a")
        await create("e")
        let second = try await page("limit=2&continue=\(first.token)")
        #expect(second.names == ["e", "f"])
        #expect(await call(server, .DELETE, Self.ingresses + "/h").code == 200)
        let third = try await page("limit=2&continue=\(second.token)")
        #expect(third.names.isEmpty && third.token.isEmpty, "the last page says so")
        let matching = try await page("limit=1&labelSelector=even%3Dtrue&continue=\(first.token)")
        #expect(matching.names == ["f"], "e is not even")
        #expect(matching.token.isEmpty, "no even one follows f")
        #expect(try await page("limit=10").names == ["a", "b", "d", "e", "f"])
    }

    @Test("delete honours preconditions and collects dependents that name the owner's uid")
    func deleteAndGarbageCollection() async throws {
        let server = server()
        let owner = try #require(await call(server, .POST, Self.ingresses, Self.ingress).json)
        let uid = try #require(owner["metadata"]?["uid"]?.stringValue)
        let leaf =
            #"{"metadata":{"name":"a--east","ownerReferences":[{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","name":"a","uid":"\#(uid)"}]}}"#
        #expect(await call(server, .POST, Self.ingresses, leaf).code == 201)
        let wrong = await call(server, .DELETE, Self.ingresses + "/a", #"{"preconditions":{"uid":"nope"}}"#)
        #expect(wrong.code == 409)
        #expect(await call(server, .DELETE, Self.ingresses + "/a", #"{"preconditions":{"uid":"\#(uid)"}}"#).code == 200)
        #expect(await call(server, .GET, Self.ingresses + "/a--east").code == 404, "the dependent went with its owner")
    }

    @Test("a watch from a resourceVersion replays what followed; one older than history is 410 Expired")
    func watchResumeAndExpiry() async throws {
        let server = server(historyCapacity: 3)
        let created = try #require(await call(server, .POST, Self.ingresses, Self.ingress).json)
        let start = try #require(created["metadata"]?["resourceVersion"]?.stringValue)
        for value in ["1", "2"] {
            _ = await call(
                server, .PATCH, Self.ingresses + "/a", #"{"metadata":{"labels":{"n":"\#(value)"}}}"#,
                contentType: "application/merge-patch+json")
        }
        let watch = await call(server, .GET, Self.ingresses + "?watch=true&timeoutSeconds=1&resourceVersion=\(start)")
        let lines = try await collect(watch.response)
        #expect(lines.map { $0["type"]?.stringValue } == ["MODIFIED", "MODIFIED"])
        #expect(lines.last?["object"]?["metadata"]?["labels"]?["n"] == "2")

        for value in ["3", "4", "5", "6"] {
            _ = await call(
                server, .PATCH, Self.ingresses + "/a", #"{"metadata":{"labels":{"n":"\#(value)"}}}"#,
                contentType: "application/merge-patch+json")
        }
        let expired = await call(server, .GET, Self.ingresses + "?watch=true&resourceVersion=\(start)")
        #expect(expired.code == 410)
        #expect(expired.json?["reason"] == "Expired")
    }

    @Test("a watch that allows bookmarks gets BOOKMARK events carrying the current resourceVersion")
    func bookmarks() async throws {
        let server = try DevAPIServer(
            authenticator: authenticator, logger: Logger(label: "test"), bookmarkInterval: .milliseconds(100))
        _ = await call(server, .POST, Self.ingresses, Self.ingress)
        // A hundred bookmark intervals: enough for one even when the whole suite loads both cores.
        let watch = await call(server, .GET, Self.ingresses + "?watch=true&timeoutSeconds=10&allowWatchBookmarks=true")
        let events = try await collect(watch.response)
        #expect(events.first?["type"] == "ADDED")
        let bookmark = try #require(events.first { $0["type"] == "BOOKMARK" })
        #expect(bookmark["object"]?["metadata"]?["resourceVersion"]?.stringValue == String(server.store.revision))
        #expect(bookmark["object"]?["kind"] == "Ingress")
    }

    @Test("a watch with a label selector sees objects enter and leave it")
    func watchSelectorTransitions() async throws {
        let server = server()
        _ = await call(server, .POST, Self.ingresses, Self.ingress)
        let start = server.store.revision
        for labels in [#"{"app":"b"}"#, #"{"app":"a"}"#] {
            _ = await call(
                server, .PATCH, Self.ingresses + "/a", #"{"metadata":{"labels":\#(labels)}}"#,
                contentType: "application/merge-patch+json")
        }
        let watch = await call(
            server, .GET, Self.ingresses + "?watch=true&timeoutSeconds=1&labelSelector=app%3Da&resourceVersion=\(start)"
        )
        #expect(try await collect(watch.response).map { $0["type"]?.stringValue } == ["DELETED", "ADDED"])
    }

    @Test("a watcher that falls too far behind is closed; writers never wait for it")
    func slowWatcher() async throws {
        let store = ObjectStore(historyCapacity: 100, watcherBuffer: 5)
        let events = try #require(store.watch("ingresses", namespace: nil, after: store.revision))
        for index in 0..<20 {
            try await store.write("ingresses", namespace: "default", name: "x\(index)") { _ throws(APIError) in
                ["metadata": [:]]
            }
        }
        var received = 0
        for await _ in events { received += 1 }
        #expect(received == 5, "the buffer's worth, then the stream ended")
        #expect(store.watcherCount == 0)
    }

    @Test("requests without a valid token are Unauthorized")
    func unauthorized() async {
        let request = HTTPRequest(method: .GET, uri: Self.ingresses, headers: ["authorization": "Bearer wrong"])
        let response = await server().router.respond(to: request, logger: Logger(label: "test"))
        #expect(response.status == .unauthorized)
    }

    /// The lines of a streamed (watch) response, as JSON.
    func collect(_ response: HTTPResponse) async throws -> [JSON] {
        let producer = try #require(response.producer)
        let sink = Sink()
        try await producer(sink)
        return sink.lines()
    }

    final class Sink: HTTPBodyWriter {
        private let buffer = Mutex<[UInt8]>([])
        func write(_ bytes: ByteBuffer) async throws { buffer.withLock { $0 += bytes.readableBytesView } }
        func lines() -> [JSON] {
            buffer.withLock { $0 }.split(separator: UInt8(ascii: "\n")).compactMap { try? JSON(parsing: Array($0)) }
        }
    }
}

@Suite("Development API server: persistence")
struct PersistenceTests {
    @Test("objects and the revision counter survive a restart; a torn last line is skipped")
    func restart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kcp-log-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let authenticator = TokenAuthenticator(tokens: ["t": .admin])
        func request(_ server: DevAPIServer, _ method: HTTPMethod, _ uri: String, _ body: String = "") async
            -> HTTPResponse
        {
            await server.router.respond(
                to: HTTPRequest(
                    method: method, uri: uri,
                    headers: ["authorization": "Bearer t", "content-type": "application/json"],
                    body: ByteBuffer(string: body)),
                logger: Logger(label: "test"))
        }
        let ingresses = "/apis/networking.k8s.io/v1/namespaces/default/ingresses"
        var revision = ""
        do {
            let first = try DevAPIServer(
                authenticator: authenticator, logger: Logger(label: "test"), dataDirectory: directory)
            _ = await request(first, .POST, ingresses, #"{"metadata":{"name":"kept"}}"#)
            _ = await request(first, .POST, ingresses, #"{"metadata":{"name":"gone"}}"#)
            _ = await request(first, .DELETE, ingresses + "/gone")
            revision = first.store.revision.description
        }
        // A write torn by a crash: never acknowledged, so never seen.
        let log = try FileHandle(forWritingTo: directory.appendingPathComponent("objects.log"))
        try log.seekToEnd()
        try log.write(
            contentsOf: Data(
                #"{"revision":999,"resource":"ingresses.networking.k8s.io","key":"default/torn","obj"#.utf8))
        try log.close()

        let second = try DevAPIServer(
            authenticator: authenticator, logger: Logger(label: "test"), dataDirectory: directory)
        #expect(await request(second, .GET, ingresses + "/kept").status == .ok)
        #expect(await request(second, .GET, ingresses + "/gone").status == .notFound)
        #expect(await request(second, .GET, ingresses + "/torn").status == .notFound)
        #expect(second.store.revision.description == revision, "revisions continue where they stopped")
        let created = await request(second, .POST, ingresses, #"{"metadata":{"name":"new"}}"#)
        let version = try JSON(parsing: created.body.readableBytesView)["metadata"]?["resourceVersion"]?.stringValue
        #expect(UInt64(version ?? "") ?? 0 > UInt64(revision) ?? 0)
    }
}

@Suite("Development API server: static token file")
struct TokenFileTests {
    @Test("kube-apiserver's token file format: quoted groups, comments, and a clear error on a bad line")
    func parse() throws {
        let authenticator = try TokenAuthenticator(
            staticTokenFile: """
                # users for a demo
                abc,alice,1,"devs,ops"
                def,bob,2
                """)
        #expect(
            authenticator.tokens["abc"]
                == APIUser(name: "alice", groups: ["devs", "ops", "system:authenticated"], uid: "1"))
        #expect(authenticator.tokens["def"]?.name == "bob")
        #expect(throws: TokenFileError.self) { try TokenAuthenticator(staticTokenFile: "onlytoken") }
    }
}

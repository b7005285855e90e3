import Foundation
import HTTPServer
import KubeAPI
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import DevAPIServer

/// Protobuf bodies and Table answers through the server's router, without sockets.
@Suite("Development API server: protobuf bodies and Tables")
struct TableAndProtobufServerTests {
    static let tableAccept =
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"

    let server = try! DevAPIServer(
        authenticator: TokenAuthenticator(tokens: ["admin-token": .admin]), logger: Logger(label: "test"))

    func call(
        _ method: HTTPMethod,
        _ uri: String,
        body: [UInt8] = [],
        contentType: String = "application/json",
        accept: String? = nil
    ) async -> (code: UInt, json: JSON?, response: HTTPResponse) {
        var headers: HTTPHeaders = ["authorization": "Bearer admin-token", "content-type": contentType]
        if let accept { headers.add(name: "accept", value: accept) }
        let request = HTTPRequest(method: method, uri: uri, headers: headers, body: ByteBuffer(bytes: body))
        let response = await server.router.respond(to: request, logger: Logger(label: "test"))
        return (response.status.code, try? JSON(parsing: response.body.readableBytesView), response)
    }

    @Test("a protobuf Namespace is stored as the same JSON body would store it; garbage is a 400 Status, a CRD a 415")
    func protobufCreate() async throws {
        let created = await call(
            .POST, "/api/v1/namespaces", body: ProtobufDecoderTests.namespace, contentType: KubernetesProtobuf.mediaType
        )
        #expect(created.code == 201)
        let fromJSON = await call(
            .POST, "/api/v1/namespaces",
            body: Array(
                #"{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"shop2"},"spec":{},"status":{}}"#.utf8))
        #expect(fromJSON.code == 201)
        var left = try #require(created.json)
        var right = try #require(fromJSON.json)
        for key in ["name", "uid", "resourceVersion", "creationTimestamp"] {
            left["metadata"]?[key] = nil
            right["metadata"]?[key] = nil
        }
        #expect(left == right)

        let garbage = await call(
            .POST, "/api/v1/namespaces", body: [0x6B, 0x38, 0x73, 0x00, 0x0A, 0x7F],
            contentType: KubernetesProtobuf.mediaType)
        #expect(garbage.code == 400)
        #expect(garbage.json?["kind"] == "Status")
        #expect(garbage.json?["message"]?.stringValue?.contains("not a valid Kubernetes protobuf message") == true)
        let route = await call(
            .POST, "/apis/route.openshift.io/v1/namespaces/default/routes",
            body: ProtobufWriter.envelope(apiVersion: "route.openshift.io/v1", kind: "Route") { _ in },
            contentType: KubernetesProtobuf.mediaType)
        #expect(route.code == 415)
        #expect(route.json?["reason"] == "UnsupportedMediaType")
        #expect(await call(.GET, "/api/v1/namespaces/shop").code == 200)
    }

    @Test(
        "client-go's leader election in protobuf: a Lease created, then renewed by PUT; a protobuf delete's preconditions"
    )
    func protobufUpdateAndDelete() async throws {
        let leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
        func lease(resourceVersion: String?, renewSeconds: Int64) -> [UInt8] {
            ProtobufWriter.envelope(apiVersion: "coordination.k8s.io/v1", kind: "Lease") {
                $0.message(1) {
                    $0.string(1, "leader")
                    if let resourceVersion { $0.string(6, resourceVersion) }
                }
                $0.message(2) {
                    $0.string(1, "replica-a")
                    $0.int(2, 15)
                    $0.message(4) {
                        $0.int(1, renewSeconds)
                        $0.int(2, 250_000_000)
                    }
                }
            }
        }
        let created = await call(
            .POST, leases, body: lease(resourceVersion: nil, renewSeconds: 1_700_000_000),
            contentType: KubernetesProtobuf.mediaType)
        #expect(created.code == 201)
        let version = try #require(created.json?["metadata"]?["resourceVersion"]?.stringValue)
        let renewed = await call(
            .PUT, leases + "/leader", body: lease(resourceVersion: version, renewSeconds: 1_700_000_002),
            contentType: KubernetesProtobuf.mediaType)
        #expect(renewed.code == 200)
        #expect(renewed.json?["spec"]?["renewTime"] == "2023-11-14T22:13:22.250000Z")
        let stale = await call(
            .PUT, leases + "/leader", body: lease(resourceVersion: version, renewSeconds: 1_700_000_004),
            contentType: KubernetesProtobuf.mediaType)
        #expect(stale.code == 409)

        let options = ProtobufWriter.envelope(apiVersion: "v1", kind: "DeleteOptions") {
            $0.message(2) { $0.string(1, "not-the-uid") }
            $0.string(4, "Background")
        }
        let refused = await call(.DELETE, leases + "/leader", body: options, contentType: KubernetesProtobuf.mediaType)
        #expect(refused.code == 409)
        #expect(
            refused.json?["message"]?.stringValue?.contains("Precondition failed: UID in precondition: not-the-uid")
                == true)
        #expect(await call(.GET, leases + "/leader").code == 200)
    }

    static let service =
        #"{"metadata":{"name":"web","labels":{"app":"web"}},"spec":{"type":"ClusterIP","clusterIPs":["10.0.0.7"],"ports":[{"port":80,"protocol":"TCP"},{"port":443,"protocol":"TCP","nodePort":30443}],"selector":{"b":"2","a":"1"}}}"#

    @Test("a list as a Table: kube-apiserver's Service columns, cells, PartialObjectMetadata rows, list metadata")
    func listTable() async throws {
        #expect(await call(.POST, "/api/v1/namespaces/default/services", body: Array(Self.service.utf8)).code == 201)
        let table = try #require(
            await call(.GET, "/api/v1/namespaces/default/services", accept: Self.tableAccept).json)
        #expect(table["kind"] == "Table")
        #expect(table["apiVersion"] == "meta.k8s.io/v1")
        #expect(table["metadata"]?["resourceVersion"]?.stringValue != nil)
        let columns = table["columnDefinitions"]?.arrayValue ?? []
        #expect(
            columns.compactMap { $0["name"]?.stringValue }
                == ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"])
        #expect(columns.map { $0["priority"]?.integerValue } == [0, 0, 0, 0, 0, 0, 1])
        let row = try #require(table["rows"]?[0])
        let cells = row["cells"]?.arrayValue ?? []
        #expect(
            Array(cells.prefix(5)) == ["web", "ClusterIP", "10.0.0.7", "<none>", "80/TCP,443:30443/TCP"])
        #expect(cells.last == "a=1,b=2")
        #expect(row["object"]?["kind"] == "PartialObjectMetadata")
        #expect(row["object"]?["metadata"]?["labels"]?["app"] == "web")
        #expect(row["object"]?["spec"] == nil)
    }

    @Test("includeObject None and Object, the v1beta1 Table, a get as a one-row Table, 406 for nothing answerable")
    func negotiation() async throws {
        #expect(await call(.POST, "/api/v1/namespaces/default/services", body: Array(Self.service.utf8)).code == 201)
        let path = "/api/v1/namespaces/default/services"
        let none = await call(.GET, path + "?includeObject=None", accept: Self.tableAccept).json
        #expect(none?["rows"]?[0]?["object"] == .null)
        let whole = await call(.GET, path + "?includeObject=Object", accept: Self.tableAccept).json
        #expect(whole?["rows"]?[0]?["object"]?["spec"]?["type"] == "ClusterIP")
        #expect(await call(.GET, path + "?includeObject=All", accept: Self.tableAccept).code == 400)
        let beta = await call(.GET, path, accept: "application/json;as=Table;v=v1beta1;g=meta.k8s.io").json
        #expect(beta?["apiVersion"] == "meta.k8s.io/v1beta1")
        #expect(beta?["rows"]?[0]?["object"]?["apiVersion"] == "meta.k8s.io/v1beta1")
        let one = await call(.GET, path + "/web", accept: Self.tableAccept).json
        #expect(one?["rows"]?.arrayValue?.count == 1)
        #expect(one?["metadata"]?["resourceVersion"] != nil)
        let unanswerable = await call(.GET, path, accept: "application/json;as=Table;v=v2;g=meta.k8s.io")
        #expect(unanswerable.code == 406)
        #expect(unanswerable.json?["reason"] == "NotAcceptable")
        // Plain and wildcard Accept headers get objects, as before.
        #expect(await call(.GET, path, accept: "*/*").json?["kind"] == "ServiceList")
        #expect(await call(.GET, path, accept: "text/html, application/json").json?["kind"] == "ServiceList")
    }

    @Test("a Table watch: one row per event, column definitions in the first event only")
    func watchTable() async throws {
        #expect(await call(.POST, "/api/v1/namespaces/default/services", body: Array(Self.service.utf8)).code == 201)
        let watch = await call(
            .GET, "/api/v1/namespaces/default/services?watch=1&timeoutSeconds=5", accept: Self.tableAccept)
        let lines = try await WatchLines(watch.response)
        let first = try #require(try await lines.next())
        #expect(first["type"] == "ADDED")
        #expect(first["object"]?["kind"] == "Table")
        #expect(first["object"]?["columnDefinitions"]?.arrayValue?.count == 7)
        #expect(first["object"]?["rows"]?[0]?["cells"]?[0] == "web")
        let labelled = #"{"metadata":{"labels":{"app":"web","tier":"front"}}}"#
        #expect(
            await call(
                .PATCH, "/api/v1/namespaces/default/services/web", body: Array(labelled.utf8),
                contentType: "application/merge-patch+json"
            ).code == 200)
        let second = try #require(try await lines.next())
        #expect(second["type"] == "MODIFIED")
        #expect(second["object"]?["columnDefinitions"] == .null)
        #expect(second["object"]?["rows"]?[0]?["object"]?["metadata"]?["labels"]?["tier"] == "front")
    }
}

/// The lines of a streamed (watch) response as they are written, so a test
/// can act between events; the producer stops when this goes away.
final class WatchLines: Sendable {
    private struct Writer: HTTPBodyWriter {
        let continuation: AsyncStream<ByteBuffer>.Continuation
        func write(_ bytes: ByteBuffer) async throws { continuation.yield(bytes) }
    }

    private let chunks: AsyncStream<ByteBuffer>
    private let producer: Task<Void, any Error>
    private let pending = Mutex<[UInt8]>([])

    init(_ response: HTTPResponse) async throws {
        let produce = try #require(response.producer)
        let (chunks, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        self.chunks = chunks
        producer = Task {
            defer { continuation.finish() }
            try await produce(Writer(continuation: continuation))
        }
    }

    deinit { producer.cancel() }

    /// The next whole line as JSON; nil when the stream ended first.
    func next() async throws -> JSON? {
        var iterator = chunks.makeAsyncIterator()
        while true {
            let line: [UInt8]? = pending.withLock { buffer in
                guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
                defer { buffer.removeSubrange(...newline) }
                return Array(buffer[..<newline])
            }
            if let line { return try JSON(parsing: line) }
            guard let chunk = await iterator.next() else { return nil }
            pending.withLock { $0.append(contentsOf: chunk.readableBytesView) }
        }
    }
}

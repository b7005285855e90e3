import HTTPServer
import KubeAPI
import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import KubeClient

/// An informer's transform, against a server that sends managed fields as
/// a real API server does (the development API server keeps none).
@Suite("Informer transforms", .timeLimit(.minutes(1)))
struct InformerTransformTests {
    static func service(_ name: String, version: String) -> JSON {
        try! JSON(
            parsing: """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"\(name)","namespace":"default",
                 "resourceVersion":"\(version)","labels":{"kcp.dev/cluster":"east"},
                 "managedFields":[{"manager":"kubectl","operation":"Update","fieldsType":"FieldsV1",
                 "fieldsV1":{"f:metadata":{"f:labels":{".":{},"f:kcp.dev/cluster":{}}}}}]},
                 "spec":{"ports":[{"port":80}]}}
                """)
    }

    @Test(
        "stripManagedFields: listed and watched objects are stored and handed on without managed fields, all else kept")
    func managedFieldsStripped() async throws {
        let server = try await ScriptedServer { index in
            switch index {
            case 0:
                return ScriptedServer.ok(
                    [
                        "apiVersion": "v1", "kind": "ServiceList", "metadata": ["resourceVersion": "5"],
                        "items": [Self.service("listed", version: "4")],
                    ])
            case 1:
                var body = ByteBuffer()
                let event: JSON = ["type": "ADDED", "object": Self.service("watched", version: "6")]
                body.writeBytes(event.bytes)
                body.writeString("\n")
                return .bytes(.ok, contentType: "application/json", body)
            default:
                return await ScriptedServer.silentWatch()
            }
        }
        defer { server.stop() }
        let informer = Informer(
            client: try APIClient(connection: server.connection()), type: Service.type,
            transform: Informer.stripManagedFields, logger: Logger(label: "informer-transform"))
        let seen = HandlerLog()
        informer.addHandler { seen.record($0) }
        let task = Task { await informer.run() }
        defer { task.cancel() }
        try await waitUntil { seen.all.count == 2 }

        for name in ["listed", "watched"] {
            let stored = try #require(informer.store.get(namespace: "default", name: name))
            #expect(stored["metadata"]?["managedFields"] == nil, "\(name) is stored without managed fields")
            #expect(stored["metadata"]?["labels"]?["kcp.dev/cluster"] == "east")
            #expect(stored["spec"] == Self.service(name, version: "")["spec"])
        }
        let handed = seen.handed
        #expect(handed.allSatisfy { $0["metadata"]?["managedFields"] == nil })
        #expect(handed.count == 2)
    }

    @Test("stripManagedFields leaves an object without them as it is")
    func nothingToStrip() {
        var object = Self.service("plain", version: "1")
        object["metadata"]?["managedFields"] = nil
        #expect(Informer.stripManagedFields(object) == object)
    }
}

import KubeAPI
import Logging
import Synchronization
import Testing

@testable import KubeClient

/// A relist puts each page into the store as it arrives; an abandoned list
/// (its continue token expired) must still end with the server's state.
@Suite("Informer relists page by page", .timeLimit(.minutes(1)))
struct InformerPagedRelistTests {
    static func service(_ name: String, version: String) -> JSON {
        [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": .string(name), "namespace": "default", "resourceVersion": .string(version)],
        ]
    }

    @Test("an object of an abandoned first page that the restarted list lacks is deleted, and said so once")
    func abandonedPage() async throws {
        let server = try await ScriptedServer { index in
            switch index {
            case 0:
                return ScriptedServer.ok([
                    "kind": "ServiceList", "metadata": ["resourceVersion": "5", "continue": "page-2"],
                    "items": [Self.service("kept", version: "3"), Self.service("gone", version: "4")],
                ])
            case 1:
                return ScriptedServer.status(410, "Expired", "the provided continue parameter is too old")
            case 2:
                return ScriptedServer.ok([
                    "kind": "ServiceList", "metadata": ["resourceVersion": "9"],
                    "items": [Self.service("kept", version: "3"), Self.service("new", version: "8")],
                ])
            default:
                return await ScriptedServer.silentWatch()
            }
        }
        defer { server.stop() }
        let informer = Informer(
            client: try APIClient(connection: server.connection()), type: Service.type,
            logger: Logger(label: "informer-paged-relist"))
        let log = HandlerLog()
        informer.addHandler { log.record($0) }
        let task = Task { await informer.run() }
        defer { task.cancel() }
        try await waitUntil { informer.hasSynced }

        #expect(informer.store.keys() == ["default/kept", "default/new"])
        let calls = log.calls.withLock { $0 }.map { "\($0.kind) \($0.key)" }
        #expect(calls == ["added default/kept", "added default/gone", "added default/new", "deleted default/gone"])
    }
}

import KubeAPI
import Placement
import Testing
import XDS

@Suite("Translation from what the informers hold")
struct ReaderTranslationTests {
    /// Objects as an informer's stores would answer for them.
    struct Stores: PlacementReader {
        var services: [JSON]
        var leaves: [JSON]

        func service(_ key: ObjectKey) -> JSON? { services.first { ObjectKey(of: $0) == key } }
        func leaves(of root: ObjectKey, kind: RootKind) -> [JSON] {
            leaves.filter { PlacementIndex.ownedBy.1($0) == [root.description] }
        }
        func roots(claiming host: String) -> [(kind: RootKind, object: JSON)] { [] }
    }

    @Test("a kind's objects, leaves among them, translate as their roots alone, with the leaves the reader finds")
    func fromReader() throws {
        let root = Objects.root(
            .ingress, "front",
            spec:
                #"{"rules":[{"host":"front.example.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}"#
        )
        let leaf = Objects.leaf(of: root, cluster: "east", status: Objects.loadBalancer("192.0.2.1"))
        let stores = Stores(services: Objects.services, leaves: [leaf])
        let translation = Translator.translate(objects: [(.ingress, root), (.ingress, leaf)], reader: stores)
        #expect(translation.table.virtualHosts.map(\.name) == ["routes_80/ingress.shop.front"])
        #expect(translation.conflicts.isEmpty)
        #expect(translation.virtualHost("front")?.routes.first?.action.weights == [Objects.cluster("east"): 1])
        // The same through the plain entry point: a leaf given as a root is skipped there too.
        let direct = Objects.translate([
            Objects.ingressSource(root, on: ["east"]), RootSource(kind: .ingress, object: leaf, leaves: []),
        ])
        #expect(direct == translation)
    }
}

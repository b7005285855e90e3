import KubeAPI
import Placement
import Testing

@testable import KubeClient

@Suite("Informer store indexes")
struct InformerStoreTests {
    func leaf(_ name: String, root: String, version: String) -> JSON {
        var service = Service(name: name, namespace: "team")
        service.metadata.labels = [PlacementLabels.ownedBy: root]
        service.json.setField("metadata", "resourceVersion", to: .string(version))
        return service.json
    }

    @Test("an object moved to another index value leaves the old one; removal leaves every index")
    func reindexing() {
        let store = InformerStore(indexers: PlacementIndex.forRoots)
        #expect(store.put(leaf("a", root: "shop", version: "1")) == nil)
        #expect(store.byIndex("owned-by", "team/shop").count == 1)

        let replaced = store.put(leaf("a", root: "blog", version: "2"))
        #expect(replaced?["metadata"]?["resourceVersion"] == "1")
        #expect(store.byIndex("owned-by", "team/shop").isEmpty)
        #expect(store.byIndex("owned-by", "team/blog").count == 1)
        #expect(store.byIndex("namespace", "team").count == 1)

        #expect(store.remove("team/a") != nil)
        #expect(store.remove("team/a") == nil)
        #expect(store.byIndex("owned-by", "team/blog").isEmpty && store.byIndex("namespace", "team").isEmpty)
        #expect(store.count == 0)
    }
}

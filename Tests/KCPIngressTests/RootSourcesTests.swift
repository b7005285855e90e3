import KubeAPI
import KubeClient
import Placement
import Testing
import XDS

@testable import kcp_ingress

/// The roots a snapshot build reads, kept between builds and read again
/// when an informer event marks them.
@Suite("Roots kept between snapshot builds")
struct RootSourcesTests {
    static let root: JSON = [
        "metadata": ["name": "front", "namespace": "shop"],
        "spec": ["rules": [["host": "front.example.com"]]],
    ]

    @Test("the first build lists everything; later ones read again what events marked: a leaf's root, a deleted root")
    func readsWhatEventsMark() {
        let ingresses = InformerStore(indexers: PlacementIndex.forRoots)
        let services = InformerStore(indexers: PlacementIndex.forServices)
        let reader = IndexedPlacementReader(
            services: IndexedObjects(get: { services.get($0) }, byIndex: { services.byIndex($0, $1) }),
            roots: [.ingress: IndexedObjects(get: { ingresses.get($0) }, byIndex: { ingresses.byIndex($0, $1) })])
        let sources = RootSources(stores: [.ingress: ingresses], reader: reader)
        let leaf = Leaf(of: Self.root, cluster: "east").object
        ingresses.put(Self.root)
        ingresses.put(leaf)

        let first = sources.current()
        #expect(first.map(\.object) == [Self.root])
        #expect(first.first?.leaves == [leaf])

        // A leaf's syncer reports: its event marks the root, whose leaves are read again.
        var reported = leaf
        reported["status"] = ["loadBalancer": ["ingress": [["ip": "192.0.2.1"]]]]
        ingresses.put(reported)
        sources.changed(.updated(old: leaf, new: reported), kind: .ingress)
        #expect(sources.current().first?.leaves == [reported])

        // What no event marked is not read again: the stores are not listed per build.
        var relabelled = Self.root
        relabelled["metadata"]?["labels"] = ["app": "front"]
        ingresses.put(relabelled)
        #expect(sources.current().map(\.object) == [Self.root])
        sources.changed(.updated(old: Self.root, new: relabelled), kind: .ingress)
        #expect(sources.current().map(\.object) == [relabelled])

        // A deleted root goes.
        ingresses.remove(InformerStore.key(of: relabelled))
        sources.changed(.deleted(relabelled), kind: .ingress)
        #expect(sources.current().isEmpty)
    }
}

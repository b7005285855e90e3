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
        let sources = RootSources(stores: [.ingress: ingresses])
        let leaf = Leaf(of: Self.root, cluster: "east").object
        ingresses.put(Self.root)
        ingresses.put(leaf)

        let first = sources.changes()
        #expect(first.changed.map(\.object) == [Self.root])
        #expect(first.changed.first?.leaves == [leaf])
        #expect(first.removed.isEmpty)

        // A leaf's syncer reports: its event marks the root, whose leaves are read again.
        var reported = leaf
        reported["status"] = ["loadBalancer": ["ingress": [["ip": "192.0.2.1"]]]]
        ingresses.put(reported)
        sources.changed(.updated(old: leaf, new: reported), kind: .ingress)
        #expect(sources.changes().changed.first?.leaves == [reported])

        // What no event marked is not read again: the stores are not listed per build.
        var relabelled = Self.root
        relabelled["metadata"]?["labels"] = ["app": "front"]
        ingresses.put(relabelled)
        #expect(sources.changes().changed.isEmpty)
        sources.changed(.updated(old: Self.root, new: relabelled), kind: .ingress)
        #expect(sources.changes().changed.map(\.object) == [relabelled])

        // A deleted root goes, once.
        ingresses.remove(InformerStore.key(of: relabelled))
        sources.changed(.deleted(relabelled), kind: .ingress)
        let deleted = sources.changes()
        #expect(deleted.changed.isEmpty)
        #expect(deleted.removed == [RootIdentity(kind: .ingress, key: ObjectKey(of: relabelled))])
        sources.changed(.deleted(relabelled), kind: .ingress)
        #expect(sources.changes().removed.isEmpty)

        // A full read (a build that cannot take changes) lists the stores as they are,
        // and leaves what events marked for the next read of changes.
        ingresses.put(Self.root)
        sources.changed(.added(Self.root), kind: .ingress)
        #expect(sources.current().map(\.object) == [Self.root])
        #expect(sources.changes().changed.map(\.object) == [Self.root])
    }
}

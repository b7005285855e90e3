import KubeAPI
import Placement
import TestSupport
import Testing

@testable import XDS

@Suite("A first build in batches gives what one translation of every root gives")
struct BatchedFirstBuildTests {
    let byKey = Dictionary(uniqueKeysWithValues: Objects.services.map { (ObjectKey(of: $0), $0) })

    func source(_ name: String, host: String, created: String) -> RootSource {
        var source = Objects.ingressSource(
            Objects.root(
                .ingress, name, created: created,
                spec: """
                    {"rules":[{"host":"\(host)","http":{"paths":[
                      {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}
                    """), on: ["east", "west"])
        source.object["metadata"]?["resourceVersion"] = "1"
        return source
    }

    @Test("batches of 4 over 25 roots: same table, same conflicts, and a later batch's older root takes its host back")
    func sameAsOneTranslation() {
        var roots = (0..<24).map { index in
            source("app-\(index)", host: "app-\(index).example.com", created: "2026-11-20T10:00:00Z")
        }
        // Last, in the last batch: older than app-0, which the first batch gave its host.
        roots.append(source("zz-older", host: "app-0.example.com", created: "2026-11-19T10:00:00Z"))
        var cache = TranslationCache()
        let batched = SnapshotBuilder.translateInBatches(
            roots.map(PackedRootSource.init), batch: 4, service: { byKey[$0] }, settings: TranslationSettings(),
            servicesChanged: [], cache: &cache)
        let whole = Objects.translate(roots)
        #expect(batched.table == whole.table)
        #expect(batched.conflicts == whole.conflicts)
        #expect(batched.conflicts.map(\.winner.key.name) == ["zz-older"])
        #expect(batched.table.virtualHosts.count == 25 - 1)
        #expect(batched.retranslated == nil, "everything is rendered")
        #expect(cache.entries.count == 25)
    }

    @Test("a root unpacked from packed bytes carries them until it is changed, so a cache never keeps stale bytes")
    func packedBytesGoWithAChange() {
        var source = PackedRootSource(source("app", host: "app.example.com", created: "2026-11-20T10:00:00Z"))
            .unpacked()
        #expect(source.packed != nil)
        source.object["metadata"]?["labels"] = ["app": "changed"]
        #expect(source.packed == nil)
        var leaves = PackedRootSource(source).unpacked()
        leaves.leaves.removeLast()
        #expect(leaves.packed == nil)
    }
}

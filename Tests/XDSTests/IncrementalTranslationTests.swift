import KubeAPI
import Placement
import Testing
import XDS

@Suite("Incremental translation: only changed roots are translated again, with the same result")
struct IncrementalTranslationTests {
    let byKey = Dictionary(uniqueKeysWithValues: Objects.services.map { (ObjectKey(of: $0), $0) })

    func versioned(_ source: RootSource, _ version: String) -> RootSource {
        var source = source
        source.object["metadata"]?["resourceVersion"] = .string(version)
        source.leaves = source.leaves.enumerated().map { index, leaf in
            var leaf = leaf
            leaf["metadata"]?["resourceVersion"] = .string("\(version).\(index)")
            return leaf
        }
        return source
    }

    func root(_ name: String, host: String, created: String = "2026-11-20T10:00:00Z", path: String = "/api") -> JSON {
        Objects.root(
            .ingress, name, created: created,
            spec: """
                {"rules":[{"host":"\(host)","http":{"paths":[
                  {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}},
                  {"path":"\(path)","pathType":"Prefix","backend":{"service":{"name":"api","port":{"number":80}}}}]}}]}
                """)
    }

    func translate(_ roots: [RootSource], _ cache: inout TranslationCache) -> Translation {
        Translator.translate(roots: roots, service: { byKey[$0] }, cache: &cache)
    }

    /// What a full translation gives (which does not say what it translated again).
    func full(_ roots: [RootSource]) -> Translation {
        Objects.translate(roots)
    }

    func same(_ incremental: Translation, _ full: Translation) -> Bool {
        incremental.table == full.table && incremental.conflicts == full.conflicts
    }

    @Test func aOneRootChangeTranslatesThatRootAndGivesWhatAFullTranslationGives() {
        var roots = (0..<50).map { index in
            versioned(
                Objects.ingressSource(root("app-\(index)", host: "app-\(index).example.com"), on: ["east", "west"]), "1"
            )
        }
        var cache = TranslationCache()
        #expect(same(translate(roots, &cache), full(roots)))
        #expect(cache.lastTranslated == 50)
        #expect(same(translate(roots, &cache), full(roots)))
        #expect(cache.lastTranslated == 0)

        roots[7] = versioned(
            Objects.ingressSource(root("app-7", host: "app-7.example.com", path: "/v2"), on: ["east", "west"]), "2")
        let changed = translate(roots, &cache)
        #expect(cache.lastTranslated == 1)
        #expect(same(changed, full(roots)))

        // A root gone: the rest reused, its cache entry dropped.
        roots.remove(at: 3)
        #expect(same(translate(roots, &cache), full(roots)))
        #expect(cache.lastTranslated == 0)
    }

    @Test func aHostChangingHandsTranslatesBothRoots() {
        let older = versioned(
            Objects.ingressSource(
                root("older", host: "shop.example.com", created: "2026-11-01T00:00:00Z"), on: ["east"]),
            "1")
        let newer = versioned(Objects.ingressSource(root("newer", host: "shop.example.com"), on: ["west"]), "1")
        var cache = TranslationCache()
        _ = translate([older, newer], &cache)
        // The older root lets go of the host: the newer one gets it, though neither of its objects changed.
        let released = versioned(
            Objects.ingressSource(
                root("older", host: "other.example.com", created: "2026-11-01T00:00:00Z"), on: ["east"]), "2")
        let next = translate([released, newer], &cache)
        #expect(same(next, full([released, newer])))
        #expect(next.virtualHost("newer")?.hosts == ["shop.example.com"])
        #expect(cache.lastTranslated == 2)
    }

    @Test func objectsWithoutResourceVersionsAreNeverReused() {
        let roots = [Objects.ingressSource(root("app", host: "app.example.com"), on: ["east"])]
        var cache = TranslationCache()
        _ = translate(roots, &cache)
        _ = translate(roots, &cache)
        #expect(cache.lastTranslated == 1)
    }
}

extension IncrementalTranslationTests {
    @Test func leavesInAnotherOrderAreTheSameRoot() {
        let source = versioned(Objects.ingressSource(root("app", host: "app.example.com"), on: ["east", "west"]), "1")
        var reversed = source
        reversed.leaves.reverse()
        var cache = TranslationCache()
        _ = translate([source], &cache)
        _ = translate([reversed], &cache)
        #expect(cache.lastTranslated == 0)
    }
}

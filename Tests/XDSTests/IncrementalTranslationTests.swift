import KubeAPI
import Placement
import TestSupport
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

extension IncrementalTranslationTests {
    /// 300 random creations, changes and deletions of 24 roots that fight
    /// over 10 hosts (three creation times, so ties fall to the key): after
    /// each, given only what changed, the table and conflicts are what a
    /// full translation of every root gives, and so is the snapshot
    /// rendered from the changed roots alone.
    @Test func randomChangesGiveWhatAFullTranslationGives() throws {
        var random = SplitMix64(seed: 42)
        let times = ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z", "2026-11-03T00:00:00Z"]
        var current: [String: RootSource] = [:]
        var cache = TranslationCache()
        var sawConflicts = false
        var renderer = SnapshotRenderer()
        for step in 0..<300 {
            let name = "app-\(Int.random(in: 0..<24, using: &random))"
            var changed: [RootSource] = []
            var removed: [RootIdentity] = []
            if let existing = current[name], Int.random(in: 0..<4, using: &random) == 0 {
                removed.append(existing.identity)
                current[name] = nil
            } else {
                let hosts = (0..<Int.random(in: 1...2, using: &random)).map { _ in
                    "h\(Int.random(in: 0..<10, using: &random)).example.com"
                }
                let created = current[name].flatMap { $0.object["metadata"]?["creationTimestamp"]?.stringValue }
                let object = Objects.root(
                    .ingress, name, created: created ?? times.randomElement(using: &random)!,
                    spec: """
                        {"rules":[\(hosts.map { """
                            {"host":"\($0)","http":{"paths":[{"path":"/\(step)","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}
                            """ }.joined(separator: ","))]}
                        """)
                let clusters = [[], ["east"], ["west"], ["east", "west"]].randomElement(using: &random)!
                let source = versioned(Objects.ingressSource(object, on: clusters), "\(step)")
                current[name] = source
                changed.append(source)
            }
            let incremental = Translator.translate(
                changed: changed, removed: removed, service: { byKey[$0] }, cache: &cache)
            let expected = full(Array(current.values))
            #expect(same(incremental, expected), "step \(step): \(name)")
            // Rendered from the changes alone, the snapshot is what a fresh render of everything gives.
            let patched = try renderer.render(incremental.table, changed: incremental.retranslated)
            var fresh = SnapshotRenderer()
            let whole = try fresh.render(expected.table)
            #expect(patched.snapshot.virtualHosts == whole.snapshot.virtualHosts, "step \(step)")
            let inline = patched.snapshot.inlineRouteConfigurations.values.first
            let wholeInline = whole.snapshot.inlineRouteConfigurations.values.first
            #expect(inline?.version == wholeInline?.version && inline?.body == wholeInline?.body)
            #expect(inline?.clusters == wholeInline?.clusters && inline?.virtualHosts == wholeInline?.virtualHosts)
            #expect(patched.snapshot.clusters == whole.snapshot.clusters)
            #expect(patched.virtualHostOfRoot == whole.virtualHostOfRoot)
            #expect(patched.rootsWithoutGateway == whole.rootsWithoutGateway)
            #expect(cache.lastTranslated <= 1 + current.count)
            sawConflicts = sawConflicts || !expected.conflicts.isEmpty
        }
        #expect(sawConflicts, "the roots fought over hosts")
    }
}

extension IncrementalTranslationTests {
    /// Past a few hundred changes at once the table is sorted once at the
    /// end rather than kept sorted: both ways give the same translation.
    @Test func aBulkTranslationGivesWhatRootByRootTranslationsGive() {
        let roots = (0..<300).map { index in
            versioned(
                Objects.ingressSource(
                    root(
                        "app-\(index)", host: "h\(index % 250).example.com",
                        created: "2026-11-0\(1 + index % 3)T00:00:00Z"),
                    on: ["east", "west"]), "1")
        }
        var bulk = TranslationCache()
        let together = translate(roots, &bulk)
        var single = TranslationCache()
        var last: Translation?
        for source in roots.reversed() {
            last = Translator.translate(changed: [source], removed: [], service: { byKey[$0] }, cache: &single)
        }
        #expect(bulk.lastTranslated == 300)
        #expect(last.map { same(together, $0) } == true)
        #expect(together.conflicts.count == 50)
        #expect(together.table.virtualHosts.map(\.name) == together.table.virtualHosts.map(\.name).sorted())
    }
}

extension IncrementalTranslationTests {
    /// A Service moved between clusters (or gone) re-translates the roots
    /// naming it, and no other, to what a full translation gives.
    @Test func aServiceChangeTranslatesTheRootsNamingItAgain() {
        var services = Dictionary(uniqueKeysWithValues: Objects.services.map { (ObjectKey(of: $0), $0) })
        // app-0…9 name web and api; app-10…14 name docs alone.
        let roots =
            (0..<10).map { index in
                versioned(
                    Objects.ingressSource(
                        root("app-\(index)", host: "app-\(index).example.com"), on: ["east", "west", "north"]), "1")
            }
            + (10..<15).map { index in
                versioned(
                    Objects.ingressSource(
                        Objects.root(
                            .ingress, "app-\(index)",
                            spec: """
                                {"rules":[{"host":"app-\(index).example.com","http":{"paths":[
                                  {"path":"/","pathType":"Prefix","backend":{"service":{"name":"docs","port":{"number":80}}}}]}}]}
                                """),
                        on: ["east", "west", "north"]), "1")
            }
        var cache = TranslationCache()
        _ = Translator.translate(roots: roots, service: { services[$0] }, cache: &cache)
        let web = ObjectKey(of: Objects.service("web", cluster: "east"))
        for cluster in ["west", "north", nil, "east"] {
            services[web] = cluster.map { Objects.service("web", cluster: $0) }
            let moved = Translator.translate(
                changed: [], removed: [], service: { services[$0] }, servicesChanged: [web], cache: &cache)
            #expect(cache.lastTranslated == 10, "the roots naming web, after it moved to \(cluster ?? "nowhere")")
            #expect(same(moved, Translator.translate(roots: roots, service: { services[$0] })))
        }
    }
}

import KubeAPI

/// What the translation of each root gave last time, and from what: a
/// build after a one-root change translates that root again, not 10,000.
///
/// A root's entry is reused while the root and its leaves keep their
/// resourceVersions and it keeps the hosts it claimed. Services are not
/// part of that key: a Service change must call `invalidateAll()`.
public struct TranslationCache: Sendable {
    /// One root's translation and what it came from. A class, and
    /// immutable: a build passes 10,000 of these around, and a reference
    /// costs one retain where a copy of the whole value costs dozens.
    final class Entry: Sendable {
        /// The root's and its leaves' resourceVersions; nil when any is
        /// missing (objects not from an API server), which is never reused.
        let fingerprint: [String]?
        let age: RootAge
        let wanted: [String]
        /// The hosts it kept and what they gave; nil until translated.
        let kept: [String]?
        let virtualHost: EnvoyVirtualHost?
        let clusters: [GatewayCluster]

        init(
            fingerprint: [String]?, age: RootAge, wanted: [String], kept: [String]? = nil,
            virtualHost: EnvoyVirtualHost? = nil, clusters: [GatewayCluster] = []
        ) {
            self.fingerprint = fingerprint
            self.age = age
            self.wanted = wanted
            self.kept = kept
            self.virtualHost = virtualHost
            self.clusters = clusters
        }

        /// This entry, translated for `kept`.
        func translated(kept: [String], virtualHost: EnvoyVirtualHost?, clusters: [GatewayCluster]) -> Entry {
            Entry(
                fingerprint: fingerprint, age: age, wanted: wanted, kept: kept, virtualHost: virtualHost,
                clusters: clusters)
        }
    }

    var entries: [RootIdentity: Entry] = [:]
    /// The roots oldest first, as last sorted: reused while the same roots
    /// exist (a root's age never changes), which saves sorting 10,000.
    var order: [RootAge] = []
    /// Roots translated (not reused) by the last build: for tests and metrics.
    public private(set) var lastTranslated = 0

    public init() {}

    public mutating func invalidateAll() {
        entries = [:]
        order = []
    }

    static func fingerprint(of source: RootSource) -> [String]? {
        func version(_ object: JSON) -> String? { object["metadata"]?["resourceVersion"]?.stringValue }
        guard let root = version(source.object) else { return nil }
        var versions: [String] = []
        versions.reserveCapacity(1 + source.leaves.count)
        for leaf in source.leaves {
            guard let version = version(leaf) else { return nil }
            versions.append(version)
        }
        // Sorted: an index hands leaves back in no particular order.
        versions.sort()
        return [root] + versions
    }

    mutating func recordTranslated(_ count: Int) {
        lastTranslated = count
    }
}

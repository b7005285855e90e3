import KubeAPI

/// What the translation of each root gave last time, and from what: a
/// build after a one-root change translates that root again, not 10,000.
///
/// A root's entry is reused while the root and its leaves keep their
/// resourceVersions and it keeps the hosts it claimed. Services are not
/// part of that key: a Service change must call `invalidateAll()`.
public struct TranslationCache: Sendable {
    struct Entry: Sendable {
        /// The root's and its leaves' resourceVersions; nil when any is
        /// missing (objects not from an API server), which is never reused.
        var fingerprint: [String]?
        var age: RootAge
        var wanted: [String]
        /// The hosts it kept and what they gave; nil until translated.
        var kept: [String]?
        var virtualHost: EnvoyVirtualHost?
        var clusters: [GatewayCluster] = []
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
        var versions: [String] = []
        versions.reserveCapacity(1 + source.leaves.count)
        for object in [source.object] + source.leaves {
            guard let version = object["metadata"]?["resourceVersion"]?.stringValue else { return nil }
            versions.append(version)
        }
        return versions
    }

    mutating func recordTranslated(_ count: Int) {
        lastTranslated = count
    }
}

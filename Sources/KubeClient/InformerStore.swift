public import KubeAPI
import Synchronization

/// Names a value under which an object is indexed; an object may have several.
public typealias IndexFunction = @Sendable (JSON) -> [String]

/// An informer's local copy of a collection, keyed by `namespace/name`, with
/// secondary indexes. Reads take a lock for a dictionary look-up only, so
/// the webhook's hot path can use it without any API round trip.
public final class InformerStore: Sendable {
    private struct State {
        var objects: [String: JSON] = [:]
        /// index name → indexed value → keys.
        var indexes: [String: [String: Set<String>]] = [:]
        /// key → what its object was indexed under, so that replacing or
        /// removing it never runs index functions inside the lock.
        var entries: [String: [(String, [String])]] = [:]
    }

    private let indexers: [String: IndexFunction]
    private let state = Mutex(State())

    public init(indexers: [String: IndexFunction] = [:]) {
        self.indexers = indexers
    }

    /// `namespace/name`, or `name` for a cluster-scoped object.
    public static func key(of object: JSON) -> String {
        ObjectMeta(json: object["metadata"] ?? [:]).key
    }

    public func get(_ key: String) -> JSON? {
        state.withLock { $0.objects[key] }
    }

    public func get(namespace: String?, name: String) -> JSON? {
        get(namespace.map { "\($0)/\(name)" } ?? name)
    }

    public var count: Int { state.withLock { $0.objects.count } }

    public func list() -> [JSON] {
        state.withLock { Array($0.objects.values) }
    }

    public func keys() -> Set<String> {
        state.withLock { Set($0.objects.keys) }
    }

    /// The objects whose index `name` holds `value`.
    public func byIndex(_ name: String, _ value: String) -> [JSON] {
        state.withLock { state in
            (state.indexes[name]?[value] ?? []).compactMap { state.objects[$0] }
        }
    }

    /// `key` → resourceVersion of every object: what tests compare with the server's list.
    public func versions() -> [String: String] {
        state.withLock { state in
            state.objects.mapValues { $0["metadata"]?["resourceVersion"]?.stringValue ?? "" }
        }
    }

    /// Stores `object`, returning the one it replaced.
    @discardableResult
    public func put(_ object: JSON) -> JSON? {
        let key = Self.key(of: object)
        let entries = indexers.map { name, function in (name, function(object)) }
        return state.withLock { state in
            let old = state.objects.updateValue(object, forKey: key)
            if let previous = state.entries.updateValue(entries, forKey: key) {
                Self.unindex(key, entries: previous, in: &state.indexes)
            }
            for (index, values) in entries {
                for value in values { state.indexes[index, default: [:]][value, default: []].insert(key) }
            }
            return old
        }
    }

    /// Removes the object at `key`, returning it.
    @discardableResult
    public func remove(_ key: String) -> JSON? {
        state.withLock { state in
            guard let old = state.objects.removeValue(forKey: key) else { return nil }
            if let previous = state.entries.removeValue(forKey: key) {
                Self.unindex(key, entries: previous, in: &state.indexes)
            }
            return old
        }
    }

    private static func unindex(
        _ key: String, entries: [(String, [String])], in indexes: inout [String: [String: Set<String>]]
    ) {
        for (index, values) in entries {
            for value in values {
                indexes[index]?[value]?.remove(key)
                if indexes[index]?[value]?.isEmpty == true { indexes[index]?[value] = nil }
            }
        }
    }
}

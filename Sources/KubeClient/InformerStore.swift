public import KubeAPI
import Synchronization

/// Names a value under which an object is indexed; an object may have several.
public typealias IndexFunction = @Sendable (JSON) -> [String]

/// An informer's local copy of a collection, keyed by `namespace/name`, with
/// secondary indexes. Reads take a lock for a dictionary look-up only, so
/// the webhook's hot path can use it without any API round trip.
///
/// Objects are kept packed (`PackedJSON`): at 10,000 roots a store holds
/// 30,000 objects, and their parsed trees were most of the process's
/// memory. A read unpacks what it returns, outside the lock.
public final class InformerStore: Sendable {
    private struct IndexEntry {
        var index: String
        var value: String
    }

    private struct Stored {
        var object: PackedJSON
        var resourceVersion: String?
    }

    private struct State {
        var objects: [String: Stored] = [:]
        /// index name → indexed value → keys.
        var indexes: [String: [String: Set<String>]] = [:]
        /// key → what its object was indexed under, so that replacing or
        /// removing it never runs index functions inside the lock.
        /// One flat array per object, without the indexes it is not under:
        /// at 30,000 objects, an array per index per object was 12 MB.
        var entries: [String: [IndexEntry]] = [:]
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
        state.withLock { $0.objects[key]?.object }?.unpacked()
    }

    /// The object at `key` as the store keeps it: a cache of its own may
    /// share these bytes instead of packing the object again.
    public func packed(_ key: String) -> PackedJSON? {
        state.withLock { $0.objects[key]?.object }
    }

    /// The objects whose index `name` holds `value`, as the store keeps them.
    public func packedByIndex(_ name: String, _ value: String) -> [PackedJSON] {
        state.withLock { state in
            (state.indexes[name]?[value] ?? []).compactMap { state.objects[$0]?.object }
        }
    }

    /// Every object as the store keeps it.
    public func packedList() -> [PackedJSON] {
        state.withLock { $0.objects.values.map(\.object) }
    }

    /// The resourceVersion of the object at `key`, without unpacking it.
    public func resourceVersion(of key: String) -> String? {
        state.withLock { $0.objects[key]?.resourceVersion }
    }

    public func get(namespace: String?, name: String) -> JSON? {
        get(namespace.map { "\($0)/\(name)" } ?? name)
    }

    public var count: Int { state.withLock { $0.objects.count } }

    public func list() -> [JSON] {
        packedList().map { $0.unpacked() }
    }

    public func keys() -> Set<String> {
        state.withLock { Set($0.objects.keys) }
    }

    /// The objects whose index `name` holds `value`.
    public func byIndex(_ name: String, _ value: String) -> [JSON] {
        packedByIndex(name, value).map { $0.unpacked() }
    }

    /// `key` → resourceVersion of every object: what tests compare with the server's list.
    public func versions() -> [String: String] {
        state.withLock { state in
            state.objects.mapValues { $0.resourceVersion ?? "" }
        }
    }

    /// Stores `object`, returning the one it replaced.
    @discardableResult
    public func put(_ object: JSON) -> JSON? {
        let key = Self.key(of: object)
        let entries = indexers.flatMap { name, function in function(object).map { IndexEntry(index: name, value: $0) } }
        let stored = Stored(
            object: PackedJSON(object), resourceVersion: object["metadata"]?["resourceVersion"]?.stringValue)
        let old = state.withLock { state in
            let old = state.objects.updateValue(stored, forKey: key)
            if let previous = state.entries.updateValue(entries, forKey: key) {
                Self.unindex(key, entries: previous, in: &state.indexes)
            }
            for entry in entries { state.indexes[entry.index, default: [:]][entry.value, default: []].insert(key) }
            return old?.object
        }
        return old?.unpacked()
    }

    /// Removes the object at `key`, returning it.
    @discardableResult
    public func remove(_ key: String) -> JSON? {
        state.withLock { state -> PackedJSON? in
            guard let old = state.objects.removeValue(forKey: key) else { return nil }
            if let previous = state.entries.removeValue(forKey: key) {
                Self.unindex(key, entries: previous, in: &state.indexes)
            }
            return old.object
        }?.unpacked()
    }

    private static func unindex(
        _ key: String, entries: [IndexEntry], in indexes: inout [String: [String: Set<String>]]
    ) {
        for entry in entries {
            indexes[entry.index]?[entry.value]?.remove(key)
            if indexes[entry.index]?[entry.value]?.isEmpty == true { indexes[entry.index]?[entry.value] = nil }
        }
    }
}

import Synchronization

/// What each connected Envoy holds, stream by stream: what a root's
/// readiness and the operator's page read. Every update wakes the
/// watchers, which then read the streams again.
public final class XDSStreamRegistry: Sendable {
    /// One stream, as last seen.
    public struct Stream: Sendable {
        public var id: Int
        public var nodeID: String
        public var delta: Bool
        public var routesSubscribed: Bool
        /// Virtual hosts Envoy accepted, name → version.
        public var acceptedVirtualHosts: [String: String]
        /// Per type, the version of the response Envoy last ACKed.
        public var acceptedVersionInfo: [ResourceType: String]
        /// Per type, Envoy's error for the response it is rejecting now.
        public var rejections: [ResourceType: String]
        /// Virtual hosts in the rejected route responses.
        public var rejectedVirtualHosts: Set<String>
    }

    private struct State {
        var streams: [Int: Stream] = [:]
        var nextID = 0
        var watchers: [Int: AsyncStream<Void>.Continuation] = [:]
        var nextWatcher = 0
    }

    private let state = Mutex(State())

    public init() {}

    public var streams: [Stream] { state.withLock { Array($0.streams.values).sorted { $0.id < $1.id } } }

    func open(delta: Bool) -> Int {
        state.withLock { state in
            state.nextID += 1
            state.streams[state.nextID] = Stream(
                id: state.nextID, nodeID: "", delta: delta, routesSubscribed: false, acceptedVirtualHosts: [:],
                acceptedVersionInfo: [:], rejections: [:], rejectedVirtualHosts: [])
            return state.nextID
        }
    }

    func update(_ id: Int, _ body: (inout Stream) -> Void) {
        let watchers = state.withLock { state -> [AsyncStream<Void>.Continuation] in
            guard var stream = state.streams[id] else { return [] }
            body(&stream)
            state.streams[id] = stream
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.yield() }
    }

    func close(_ id: Int) {
        let watchers = state.withLock { state in
            state.streams[id] = nil
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.yield() }
    }

    /// A signal after each change of any stream (coalesced).
    public func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            state.nextWatcher += 1
            state.watchers[state.nextWatcher] = continuation
            return state.nextWatcher
        }
        continuation.onTermination = { _ in
            self.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }
}

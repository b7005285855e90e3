import HTTPServer
import KubeAPI
import NIOCore
import NIOHTTP1

extension DevAPIServer {
    /// A watch: newline-delimited watch events, streamed until
    /// `timeoutSeconds` (default 30 minutes), the client leaves, or the
    /// watcher falls too far behind (then the stream ends and the client
    /// resumes or relists, as client-go does).
    func watch(
        _ resource: ServedResource,
        path: RequestPath,
        query: QueryParameters,
        table: TableRequest? = nil
    ) throws(APIError) -> HTTPResponse {
        let filter = try ObjectFilter(query)
        let requested = query["resourceVersion"].flatMap { $0.isEmpty ? nil : UInt64($0) }
        if let version = query["resourceVersion"], !version.isEmpty, requested == nil {
            throw APIError.badRequest("invalid resourceVersion \(version)")
        }
        // No version (or 0): the current state as ADDED events, then changes.
        var initial: [JSON] = []
        let start: UInt64
        if let requested, requested > 0 {
            start = requested
        } else {
            let (items, revision) = store.list(resource.qualifiedName, namespace: path.namespace)
            initial = items.map(\.object).filter(filter.matches)
            start = revision
        }
        guard let events = store.watch(resource.qualifiedName, namespace: path.namespace, after: start) else {
            throw APIError.gone("too old resource version: \(start) (\(store.revision))")
        }
        let timeout = Duration.seconds(try RequestOptions.timeoutSeconds(query) ?? 1800)
        let bookmarks = query.flag("allowWatchBookmarks") ? bookmarkInterval : nil
        let type = resource.type
        let store = store
        let initialObjects = initial
        return .streaming(.ok, headers: ["content-type": "application/json"]) { writer in
            // As Tables when kubectl asked for them (`get -w`).
            var tables = table.map { TableWatchEvents($0, kind: type.kind) }
            let line = { (event: WatchEvent) in Self.line(tables?.event(event) ?? event) }
            for object in initialObjects {
                try await writer.write(line(WatchEvent(type: .added, object: object)))
            }
            let items = WatchItems.merge(events: events, bookmarkEvery: bookmarks, timeout: timeout)
            for await item in items {
                switch item {
                case .event(let event):
                    if let out = Self.visible(event, filter) { try await writer.write(line(out)) }
                case .bookmark:
                    let marker: JSON = [
                        "kind": .string(type.kind), "apiVersion": .string(type.apiVersion),
                        "metadata": ["resourceVersion": .string(String(store.revision))],
                    ]
                    try await writer.write(line(WatchEvent(type: .bookmark, object: marker)))
                }
            }
        }
    }

    /// What a watcher with `filter` sees of a change: an object entering
    /// its selection is ADDED, one leaving it DELETED.
    private static func visible(_ event: StoreEvent, _ filter: ObjectFilter) -> WatchEvent? {
        let now = filter.matches(event.object)
        let before = event.previous.map(filter.matches) ?? false
        switch event.kind {
        case .added: return now ? WatchEvent(type: .added, object: event.object) : nil
        case .deleted: return before ? WatchEvent(type: .deleted, object: event.object) : nil
        case .modified:
            switch (before, now) {
            case (true, true): return WatchEvent(type: .modified, object: event.object)
            case (false, true): return WatchEvent(type: .added, object: event.object)
            case (true, false): return WatchEvent(type: .deleted, object: event.object)
            case (false, false): return nil
            }
        }
    }

    private static func line(_ event: WatchEvent) -> ByteBuffer {
        var bytes = event.json.bytes
        bytes.append(UInt8(ascii: "\n"))
        return ByteBuffer(bytes: bytes)
    }
}

/// The store's events interleaved with bookmark ticks, ending at the timeout.
enum WatchItems {
    enum Item: Sendable {
        case event(StoreEvent)
        case bookmark
    }

    static func merge(
        events: AsyncStream<StoreEvent>,
        bookmarkEvery interval: Duration?,
        timeout: Duration
    ) -> AsyncStream<Item> {
        let (items, continuation) = AsyncStream.makeStream(of: Item.self)
        let forward = Task {
            for await event in events { continuation.yield(.event(event)) }
            continuation.finish()
        }
        let ticks = Task {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let wait = min(interval ?? timeout, deadline - ContinuousClock.now)
                guard (try? await Task.sleep(for: wait)) != nil else { return }
                if interval != nil, ContinuousClock.now < deadline { continuation.yield(.bookmark) }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in
            forward.cancel()
            ticks.cancel()
        }
        return items
    }
}

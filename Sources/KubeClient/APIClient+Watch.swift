import HTTPClient
public import KubeAPI
import NIOCore
import NIOHTTP1

extension APIClient {
    /// Watches a collection from `resourceVersion`, handing each event to
    /// `handle` in order, until the server ends the watch (its
    /// `timeoutSeconds`), the connection breaks, or the task is cancelled.
    ///
    /// Throws a `KubeError`: `.expired` when the version is too old (the
    /// caller relists), `.unreachable` when the stream broke mid-way. An
    /// `ERROR` event is thrown as the error its Status describes.
    public func watch(
        _ type: ResourceType,
        namespace: String? = nil,
        labelSelector: String? = nil,
        resourceVersion: String?,
        timeoutSeconds: Int? = nil,
        allowBookmarks: Bool = true,
        _ handle: (WatchEvent) async throws -> Void
    ) async throws {
        let query = APIPath.query([
            ("watch", "true"), ("labelSelector", labelSelector), ("resourceVersion", resourceVersion),
            ("allowWatchBookmarks", allowBookmarks ? "true" : nil), ("timeoutSeconds", timeoutSeconds.map(String.init)),
        ])
        let path = APIPath.collection(type, namespace: namespace) + query
        try await throttle()
        let request = try request(.GET, path)
        do {
            // The server ends the watch after timeoutSeconds; past that plus a
            // margin, the peer is gone.
            let total = timeoutSeconds.map { Duration.seconds($0) + .seconds(30) }
            try await http.stream(request, tls: tls, headTimeout: options.requestTimeout, totalTimeout: total) {
                response in
                let code = Int(response.status.code)
                guard (200..<300).contains(code) else {
                    let body = try? await response.collect(upTo: 1 << 20)
                    throw KubeError(
                        code: code, body: body.flatMap { try? JSON(parsing: $0.readableBytesView) },
                        retryAfterHeader: response.headers.first(name: "retry-after"))
                }
                var decoder = WatchDecoder()
                while let chunk = try await response.nextChunk() {
                    for event in try decoder.feed(chunk.readableBytesView) {
                        if event.type == .error {
                            let status = event.object.map(Status.init(json:))
                            throw KubeError(
                                code: Int(status?.code ?? 500), body: event.object, retryAfterHeader: nil)
                        }
                        try await handle(event)
                    }
                }
                guard decoder.isAtBoundary else {
                    throw KubeError(reason: .unreachable, code: 0, message: "watch \(path): ended inside an event")
                }
            }
        } catch let error as KubeError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch let error as WatchDecodingError {
            throw KubeError(reason: .malformedResponse, code: 200, message: "watch \(path): \(error)")
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw KubeError(reason: .unreachable, code: 0, message: "watch \(path): \(error)")
        }
    }
}

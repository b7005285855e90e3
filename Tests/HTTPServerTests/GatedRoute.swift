import HTTPServer
import NIOHTTP1

/// A slow handler under a test's control: it tells when a request reached
/// it, and answers only once released.
struct GatedRoute: Sendable {
    private let entries = AsyncStream<Void>.makeStream()
    private let releases = AsyncStream<Void>.makeStream()
    private let answer: String

    init(answering answer: String = "ok") {
        self.answer = answer
    }

    var handler: HTTPHandler {
        { [entries, releases, answer] _ in
            entries.continuation.yield()
            for await _ in releases.stream { break }
            return .text(.ok, answer)
        }
    }

    /// Waits until a request has reached the handler.
    func entered() async {
        for await _ in entries.stream { break }
    }

    func release() {
        releases.continuation.yield()
    }
}

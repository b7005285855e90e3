import Foundation
import Synchronization

/// The bearer token to send: a fixed one, or a file re-read once a minute
/// (as client-go does), because bound service-account tokens rotate. When a
/// re-read fails, the last token read is kept.
final class Credentials: Sendable {
    /// `Bearer TOKEN` for a fixed token, made once.
    private let fixed: String?
    private let file: String?
    private let refreshInterval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let cached = Mutex<(token: String?, readAt: ContinuousClock.Instant?)>((nil, nil))

    /// `now` reads the clock that decides when the file is due again; tests
    /// pass one they move by hand.
    init(
        token: String?, tokenFile: String?, refreshInterval: Duration = .seconds(60),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        fixed = token.map { "Bearer \($0)" }
        file = tokenFile
        self.refreshInterval = refreshInterval
        self.now = now
    }

    /// `Bearer TOKEN`, or nil when there is no token.
    func authorization() -> String? {
        if let fixed { return fixed }
        guard let file else { return nil }
        let now = now()
        let token = cached.withLock { cache -> String? in
            if let readAt = cache.readAt, readAt.duration(to: now) < refreshInterval { return cache.token }
            if let data = FileManager.default.contents(atPath: file) {
                let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if !text.isEmpty { cache.token = text }
            }
            cache.readAt = now
            return cache.token
        }
        return token.map { "Bearer \($0)" }
    }
}

/// Polls `probe` until it returns a value, for at most `timeout`, and returns
/// that value. For state another process reaches in its own time (Envoy
/// applying configuration, a route answering): there is no event to await.
///
/// An error thrown by `probe` counts as "not yet" (a server still starting
/// refuses connections); the last one is reported if time runs out.
public func waitFor<Value>(
    _ what: String,
    timeout: Duration = .seconds(20),
    interval: Duration = .milliseconds(100),
    _ probe: () async throws -> Value?
) async throws -> Value {
    let deadline = ContinuousClock.now + timeout
    // Bounded in count as well as time, should a probe return at once forever.
    let attempts = Int(timeout / interval) + 1
    var lastError: (any Error)?
    for _ in 0..<attempts {
        do {
            if let value = try await probe() { return value }
            lastError = nil
        } catch {
            lastError = error
        }
        guard ContinuousClock.now < deadline else { break }
        try await Task.sleep(for: interval)
    }
    throw WaitTimedOut(what: what, timeout: timeout, lastError: lastError.map { "\($0)" })
}

/// Polls `condition` until it holds, for at most `timeout`.
public func waitFor(
    _ what: String,
    timeout: Duration = .seconds(20),
    interval: Duration = .milliseconds(100),
    _ condition: () async throws -> Bool
) async throws {
    let _: Bool = try await waitFor(what, timeout: timeout, interval: interval) {
        try await condition() ? true : nil
    }
}

/// What `waitFor` throws when time runs out.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public var what: String
    public var timeout: Duration
    /// The error the last attempt threw, if it threw.
    public var lastError: String?

    public var description: String {
        "not within \(timeout): \(what)" + (lastError.map { " (last attempt: \($0))" } ?? "")
    }
}

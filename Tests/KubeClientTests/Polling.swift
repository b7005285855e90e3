/// Polls `condition` every 10 ms until it holds or `within` has passed;
/// the caller then asserts on what it waited for.
func waitUntil(within: Duration = .seconds(10), _ condition: () -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: within)
    while !condition(), clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
}

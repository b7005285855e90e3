import KubeAPI

/// golang.org/x/time/rate's token bucket: `burst` tokens, refilled at
/// `rate` per second; a reservation that finds no token waits for one.
struct TokenBucket<Instant: InstantProtocol> where Instant.Duration == Duration {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var last: Instant

    init(rate: Double, burst: Int, now: Instant) {
        self.rate = rate
        self.burst = Double(burst)
        tokens = Double(burst)
        last = now
    }

    /// Takes a token and returns how long to wait before using it.
    mutating func reserve(at now: Instant) -> Duration {
        let elapsed = last.duration(to: now)
        if elapsed > .zero {
            tokens = min(burst, tokens + elapsed.inSeconds * rate)
            last = now
        }
        tokens -= 1
        guard tokens < 0 else { return .zero }
        return .nanoseconds(Int64((-tokens / rate * 1e9).rounded(.up)))
    }
}

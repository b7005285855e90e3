/// client-go's wait.Backoff as its reflector uses it: 800 ms doubling to
/// 30 s, each wait stretched by up to 100% jitter so that many clients
/// coming back after an outage do not arrive at once.
public struct Backoff: Sendable {
    public let initial: Duration
    public let maximum: Duration
    public let jitter: Double
    private var current: Duration

    public init(initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), jitter: Double = 1.0) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
        current = initial
    }

    /// The next wait; each call doubles the base up to `maximum`.
    public mutating func next() -> Duration {
        let base = current
        current = min(current * 2, maximum)
        return base * (1 + Double.random(in: 0...jitter))
    }

    public mutating func reset() {
        current = initial
    }
}

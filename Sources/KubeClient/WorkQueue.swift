import CoreMetrics

/// client-go's rate-limited work queue, as controllers use it.
///
/// * A key is processed by at most one worker at a time.
/// * Adding a key that is already queued does nothing.
/// * A key added while it is being processed is queued again when `done`.
/// * `addRateLimited` waits per key (5 ms doubling up to 1000 s) and for the
///   overall token bucket (10 per second, burst 100), whichever is longer;
///   `forget` resets the key's backoff after a success.
///
/// Time comes from an injected clock, so tests can move it by hand. With a
/// `name`, client-go's `workqueue_depth`, `workqueue_adds_total` and
/// `workqueue_retries_total` are kept for it.
public actor WorkQueue<Key: Hashable & Sendable, C: Clock<Duration>> {
    private let clock: C
    private let baseDelay: Duration
    private let maxDelay: Duration
    private var bucket: TokenBucket<C.Instant>

    private var queue: [Key] = []
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var failures: [Key: Int] = [:]
    private var waiters: [(id: Int, continuation: CheckedContinuation<Key?, Never>)] = []
    private var nextWaiter = 0
    /// Adds waiting for their delay; cancelled at shutdown so none outlives the queue.
    private var delayed: [Int: Task<Void, Never>] = [:]
    private var nextDelayed = 0
    private var shuttingDown = false
    private let metrics: WorkQueueMetrics?

    public init(
        clock: C,
        baseDelay: Duration = .milliseconds(5),
        maxDelay: Duration = .seconds(1000),
        rate: Double = 10,
        burst: Int = 100,
        name: String? = nil
    ) {
        self.init(
            clock: clock, baseDelay: baseDelay, maxDelay: maxDelay, rate: rate, burst: burst, name: name,
            metricsFactory: MetricsSystem.factory)
    }

    /// With the metrics recorded through `metricsFactory` (a test's own).
    init(
        clock: C,
        baseDelay: Duration = .milliseconds(5),
        maxDelay: Duration = .seconds(1000),
        rate: Double = 10,
        burst: Int = 100,
        name: String? = nil,
        metricsFactory: any MetricsFactory
    ) {
        self.clock = clock
        metrics = name.map { WorkQueueMetrics(name: $0, factory: metricsFactory) }
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.bucket = TokenBucket(rate: rate, burst: burst, now: clock.now)
    }

    public func add(_ key: Key) {
        guard !shuttingDown, !dirty.contains(key) else { return }
        metrics?.added()
        dirty.insert(key)
        guard !processing.contains(key) else { return }
        if waiters.isEmpty {
            queue.append(key)
            metrics?.depth(queue.count)
        } else {
            hand(key, to: waiters.removeFirst().continuation)
        }
    }

    /// The next key to process, waiting for one; nil once shut down and
    /// empty, and nil at once when the calling task is cancelled (a worker
    /// of a leader that lost its lease must not stay parked here).
    public func get() async -> Key? {
        if !queue.isEmpty {
            let key = queue.removeFirst()
            metrics?.depth(queue.count)
            take(key)
            return key
        }
        if shuttingDown || Task.isCancelled { return nil }
        let id = nextWaiter
        nextWaiter += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { waiters.append((id, $0)) }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
    }

    private func hand(_ key: Key, to waiter: CheckedContinuation<Key?, Never>) {
        take(key)
        waiter.resume(returning: key)
    }

    private func take(_ key: Key) {
        processing.insert(key)
        dirty.remove(key)
    }

    /// The worker finished `key`; if it was added meanwhile it is queued again.
    public func done(_ key: Key) {
        processing.remove(key)
        if dirty.contains(key) {
            if waiters.isEmpty {
                queue.append(key)
                metrics?.depth(queue.count)
            } else {
                hand(key, to: waiters.removeFirst().continuation)
            }
        }
    }

    /// Adds `key` after `delay` on the queue's clock.
    public func add(_ key: Key, after delay: Duration) {
        guard delay > .zero else {
            add(key)
            return
        }
        guard !shuttingDown else { return }
        let deadline = clock.now.advanced(by: delay)
        let clock = clock
        let id = nextDelayed
        nextDelayed += 1
        delayed[id] = Task {
            try? await clock.sleep(until: deadline, tolerance: nil)
            self.fireDelayed(id, key)
        }
    }

    private func fireDelayed(_ id: Int, _ key: Key) {
        guard delayed.removeValue(forKey: id) != nil, !Task.isCancelled else { return }
        add(key)
    }

    /// Adds `key` after its backoff and the overall rate limit allow.
    public func addRateLimited(_ key: Key) {
        metrics?.retried()
        add(key, after: rateLimitDelay(for: key))
    }

    /// The delay `addRateLimited` uses; counts one more failure of `key`.
    func rateLimitDelay(for key: Key) -> Duration {
        let count = failures[key, default: 0]
        failures[key] = count + 1
        let exponent = min(count, 40)  // 5 ms × 2^40 is far past the cap already
        let itemDelay = min(baseDelay * (1 << exponent), maxDelay)
        let bucketDelay = bucket.reserve(at: clock.now)
        return max(itemDelay, bucketDelay)
    }

    public func forget(_ key: Key) {
        failures[key] = nil
    }

    public func requeues(of key: Key) -> Int {
        failures[key, default: 0]
    }

    public var count: Int { queue.count }

    /// Workers blocked in `get()` for want of a key.
    var waitingWorkers: Int { waiters.count }

    /// Adds still waiting for their delay.
    var pendingDelayedAdds: Int { delayed.count }

    /// Stops accepting keys (for good: a new term of work needs a new
    /// queue); pending delayed adds are dropped; workers drain what is
    /// queued, then get nil.
    public func shutDown() {
        shuttingDown = true
        for task in delayed.values { task.cancel() }
        delayed.removeAll()
        if queue.isEmpty {
            for waiter in waiters { waiter.continuation.resume(returning: nil) }
            waiters.removeAll()
        }
    }
}

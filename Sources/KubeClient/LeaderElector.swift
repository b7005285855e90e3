import Foundation
import KubeAPI
public import Logging
import Synchronization

/// client-go's leader election settings.
public struct LeaderElectionConfiguration: Sendable {
    public var namespace: String
    public var name: String
    /// Unique per replica: client-go's convention is `hostname_uuid`.
    public var identity: String
    /// How long others wait, from the last change they saw, before taking an un-renewed lease.
    public var leaseDuration: Duration = .seconds(15)
    /// How long the leader keeps leading without a successful renewal.
    public var renewDeadline: Duration = .seconds(10)
    /// How often to try to acquire or renew.
    public var retryPeriod: Duration = .seconds(2)

    public init(namespace: String, name: String, identity: String) {
        self.namespace = namespace
        self.name = name
        self.identity = identity
    }

    /// client-go's rules: the lease outlasts the renew deadline, which
    /// outlasts a retry with its jitter; the Lease holds whole seconds.
    public func validate() throws(KubeConfigError) {
        guard leaseDuration > renewDeadline else {
            throw KubeConfigError("leader election: the lease duration must be longer than the renew deadline")
        }
        guard renewDeadline > retryPeriod * 1.2 else {
            throw KubeConfigError("leader election: the renew deadline must be longer than 1.2 × the retry period")
        }
        guard leaseDuration.components.attoseconds == 0 else {
            throw KubeConfigError("leader election: the lease duration must be whole seconds")
        }
    }

    public static func defaultIdentity() -> String {
        "\(ProcessInfo.processInfo.hostName)_\(UUID().uuidString.lowercased())"
    }
}

/// Leader election on a `coordination.k8s.io/v1` Lease, as client-go does it.
///
/// Safety: others take the lease only `leaseDuration` after they last saw
/// it change, measured on their own monotonic clock; the leader stops
/// leading `renewDeadline` after the *start* of its last successful
/// renewal, on its own monotonic clock, even while a renewal is still in
/// flight. With the defaults (15 s, 10 s) the leader has stopped at least
/// 5 s before anyone else may start, as long as the two clocks' rates differ
/// by less than a third; wall-clock offsets between machines do not matter,
/// since no one compares the times written in the Lease.
public final class LeaderElector: Sendable {
    public let configuration: LeaderElectionConfiguration
    private let client: APIClient
    private let logger: Logger
    private let leading = Atomic<Bool>(false)
    /// The lease as last read or written, and when that changed.
    private let observed = Mutex<(lease: Lease?, at: ContinuousClock.Instant)>((nil, .now))

    public init(client: APIClient, configuration: LeaderElectionConfiguration, logger: Logger) throws {
        try configuration.validate()
        self.client = client
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "lease"] = "\(configuration.namespace)/\(configuration.name)"
        self.logger = logger
    }

    public var isLeader: Bool { leading.load(ordering: .acquiring) }

    /// Competes for the lease until the task is cancelled. While holding it,
    /// runs `lead` in a child task, cancelled the moment leadership is lost;
    /// then competes again. On cancellation a held lease is released, so a
    /// successor takes over at once instead of after `leaseDuration`.
    public func run(lead: @escaping @Sendable () async -> Void) async {
        while !Task.isCancelled {
            guard let acquiredAt = await acquire() else { break }
            leading.store(true, ordering: .releasing)
            logger.info("started leading")
            let lastRenewal = RenewalClock(acquiredAt)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await lead() }
                group.addTask { await self.renew(recordingIn: lastRenewal) }
                group.addTask { await self.waitForRenewDeadline(lastRenewal) }
                // The first to end — the deadline passing, or `lead` returning — ends leadership
                // at once; a renewal still in flight is cancelled, not waited for.
                _ = await group.next()
                leading.store(false, ordering: .releasing)
                group.cancelAll()
            }
            logger.info("stopped leading")
            if Task.isCancelled {
                // Cancellation would fail the request at once: release from a task of its own.
                await Task { await self.release() }.value
            }
        }
    }

    /// When the last successful renewal (at first, the acquiring write) started.
    private final class RenewalClock: Sendable {
        let lastStart: Mutex<ContinuousClock.Instant>
        init(_ start: ContinuousClock.Instant) { lastStart = Mutex(start) }
    }

    /// Tries every retryPeriod (with up to 120% jitter, as client-go) until
    /// the lease is ours; returns when the successful attempt started, or
    /// nil when cancelled.
    private func acquire() async -> ContinuousClock.Instant? {
        while !Task.isCancelled {
            let start = ContinuousClock.now
            if await tryAcquireOrRenew() { return start }
            let wait = configuration.retryPeriod * (1 + Double.random(in: 0...1.2))
            do { try await Task.sleep(for: wait) } catch { return nil }
        }
        return nil
    }

    /// Renews every retryPeriod until cancelled, recording when each
    /// successful renewal started.
    private func renew(recordingIn renewal: RenewalClock) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.retryPeriod) } catch { return }
            let start = ContinuousClock.now
            if await tryAcquireOrRenew() { renewal.lastStart.withLock { $0 = start } }
        }
    }

    /// Returns once `renewDeadline` has passed since the start of the last
    /// successful renewal (or when cancelled).
    private func waitForRenewDeadline(_ renewal: RenewalClock) async {
        let clock = ContinuousClock()
        while true {
            let deadline = renewal.lastStart.withLock { $0 }.advanced(by: configuration.renewDeadline)
            if clock.now >= deadline {
                logger.warning("failed to renew the lease within the renew deadline")
                return
            }
            do { try await clock.sleep(until: deadline) } catch { return }
        }
    }

    /// client-go's tryAcquireOrRenew: true when the lease is ours after it.
    private func tryAcquireOrRenew() async -> Bool {
        let now = MicroTime.string()
        let name = configuration.name
        let namespace = configuration.namespace
        let current: Lease
        do {
            current = Lease(json: try await client.get(Lease.type, namespace: namespace, name: name))
        } catch let error as KubeError where error.reason == .notFound {
            var lease = Lease(name: name, namespace: namespace)
            fill(&lease, now: now, acquireTime: now, transitions: 0)
            do {
                let created = Lease(json: try await client.create(lease.json, Lease.type, namespace: namespace))
                observe(created)
                return true
            } catch {
                logger.debug("cannot create the lease", metadata: ["error": "\(error)"])
                return false
            }
        } catch {
            logger.debug("cannot read the lease", metadata: ["error": "\(error)"])
            return false
        }

        let observedAt = observe(current)
        let holder = current.holderIdentity ?? ""
        let mine = holder == configuration.identity
        if !holder.isEmpty, !mine {
            let duration = Duration.seconds(current.leaseDurationSeconds ?? 0)
            if observedAt.advanced(by: duration) > .now { return false }
        }
        var lease = current
        let transitions = current.leaseTransitions ?? 0
        if mine {
            fill(&lease, now: now, acquireTime: current.acquireTime ?? now, transitions: transitions)
        } else {
            fill(&lease, now: now, acquireTime: now, transitions: transitions + 1)
        }
        do {
            // The update carries the resourceVersion read: a racing candidate gets 409.
            observe(Lease(json: try await client.update(lease.json, Lease.type)))
            return true
        } catch {
            logger.debug("cannot update the lease", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func fill(_ lease: inout Lease, now: String, acquireTime: String, transitions: Int64) {
        lease.holderIdentity = configuration.identity
        lease.leaseDurationSeconds = configuration.leaseDuration.components.seconds
        lease.acquireTime = acquireTime
        lease.renewTime = now
        lease.leaseTransitions = transitions
    }

    /// Records `lease`; returns when its record (spec) last changed as seen from here.
    @discardableResult
    private func observe(_ lease: Lease) -> ContinuousClock.Instant {
        observed.withLock { observed in
            if observed.lease?.json["spec"] != lease.json["spec"] {
                observed.at = .now
            }
            observed.lease = lease
            return observed.at
        }
    }

    /// Gives the lease up: holder cleared and a one-second duration, as
    /// client-go. The lease is read again first (a renewal cancelled in
    /// flight may have landed), and a conflict is retried once.
    private func release() async {
        for _ in 0..<2 {
            do {
                var lease = Lease(
                    json: try await client.get(Lease.type, namespace: configuration.namespace, name: configuration.name)
                )
                guard lease.holderIdentity == configuration.identity else { return }
                lease.holderIdentity = nil
                lease.leaseDurationSeconds = 1
                lease.renewTime = MicroTime.string()
                observe(Lease(json: try await client.update(lease.json, Lease.type)))
                logger.info("released the lease")
                return
            } catch let error as KubeError where error.reason == .conflict {
                continue
            } catch {
                logger.warning("cannot release the lease", metadata: ["error": "\(error)"])
                return
            }
        }
    }
}

import Metrics
import Synchronization

/// `kcp_ingress_route_programmed_seconds`: from the admission of a root
/// change to the first Envoy ACK of a version built after it
/// (`stage="acked"`), and on to the root's status written
/// (`stage="status"`).
final class ProgrammingClock: Sendable {
    private struct Pending {
        var admitted: ContinuousClock.Instant
        /// The root's virtual host version when it was admitted: an ACK of
        /// this one predates the change.
        var versionAtAdmission: String?
        var acked = false
    }

    /// Changes that never alter the routes (a label, say) are dropped after this.
    static let horizon: Duration = .seconds(120)
    private let pending = Mutex<[RootIdentity: Pending]>([:])
    /// Each root's last change: admission to the first Envoy ACK (the operator's page shows it).
    private let lastAcked = Mutex<[RootIdentity: Duration]>([:])
    private let acked = Metrics.Timer(
        label: "kcp_ingress_route_programmed_seconds", dimensions: [("stage", "acked")],
        preferredDisplayUnit: .seconds)
    private let status = Metrics.Timer(
        label: "kcp_ingress_route_programmed_seconds", dimensions: [("stage", "status")],
        preferredDisplayUnit: .seconds)

    /// `version` is the root's virtual host version in the snapshot now, if any.
    func admitted(_ root: RootIdentity, version: String?, at instant: ContinuousClock.Instant = .now) {
        pending.withLock { pending in
            pending = pending.filter { instant - $0.value.admitted < Self.horizon }
            pending[root] = Pending(admitted: instant, versionAtAdmission: version)
        }
    }

    /// Roots admitted and not yet ACKed.
    func waiting() -> [RootIdentity] {
        pending.withLock { $0.filter { !$0.value.acked }.map(\.key) }
    }

    func acked(_ root: RootIdentity, version: String, at instant: ContinuousClock.Instant = .now) {
        let elapsed = pending.withLock { pending -> Duration? in
            guard var entry = pending[root], !entry.acked, entry.versionAtAdmission != version else { return nil }
            entry.acked = true
            pending[root] = entry
            return instant - entry.admitted
        }
        if let elapsed {
            acked.record(duration: elapsed)
            lastAcked.withLock { $0[root] = elapsed }
        }
    }

    /// Forgets the roots that are gone, once the entries outnumber the roots
    /// there are: this runs on every snapshot, where looking at each of
    /// 10,000 entries every time would cost more than the page that reads
    /// them. Entries for gone roots thus never outnumber the live roots.
    func retain(_ roots: [RootIdentity: String]) {
        lastAcked.withLock { last in
            if last.count > roots.count { last = last.filter { roots[$0.key] != nil } }
        }
    }

    /// How long each root's last programmed change took to be ACKed.
    func lastProgrammed() -> [RootIdentity: Duration] { lastAcked.withLock { $0 } }

    func statusWritten(_ root: RootIdentity, at instant: ContinuousClock.Instant = .now) {
        let elapsed = pending.withLock { pending -> Duration? in
            guard let entry = pending[root], entry.acked else { return nil }
            pending[root] = nil
            return instant - entry.admitted
        }
        if let elapsed { status.record(duration: elapsed) }
    }
}

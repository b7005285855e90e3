import NIOHTTP1
import Synchronization

/// Liveness and readiness, served as controller-runtime serves them.
///
/// `/healthz` answers `ok` while the process serves. `/readyz` runs every
/// registered readiness check: 200 when all pass, 500 otherwise, and with
/// `?verbose` one `[+]name ok` / `[-]name failed: reason` line per check.
/// Parts of the program register their own checks (certificates loaded,
/// informers synced) as they come up.
public final class HealthChecks: Sendable {
    public typealias Check = @Sendable () async -> CheckResult

    public enum CheckResult: Sendable, Equatable {
        case passed
        case failed(String)
    }

    private let checks = Mutex<[(name: String, check: Check)]>([])
    private let shuttingDown = Atomic<Bool>(false)

    public init() {}

    public func addReadinessCheck(_ name: String, _ check: @escaping Check) {
        checks.withLock { $0.append((name, check)) }
    }

    /// `/healthz` and `/readyz`.
    public var routes: Router {
        var router = Self.livenessRoute
        router.add(.GET, "/readyz") { request in await self.readiness(verbose: request.queryContains("verbose")) }
        return router
    }

    /// Only `/healthz`, for listeners that should not expose readiness details.
    public static var livenessRoute: Router {
        var router = Router()
        router.addSync(.GET, "/healthz") { _ in .text(.ok, "ok") }
        return router
    }

    /// From now on `/readyz` fails, while the process still serves: load
    /// balancers and endpoints controllers stop sending it new requests
    /// before its listeners close.
    public func beginShutdown() {
        shuttingDown.store(true, ordering: .releasing)
    }

    /// True when every readiness check passes and shutdown has not begun.
    public func isReady() async -> Bool {
        if shuttingDown.load(ordering: .acquiring) { return false }
        let registered = checks.withLock { $0 }
        for (_, check) in registered where await check() != .passed { return false }
        return true
    }

    /// Returns once `isReady()` holds, looking again every `interval`;
    /// throws `CancellationError` when the task is cancelled first.
    public func waitUntilReady(checkingEvery interval: Duration = .milliseconds(50)) async throws {
        while await !isReady() { try await Task.sleep(for: interval) }
    }

    func readiness(verbose: Bool) async -> HTTPResponse {
        let registered = checks.withLock { $0 }
        var lines: [String] = []
        var ready = true
        if shuttingDown.load(ordering: .acquiring) {
            ready = false
            lines.append("[-]shutdown failed: the process is shutting down")
        }
        for (name, check) in registered {
            switch await check() {
            case .passed:
                lines.append("[+]\(name) ok")
            case .failed(let reason):
                ready = false
                lines.append("[-]\(name) failed: \(reason)")
            }
        }
        lines.append(ready ? "readyz check passed" : "readyz check failed")
        let status: HTTPResponseStatus = ready ? .ok : .internalServerError
        return .text(status, verbose || !ready ? lines.joined(separator: "\n") : "ok")
    }
}

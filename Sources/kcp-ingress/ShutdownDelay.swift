import Logging
import ServiceLifecycle

/// The first service to hear of shutdown (it is added last): it announces
/// the shutdown at once — `/readyz` fails, gRPC health says NOT_SERVING — and
/// then holds the listeners, which hear of it after this returns, serving
/// for `delay`. That is the time endpoints controllers and load balancers
/// take to stop sending new requests here, as kube-apiserver's
/// `--shutdown-delay-duration` gives them; without it, requests sent in that
/// time reach closed listeners or connections.
struct ShutdownDelay: Service {
    let delay: Duration
    let logger: Logger
    var announce: @Sendable () -> Void = {}

    func run() async {
        // Throws only when the group is cancelled, which ends the delay too.
        try? await gracefulShutdown()
        announce()
        guard delay > .zero else { return }
        logger.info("shutdown delayed: listeners keep serving", metadata: ["delay": "\(delay)"])
        try? await Task.sleep(for: delay)
    }
}

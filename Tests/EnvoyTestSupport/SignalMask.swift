#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `start` (a child process's launch) with no signal blocked on the
/// calling thread, and restores the thread's mask after.
///
/// A child inherits its launching thread's signal mask, and the threads that
/// run Swift concurrency (dispatch's) block nearly every signal: an Envoy
/// started from a test would never see SIGTERM and would stop only when
/// killed. `start` is synchronous, so the task cannot move to another thread
/// between the two mask changes.
public func withSignalsUnblocked<T>(_ start: () throws -> T) rethrows -> T {
    var none = sigset_t()
    sigemptyset(&none)
    var previous = sigset_t()
    pthread_sigmask(SIG_SETMASK, &none, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    return try start()
}

/// Blocks every signal on the calling thread, for a thread that only reads
/// a child's output: Foundation's `availableData` traps when a signal (a
/// child stopping or exiting sends SIGCHLD) interrupts its read.
public func blockSignalsOnThisThread() {
    var all = sigset_t()
    sigfillset(&all)
    pthread_sigmask(SIG_BLOCK, &all, nil)
}

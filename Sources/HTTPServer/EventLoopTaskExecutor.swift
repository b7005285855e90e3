import NIOCore

/// Runs a task's jobs on one NIO event loop.
///
/// A connection's request loop is given its channel's event loop as task
/// executor preference, so reading a request, running the handler and
/// writing the response happen on the thread that owns the socket: no
/// wake-up of another thread and no cross-thread hand-off per request.
/// Handlers must not block (they are `async`, and await I/O rather than wait
/// for it).
final class EventLoopTaskExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}

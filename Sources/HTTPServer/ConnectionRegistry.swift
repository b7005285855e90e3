import CoreMetrics
import Logging
import NIOCore
import Synchronization

/// The open connections of one listener, so that shutdown can ask each to
/// finish its current request and close, and later force the stragglers.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        /// Set once shutdown began: when the last connections are closed.
        var closeDeadline: NIODeadline?
    }

    private let state = Mutex(State())
    private let metrics: ServerMetrics
    private let logger: Logger

    init(metrics: ServerMetrics, logger: Logger) {
        self.metrics = metrics
        self.logger = logger
    }

    /// Tracks `channel` until it closes. One accepted after shutdown began
    /// is asked to quiesce at once and closed with the others at the deadline.
    func register(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let deadline = state.withLock { state in
            state.channels[id] = channel
            return state.closeDeadline
        }
        metrics.openConnections.increment()
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { _ = $0.channels.removeValue(forKey: id) }
            self.metrics.openConnections.decrement()
        }
        if let deadline {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            closeIfOpen(channel, at: deadline)
        }
    }

    /// Asks every connection to close once its in-flight request is
    /// answered (an idle HTTP/1.1 one after its drain window, in which a
    /// request may still come: KeepAliveDrainHandler), then closes whatever
    /// is still open when `gracePeriod` has passed.
    func drain(gracePeriod: Duration) {
        let deadline = NIODeadline.now() + TimeAmount(gracePeriod)
        let channels = state.withLock { state in
            state.closeDeadline = deadline
            return Array(state.channels.values)
        }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            closeIfOpen(channel, at: deadline)
        }
    }

    /// The grace period's end: a connection still open is cut, whatever it
    /// is doing, and the log says so (its client gets no answer).
    private func closeIfOpen(_ channel: any Channel, at deadline: NIODeadline) {
        let logger = logger
        channel.eventLoop.scheduleTask(deadline: deadline) {
            guard channel.isActive else { return }
            logger.warning(
                "grace period over: closing a connection still busy",
                metadata: ["remote": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"])
            channel.close(promise: nil)
        }
    }

    var count: Int { state.withLock { $0.channels.count } }
}

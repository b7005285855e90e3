import CoreMetrics
import Logging
import NIOCore
import Synchronization

/// The open connections of one listener, so that shutdown can ask each to
/// finish its current request and close, and later force the stragglers.
///
/// It also holds each set-up connection until the accept loop takes it. NIO
/// hands a connection to the loop through the listener's inbound stream and
/// silently drops it when that stream has already ended (a connection whose
/// setup finished as the listener closed); an HTTP/1 connection's
/// NIOAsyncChannel dropped with its writer unfinished makes NIO trap. What
/// the loop never takes is discarded here instead, properly finished.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        /// Set once shutdown began: when the last connections are closed.
        var closeDeadline: NIODeadline?
        /// Set up, not yet taken by the accept loop.
        var unclaimed: [ObjectIdentifier: (channel: any Channel, accepted: EventLoopFuture<AcceptedConnection>)] =
            [:]
        /// Set once the accept loop has ended: nothing will be taken any more.
        var acceptLoopEnded = false

        /// Whether a new connection is still to be served.
        var isAccepting: Bool { closeDeadline == nil && !acceptLoopEnded }
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

    /// Whether `channel`, just accepted, is to be set up and served: not once
    /// shutdown began or the accept loop ended, as it would only be closed
    /// again (and building its async channel for nothing is what can trap).
    var isAccepting: Bool { state.withLock { $0.isAccepting } }

    /// Keeps `accepted` until the accept loop claims it. Refused (`false`)
    /// when shutdown began or the loop ended meanwhile: the caller must then
    /// discard it, since no one else will.
    func holdUntilClaimed(_ channel: any Channel, _ accepted: EventLoopFuture<AcceptedConnection>) -> Bool {
        state.withLock { state in
            guard state.isAccepting else { return false }
            state.unclaimed[ObjectIdentifier(channel)] = (channel, accepted)
            return true
        }
    }

    /// The accept loop takes `channel`'s connection to serve it; `nil` if it
    /// was not held (its setup failed, or it was refused).
    func claim(_ channel: any Channel) -> EventLoopFuture<AcceptedConnection>? {
        state.withLock { $0.unclaimed.removeValue(forKey: ObjectIdentifier(channel))?.accepted }
    }

    /// Called once the accept loop has ended: discards every connection it
    /// never took, and from now on `holdUntilClaimed` refuses.
    func acceptLoopEnded() {
        let left = state.withLock { state in
            state.acceptLoopEnded = true
            defer { state.unclaimed.removeAll() }
            return Array(state.unclaimed.values)
        }
        if !left.isEmpty {
            logger.debug("closing connections accepted as the listener closed", metadata: ["count": "\(left.count)"])
        }
        for (channel, accepted) in left {
            AcceptedConnection.discard(accepted, of: channel)
        }
    }

    /// Asks every connection to close once its in-flight request is
    /// answered (an idle HTTP/1.1 one after its drain window, in which a
    /// request may still come: HTTP1ConnectionStateMachine), then closes whatever
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
        channel.eventLoop.scheduleTask(deadline: deadline) { self.cut(channel) }
    }

    /// A connection is tracked from NIO's child initializer on, before NIO
    /// has registered it and made it active. One whose deadline comes in
    /// between is looked at again shortly: skipped as if closed, it would be
    /// served (a watch: for many minutes) after shutdown returned.
    private func cut(_ channel: any Channel) {
        guard state.withLock({ $0.channels[ObjectIdentifier(channel)] != nil }) else { return }
        guard channel.isActive else {
            channel.eventLoop.scheduleTask(in: .milliseconds(5)) { self.cut(channel) }
            return
        }
        logger.warning(
            "grace period over: closing a connection still busy",
            metadata: ["remote": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"])
        channel.close(promise: nil)
    }

    var count: Int { state.withLock { $0.channels.count } }
}

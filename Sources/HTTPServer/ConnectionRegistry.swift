import CoreMetrics
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

    init(metrics: ServerMetrics) {
        self.metrics = metrics
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
            channel.eventLoop.scheduleTask(deadline: deadline) { channel.close(promise: nil) }
        }
    }

    /// Asks every connection to close once its in-flight request is
    /// answered (idle ones close at once), then closes whatever is still
    /// open when `gracePeriod` has passed.
    func drain(gracePeriod: Duration) {
        let deadline = NIODeadline.now() + TimeAmount(gracePeriod)
        let channels = state.withLock { state in
            state.closeDeadline = deadline
            return Array(state.channels.values)
        }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            channel.eventLoop.scheduleTask(deadline: deadline) { channel.close(promise: nil) }
        }
    }

    var count: Int { state.withLock { $0.channels.count } }
}

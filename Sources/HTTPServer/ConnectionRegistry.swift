import CoreMetrics
import NIOCore
import Synchronization

/// The open connections of one listener, so that shutdown can ask each to
/// finish its current request and close, and later force the stragglers.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var draining = false
    }

    private let state = Mutex(State())
    private let metrics: ServerMetrics

    init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    /// Tracks `channel` until it closes. One that arrives after shutdown
    /// began is asked to quiesce at once.
    func register(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let draining = state.withLock { state in
            state.channels[id] = channel
            return state.draining
        }
        metrics.openConnections.increment()
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { _ = $0.channels.removeValue(forKey: id) }
            self.metrics.openConnections.decrement()
        }
        if draining { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
    }

    /// Asks every connection to close once its in-flight request is
    /// answered (idle ones close at once), then closes whatever is still
    /// open when `gracePeriod` has passed.
    func drain(gracePeriod: Duration) {
        let channels = state.withLock { state in
            state.draining = true
            return Array(state.channels.values)
        }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        guard let loop = channels.first?.eventLoop else { return }
        let nanoseconds = gracePeriod.nanoseconds
        loop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            let stragglers = self.state.withLock { Array($0.channels.values) }
            for channel in stragglers { channel.close(promise: nil) }
        }
    }

    var count: Int { state.withLock { $0.channels.count } }
}

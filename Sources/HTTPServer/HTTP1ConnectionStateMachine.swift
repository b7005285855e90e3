/// What one HTTP/1.1 connection does next, decided without I/O.
///
/// The decisions today's HTTP/1.1 pipeline spreads over NIO handlers —
/// framing (`HTTP1RequestParser`), one request answered at a time in order,
/// `100 Continue`, keep-alive and `connection: close`, refusals, the read
/// and idle timeouts, shutdown's drain window, bytes ignored after a closing
/// exchange — in one value whose transitions return what to do. A channel
/// handler around it only moves bytes and arms timers; these decisions are
/// tested without a channel.
///
/// Timers: after any call, `takeTimerToArm()` names the timer to (re)arm,
/// replacing the one armed before; its firing is reported back with the
/// generation it was armed under, so a stale firing changes nothing.
struct HTTP1ConnectionStateMachine: Sendable {
    struct Configuration: Sendable {
        var limits: HTTP1RequestParser.Limits
        /// The whole of a request (head and body) must arrive within this, once its first byte has.
        var readTimeout: Duration
        /// A keep-alive connection may wait this long for its next request.
        var idleTimeout: Duration
        /// Once shutdown began, an idle connection may still bring one request in this window.
        var drainWindow: Duration
        /// How long a refused connection stays open, its input discarded, so an uploading client reads the answer.
        var linger: Duration = .seconds(2)
    }

    enum Timer: Equatable, Sendable {
        case idle, read, drain, linger
    }

    /// What to do with the bytes read and not yet consumed.
    enum ReadAction: Equatable, Sendable {
        /// `count` bytes meant nothing to deliver (empty lines, chunk framing); ask again.
        case consume(Int)
        /// A request's head; when `sendContinue`, answer `100 Continue` first. Ask again.
        case head(HTTP1RequestHead, consumed: Int, sendContinue: Bool)
        /// Body bytes at `range` of the input; ask again.
        case body(Range<Int>, consumed: Int)
        /// The request is whole (its last `consumed` bytes were trailers): hand it to
        /// the router. Nothing more is read until its answer ends.
        case dispatch(consumed: Int)
        /// Wait for more bytes.
        case waitForBytes
        /// An answer is being written: leave the bytes where they are.
        case pause
        /// Answer with this refusal and `connection: close`, then linger and close.
        case refuse(HTTP1RequestError)
        /// The connection is closing: drop the bytes.
        case discard(Int)
    }

    /// What to do once an answer has been written.
    enum AfterResponse: Equatable, Sendable {
        case close
        /// Read on: bytes already waiting first.
        case readNext
    }

    enum QuiesceAction: Equatable, Sendable {
        /// Idle: a request already on its way has `drainWindow` to arrive.
        case waitForLastRequest
        /// Busy: the answer in progress will carry `connection: close`.
        case closeAfterResponse
        case none
    }

    private enum Phase: Sendable {
        /// Between requests: nothing of the next one read.
        case idle
        /// Bytes of a request have arrived, not all of it.
        case reading
        /// A whole request is with the router.
        case answering(keepAlive: Bool)
        /// Refused, or the last exchange ended the connection: input is discarded.
        case closing
    }

    let configuration: Configuration
    private var parser: HTTP1RequestParser
    private var phase = Phase.idle
    private var keepAlive = true
    private var quiescing = false
    /// The generation of the timer the caller was last asked to arm: a
    /// firing of an older one is stale and ignored.
    private(set) var timerGeneration = 0
    private var armed: Timer?
    private var timerToArm: Timer?

    init(configuration: Configuration) {
        self.configuration = configuration
        parser = HTTP1RequestParser(limits: configuration.limits)
    }

    /// A whole request is with its route, or its answer is being written.
    var isAnswering: Bool {
        if case .answering = phase { return true }
        return false
    }

    /// A new connection waits for its first request.
    mutating func start() { arm(.idle) }

    /// The timer to arm now, if a transition asked for one, with its generation.
    mutating func takeTimerToArm() -> (timer: Timer, generation: Int)? {
        defer { timerToArm = nil }
        return timerToArm.map { ($0, timerGeneration) }
    }

    /// The duration of `timer`.
    func duration(of timer: Timer) -> Duration {
        switch timer {
        case .idle: configuration.idleTimeout
        case .read: configuration.readTimeout
        case .drain: configuration.drainWindow
        case .linger: configuration.linger
        }
    }

    mutating func read(_ input: Span<UInt8>) -> ReadAction {
        switch phase {
        case .closing:
            return input.isEmpty ? .waitForBytes : .discard(input.count)
        case .answering:
            return .pause
        case .idle, .reading:
            break
        }
        switch parser.next(input) {
        case .needMore:
            if !input.isEmpty, case .idle = phase {
                // The first bytes of a request: from now on it must arrive within the read timeout.
                phase = .reading
                arm(.read)
            }
            return .waitForBytes
        case .skipped(let count):
            return .consume(count)
        case .failed(let error):
            phase = .closing
            return .refuse(error)
        case .event(.head(let head), let consumed):
            if case .idle = phase { arm(.read) }
            phase = .reading
            keepAlive = head.keepAlive
            return .head(head, consumed: consumed, sendContinue: head.expectsContinue)
        case .event(.body(let range), let consumed):
            return .body(range, consumed: consumed)
        case .event(.end, let consumed):
            // While the router works no timer runs: handlers bound their own work.
            disarm()
            // Shutdown, if it began meanwhile, is folded in when the answer is written.
            phase = .answering(keepAlive: keepAlive)
            return .dispatch(consumed: consumed)
        }
    }

    /// Whether the answer about to be written must say `connection: close`:
    /// the request asked for it, the handler did (`handlerAsksToClose`), or shutdown began.
    mutating func responseClosesConnection(handlerAsksToClose: Bool) -> Bool {
        guard case .answering(let keepAlive) = phase else { return true }
        let close = !keepAlive || handlerAsksToClose || quiescing
        phase = .answering(keepAlive: !close)
        return close
    }

    /// The answer was written whole.
    mutating func responseEnded() -> AfterResponse {
        guard case .answering(let keepAlive) = phase, keepAlive, !quiescing else {
            phase = .closing
            return .close
        }
        phase = .idle
        arm(.idle)
        return .readNext
    }

    /// Shutdown began (NIO's `ChannelShouldQuiesceEvent`).
    mutating func quiesce() -> QuiesceAction {
        guard !quiescing else { return .none }
        quiescing = true
        switch phase {
        case .idle:
            arm(.drain)
            return .waitForLastRequest
        case .reading, .answering: return .closeAfterResponse
        case .closing: return .none
        }
    }

    /// A timer of `generation` fired: whether to close the connection now.
    mutating func timerFired(_ timer: Timer, generation: Int) -> Bool {
        guard generation == timerGeneration, armed == timer else { return false }
        armed = nil
        switch (timer, phase) {
        case (.idle, .idle), (.read, .reading), (.linger, .closing):
            phase = .closing
            return true
        case (.drain, .idle):
            // No request came in the window. (One that came armed the read timer,
            // so this firing is stale; it is answered with `connection: close`.)
            phase = .closing
            return true
        default:
            return false
        }
    }

    /// The refusal was written: linger, discarding input, before closing.
    mutating func refusalWritten() { arm(.linger) }

    private mutating func arm(_ timer: Timer) {
        timerGeneration += 1
        armed = timer
        timerToArm = timer
    }

    private mutating func disarm() {
        timerGeneration += 1
        armed = nil
        timerToArm = nil
    }
}

import Testing

@testable import HTTPServer

/// A connection's decisions, driven byte by byte with no channel: what the
/// HTTP/1.1 handler around the state machine will carry out.
@Suite("HTTP/1.1 connection state machine")
struct HTTP1ConnectionStateMachineTests {
    typealias Machine = HTTP1ConnectionStateMachine

    /// The machine with bytes waiting, read until it waits, pauses or refuses.
    struct Connection {
        var machine = Machine(
            configuration: Machine.Configuration(
                limits: HTTP1RequestParser.Limits(maxHeaderBytes: 1024, maxBodyBytes: 1024), readTimeout: .seconds(30),
                idleTimeout: .seconds(120), drainWindow: .seconds(1)))
        var pending: [UInt8] = []
        var heads: [HTTP1RequestHead] = []
        var bodies: [[UInt8]] = []
        var continues = 0
        var dispatched = 0
        var timers: [(Machine.Timer, Int)] = []

        init() {
            machine.start()
            noteTimer()
        }

        mutating func noteTimer() {
            if let armed = machine.takeTimerToArm() { timers.append(armed) }
        }

        var lastTimer: Machine.Timer? { timers.last?.0 }

        /// Appends `text` (`\n` as CRLF) and reads; returns how the reading stopped.
        @discardableResult
        mutating func receive(_ text: String = "") -> Machine.ReadAction {
            pending += text.crlf
            while true {
                let bytes = pending
                let action = machine.read(bytes.span)
                noteTimer()
                switch action {
                case .consume(let count), .discard(let count):
                    pending.removeFirst(count)
                    if case .discard = action { return action }
                case .head(let head, let consumed, let sendContinue):
                    heads.append(head)
                    bodies.append([])
                    if sendContinue { continues += 1 }
                    pending.removeFirst(consumed)
                case .body(let range, let consumed):
                    bodies[bodies.count - 1] += pending[range]
                    pending.removeFirst(consumed)
                case .dispatch(let consumed):
                    pending.removeFirst(consumed)
                    dispatched += 1
                    return action
                case .waitForBytes, .pause, .refuse:
                    return action
                }
            }
        }

        /// Answers the request being handled; returns what follows.
        mutating func answer(handlerAsksToClose: Bool = false) -> (closeHeader: Bool, after: Machine.AfterResponse) {
            let close = machine.responseClosesConnection(handlerAsksToClose: handlerAsksToClose)
            let after = machine.responseEnded()
            noteTimer()
            return (close, after)
        }

        /// Fires the last timer armed, as the event loop would.
        mutating func fireLastTimer() -> Bool {
            guard let (timer, generation) = timers.last else { return false }
            return machine.timerFired(timer, generation: generation)
        }
    }

    @Test("keep-alive: a request is dispatched, answered, and the connection waits idle for the next")
    func keepAlive() {
        var connection = Connection()
        #expect(connection.lastTimer == .idle)
        do {
            let outcome = connection.receive("POST /validate HTTP/1.1\nHost: a\nContent-Length: 2\n\nok")
            #expect(outcome == .dispatch(consumed: 0))
        }
        #expect(connection.bodies == [Array("ok".utf8)])
        do {
            let outcome = connection.receive()
            #expect(outcome == .pause)
        }
        let (close, after) = connection.answer()
        #expect(!close && after == .readNext)
        #expect(connection.lastTimer == .idle)
        do {
            let outcome = connection.receive()
            #expect(outcome == .waitForBytes)
        }
    }

    @Test("pipelined requests are answered one at a time, in order")
    func pipelining() {
        var connection = Connection()
        do {
            let outcome = connection.receive("GET /a HTTP/1.1\nHost: a\n\nGET /b HTTP/1.1\nHost: a\n\n")
            #expect(outcome == .dispatch(consumed: 0))
        }
        do {
            let outcome = connection.receive()
            #expect(outcome == .pause)
        }
        #expect(connection.heads.map(\.target) == ["/a"])
        _ = connection.answer()
        do {
            let outcome = connection.receive()
            #expect(outcome == .dispatch(consumed: 0))
        }
        #expect(connection.heads.map(\.target) == ["/a", "/b"])
    }

    @Test("a request or a handler asking to close: the answer says so, then input is discarded")
    func closingExchange() {
        var connection = Connection()
        connection.receive("GET / HTTP/1.1\nHost: a\nConnection: close\n\nGET /more HTTP/1.1\nHost: a\n\n")
        let (close, after) = connection.answer()
        #expect(close && after == .close)
        #expect(connection.heads.count == 1)

        var other = Connection()
        other.receive("GET / HTTP/1.1\nHost: a\n\n")
        let (handlerClose, handlerAfter) = other.answer(handlerAsksToClose: true)
        #expect(handlerClose && handlerAfter == .close)
        do {
            let outcome = other.receive("GET / HTTP/1.1\nHost: a\n\n")
            #expect(outcome == .discard(27))
        }
    }

    @Test("Expect: 100-continue asks for 100 Continue before the body")
    func expectContinue() {
        var connection = Connection()
        do {
            let outcome = connection.receive("PUT / HTTP/1.1\nHost: a\nExpect: 100-continue\nContent-Length: 2\n\n")
            #expect(outcome == .waitForBytes)
        }
        #expect(connection.continues == 1)
        do {
            let outcome = connection.receive("ok")
            #expect(outcome == .dispatch(consumed: 0))
        }
    }

    @Test("a malformed request is refused; the connection lingers, discarding input, then closes")
    func refusal() {
        var connection = Connection()
        do {
            let outcome = connection.receive("GET / HTTP/1.1\nHost: a\nX: a\n b\n\n")
            #expect(outcome == .refuse(.badRequest("obsolete line folding in a header field")))
        }
        connection.machine.refusalWritten()
        connection.noteTimer()
        #expect(connection.lastTimer == .linger)
        do {
            let outcome = connection.receive("more")
            #expect(outcome == .discard(41))  // the refused bytes, and what followed
        }
        do {
            let outcome = connection.fireLastTimer()
            #expect(outcome)
        }
    }

    @Test("read timeout: a request begun must arrive whole in time; a stale timer changes nothing")
    func readTimeout() {
        var connection = Connection()
        let idle = connection.timers.last!
        do {
            let outcome = connection.receive("POST / HTTP/1.1\nHost: a\nContent-Len")
            #expect(outcome == .waitForBytes)
        }
        #expect(connection.lastTimer == .read)
        // The idle timer armed before the first bytes fires late: ignored.
        do {
            let outcome = connection.machine.timerFired(idle.0, generation: idle.1)
            #expect(!outcome)
        }
        do {
            let outcome = connection.fireLastTimer()
            #expect(outcome)
        }
    }

    @Test("no timer runs while the handler works; the idle timer closes a quiet connection")
    func timersWhileAnswering() {
        var connection = Connection()
        connection.receive("POST / HTTP/1.1\nHost: a\nContent-Length: 2\n\n")
        let read = connection.timers.last!
        #expect(read.0 == .read)
        connection.receive("ok")
        do {
            let outcome = connection.machine.timerFired(read.0, generation: read.1)
            #expect(!outcome)
        }
        _ = connection.answer()
        #expect(connection.lastTimer == .idle)
        do {
            let outcome = connection.fireLastTimer()
            #expect(outcome)
        }
        do {
            let outcome = connection.receive("GET")
            #expect(outcome == .discard(3))
        }
    }

    @Test("shutdown while idle: a request arriving in the drain window is answered with connection: close")
    func drainWindowRequest() {
        var connection = Connection()
        do {
            let outcome = connection.machine.quiesce()
            #expect(outcome == .waitForLastRequest)
        }
        connection.noteTimer()
        let drain = connection.timers.last!
        #expect(drain.0 == .drain)
        do {
            let outcome = connection.receive("GET / HTTP/1.1\nHost: a\n\n")
            #expect(outcome == .dispatch(consumed: 0))
        }
        do {
            let outcome = connection.machine.timerFired(drain.0, generation: drain.1)
            #expect(!outcome)
        }
        let (close, after) = connection.answer()
        #expect(close && after == .close)
    }

    @Test("shutdown while idle: no request in the drain window, the connection closes")
    func drainWindowEmpty() {
        var connection = Connection()
        do {
            let outcome = connection.machine.quiesce()
            #expect(outcome == .waitForLastRequest)
        }
        connection.noteTimer()
        do {
            let outcome = connection.fireLastTimer()
            #expect(outcome)
        }
        do {
            let outcome = connection.machine.quiesce()
            #expect(outcome == .none)
        }
    }

    @Test("shutdown while answering: the answer closes the connection")
    func quiesceWhileAnswering() {
        var connection = Connection()
        connection.receive("GET / HTTP/1.1\nHost: a\n\nGET /next HTTP/1.1\nHost: a\n\n")
        do {
            let outcome = connection.machine.quiesce()
            #expect(outcome == .closeAfterResponse)
        }
        let (close, after) = connection.answer()
        #expect(close && after == .close)
        #expect(connection.heads.count == 1)
    }

    @Test("a chunked request's trailers are consumed with its dispatch")
    func trailers() {
        var connection = Connection()
        #expect(
            connection.receive("POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n2\nok\n0\nT: v\n\n")
                == .dispatch(consumed: 8))
        #expect(connection.bodies == [Array("ok".utf8)])
        #expect(connection.pending.isEmpty)
    }
}

internal import CNGHTTP2
import NIOCore

/// An nghttp2 session, server or client: bytes in, events out; frames
/// queued, bytes out.
///
/// nghttp2 calls back into us while it parses (`mem_recv`) and while it
/// serialises (`mem_send`). The callbacks only record what happened into
/// `SessionState`; the owner acts on the recorded events after the call has
/// returned, so nothing the application does ever runs inside nghttp2.
final class NGHTTP2Session {
    private let session: OpaquePointer
    private let state: SessionState
    private var isFlushing = false
    private var needsFlush = false

    enum Role { case server, client }

    /// Fails when nghttp2 refuses the settings (a window or a limit outside
    /// what RFC 9113 allows); the connection cannot be served then.
    init(settings: HTTP2Settings, allocator: ByteBufferAllocator, role: Role = .server) throws(HTTP2Error) {
        guard settings.initialWindowSize <= UInt32(Int32.max) else {
            throw HTTP2Error(
                code: NGHTTP2_ERR_INVALID_ARGUMENT.rawValue,
                message: "initial window size \(settings.initialWindowSize) is over 2^31-1 (RFC 9113 §6.5.2)")
        }
        state = SessionState(maxHeaderListSize: Int(settings.maxHeaderListSize), allocator: allocator)
        var callbacks: OpaquePointer?
        nghttp2_session_callbacks_new(&callbacks)
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameReceived)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunk)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)
        nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks, onInvalidFrame)

        var option: OpaquePointer?
        nghttp2_option_new(&option)
        defer { nghttp2_option_del(option) }
        // Window updates follow what the application has read (backpressure).
        // A client collects whole responses, so nghttp2 opens its windows.
        if role == .server { nghttp2_option_set_no_auto_window_update(option, 1) }
        nghttp2_option_set_stream_reset_rate_limit(option, settings.streamResetBurst, settings.streamResetRate)
        nghttp2_option_set_max_continuations(option, settings.maxContinuations)
        nghttp2_option_set_max_settings(option, settings.maxSettingsEntries)
        nghttp2_option_set_max_outbound_ack(option, settings.maxOutboundAcks)

        var session: OpaquePointer?
        let userData = Unmanaged.passUnretained(state).toOpaque()
        let created =
            switch role {
            case .server: nghttp2_session_server_new2(&session, callbacks, userData, option)
            // A client session sends the connection preface itself, first thing.
            case .client: nghttp2_session_client_new2(&session, callbacks, userData, option)
            }
        guard created == 0, let session else { throw Self.error(created) }
        // Owned from here: a throw below runs `deinit`, which deletes it.
        self.session = session

        var entries = [
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue),
                value: settings.maxConcurrentStreams),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: settings.initialWindowSize),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: settings.maxHeaderListSize),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0),
        ]
        let submitted = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count)
        guard submitted == 0 else { throw Self.error(submitted, "our SETTINGS were refused") }
        // The connection window grows to four stream windows, within the
        // 2^31-1 that RFC 9113 §6.9.1 allows a window to reach.
        let window = Int32(clamping: Int64(settings.initialWindowSize) * 4)
        let widened = nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, window)
        guard widened == 0 else { throw Self.error(widened, "connection window of \(window) refused") }
    }

    deinit { nghttp2_session_del(session) }

    /// The connection's receive window as this side advertises it.
    var localConnectionWindow: Int32 {
        nghttp2_session_get_local_window_size(session)
    }

    /// Parses bytes from the peer and returns what happened, in order. An
    /// error means the session is finished; what it queued should still be
    /// sent (a GOAWAY, usually) before closing.
    func receive(_ bytes: ByteBuffer) -> (events: [HTTP2Event], error: HTTP2Error?) {
        let result = bytes.withUnsafeReadableBytes { buffer in
            nghttp2_session_mem_recv(session, buffer.bindMemory(to: UInt8.self).baseAddress, buffer.count)
        }
        let events = state.takeEvents()
        guard result >= 0 else { return (events, Self.error(Int32(result))) }
        return (events, nil)
    }

    /// Events recorded while nghttp2 serialised frames: a stream whose last
    /// frame went out is closed from inside `mem_send`.
    func takeEvents() -> [HTTP2Event] {
        state.takeEvents()
    }

    /// Hands what nghttp2 queued to `write` and the events recorded meanwhile
    /// to `deliver`, until neither has more. A call made from inside
    /// `deliver` (an answer written at once) only asks the running one for
    /// another round, and returns false; the outermost returns true once done.
    func flush(write: (ByteBuffer) -> Void, deliver: (HTTP2Event) -> Void) -> Bool {
        guard !isFlushing else {
            needsFlush = true
            return false
        }
        isFlushing = true
        defer { isFlushing = false }
        repeat {
            needsFlush = false
            if let bytes = output() { write(bytes) }
            for event in takeEvents() { deliver(event) }
        } while needsFlush
        return true
    }

    /// Everything nghttp2 has queued to send, or nil if nothing. Callers
    /// then take the events recorded meanwhile (`takeEvents`).
    func output() -> ByteBuffer? {
        var out: ByteBuffer?
        while true {
            var data: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &data)
            if count > 0, let data {
                if out == nil { out = state.allocator.buffer(capacity: count) }
                out!.writeBytes(UnsafeRawBufferPointer(start: data, count: count))
                continue
            }
            // Trailers are submitted here, after the body has been taken, and
            // not from inside nghttp2's data callback.
            let due = state.takeTrailersDue()
            guard !due.isEmpty else { break }
            for (streamID, trailers) in due { _ = submitHeaders(trailers, streamID: streamID, trailer: true) }
        }
        return out
    }

    /// Starts a response. With `endStream` the headers are the whole
    /// response (a trailers-only gRPC answer, or an empty body); otherwise
    /// the body follows through `send(_:streamID:end:)`. A stream answers
    /// once: a second response is an error, as is one nghttp2 refuses.
    func respond(streamID: Int32, headers: [HTTP2Header], endStream: Bool) throws(HTTP2ResponseError) {
        guard !state.responded.contains(streamID) else {
            throw HTTP2ResponseError(streamID: streamID, problem: .alreadyStarted)
        }
        guard submitHeaders(headers, streamID: streamID, trailer: false, withBody: !endStream) else {
            throw HTTP2ResponseError(streamID: streamID, problem: .refused)
        }
        state.responded.insert(streamID)
        if !endStream { state.outbound[streamID] = OutboundBody() }
    }

    /// Client: opens a stream for a request and returns its id, or nil when
    /// nghttp2 refuses (stream ids spent, GOAWAY received). Beyond the
    /// peer's SETTINGS_MAX_CONCURRENT_STREAMS nghttp2 holds the HEADERS back
    /// until a stream closes, so the limit is kept without our counting.
    func submitRequest(headers: [HTTP2Header], body: ByteBuffer) -> Int32? {
        let withBody = body.readableBytes > 0
        let streamID = withNameValues(headers) { fields -> Int32 in
            guard withBody else { return nghttp2_submit_request(session, nil, fields, fields.count, nil, nil) }
            var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: readBody)
            return nghttp2_submit_request(session, nil, fields, fields.count, &provider, nil)
        }
        guard streamID > 0 else { return nil }
        // Read by `readBody` from inside `mem_send`, which comes later.
        if withBody { state.outbound[streamID] = OutboundBody(chunks: [body], ended: true) }
        return streamID
    }

    /// True once `streamID` has response headers, until the stream is finished.
    func hasResponded(streamID: Int32) -> Bool {
        state.responded.contains(streamID)
    }

    /// Queues body bytes; `end` finishes the body, with `trailers` if given.
    /// Body bytes need a response started with a body to follow and not yet
    /// ended; anything else is an error rather than bytes lost without a word.
    func send(
        _ bytes: ByteBuffer?, streamID: Int32, end: Bool, trailers: [HTTP2Header]? = nil
    ) throws(HTTP2ResponseError) {
        guard var body = state.outbound[streamID] else {
            let problem: HTTP2ResponseError.Problem =
                state.responded.contains(streamID) ? .alreadyComplete : .notStarted
            throw HTTP2ResponseError(streamID: streamID, problem: problem)
        }
        guard !body.ended else { throw HTTP2ResponseError(streamID: streamID, problem: .alreadyComplete) }
        if let bytes, bytes.readableBytes > 0 { body.chunks.append(bytes) }
        if end {
            body.ended = true
            body.trailers = trailers
        }
        state.outbound[streamID] = body
        _ = nghttp2_session_resume_data(session, streamID)
    }

    /// Bytes of `streamID` waiting for the peer's flow-control window.
    func pendingOutboundBytes(streamID: Int32) -> Int {
        state.outbound[streamID]?.chunks.reduce(0) { $0 + $1.readableBytes } ?? 0
    }

    func reset(streamID: Int32, errorCode: UInt32) {
        _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, errorCode)
    }

    /// The application has read `count` body bytes of `streamID`: the
    /// window opens by as much.
    func consume(streamID: Int32, count: Int) {
        guard count > 0 else { return }
        if nghttp2_session_consume(session, streamID, count) != 0 {
            _ = nghttp2_session_consume_connection(session, count)
        }
    }

    /// Returns the connection window for body bytes nobody will read.
    func consumeConnection(count: Int) {
        guard count > 0 else { return }
        _ = nghttp2_session_consume_connection(session, count)
    }

    /// Sends GOAWAY naming the last stream that will be processed.
    func goAway(errorCode: UInt32) {
        let last = nghttp2_session_get_last_proc_stream_id(session)
        _ = nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), last, errorCode, nil, 0)
    }

    /// False once the session has nothing more to read or write: GOAWAY
    /// exchanged, or a fatal error.
    var isAlive: Bool {
        nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0
    }

    func streamFinished(_ streamID: Int32) {
        state.streamFinished(streamID)
    }

    private func submitHeaders(_ headers: [HTTP2Header], streamID: Int32, trailer: Bool, withBody: Bool = false) -> Bool
    {
        withNameValues(headers) { fields -> Bool in
            if trailer {
                return nghttp2_submit_trailer(session, streamID, fields, fields.count) == 0
            }
            guard withBody else {
                return nghttp2_submit_response(session, streamID, fields, fields.count, nil) == 0
            }
            var provider = nghttp2_data_provider(
                source: nghttp2_data_source(ptr: nil), read_callback: readBody)
            return nghttp2_submit_response(session, streamID, fields, fields.count, &provider) == 0
        }
    }

    /// Lends `headers` to nghttp2 as name/value pairs; nghttp2 copies names
    /// and values, so the buffers need only live for the call.
    private func withNameValues<Result>(_ headers: [HTTP2Header], _ body: ([nghttp2_nv]) -> Result) -> Result {
        var storage: [UInt8] = []
        for header in headers {
            storage.append(contentsOf: header.name.utf8)
            storage.append(contentsOf: header.value.utf8)
        }
        return storage.withUnsafeMutableBufferPointer { bytes -> Result in
            var offset = 0
            var fields: [nghttp2_nv] = []
            fields.reserveCapacity(headers.count)
            for header in headers {
                let nameCount = header.name.utf8.count
                let valueCount = header.value.utf8.count
                let name = bytes.baseAddress! + offset
                let value = name + nameCount
                offset += nameCount + valueCount
                fields.append(
                    nghttp2_nv(
                        name: name, value: value, namelen: nameCount, valuelen: valueCount,
                        flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)))
            }
            return body(fields)
        }
    }

    private static func error(_ code: Int32, _ context: String? = nil) -> HTTP2Error {
        let text = String(cString: nghttp2_strerror(code))
        return HTTP2Error(code: code, message: context.map { "\($0): \(text)" } ?? text)
    }
}

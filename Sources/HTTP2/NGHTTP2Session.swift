internal import CNGHTTP2
import NIOCore

/// An nghttp2 server session: bytes in, events out; frames queued, bytes out.
///
/// nghttp2 calls back into us while it parses (`mem_recv`) and while it
/// serialises (`mem_send`). The callbacks only record what happened into
/// `SessionState`; the owner acts on the recorded events after the call has
/// returned, so nothing the application does ever runs inside nghttp2.
final class NGHTTP2Session {
    private let session: OpaquePointer
    private let state: SessionState

    init(settings: HTTP2Settings, allocator: ByteBufferAllocator) {
        state = SessionState(maxHeaderListSize: Int(settings.maxHeaderListSize), allocator: allocator)
        var callbacks: OpaquePointer?
        nghttp2_session_callbacks_new(&callbacks)
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameReceived)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunk)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)

        var option: OpaquePointer?
        nghttp2_option_new(&option)
        defer { nghttp2_option_del(option) }
        // Window updates follow what the application has read (backpressure).
        nghttp2_option_set_no_auto_window_update(option, 1)
        nghttp2_option_set_stream_reset_rate_limit(option, settings.streamResetBurst, settings.streamResetRate)
        nghttp2_option_set_max_continuations(option, settings.maxContinuations)
        nghttp2_option_set_max_settings(option, settings.maxSettingsEntries)
        nghttp2_option_set_max_outbound_ack(option, settings.maxOutboundAcks)

        var session: OpaquePointer?
        let userData = Unmanaged.passUnretained(state).toOpaque()
        let result = nghttp2_session_server_new2(&session, callbacks, userData, option)
        precondition(result == 0 && session != nil, "nghttp2_session_server_new2 failed: \(result)")
        self.session = session!

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
        _ = nghttp2_submit_settings(self.session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &entries, entries.count)
        // The connection window grows to match the stream window.
        _ = nghttp2_session_set_local_window_size(
            self.session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(settings.initialWindowSize) * 4)
    }

    deinit { nghttp2_session_del(session) }

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
    /// the body follows through `send(_:streamID:end:)`.
    @discardableResult
    func respond(streamID: Int32, headers: [HTTP2Header], endStream: Bool) -> Bool {
        if !endStream { state.outbound[streamID] = OutboundBody() }
        return submitHeaders(headers, streamID: streamID, trailer: false, withBody: !endStream)
    }

    /// Queues body bytes; `end` finishes the body, with `trailers` if given.
    func send(_ bytes: ByteBuffer?, streamID: Int32, end: Bool, trailers: [HTTP2Header]? = nil) {
        guard var body = state.outbound[streamID] else { return }
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
        state.outbound[streamID] = nil
    }

    private func submitHeaders(_ headers: [HTTP2Header], streamID: Int32, trailer: Bool, withBody: Bool = false) -> Bool
    {
        // nghttp2 copies names and values, so the buffers need only live for the call.
        var storage: [UInt8] = []
        for header in headers {
            storage.append(contentsOf: header.name.utf8)
            storage.append(contentsOf: header.value.utf8)
        }
        return storage.withUnsafeMutableBufferPointer { bytes -> Bool in
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

    private static func error(_ code: Int32) -> HTTP2Error {
        HTTP2Error(code: code, message: String(cString: nghttp2_strerror(code)))
    }
}

/// A response body on its way out.
struct OutboundBody {
    var chunks: [ByteBuffer] = []
    var ended = false
    var trailers: [HTTP2Header]?
}

/// What the callbacks write into. One per session, owned by it.
final class SessionState {
    let maxHeaderListSize: Int
    let allocator: ByteBufferAllocator
    private var events: [HTTP2Event] = []
    private var headers: [Int32: (fields: [HTTP2Header], size: Int)] = [:]
    private var trailersDue: [(Int32, [HTTP2Header])] = []
    var outbound: [Int32: OutboundBody] = [:]

    init(maxHeaderListSize: Int, allocator: ByteBufferAllocator) {
        self.maxHeaderListSize = maxHeaderListSize
        self.allocator = allocator
    }

    func takeEvents() -> [HTTP2Event] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    func takeTrailersDue() -> [(Int32, [HTTP2Header])] {
        defer { trailersDue.removeAll() }
        return trailersDue
    }

    fileprivate func beginHeaders(_ streamID: Int32) {
        headers[streamID] = ([], 0)
    }

    /// False when the header list grew past the advertised limit, which
    /// nghttp2 itself does not enforce.
    fileprivate func header(_ streamID: Int32, name: String, value: String) -> Bool {
        guard var entry = headers[streamID] else { return true }
        entry.size += name.utf8.count + value.utf8.count + 32  // RFC 9113 §6.5.2 accounting
        guard entry.size <= maxHeaderListSize else {
            headers[streamID] = nil
            return false
        }
        entry.fields.append(HTTP2Header(name, value))
        headers[streamID] = entry
        return true
    }

    fileprivate func headersComplete(_ streamID: Int32, isRequest: Bool, endStream: Bool) {
        guard let entry = headers.removeValue(forKey: streamID) else { return }
        if isRequest {
            events.append(.request(streamID: streamID, headers: entry.fields, endStream: endStream))
        } else {
            events.append(.trailers(streamID: streamID, headers: entry.fields))
        }
    }

    fileprivate func record(_ event: HTTP2Event) {
        events.append(event)
    }

    /// Copies up to `capacity` body bytes for nghttp2; nil when there are
    /// none yet (the stream is deferred until more arrive).
    fileprivate func readBody(
        _ streamID: Int32,
        into target: UnsafeMutableRawBufferPointer
    ) -> (count: Int, eof: Bool, trailers: Bool)? {
        guard var body = outbound[streamID] else { return (0, true, false) }
        var written = 0
        while written < target.count, !body.chunks.isEmpty {
            var chunk = body.chunks.removeFirst()
            let count = min(chunk.readableBytes, target.count - written)
            chunk.withUnsafeReadableBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: target[written..<(written + count)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<count]))
            }
            chunk.moveReaderIndex(forwardBy: count)
            written += count
            if chunk.readableBytes > 0 { body.chunks.insert(chunk, at: 0) }
        }
        let eof = body.ended && body.chunks.isEmpty
        if eof, let trailers = body.trailers {
            trailersDue.append((streamID, trailers))
        }
        outbound[streamID] = body
        if written == 0, !eof { return nil }
        return (written, eof, eof && body.trailers != nil)
    }
}

// The callbacks: each recovers SessionState from user_data and records.

private func state(_ userData: UnsafeMutableRawPointer?) -> SessionState {
    Unmanaged<SessionState>.fromOpaque(userData!).takeUnretainedValue()
}

private func onBeginHeaders(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue) else { return 0 }
    state(userData).beginHeaders(frame.pointee.hd.stream_id)
    return 0
}

private func onHeader(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ name: UnsafePointer<UInt8>?, _ nameLength: Int,
    _ value: UnsafePointer<UInt8>?, _ valueLength: Int,
    _ flags: UInt8, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, let name, let value else { return 0 }
    let accepted = state(userData).header(
        frame.pointee.hd.stream_id,
        name: String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self),
        value: String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self))
    // nghttp2 answers this with RST_STREAM for the stream alone.
    return accepted ? 0 : NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue
}

private func onFrameReceived(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame else { return 0 }
    let header = frame.pointee.hd
    let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
    switch UInt32(header.type) {
    case NGHTTP2_HEADERS.rawValue:
        let isRequest = frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
        state(userData).headersComplete(header.stream_id, isRequest: isRequest, endStream: endStream)
        if !isRequest, endStream { state(userData).record(.endOfStream(streamID: header.stream_id)) }
    case NGHTTP2_DATA.rawValue where endStream:
        state(userData).record(.endOfStream(streamID: header.stream_id))
    default:
        break
    }
    return 0
}

private func onDataChunk(
    _ session: OpaquePointer?, _ flags: UInt8, _ streamID: Int32,
    _ data: UnsafePointer<UInt8>?, _ length: Int, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let data, length > 0 else { return 0 }
    let state = state(userData)
    var buffer = state.allocator.buffer(capacity: length)
    buffer.writeBytes(UnsafeRawBufferPointer(start: data, count: length))
    state.record(.data(streamID: streamID, bytes: buffer))
    return 0
}

private func onStreamClose(
    _ session: OpaquePointer?, _ streamID: Int32, _ errorCode: UInt32, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    state(userData).record(.streamClosed(streamID: streamID, errorCode: errorCode))
    return 0
}

private func readBody(
    _ session: OpaquePointer?, _ streamID: Int32, _ buffer: UnsafeMutablePointer<UInt8>?, _ length: Int,
    _ flags: UnsafeMutablePointer<UInt32>?, _ source: UnsafeMutablePointer<nghttp2_data_source>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int {
    guard let buffer, let flags else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    guard
        let (count, eof, trailers) = state(userData).readBody(
            streamID, into: UnsafeMutableRawBufferPointer(start: buffer, count: length))
    else { return Int(NGHTTP2_ERR_DEFERRED.rawValue) }
    if eof { flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue }
    if trailers { flags.pointee |= NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue }
    return count
}

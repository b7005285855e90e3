internal import CNGHTTP2
import NIOCore

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
    private var headers: [Int32: HeaderBlock] = [:]
    private var trailersDue: [(Int32, [HTTP2Header])] = []
    /// Bodies of responses whose headers went out with a body to follow.
    var outbound: [Int32: OutboundBody] = [:]
    /// Streams whose response has been submitted, body or not: a second
    /// response, or body bytes for a stream not in `outbound`, is then an
    /// error of the caller and not something to drop quietly.
    var responded: Set<Int32> = []

    /// A header block being received: its fields, and its size as RFC 9113
    /// §6.5.2 counts it, which goes on growing past the limit (the fields
    /// no longer kept) so that the block is known to be too large.
    struct HeaderBlock {
        var fields: [HTTP2Header] = []
        var size = 0
        var tooLarge = false
    }

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

    func streamFinished(_ streamID: Int32) {
        outbound[streamID] = nil
        responded.remove(streamID)
        // A block nghttp2 refused half way (a malformed response) never completes.
        headers[streamID] = nil
    }

    fileprivate func beginHeaders(_ streamID: Int32) {
        headers[streamID] = HeaderBlock()
    }

    /// False when trailers grew past the advertised limit, which nghttp2
    /// itself does not enforce: that stream is then reset. A request's
    /// header block over the limit is read to its end and answered 431.
    fileprivate func header(_ streamID: Int32, name: String, value: String, isRequest: Bool) -> Bool {
        guard var block = headers[streamID] else { return true }
        block.size += name.utf8.count + value.utf8.count + 32  // RFC 9113 §6.5.2 accounting
        if block.size > maxHeaderListSize {
            guard isRequest else {
                headers[streamID] = nil
                return false
            }
            block.tooLarge = true
            block.fields = []
        } else {
            block.fields.append(HTTP2Header(name, value))
        }
        headers[streamID] = block
        return true
    }

    fileprivate func headersComplete(_ streamID: Int32, category: nghttp2_headers_category, endStream: Bool) {
        guard let block = headers.removeValue(forKey: streamID) else { return }
        let isRequest = category == NGHTTP2_HCAT_REQUEST
        if isRequest, block.tooLarge {
            events.append(.headerListTooLarge(streamID: streamID, size: block.size))
        } else if isRequest {
            events.append(.request(streamID: streamID, headers: block.fields, endStream: endStream))
        } else if category == NGHTTP2_HCAT_RESPONSE {
            events.append(.response(streamID: streamID, headers: block.fields))
        } else {
            events.append(.trailers(streamID: streamID, headers: block.fields))
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

func onBeginHeaders(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue) else { return 0 }
    state(userData).beginHeaders(frame.pointee.hd.stream_id)
    return 0
}

func onHeader(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ name: UnsafePointer<UInt8>?, _ nameLength: Int,
    _ value: UnsafePointer<UInt8>?, _ valueLength: Int,
    _ flags: UInt8, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, let name, let value else { return 0 }
    let accepted = state(userData).header(
        frame.pointee.hd.stream_id,
        name: String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self),
        value: String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self),
        isRequest: frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST)
    // nghttp2 answers this with RST_STREAM for the stream alone.
    return accepted ? 0 : NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue
}

func onFrameReceived(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame else { return 0 }
    let header = frame.pointee.hd
    let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
    switch UInt32(header.type) {
    case NGHTTP2_HEADERS.rawValue:
        let category = frame.pointee.headers.cat
        let isRequest = category == NGHTTP2_HCAT_REQUEST
        state(userData).headersComplete(header.stream_id, category: category, endStream: endStream)
        // A request's own END_STREAM travels with its `.request` event.
        if !isRequest, endStream { state(userData).record(.endOfStream(streamID: header.stream_id)) }
    case NGHTTP2_DATA.rawValue where endStream:
        state(userData).record(.endOfStream(streamID: header.stream_id))
    case NGHTTP2_GOAWAY.rawValue:
        let goAway = frame.pointee.goaway
        state(userData).record(.goAway(lastStreamID: goAway.last_stream_id, errorCode: goAway.error_code))
    default:
        break
    }
    return 0
}

func onInvalidFrame(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ errorCode: Int32,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame else { return 0 }
    let reason = String(cString: nghttp2_strerror(errorCode))
    state(userData).record(.invalidFrame(streamID: frame.pointee.hd.stream_id, reason: reason))
    return 0
}

func onDataChunk(
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

func onStreamClose(
    _ session: OpaquePointer?, _ streamID: Int32, _ errorCode: UInt32, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    state(userData).record(.streamClosed(streamID: streamID, errorCode: errorCode))
    return 0
}

func readBody(
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

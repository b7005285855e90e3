internal import COpenSSL

/// OpenSSL's per-thread error queue, drained into Swift values.
///
/// Event-loop threads serve many connections, so an error left on the queue
/// by one connection would be reported by the next one to fail on that
/// thread. Every call site that can fail either clears the queue before it
/// starts or drains it when it fails; nothing is ever left behind.
enum OpenSSLErrorQueue {
    /// Removes every queued error and returns the texts, oldest first, and
    /// the reason of the earliest one (for metrics), if any.
    static func drain() -> (texts: [String], reason: String?) {
        var texts: [String] = []
        var reason: String?
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            texts.append(text(of: code))
            if reason == nil, let cReason = ERR_reason_error_string(code) {
                reason = String(cString: cReason)
            }
        }
        return (texts, reason)
    }

    /// Forgets whatever an earlier call left behind on this thread.
    static func clear() {
        ERR_clear_error()
    }

    /// True when nothing is queued; tests use it to prove nothing leaks.
    static var isEmpty: Bool {
        ERR_peek_error() == 0
    }

    /// A TLSError carrying the drained queue.
    static func error(_ code: TLSError.Code, _ message: String) -> TLSError {
        let (texts, reason) = drain()
        return TLSError(code, message, openSSLErrors: texts, reason: reason.map(metricReason))
    }

    private static func text(of code: UInt) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// "wrong version number" → "wrong_version_number".
    static func metricReason(_ text: String) -> String {
        String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }
}

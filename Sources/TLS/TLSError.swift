/// The one error type of the TLS module.
///
/// Every failure of OpenSSL carries the text of OpenSSL's error queue at the
/// moment it failed, so that a log line says *why* ("wrong version number",
/// "certificate verify failed: unable to get local issuer certificate")
/// rather than only that something went wrong.
public struct TLSError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// A certificate, key or CA bundle could not be read or parsed.
        public static let invalidCredentials = Code(name: "invalid credentials")
        /// A setting was refused by OpenSSL or is outside what this project allows.
        public static let invalidConfiguration = Code(name: "invalid configuration")
        /// The handshake failed: protocol, cipher, ALPN or peer verification.
        public static let handshakeFailed = Code(name: "handshake failed")
        /// The peer closed the connection before the handshake finished.
        public static let unexpectedEOF = Code(name: "unexpected EOF")
        /// The handshake did not finish within the allowed time.
        public static let handshakeTimeout = Code(name: "handshake timeout")
        /// Reading or writing application data failed after the handshake.
        public static let ioFailed = Code(name: "I/O failed")
        /// A file could not be read.
        public static let fileUnreadable = Code(name: "file unreadable")
    }

    public var code: Code
    /// What we were doing when it failed, in words.
    public var message: String
    /// The OpenSSL error-queue entries, oldest first, as OpenSSL prints them.
    public var openSSLErrors: [String]
    /// A short, bounded-cardinality reason suitable for a metric label,
    /// such as `wrong_version_number` or `certificate_verify_failed`.
    public var reason: String

    public init(_ code: Code, _ message: String, openSSLErrors: [String] = [], reason: String? = nil) {
        self.code = code
        self.message = message
        self.openSSLErrors = openSSLErrors
        self.reason = reason ?? code.name.replacingSpaces()
    }

    public var description: String {
        var text = "\(code): \(message)"
        if !openSSLErrors.isEmpty { text += " (" + openSSLErrors.joined(separator: "; ") + ")" }
        return text
    }
}

extension String {
    fileprivate func replacingSpaces() -> String {
        String(map { $0 == " " ? "_" : $0 })
    }
}

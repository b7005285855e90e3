internal import COpenSSL
import NIOCore

/// One TLS connection: an OpenSSL `SSL` between two memory BIOs.
///
/// Ciphertext from the network is written into one BIO, ciphertext for the
/// network is read out of the other, so OpenSSL never touches a socket and
/// never blocks: every operation ends in "done", "needs more input" or
/// "failed", and the caller (TLSHandler) decides what happens next.
final class TLSConnection {
    enum HandshakeResult { case incomplete, complete, failed(TLSError) }
    enum ReadResult { case needMoreInput, closeNotify, failed(TLSError) }

    let context: TLSContext
    private let ssl: OpaquePointer
    private let networkToTLS: OpaquePointer
    private let tlsToNetwork: OpaquePointer

    init(context: TLSContext, serverName: String? = nil) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.pointer) else {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "SSL_new failed")
        }
        guard let input = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "BIO_new failed")
        }
        guard let output = BIO_new(BIO_s_mem()) else {
            BIO_free(input)
            SSL_free(ssl)
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "BIO_new failed")
        }
        // An empty input BIO means "wait for more", not end of file.
        _ = kcp_BIO_set_mem_eof_return(input, -1)
        _ = kcp_BIO_set_mem_eof_return(output, -1)
        SSL_set_bio(ssl, input, output)  // the SSL owns both BIOs from here
        self.ssl = ssl
        self.networkToTLS = input
        self.tlsToNetwork = output
        self.context = context

        switch context.role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client:
            SSL_set_connect_state(ssl)
            if let serverName { try expectPeer(named: serverName) }
        }
    }

    deinit { SSL_free(ssl) }

    /// Client side: send SNI and verify the certificate names `name`, which
    /// may be a DNS name or an IP address (IP addresses get no SNI, RFC 6066).
    ///
    /// Names are matched as Go's crypto/tls (and so kube-apiserver) matches
    /// them: against the subjectAltName entries only, never the subject's
    /// CN, which OpenSSL falls back to by default when a certificate has no
    /// DNS names; and a wildcard only as a whole leftmost label.
    private func expectPeer(named name: String) throws(TLSError) {
        if X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) == 1 { return }
        OpenSSLErrorQueue.clear()  // "not an IP address" is not an error here
        SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
        guard SSL_set1_host(ssl, name) == 1, kcp_SSL_set_tlsext_host_name(ssl, name) == 1 else {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "\(name) cannot be used as a server name")
        }
    }

    /// Hands ciphertext received from the network to OpenSSL.
    func receive(_ ciphertext: ByteBuffer) {
        ciphertext.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
            // A memory BIO grows as needed; the write cannot be partial.
            _ = BIO_write(networkToTLS, base, Int32(bytes.count))
        }
    }

    func handshake() -> HandshakeResult {
        OpenSSLErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .complete }
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .incomplete
        case SSL_ERROR_ZERO_RETURN: return .failed(TLSError(.unexpectedEOF, "peer closed during the handshake"))
        default: return .failed(failure(.handshakeFailed, "TLS handshake failed"))
        }
    }

    /// Decrypts everything that can be decrypted now into `plaintext`.
    ///
    /// Plaintext is never longer than the ciphertext it came from, so the
    /// buffer is sized by what is waiting rather than by the largest record:
    /// a 2 KiB request does not cost a 16 KiB allocation.
    func read(into plaintext: inout ByteBuffer) -> ReadResult {
        OpenSSLErrorQueue.clear()
        while true {
            var status: Int32 = 0
            let waiting = Int(BIO_ctrl_pending(networkToTLS)) + Int(SSL_pending(ssl))
            plaintext.writeWithUnsafeMutableBytes(minimumWritableBytes: max(waiting, 256)) { buffer in
                var count = 0
                status = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
                return status == 1 ? count : 0
            }
            if status == 1 { continue }
            switch SSL_get_error(ssl, status) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .needMoreInput
            case SSL_ERROR_ZERO_RETURN: return .closeNotify
            default: return .failed(failure(.ioFailed, "TLS read failed"))
            }
        }
    }

    /// Encrypts `plaintext`; the records become available from `takeOutput`.
    func write(_ plaintext: ByteBuffer) -> TLSError? {
        OpenSSLErrorQueue.clear()
        return plaintext.withUnsafeReadableBytes { bytes -> TLSError? in
            guard !bytes.isEmpty else { return nil }
            var written = 0
            // Memory BIOs never push back, so one call writes everything.
            guard SSL_write_ex(ssl, bytes.baseAddress, bytes.count, &written) == 1 else {
                return failure(.ioFailed, "TLS write failed")
            }
            return nil
        }
    }

    /// Queues a close_notify alert. We do not wait for the peer's answer.
    func shutdown() {
        OpenSSLErrorQueue.clear()
        _ = SSL_shutdown(ssl)
        OpenSSLErrorQueue.clear()
    }

    /// Ciphertext waiting to go to the network, if any.
    func takeOutput(allocator: ByteBufferAllocator) -> ByteBuffer? {
        let pending = BIO_ctrl_pending(tlsToNetwork)
        guard pending > 0 else { return nil }
        var buffer = allocator.buffer(capacity: pending)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { target in
            Int(max(0, BIO_read(tlsToNetwork, target.baseAddress, Int32(pending))))
        }
        return buffer
    }

    /// The ALPN protocol both sides agreed on, if any.
    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// "TLSv1.3" or "TLSv1.2".
    var protocolVersion: String {
        String(cString: SSL_get_version(ssl))
    }

    /// The certificate the peer presented, if any.
    var peerCertificate: CertificateInfo? {
        guard let x509 = SSL_get1_peer_certificate(ssl) else { return nil }
        return X509Certificate(owning: x509).info
    }

    /// Drains the error queue into an error, adding the verification result
    /// when the peer's certificate was the problem.
    private func failure(_ code: TLSError.Code, _ message: String) -> TLSError {
        var error = OpenSSLErrorQueue.error(code, message)
        let verify = SSL_get_verify_result(ssl)
        if verify != X509_V_OK, let text = X509_verify_cert_error_string(verify) {
            error.message += ": " + String(cString: text)
        }
        return error
    }
}

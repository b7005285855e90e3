internal import COpenSSL

/// Parsing of PEM bytes into OpenSSL objects, each with one Swift owner.
enum PEM {
    /// Every certificate in a PEM bundle, in order. Fails if there is none.
    static func certificates(_ pem: [UInt8], what: String) throws(TLSError) -> [X509Certificate] {
        OpenSSLErrorQueue.clear()
        let parsed: [X509Certificate] = pem.withUnsafeBytes { bytes in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return [] }
            defer { BIO_free(bio) }
            var result: [X509Certificate] = []
            while let x509 = PEM_read_bio_X509(bio, nil, nil, nil) {
                result.append(X509Certificate(owning: x509))
            }
            return result
        }
        guard !parsed.isEmpty else {
            throw OpenSSLErrorQueue.error(.invalidCredentials, "no PEM certificate found in \(what)")
        }
        // Reading past the last certificate leaves "no start line" behind.
        OpenSSLErrorQueue.clear()
        return parsed
    }

    /// The private key in PEM bytes. Encrypted keys are refused rather than
    /// prompting on a terminal, which is OpenSSL's default.
    static func privateKey(_ pem: [UInt8], what: String) throws(TLSError) -> PrivateKey {
        OpenSSLErrorQueue.clear()
        let key: OpaquePointer? = pem.withUnsafeBytes { bytes in
            guard let bio = BIO_new_mem_buf(bytes.baseAddress, Int32(bytes.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in -1 }, nil)
        }
        guard let key else {
            throw OpenSSLErrorQueue.error(.invalidCredentials, "no usable PEM private key in \(what)")
        }
        return PrivateKey(owning: key)
    }
}

/// An `X509*` with one owner.
final class X509Certificate {
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) { self.pointer = pointer }
    deinit { X509_free(pointer) }

    var info: CertificateInfo {
        CertificateInfo(serialNumber: serialNumberHex, subject: subject, der: der)
    }

    private var serialNumberHex: String {
        guard let bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(pointer), nil) else { return "" }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else { return "" }
        defer { CRYPTO_free(hex, #fileID, #line) }
        return String(cString: hex)
    }

    private var subject: String {
        guard let name = X509_NAME_oneline(X509_get_subject_name(pointer), nil, 0) else { return "" }
        defer { CRYPTO_free(name, #fileID, #line) }
        return String(cString: name)
    }

    private var der: [UInt8] {
        let length = i2d_X509(pointer, nil)
        guard length > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        bytes.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            _ = i2d_X509(pointer, &cursor)
        }
        return bytes
    }
}

/// An `EVP_PKEY*` with one owner.
final class PrivateKey {
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_PKEY_free(pointer) }

    enum Kind { case rsa(bits: Int), ec, other(String) }

    var kind: Kind {
        switch EVP_PKEY_get_base_id(pointer) {
        case EVP_PKEY_RSA: return .rsa(bits: Int(EVP_PKEY_get_bits(pointer)))
        case EVP_PKEY_EC: return .ec
        default:
            let name = EVP_PKEY_get0_type_name(pointer).map { String(cString: $0) } ?? "unknown"
            return .other(name)
        }
    }
}

/// What a log line or a test needs to know about a certificate.
public struct CertificateInfo: Hashable, Sendable {
    /// Upper-case hexadecimal, as `openssl x509 -serial` prints it.
    public var serialNumber: String
    /// One-line subject, such as `/CN=kcp-ingress`.
    public var subject: String
    /// The DER encoding.
    public var der: [UInt8]
}

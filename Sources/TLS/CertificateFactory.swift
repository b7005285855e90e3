internal import COpenSSL

/// A CA and a serving certificate it signed, as PEM.
public struct GeneratedCertificates: Sendable {
    public var caCertificatePEM: [UInt8]
    public var certificatePEM: [UInt8]
    public var privateKeyPEM: [UInt8]

    public init(caCertificatePEM: [UInt8], certificatePEM: [UInt8], privateKeyPEM: [UInt8]) {
        self.caCertificatePEM = caCertificatePEM
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }

    public var identity: CertificateKeyPair {
        CertificateKeyPair(certificateChainPEM: certificatePEM, privateKeyPEM: privateKeyPEM)
    }
}

/// Makes development certificates in memory with OpenSSL, for servers that
/// start without any (the development API server): a P-256 CA and a P-256
/// serving certificate for the given DNS names and IP addresses.
public enum CertificateFactory {
    public static func development(
        commonName: String,
        dnsNames: [String],
        ipAddresses: [String],
        days: Int = 365
    ) throws(TLSError) -> GeneratedCertificates {
        try development(
            commonName: commonName, dnsNames: dnsNames, ipAddresses: ipAddresses, days: days, makeKey: newP256Key)
    }

    /// The same, with the key generator injected so that tests can make a
    /// later generation fail and see that the keys made before it are freed.
    static func development(
        commonName: String,
        dnsNames: [String],
        ipAddresses: [String],
        days: Int,
        makeKey: () throws(TLSError) -> PrivateKey
    ) throws(TLSError) -> GeneratedCertificates {
        OpenSSLErrorQueue.clear()
        // Each key and certificate has one Swift owner from the moment it
        // exists, so a failure at any later step frees all made so far.
        let caKey = try makeKey()
        let key = try makeKey()
        let ca = try certificate(
            subject: "\(commonName) development CA", key: caKey, issuer: nil, issuerKey: caKey,
            seconds: days * 10 * 86_400,
            extensions: caExtensions)
        let leaf = try certificate(
            subject: commonName, key: key, issuer: ca, issuerKey: caKey, seconds: days * 86_400,
            extensions: servingExtensions(dnsNames: dnsNames, ipAddresses: ipAddresses))
        return GeneratedCertificates(
            caCertificatePEM: try pem { PEM_write_bio_X509($0, ca.pointer) },
            certificatePEM: try pem { PEM_write_bio_X509($0, leaf.pointer) },
            privateKeyPEM: try pem { PEM_write_bio_PrivateKey($0, key.pointer, nil, nil, 0, nil, nil) })
    }

    /// Key identifiers on every certificate: when a bundle holds several CAs
    /// (one renewing another), a client finds the one that signed by them,
    /// not by the first of a matching name.
    static let caExtensions: [(Int32, String)] = [
        (NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign"),
        (NID_subject_key_identifier, "hash"),
    ]

    static func servingExtensions(dnsNames: [String], ipAddresses: [String]) -> [(Int32, String)] {
        let names = dnsNames.map { "DNS:\($0)" } + ipAddresses.map { "IP:\($0)" }
        return [
            (NID_basic_constraints, "critical,CA:FALSE"),
            (NID_key_usage, "critical,digitalSignature,keyEncipherment"),
            (NID_ext_key_usage, "serverAuth"), (NID_subject_alt_name, names.joined(separator: ",")),
            (NID_subject_key_identifier, "hash"), (NID_authority_key_identifier, "keyid:always"),
        ]
    }

    static func newP256Key() throws(TLSError) -> PrivateKey {
        guard let key = kcp_EVP_EC_gen_P256() else {
            throw OpenSSLErrorQueue.error(.invalidCredentials, "EC key generation failed")
        }
        return PrivateKey(owning: key)
    }

    /// How far before its making a certificate is valid from: clocks differ.
    static let backdating = 3600

    /// A certificate valid from an hour ago (clocks differ) for `seconds` from now.
    static func certificate(
        subject: String,
        key: PrivateKey,
        issuer: X509Certificate?,
        issuerKey: PrivateKey,
        seconds: Int,
        extensions: [(Int32, String)]
    ) throws(TLSError) -> X509Certificate {
        guard let pointer = X509_new() else {
            throw OpenSSLErrorQueue.error(.invalidCredentials, "X509_new failed")
        }
        let x509 = X509Certificate(owning: pointer)
        var serial = [UInt8](repeating: 0, count: 16)
        _ = RAND_bytes(&serial, Int32(serial.count))
        serial[0] &= 0x7F  // positive
        let serialNumber = BN_bin2bn(serial, Int32(serial.count), nil)
        defer { BN_free(serialNumber) }
        let name = X509_NAME_new()
        defer { X509_NAME_free(name) }
        _ = X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, subject, -1, -1, 0)
        guard X509_set_version(pointer, 2) == 1,
            BN_to_ASN1_INTEGER(serialNumber, X509_get_serialNumber(pointer)) != nil,
            X509_gmtime_adj(X509_getm_notBefore(pointer), -backdating) != nil,
            X509_gmtime_adj(X509_getm_notAfter(pointer), seconds) != nil,
            X509_set_subject_name(pointer, name) == 1,
            X509_set_issuer_name(pointer, issuer.map { X509_get_subject_name($0.pointer) } ?? name) == 1,
            X509_set_pubkey(pointer, key.pointer) == 1
        else {
            throw OpenSSLErrorQueue.error(.invalidCredentials, "the certificate fields were refused")
        }
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer?.pointer ?? pointer, pointer, nil, nil, 0)
        for (nid, value) in extensions {
            guard let extensionValue = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
                throw OpenSSLErrorQueue.error(.invalidCredentials, "extension \(value) was refused")
            }
            _ = X509_add_ext(pointer, extensionValue, -1)
            X509_EXTENSION_free(extensionValue)
        }
        guard X509_sign(pointer, issuerKey.pointer, EVP_sha256()) > 0 else {
            throw OpenSSLErrorQueue.error(.invalidCredentials, "signing the certificate failed")
        }
        return x509
    }

    static func pem(_ write: (OpaquePointer) -> Int32) throws(TLSError) -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw OpenSSLErrorQueue.error(.invalidCredentials, "BIO_new failed")
        }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw OpenSSLErrorQueue.error(.invalidCredentials, "PEM encoding failed") }
        let count = BIO_ctrl_pending(bio)
        var bytes = [UInt8](repeating: 0, count: count)
        _ = BIO_read(bio, &bytes, Int32(count))
        return bytes
    }
}

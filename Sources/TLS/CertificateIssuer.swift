internal import COpenSSL
public import Foundation

/// A certificate and its private key, as PEM.
public struct IssuedCertificate: Sendable, Equatable {
    public var certificatePEM: [UInt8]
    public var privateKeyPEM: [UInt8]

    public init(certificatePEM: [UInt8], privateKeyPEM: [UInt8]) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }
}

/// Makes and reads the certificates of a webhook that manages its own
/// serving certificate: a P-256 CA, serving certificates it signs, and the
/// facts needed to decide when either is due for renewal.
public enum CertificateIssuer {
    /// A self-signed CA valid for `validity` from now.
    public static func certificateAuthority(commonName: String, validity: Duration) throws(TLSError)
        -> IssuedCertificate
    {
        OpenSSLErrorQueue.clear()
        let key = try CertificateFactory.newP256Key()
        let certificate = try CertificateFactory.certificate(
            subject: commonName, key: key, issuer: nil, issuerKey: key, seconds: seconds(validity),
            extensions: CertificateFactory.caExtensions)
        return try issued(certificate, key)
    }

    /// A serving certificate for `dnsNames`, signed by `authority`.
    public static func servingCertificate(
        commonName: String,
        dnsNames: [String],
        ipAddresses: [String] = [],
        validity: Duration,
        signedBy authority: IssuedCertificate
    ) throws(TLSError) -> IssuedCertificate {
        OpenSSLErrorQueue.clear()
        guard let caCertificate = try PEM.certificates(authority.certificatePEM, what: "the CA").first else {
            throw TLSError(.invalidCredentials, "no CA certificate")
        }
        let caKey = try PEM.privateKey(authority.privateKeyPEM, what: "the CA key")
        let key = try CertificateFactory.newP256Key()
        let certificate = try CertificateFactory.certificate(
            subject: commonName, key: key, issuer: caCertificate, issuerKey: caKey, seconds: seconds(validity),
            extensions: CertificateFactory.servingExtensions(dnsNames: dnsNames, ipAddresses: ipAddresses))
        return try issued(certificate, key)
    }

    /// What renewal decisions need to know of one certificate.
    public struct Details: Sendable, Equatable {
        /// When it was made: its `notBefore` is backdated by an hour.
        public var made: Date
        public var notAfter: Date
        /// The certificate in PEM, alone (a bundle splits into these).
        public var pem: [UInt8]
    }

    /// Every certificate in a PEM bundle, in order; throws when there is none.
    public static func details(_ bundle: [UInt8]) throws(TLSError) -> [Details] {
        var result: [Details] = []
        for certificate in try PEM.certificates(bundle, what: "the bundle") {
            guard let notAfter = date(X509_get0_notAfter(certificate.pointer)),
                let notBefore = date(X509_get0_notBefore(certificate.pointer))
            else {
                throw TLSError(.invalidCredentials, "a certificate's validity cannot be read")
            }
            result.append(
                Details(
                    made: notBefore.addingTimeInterval(TimeInterval(CertificateFactory.backdating)),
                    notAfter: notAfter, pem: try CertificateFactory.pem { PEM_write_bio_X509($0, certificate.pointer) })
            )
        }
        return result
    }

    /// Whether `pair` is usable as signed by `authority` for every one of
    /// `dnsNames`: its key matches, the CA's key signed it, and each name
    /// matches it as a TLS client checks a host name.
    public static func isValid(_ pair: IssuedCertificate, signedBy authority: IssuedCertificate, for dnsNames: [String])
        -> Bool
    {
        defer { OpenSSLErrorQueue.clear() }
        guard let certificate = try? PEM.certificates(pair.certificatePEM, what: "the certificate").first,
            let key = try? PEM.privateKey(pair.privateKeyPEM, what: "the key"),
            let ca = try? PEM.certificates(authority.certificatePEM, what: "the CA").first,
            let caKey = try? PEM.privateKey(authority.privateKeyPEM, what: "the CA key"),
            X509_check_private_key(certificate.pointer, key.pointer) == 1,
            X509_check_private_key(ca.pointer, caKey.pointer) == 1,
            let caPublicKey = X509_get0_pubkey(ca.pointer),
            X509_verify(certificate.pointer, caPublicKey) == 1
        else { return false }
        return dnsNames.allSatisfy { name in
            X509_check_host(certificate.pointer, name, name.utf8.count, 0, nil) == 1
        }
    }

    /// Whether `privateKeyPEM` is the key of the (first) certificate in `certificatePEM`.
    public static func keyMatches(certificatePEM: [UInt8], privateKeyPEM: [UInt8]) -> Bool {
        defer { OpenSSLErrorQueue.clear() }
        guard let certificate = try? PEM.certificates(certificatePEM, what: "the certificate").first,
            let key = try? PEM.privateKey(privateKeyPEM, what: "the key")
        else { return false }
        return X509_check_private_key(certificate.pointer, key.pointer) == 1
    }

    private static func issued(_ certificate: X509Certificate, _ key: PrivateKey) throws(TLSError)
        -> IssuedCertificate
    {
        IssuedCertificate(
            certificatePEM: try CertificateFactory.pem { PEM_write_bio_X509($0, certificate.pointer) },
            privateKeyPEM: try CertificateFactory.pem {
                PEM_write_bio_PrivateKey($0, key.pointer, nil, nil, 0, nil, nil)
            })
    }

    private static func seconds(_ validity: Duration) -> Int {
        max(1, Int(validity.components.seconds))
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}

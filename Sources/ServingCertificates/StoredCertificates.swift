import Foundation
import TLS

/// What the shared Secret holds: the CA that signs (`ca.crt`'s first
/// certificate, with `ca.key`), the bundle webhook clients trust (`ca.crt`
/// whole: that CA first, then earlier CAs until they expire, so that a pair
/// an earlier CA signed stays trusted while replicas move on), and the
/// serving pair (`tls.crt`, `tls.key`, as a `kubernetes.io/tls` Secret has them).
struct StoredCertificates: Equatable {
    var authority: IssuedCertificate
    var bundle: [UInt8]
    var serving: IssuedCertificate

    /// What is due, most urgent first.
    enum Renewal: Equatable {
        case none
        /// The serving pair is missing its names, not signed by the CA, or a
        /// third of its lifetime is left.
        case serving
        /// The CA itself (then the serving pair too).
        case authority
    }

    static let keys = (bundle: "ca.crt", authorityKey: "ca.key", certificate: "tls.crt", key: "tls.key")
    static let keyNames = [keys.bundle, keys.authorityKey, keys.certificate, keys.key]

    /// Nil when a key is missing.
    init?(secretData: [String: [UInt8]]) {
        guard let bundle = secretData[Self.keys.bundle], let authorityKey = secretData[Self.keys.authorityKey],
            let certificate = secretData[Self.keys.certificate], let key = secretData[Self.keys.key],
            let first = try? CertificateIssuer.details(bundle).first
        else { return nil }
        self.authority = IssuedCertificate(certificatePEM: first.pem, privateKeyPEM: authorityKey)
        self.bundle = bundle
        self.serving = IssuedCertificate(certificatePEM: certificate, privateKeyPEM: key)
    }

    init(authority: IssuedCertificate, bundle: [UInt8], serving: IssuedCertificate) {
        self.authority = authority
        self.bundle = bundle
        self.serving = serving
    }

    var secretData: [String: [UInt8]] {
        [
            Self.keys.bundle: bundle, Self.keys.authorityKey: authority.privateKeyPEM,
            Self.keys.certificate: serving.certificatePEM, Self.keys.key: serving.privateKeyPEM,
        ]
    }

    /// A new CA and a pair it signed.
    static func fresh(_ settings: ServingCertificateSettings) throws -> StoredCertificates {
        let authority = try CertificateIssuer.certificateAuthority(
            commonName: "kcp-ingress webhook CA", validity: settings.authorityValidity)
        return StoredCertificates(
            authority: authority, bundle: authority.certificatePEM,
            serving: try servingPair(settings, authority))
    }

    func renewal(at now: Date, _ settings: ServingCertificateSettings) -> Renewal {
        guard let authorityExpiry = try? CertificateIssuer.details(authority.certificatePEM).first?.notAfter,
            authorityExpiry.timeIntervalSince(now) > settings.authorityValidity.seconds / 3
        else { return .authority }
        guard CertificateIssuer.isValid(serving, signedBy: authority, for: settings.dnsNames),
            let servingExpiry = try? CertificateIssuer.details(serving.certificatePEM).first?.notAfter,
            servingExpiry.timeIntervalSince(now) > settings.validity.seconds / 3
        else { return .serving }
        return .none
    }

    /// When the next renewal falls due, or an earlier CA leaves the bundle.
    func nextChange(_ settings: ServingCertificateSettings) -> Date {
        var times: [Date] = []
        if let expiry = try? CertificateIssuer.details(authority.certificatePEM).first?.notAfter {
            times.append(expiry.addingTimeInterval(-settings.authorityValidity.seconds / 3))
        }
        if let expiry = try? CertificateIssuer.details(serving.certificatePEM).first?.notAfter {
            times.append(expiry.addingTimeInterval(-settings.validity.seconds / 3))
        }
        times += ((try? CertificateIssuer.details(bundle)) ?? []).dropFirst().map(\.notAfter)
        return times.min() ?? Date()
    }

    /// This state with what `renewal` names made new.
    func renewed(_ renewal: Renewal, at now: Date, _ settings: ServingCertificateSettings) throws
        -> StoredCertificates
    {
        switch renewal {
        case .none:
            return self
        case .serving:
            return StoredCertificates(
                authority: authority, bundle: bundle, serving: try Self.servingPair(settings, authority))
        case .authority:
            let newAuthority = try CertificateIssuer.certificateAuthority(
                commonName: "kcp-ingress webhook CA", validity: settings.authorityValidity)
            let earlier = ((try? CertificateIssuer.details(bundle)) ?? []).filter { $0.notAfter > now }.map(\.pem)
            return StoredCertificates(
                authority: newAuthority,
                bundle: Array(([newAuthority.certificatePEM] + earlier).joined()),
                serving: try Self.servingPair(settings, newAuthority))
        }
    }

    private static func servingPair(_ settings: ServingCertificateSettings, _ authority: IssuedCertificate) throws
        -> IssuedCertificate
    {
        try CertificateIssuer.servingCertificate(
            commonName: settings.dnsNames[2], dnsNames: settings.dnsNames, validity: settings.validity,
            signedBy: authority)
    }
}

extension Duration {
    var seconds: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }
}

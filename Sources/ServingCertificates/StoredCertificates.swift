import Foundation
import KubeAPI
import TLS

/// What the shared Secret holds:
///
/// - `ca.crt`: every CA webhook clients are to trust — the one that signs,
///   the next one while it waits to take over, and earlier ones until they
///   expire (a pair they signed may still be served by a replica that has
///   not moved on);
/// - `ca.key`: the key of the CA that signs; `ca-next.key`: the next one's;
/// - `tls.crt`, `tls.key`: the serving pair, as a `kubernetes.io/tls` Secret has them.
///
/// A new CA is trusted long before it signs: it enters the bundle when a
/// third of the signing CA's life is left, and signs from the next serving
/// renewal on, so clients that read the bundle a while ago still trust
/// every pair served.
struct StoredCertificates: Equatable {
    var authority: IssuedCertificate
    var next: IssuedCertificate?
    var bundle: [UInt8]
    var serving: IssuedCertificate

    static let keys = (
        bundle: "ca.crt", authorityKey: "ca.key", nextKey: "ca-next.key", certificate: "tls.crt", key: "tls.key"
    )
    static let keyNames = [keys.bundle, keys.authorityKey, keys.nextKey, keys.certificate, keys.key]

    /// Nil when a key is missing or the bundle holds no CA for `ca.key`.
    init?(secretData: [String: [UInt8]]) {
        guard let bundle = secretData[Self.keys.bundle], let authorityKey = secretData[Self.keys.authorityKey],
            let certificate = secretData[Self.keys.certificate], let key = secretData[Self.keys.key],
            let certificates = try? CertificateIssuer.details(bundle)
        else { return nil }
        func authority(for key: [UInt8]) -> IssuedCertificate? {
            certificates.first { CertificateIssuer.keyMatches(certificatePEM: $0.pem, privateKeyPEM: key) }
                .map { IssuedCertificate(certificatePEM: $0.pem, privateKeyPEM: key) }
        }
        guard let signing = authority(for: authorityKey) else { return nil }
        self.authority = signing
        self.next = secretData[Self.keys.nextKey].flatMap(authority(for:))
        self.bundle = bundle
        self.serving = IssuedCertificate(certificatePEM: certificate, privateKeyPEM: key)
    }

    init(authority: IssuedCertificate, next: IssuedCertificate? = nil, bundle: [UInt8], serving: IssuedCertificate) {
        self.authority = authority
        self.next = next
        self.bundle = bundle
        self.serving = serving
    }

    var secretData: [String: [UInt8]] {
        var data = [
            Self.keys.bundle: bundle, Self.keys.authorityKey: authority.privateKeyPEM,
            Self.keys.certificate: serving.certificatePEM, Self.keys.key: serving.privateKeyPEM,
        ]
        data[Self.keys.nextKey] = next?.privateKeyPEM
        return data
    }

    /// A new CA and a pair it signed.
    static func fresh(_ settings: ServingCertificateSettings) throws -> StoredCertificates {
        let authority = try newAuthority(settings)
        return StoredCertificates(
            authority: authority, bundle: authority.certificatePEM, serving: try servingPair(settings, authority))
    }

    /// This state with what is due at `now` made new, and what was done;
    /// nil when nothing is due.
    func renewed(at now: Date, _ settings: ServingCertificateSettings) throws -> (
        StoredCertificates, String
    )? {
        var result = self
        var done: [String] = []
        let authorityLeft = Self.expiry(authority.certificatePEM)?.timeIntervalSince(now) ?? 0
        if authorityLeft < settings.validity.inSeconds {
            // Too late to sign a whole serving lifetime: the next CA takes over
            // at once (a new one, if none was waiting).
            result.authority = try next ?? Self.newAuthority(settings)
            result.next = nil
            result.serving = try Self.servingPair(settings, result.authority)
            done.append("a new CA took over at once (the signing CA had less than a serving lifetime left)")
        } else {
            if authorityLeft < settings.authorityValidity.inSeconds / 3, next == nil {
                result.next = try Self.newAuthority(settings)
                done.append("a new CA is trusted, to sign from the next renewal")
            }
            var resign = servingDue(at: now, settings)
            // The next CA signs once clients have had a third of a serving
            // lifetime to see it in caBundle; until then the current one,
            // which has several serving lifetimes left, goes on signing.
            if let waiting = next, let made = Self.made(waiting.certificatePEM),
                now.timeIntervalSince(made) >= settings.validity.inSeconds / 3
            {
                result.authority = waiting
                result.next = nil
                resign = true
                done.append("the new CA signs from now")
            }
            if resign {
                result.serving = try Self.servingPair(settings, result.authority)
                done.append("the serving certificate was renewed")
            }
        }
        let trusted = [result.authority.certificatePEM] + (result.next.map { [$0.certificatePEM] } ?? [])
        let held = (try? CertificateIssuer.details(bundle)) ?? []
        let earlier = held.filter { $0.notAfter > now }.map(\.pem).filter { !trusted.contains($0) }
        if held.contains(where: { $0.notAfter <= now }) { done.append("an expired CA left the bundle") }
        guard !done.isEmpty else { return nil }
        result.bundle = Array((trusted + earlier).joined())
        return (result, done.joined(separator: "; "))
    }

    /// When something next falls due: a renewal, the next CA old enough to
    /// sign, or an earlier CA leaving the bundle. What is already past is
    /// due now, and `renewed` deals with it.
    func nextChange(_ settings: ServingCertificateSettings) -> Date {
        var times: [Date] = []
        if let expiry = Self.expiry(authority.certificatePEM) {
            times.append(expiry.addingTimeInterval(-settings.validity.inSeconds))
            if next == nil { times.append(expiry.addingTimeInterval(-settings.authorityValidity.inSeconds / 3)) }
        }
        if let expiry = Self.expiry(serving.certificatePEM) {
            times.append(expiry.addingTimeInterval(-settings.validity.inSeconds / 3))
        }
        if let made = next.flatMap({ Self.made($0.certificatePEM) }) {
            times.append(made.addingTimeInterval(settings.validity.inSeconds / 3))
        }
        times += ((try? CertificateIssuer.details(bundle)) ?? []).map(\.notAfter)
        return times.min() ?? Date()
    }

    /// The serving pair is missing a name, not signed by the CA that signs,
    /// or has a third of its lifetime left.
    private func servingDue(at now: Date, _ settings: ServingCertificateSettings) -> Bool {
        guard CertificateIssuer.isValid(serving, signedBy: authority, for: settings.dnsNames),
            let expiry = Self.expiry(serving.certificatePEM)
        else { return true }
        return expiry.timeIntervalSince(now) <= settings.validity.inSeconds / 3
    }

    private static func expiry(_ pem: [UInt8]) -> Date? {
        (try? CertificateIssuer.details(pem))?.first?.notAfter
    }

    private static func made(_ pem: [UInt8]) -> Date? {
        (try? CertificateIssuer.details(pem))?.first?.made
    }

    private static func newAuthority(_ settings: ServingCertificateSettings) throws -> IssuedCertificate {
        // A name of its own: clients that pick a CA by name tell them apart.
        try CertificateIssuer.certificateAuthority(
            commonName: "kcp-ingress webhook CA \(String(UInt32.random(in: 0...UInt32.max), radix: 16))",
            validity: settings.authorityValidity)
    }

    private static func servingPair(_ settings: ServingCertificateSettings, _ authority: IssuedCertificate) throws
        -> IssuedCertificate
    {
        try CertificateIssuer.servingCertificate(
            commonName: settings.dnsNames[2], dnsNames: settings.dnsNames, validity: settings.validity,
            signedBy: authority)
    }
}

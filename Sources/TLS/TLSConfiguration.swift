/// Where trusted CA certificates come from.
public enum TrustRoots: Hashable, Sendable {
    /// The system's default verify paths.
    case system
    /// A PEM bundle on disk.
    case file(String)
    /// PEM bytes in memory (a kubeconfig's `certificate-authority-data`).
    case pem([UInt8])
}

/// A certificate chain and its private key, as PEM.
public struct CertificateKeyPair: Hashable, Sendable {
    public var certificateChainPEM: [UInt8]
    public var privateKeyPEM: [UInt8]

    public init(certificateChainPEM: [UInt8], privateKeyPEM: [UInt8]) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
    }
}

/// Settings for one side of a TLS connection.
///
/// Protocol versions, ciphers and groups are fixed by policy, not
/// configurable: TLS 1.2 and 1.3 only, ECDHE with AEAD ciphers for 1.2
/// (Mozilla's "intermediate" profile without DHE), groups X25519, P-256 and
/// P-384. An operator who needs to vary them should be able to say why in a
/// review, and then change this file.
public struct TLSConfiguration: Hashable, Sendable {
    public enum Role: Hashable, Sendable { case server, client }

    public var role: Role
    /// The certificate this side presents: required for a server, optional
    /// (mutual TLS) for a client.
    public var identity: CertificateKeyPair?
    /// Server: when set, clients must present a certificate signed by these.
    /// Client: the roots the server's certificate is verified against; `nil`
    /// disables verification (kubeconfig's `insecure-skip-tls-verify`).
    public var trustRoots: TrustRoots?
    /// ALPN protocols in order of preference, such as `["h2", "http/1.1"]`.
    public var applicationProtocols: [String]
    /// Server: the keys of the session tickets it issues, for clients that
    /// resume; nil issues none.
    public var sessionTicketKeys: SessionTicketKeys?

    public static let tls12CipherList =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
        + "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
        + "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
    public static let groups = "X25519:P-256:P-384"
    public static let minimumRSABits = 2048

    public static func server(
        identity: CertificateKeyPair,
        clientCA: TrustRoots? = nil,
        applicationProtocols: [String] = ["http/1.1"],
        sessionTicketKeys: SessionTicketKeys? = .shared
    ) -> TLSConfiguration {
        TLSConfiguration(
            role: .server,
            identity: identity,
            trustRoots: clientCA,
            applicationProtocols: applicationProtocols,
            sessionTicketKeys: sessionTicketKeys
        )
    }

    public static func client(
        trustRoots: TrustRoots? = .system,
        identity: CertificateKeyPair? = nil,
        applicationProtocols: [String] = ["http/1.1"]
    ) -> TLSConfiguration {
        TLSConfiguration(
            role: .client,
            identity: identity,
            trustRoots: trustRoots,
            applicationProtocols: applicationProtocols
        )
    }
}

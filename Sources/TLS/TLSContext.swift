internal import COpenSSL

/// An OpenSSL `SSL_CTX` configured by policy, from which connections are made.
///
/// Immutable once built. A certificate reload builds a new context and swaps
/// it in for new handshakes; connections keep the context they started with.
public final class TLSContext: @unchecked Sendable {
    // @unchecked Sendable: the SSL_CTX is only mutated inside `init`. After
    // that OpenSSL allows SSL_new from many threads at once (the context is
    // reference counted and its session cache is locked internally), and the
    // ALPN buffer is never written again.
    var pointer: OpaquePointer { owner.pointer }
    public let role: TLSConfiguration.Role
    /// The certificate this side presents, if any.
    public let certificate: CertificateInfo?
    /// The ALPN protocols this side offers (client) or accepts (server).
    public let applicationProtocols: [String]
    /// The one owner of the SSL_CTX: it frees the context when the last
    /// reference goes, whether `init` finished or threw half way.
    private let owner: SSLContextPointer
    /// ALPN protocols in wire format, read by the selection callback.
    private let alpn: ALPNWireList
    /// Read by the ticket key callback, through the context's ex-data.
    private let sessionTicketKeys: SessionTicketKeys?

    public init(configuration: TLSConfiguration) throws(TLSError) {
        OpenSSLErrorQueue.clear()
        let method = configuration.role == .server ? TLS_server_method() : TLS_client_method()
        guard let pointer = SSL_CTX_new(method) else {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "SSL_CTX_new failed")
        }
        // Owned from here on. Nothing below frees the context itself: a
        // throw once every stored property is set runs `deinit` as well, so a
        // free in a `catch` here would free it twice.
        let owner = SSLContextPointer(owning: pointer)
        self.owner = owner
        self.role = configuration.role
        self.applicationProtocols = configuration.applicationProtocols
        self.alpn = ALPNWireList(configuration.applicationProtocols)
        self.sessionTicketKeys = configuration.role == .server ? configuration.sessionTicketKeys : nil

        let setup = Setup(pointer: pointer, role: configuration.role, alpn: alpn)
        try setup.applyPolicy()
        if let identity = configuration.identity {
            self.certificate = try setup.useIdentity(identity)
        } else if configuration.role == .server {
            throw TLSError(.invalidConfiguration, "a server needs a certificate and a private key")
        } else {
            self.certificate = nil
        }
        try setup.trust(configuration.trustRoots)
        try setup.configureALPN()
        if configuration.role == .server { setup.issueTickets(sessionTicketKeys) }
    }
}

/// An `SSL_CTX*` with one owner, which frees it.
private final class SSLContextPointer {
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) { self.pointer = pointer }
    deinit { SSL_CTX_free(pointer) }
}

/// The steps that configure a fresh SSL_CTX, run once from `TLSContext.init`.
private struct Setup {
    let pointer: OpaquePointer
    let role: TLSConfiguration.Role
    let alpn: ALPNWireList

    func applyPolicy() throws(TLSError) {
        _ = SSL_CTX_set_options(pointer, kcp_SSL_OP_hardening())
        guard kcp_SSL_CTX_set_min_proto_version(pointer, TLS1_2_VERSION) == 1,
            SSL_CTX_set_cipher_list(pointer, TLSConfiguration.tls12CipherList) == 1,
            kcp_SSL_CTX_set1_groups_list(pointer, TLSConfiguration.groups) == 1
        else {
            throw OpenSSLErrorQueue.error(.invalidConfiguration, "OpenSSL refused the protocol policy")
        }
        // Idle keep-alive connections then hold no 34 KiB read/write buffers.
        _ = kcp_SSL_CTX_set_mode(pointer, Int(SSL_MODE_RELEASE_BUFFERS))
        if role == .server {
            let id = Array("kcp-ingress".utf8)
            _ = SSL_CTX_set_session_id_context(pointer, id, UInt32(id.count))
        }
    }

    func useIdentity(_ identity: CertificateKeyPair) throws(TLSError) -> CertificateInfo {
        let chain = try PEM.certificates(identity.certificateChainPEM, what: "the certificate file")
        let key = try PEM.privateKey(identity.privateKeyPEM, what: "the private key file")
        switch key.kind {
        case .ec: break
        case .rsa(let bits) where bits >= TLSConfiguration.minimumRSABits: break
        case .rsa(let bits):
            throw TLSError(.invalidCredentials, "RSA key of \(bits) bits; at least 2048 are required")
        case .other(let name):
            throw TLSError(.invalidCredentials, "\(name) keys are not supported; use ECDSA or RSA")
        }
        guard SSL_CTX_use_certificate(pointer, chain[0].pointer) == 1 else {
            throw OpenSSLErrorQueue.error(.invalidCredentials, "the certificate was refused")
        }
        for intermediate in chain.dropFirst() where kcp_SSL_CTX_add1_chain_cert(pointer, intermediate.pointer) != 1 {
            throw OpenSSLErrorQueue.error(.invalidCredentials, "an intermediate certificate was refused")
        }
        guard SSL_CTX_use_PrivateKey(pointer, key.pointer) == 1, SSL_CTX_check_private_key(pointer) == 1 else {
            throw OpenSSLErrorQueue.error(.invalidCredentials, "the private key does not match the certificate")
        }
        return chain[0].info
    }

    func trust(_ roots: TrustRoots?) throws(TLSError) {
        guard let roots else {
            SSL_CTX_set_verify(pointer, SSL_VERIFY_NONE, nil)
            return
        }
        switch roots {
        case .system:
            guard SSL_CTX_set_default_verify_paths(pointer) == 1 else {
                throw OpenSSLErrorQueue.error(.invalidCredentials, "the system CA store could not be loaded")
            }
        case .file(let path):
            guard SSL_CTX_load_verify_locations(pointer, path, nil) == 1 else {
                throw OpenSSLErrorQueue.error(.invalidCredentials, "CA bundle \(path) could not be loaded")
            }
        case .pem(let bytes):
            let store = SSL_CTX_get_cert_store(pointer)
            for certificate in try PEM.certificates(bytes, what: "the CA data") {
                guard X509_STORE_add_cert(store, certificate.pointer) == 1 else {
                    throw OpenSSLErrorQueue.error(.invalidCredentials, "a CA certificate was refused")
                }
            }
        }
        let mode = role == .server ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER
        SSL_CTX_set_verify(pointer, mode, nil)
    }

    /// Tickets under `keys`, two per TLS 1.3 connection as OpenSSL sends by
    /// default (one measured slower for wrk, which resumes with them); no
    /// keys, no tickets, stateful ones included.
    func issueTickets(_ keys: SessionTicketKeys?) {
        guard let keys else {
            _ = SSL_CTX_set_options(pointer, kcp_SSL_OP_NO_TICKET())
            _ = SSL_CTX_set_num_tickets(pointer, 0)
            return
        }
        keys.install(on: pointer)
    }

    func configureALPN() throws(TLSError) {
        guard !alpn.bytes.isEmpty else { return }
        switch role {
        case .client:
            // Unusually, 0 means success here.
            guard SSL_CTX_set_alpn_protos(pointer, alpn.bytes.baseAddress, UInt32(alpn.bytes.count)) == 0 else {
                throw OpenSSLErrorQueue.error(.invalidConfiguration, "the ALPN list was refused")
            }
        case .server:
            // Unretained: the context owns the list and outlives every
            // handshake made from it (each connection retains its context).
            SSL_CTX_set_alpn_select_cb(pointer, selectApplicationProtocol, Unmanaged.passUnretained(alpn).toOpaque())
        }
    }
}

/// ALPN protocols in RFC 7301 wire format: each name prefixed by its length.
private final class ALPNWireList {
    let bytes: UnsafeMutableBufferPointer<UInt8>

    init(_ protocols: [String]) {
        var wire: [UInt8] = []
        for name in protocols {
            let utf8 = Array(name.utf8)
            precondition(!utf8.isEmpty && utf8.count < 256, "ALPN protocol names are 1 to 255 bytes")
            wire.append(UInt8(utf8.count))
            wire.append(contentsOf: utf8)
        }
        bytes = .allocate(capacity: wire.count)
        _ = bytes.initialize(from: wire)
    }

    deinit { bytes.deallocate() }
}

/// Picks the first of the server's protocols that the client offers; a client
/// that offers ALPN but none of ours gets a `no_application_protocol` alert.
private func selectApplicationProtocol(
    ssl: OpaquePointer?,
    out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
    outLength: UnsafeMutablePointer<UInt8>?,
    clientList: UnsafePointer<UInt8>?,
    clientLength: UInt32,
    argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let argument, let out, let outLength, let clientList else { return kcp_SSL_TLSEXT_ERR_NOACK() }
    let server = Unmanaged<ALPNWireList>.fromOpaque(argument).takeUnretainedValue().bytes
    var selected: UnsafeMutablePointer<UInt8>?
    let result = SSL_select_next_proto(
        &selected, outLength, server.baseAddress, UInt32(server.count), clientList, clientLength)
    guard result == OPENSSL_NPN_NEGOTIATED, let selected else { return kcp_SSL_TLSEXT_ERR_ALERT_FATAL() }
    out.pointee = UnsafePointer(selected)
    return kcp_SSL_TLSEXT_ERR_OK()
}

internal import COpenSSL
import Synchronization

/// The keys that protect TLS session tickets, with which a client resumes a
/// session in an abbreviated handshake instead of a full one.
///
/// One key encrypts new tickets for `rotationInterval`; then a new key takes
/// over and the old one only decrypts, for one more interval (or until the
/// next rotation), after which it is forgotten. A ticket is therefore
/// honoured for at least one interval and at most two, and a key that leaks
/// opens at most two intervals' tickets (OpenSSL's own keys live as long as
/// their context). A resumed session past its key's encrypting interval is
/// given a ticket under the current key.
///
/// Server contexts share `shared` unless told otherwise, so a certificate
/// reload, which builds a new context, does not end resumption. Replicas do
/// not share keys: a client that resumes at another replica gets a full
/// handshake, as it would without tickets.
public final class SessionTicketKeys: Sendable, Hashable {
    public static let shared = SessionTicketKeys()

    public let rotationInterval: Duration
    /// Newest first; the first encrypts while it is younger than the interval.
    private let keys = Mutex<[Key]>([])

    struct Key: Sendable {
        static let nameLength = 16
        static let secretLength = 32
        /// AES-CBC's.
        static let ivLength = 16
        /// Sent in the clear in each ticket, to find the key again.
        let name: [UInt8]
        /// AES-256-CBC.
        let cipherKey: [UInt8]
        /// HMAC-SHA256.
        let macKey: [UInt8]
        let created: ContinuousClock.Instant
    }

    public init(rotationInterval: Duration = .seconds(3600)) {
        precondition(rotationInterval > .zero, "session ticket keys need a positive rotation interval")
        self.rotationInterval = rotationInterval
    }

    /// Starts a new encrypting key now; the one before keeps decrypting for
    /// one interval. For an operator who suspects a key has leaked, and for
    /// tests.
    public func rotate() {
        let key = Self.makeKey(now: .now)
        keys.withLock { $0 = retained(after: key, in: $0) }
    }

    /// The key for a new ticket: the current one, or a new one once the
    /// current has encrypted for a whole interval.
    func encryptionKey(now: ContinuousClock.Instant) -> Key {
        keys.withLock { keys in
            if let current = keys.first, encrypts(current, now: now) { return current }
            let key = Self.makeKey(now: now)
            keys = retained(after: key, in: keys)
            return key
        }
    }

    /// The key a ticket names, if it still decrypts, and whether it is the
    /// one that encrypts now (if not, the client gets a fresh ticket).
    func decryptionKey(named name: [UInt8], now: ContinuousClock.Instant) -> (key: Key, isCurrent: Bool)? {
        keys.withLock { keys in
            guard let index = keys.firstIndex(where: { $0.name == name }), decrypts(keys[index], now: now) else {
                return nil
            }
            return (keys[index], index == 0 && encrypts(keys[index], now: now))
        }
    }

    /// `new` and the key it replaces, if that one still decrypts.
    private func retained(after new: Key, in keys: [Key]) -> [Key] {
        [new] + keys.prefix(1).filter { decrypts($0, now: new.created) }
    }

    private func encrypts(_ key: Key, now: ContinuousClock.Instant) -> Bool {
        now - key.created < rotationInterval
    }

    private func decrypts(_ key: Key, now: ContinuousClock.Instant) -> Bool {
        now - key.created < rotationInterval * 2
    }

    private static func makeKey(now: ContinuousClock.Instant) -> Key {
        var bytes = [UInt8](repeating: 0, count: Key.nameLength + 2 * Key.secretLength)
        // OpenSSL's DRBG (the FIPS provider's, where it is in use); it
        // failing leaves nothing to protect tickets with.
        guard RAND_bytes(&bytes, Int32(bytes.count)) == 1 else {
            fatalError("OpenSSL's random generator failed: \(OpenSSLErrorQueue.drain().texts)")
        }
        let cipherStart = Key.nameLength
        let macStart = cipherStart + Key.secretLength
        return Key(
            name: Array(bytes[..<cipherStart]), cipherKey: Array(bytes[cipherStart..<macStart]),
            macKey: Array(bytes[macStart...]), created: now)
    }

    public static func == (lhs: SessionTicketKeys, rhs: SessionTicketKeys) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    /// Where a context keeps its keys for the callback, which OpenSSL calls
    /// with nothing but the connection.
    static let contextDataIndex = kcp_SSL_CTX_get_ex_new_index()

    /// Makes `context` issue and accept tickets under these keys. The
    /// context's owner must keep these keys alive as long as the context.
    func install(on context: OpaquePointer) {
        SSL_CTX_set_ex_data(context, Self.contextDataIndex, Unmanaged.passUnretained(self).toOpaque())
        _ = SSL_CTX_set_tlsext_ticket_key_evp_cb(context, ticketKeyCallback)
        // The lifetime hint: a ticket is honoured at least this long.
        _ = SSL_CTX_set_timeout(context, Int(rotationInterval.components.seconds))
    }
}

/// OpenSSL's ticket key callback: on `encrypt`, fills in the key name and IV
/// and sets up the cipher and MAC for a new ticket (1); otherwise finds the
/// key the ticket names and sets them up to open it (1, or 2 to renew the
/// ticket), or says it is unknown (0, a full handshake).
private func ticketKeyCallback(
    ssl: OpaquePointer?,
    name: UnsafeMutablePointer<UInt8>?,
    iv: UnsafeMutablePointer<UInt8>?,
    cipher: OpaquePointer?,
    mac: OpaquePointer?,
    encrypt: Int32
) -> Int32 {
    guard let ssl, let name, let iv, let cipher, let mac, let context = SSL_get_SSL_CTX(ssl),
        let stored = SSL_CTX_get_ex_data(context, SessionTicketKeys.contextDataIndex)
    else { return -1 }
    let keys = Unmanaged<SessionTicketKeys>.fromOpaque(stored).takeUnretainedValue()
    let now = ContinuousClock.now
    let chosen: SessionTicketKeys.Key
    var result: Int32 = 1
    if encrypt == 1 {
        chosen = keys.encryptionKey(now: now)
        guard RAND_bytes(iv, Int32(SessionTicketKeys.Key.ivLength)) == 1 else { return -1 }
        for (index, byte) in chosen.name.enumerated() { name[index] = byte }
    } else {
        let wanted = Array(UnsafeBufferPointer(start: name, count: SessionTicketKeys.Key.nameLength))
        guard let found = keys.decryptionKey(named: wanted, now: now) else { return 0 }
        chosen = found.key
        result = found.isCurrent ? 1 : 2
    }
    guard kcp_ticket_mac_init(mac, chosen.macKey, chosen.macKey.count) == 1,
        kcp_ticket_cipher_init(cipher, chosen.cipherKey, iv, encrypt) == 1
    else { return -1 }
    return result
}

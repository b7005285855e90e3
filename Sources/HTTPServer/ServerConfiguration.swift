public import HTTP2
public import NIOCore
public import TLS

/// Where a listener binds, parsed from the `host:port` form of the flags.
public struct BindAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `:port` (all interfaces) or `[v6]:port`. Returns
    /// nil for `0`, which controller-runtime uses to switch a listener off.
    public init?(flag: String) throws(BindAddressError) {
        if flag == "0" { return nil }
        guard let colon = flag.lastIndex(of: ":"), let port = Int(flag[flag.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw BindAddressError(value: flag) }
        var host = String(flag[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

public struct BindAddressError: Error, CustomStringConvertible {
    public var value: String
    public var description: String { "\(value) is not an address: use host:port, :port or 0 to disable" }
}

/// Limits that protect a listener from large, slow or idle clients.
public struct ConnectionLimits: Hashable, Sendable {
    /// Bodies larger than this get 413 before they are read.
    public var maxRequestBytes: Int = 7 * 1024 * 1024
    /// Request lines plus headers larger than this get 431. On HTTP/2 it is
    /// the header list size (RFC 9113 §6.5.2), advertised in SETTINGS and
    /// answered with 431 on the stream that goes over it.
    public var maxHeaderBytes: Int = 64 * 1024
    /// The time a client has to send the rest of a request once it began,
    /// and to complete the TLS handshake. On HTTP/2 it runs per stream, from
    /// the request's headers to its end; a stream not finished by then is
    /// reset (streamed routes such as gRPC's are exempt).
    public var readTimeout: TimeAmount = .seconds(30)
    /// How long a keep-alive connection may wait for its next request.
    public var idleTimeout: TimeAmount = .seconds(120)
    /// How the listener words the refusals it makes itself (413, 400, 431).
    public var refusalFormat: RefusalFormat = .plainText

    public init() {}
}

/// Which HTTP versions a listener speaks.
public enum HTTPProtocols: Hashable, Sendable {
    /// HTTP/1.1 only.
    case http1
    /// HTTP/2 only: over TLS with ALPN `h2`, or in cleartext with prior
    /// knowledge (h2c), as gRPC clients such as Envoy connect.
    case http2
    /// HTTP/2 or HTTP/1.1 as the client chooses by ALPN; needs TLS whose
    /// context advertises `h2` and `http/1.1`.
    case negotiated
}

/// One listener: its name (for logs and metrics), address, TLS and routes.
public struct ServerConfiguration: Sendable {
    public var name: String
    public var address: BindAddress
    public var protocols: HTTPProtocols = .http1
    /// HTTP/2 session settings; the header list size is taken from
    /// `limits.maxHeaderBytes` (see `effectiveHTTP2Settings`).
    public var http2Settings = HTTP2Settings()
    /// Returns the context for each new connection; nil serves cleartext.
    public var tls: (@Sendable () -> TLSContext)?
    public var limits: ConnectionLimits
    /// Time in-flight requests get to finish once shutdown begins.
    public var shutdownGracePeriod: Duration
    /// Once shutdown begins, how long an idle keep-alive connection stays
    /// open for a request its client may already be sending; a request that
    /// comes is answered with `connection: close`. Bounded by the grace period.
    public var drainWindow: Duration = .seconds(1)

    public init(
        name: String,
        address: BindAddress,
        protocols: HTTPProtocols = .http1,
        tls: (@Sendable () -> TLSContext)? = nil,
        limits: ConnectionLimits = ConnectionLimits(),
        shutdownGracePeriod: Duration = .seconds(30)
    ) {
        self.name = name
        self.address = address
        self.protocols = protocols
        self.tls = tls
        self.limits = limits
        self.shutdownGracePeriod = shutdownGracePeriod
    }
}

extension ServerConfiguration {
    /// The HTTP/2 settings a connection gets: `http2Settings`, with the
    /// header list size of `limits`, so that one flag bounds headers on both
    /// protocols.
    /// What an HTTP/1.1 connection of this listener is held to.
    var http1Configuration: HTTP1ConnectionStateMachine.Configuration {
        HTTP1ConnectionStateMachine.Configuration(limits: limits, drainWindow: drainWindow)
    }

    var effectiveHTTP2Settings: HTTP2Settings {
        var settings = http2Settings
        settings.maxHeaderListSize = UInt32(clamping: limits.maxHeaderBytes)
        return settings
    }
}

extension HTTP1ConnectionStateMachine.Configuration {
    /// A listener's limits and drain window.
    init(limits: ConnectionLimits, drainWindow: Duration) {
        self.init(
            limits: HTTP1RequestParser.Limits(
                maxHeaderBytes: limits.maxHeaderBytes, maxBodyBytes: limits.maxRequestBytes),
            readTimeout: .nanoseconds(limits.readTimeout.nanoseconds),
            idleTimeout: .nanoseconds(limits.idleTimeout.nanoseconds), drainWindow: drainWindow)
    }
}

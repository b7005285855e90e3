/// One address at which a physical cluster's gateway takes plain HTTP: an
/// IP or a DNS name, and a port.
public struct GatewayAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// An IPv4 or IPv6 address (IPv6 without brackets), or a DNS name.
    public var host: String
    public var port: Int

    /// The port a gateway is reached on when its status names none.
    public static let defaultPort = 80

    public init(host: String, port: Int = GatewayAddress.defaultPort) {
        self.host = host
        self.port = port
    }

    /// An IP needs no resolution (a static endpoint); a name is resolved by
    /// Envoy (a DNS endpoint).
    public var isIP: Bool { Self.isIPv4(host) || Self.isIPv6(host) }

    /// `host:port`, IPv6 in brackets: `[2001:db8::1]:80`.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public static func < (lhs: GatewayAddress, rhs: GatewayAddress) -> Bool {
        (lhs.host, lhs.port) < (rhs.host, rhs.port)
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4
            && parts.allSatisfy { part in
                !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCIIDigit) && Int(part)! <= 255
            }
    }

    /// Shape only (hex groups, colons, an optional embedded IPv4 tail):
    /// enough to tell an address from a DNS name, which never has a colon.
    static func isIPv6(_ text: String) -> Bool {
        text.contains(":") && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

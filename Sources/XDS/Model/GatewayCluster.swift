import KubeAPI
public import Placement

/// An Envoy cluster that reaches the gateway of one physical cluster: the
/// distinct set of addresses that cluster's leaves report. Every root served
/// there shares it, so there are about as many of these as physical
/// clusters, however many roots there are.
public struct GatewayCluster: Hashable, Sendable {
    /// How Envoy finds the cluster's hosts.
    public enum Discovery: Hashable, Sendable {
        /// Every endpoint is an IP: Envoy uses them as they are.
        case `static`
        /// At least one endpoint is a DNS name: Envoy resolves each name and
        /// uses every address it returns (an IP endpoint resolves to itself).
        case strictDNS
    }

    /// Derived from the endpoints alone, so the same set always has the same name.
    public var name: String
    /// Sorted, without duplicates; never empty.
    public var endpoints: [GatewayAddress]

    public var discovery: Discovery { endpoints.allSatisfy(\.isIP) ? .static : .strictDNS }

    /// The cluster of `endpoints` (sorted and made distinct here); nil for none.
    public init?(endpoints: some Sequence<GatewayAddress>) {
        let distinct = Array(Set(endpoints)).sorted()
        guard !distinct.isEmpty else { return nil }
        self.endpoints = distinct
        self.name = Self.name(for: distinct)
    }

    /// Names longer than this are replaced by a hash, so a gateway with many
    /// addresses does not give Envoy a cluster name (and stat names) of
    /// hundreds of characters.
    static let readableNameLimit = 64

    /// `gateway_` and the addresses joined with `_` when that is short
    /// (`gateway_192.0.2.1:80_192.0.2.2:80`), else `gateway_` and a 64-bit
    /// hash of that text in hex.
    static func name(for sortedEndpoints: [GatewayAddress]) -> String {
        let readable = "gateway_" + sortedEndpoints.map(\.description).joined(separator: "_")
        guard readable.utf8.count > readableNameLimit else { return readable }
        return "gateway_" + ContentHash.hex(readable.utf8)
    }
}

import KubeAPI
public import SwiftProtobuf

/// One named Envoy resource, serialised once and shared by every stream.
///
/// Its version is a hash of its bytes: the same content has the same
/// version in every replica and after a restart, so an Envoy that
/// reconnects with the versions it holds is not sent them again.
public struct XDSResource: Sendable, Equatable {
    public let name: String
    public let version: String
    public let body: Google_Protobuf_Any
    /// Clusters this resource routes to: it is sent only once Envoy has
    /// every one of them, and they are kept while Envoy may still use it.
    public let clusters: Set<String>
    /// Virtual hosts carried inside (a route configuration with them
    /// inline, as state of the world sends them), name → version.
    public let virtualHosts: [String: String]

    public init(
        name: String, body: Google_Protobuf_Any, clusters: Set<String> = [], virtualHosts: [String: String] = [:]
    ) {
        self.init(
            name: name, body: body, version: ContentHash.hex(body.value), clusters: clusters, virtualHosts: virtualHosts
        )
    }

    /// With a version worked out by the caller: it must change whenever the bytes do.
    init(
        name: String, body: Google_Protobuf_Any, version: String, clusters: Set<String>, virtualHosts: [String: String]
    ) {
        self.name = name
        self.version = version
        self.body = body
        self.clusters = clusters
        self.virtualHosts = virtualHosts
    }

    public init(
        name: String, message: some Message, clusters: Set<String> = [], virtualHosts: [String: String] = [:]
    ) throws {
        // Serialised once, here: an Any made from a message would encode it
        // again on every read of its bytes.
        var body = Google_Protobuf_Any()
        body.typeURL = "type.googleapis.com/" + type(of: message).protoMessageName
        body.value = try message.serializedBytes()
        self.init(name: name, body: body, clusters: clusters, virtualHosts: virtualHosts)
    }

    public static func == (lhs: XDSResource, rhs: XDSResource) -> Bool {
        lhs.name == rhs.name && lhs.version == rhs.version
    }
}

/// FNV-1a, 64 bits, in hex: a stable content version (not a security hash:
/// Envoy only compares versions for equality).
enum ContentHash {
    /// Stable across processes and releases, unlike `Hasher`.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        FNV1a.hash64(bytes).zeroPadded(width: 16, radix: 16)
    }

    /// A version for a sequence of strings, in their order.
    static func hex(ordered parts: [String]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(parts.reduce(0) { $0 + $1.utf8.count + 1 })
        for part in parts {
            bytes.append(contentsOf: part.utf8)
            bytes.append(0)
        }
        return hex(bytes)
    }

    /// A version for a set of resources: independent of their order.
    static func hex(versions: [String: String]) -> String {
        hex(ordered: versions.keys.sorted().flatMap { [$0, versions[$0]!] })
    }
}

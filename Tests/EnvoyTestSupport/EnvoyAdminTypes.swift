/// A cluster as `/clusters?format=json` reports it.
public struct EnvoyCluster: Sendable, Equatable {
    public var name: String
    /// True for clusters that came over xDS, false for the bootstrap's.
    public var addedViaAPI: Bool
    public var hosts: [EnvoyHost]
}

/// One endpoint of an `EnvoyCluster`.
public struct EnvoyHost: Sendable, Equatable {
    public var address: String
    public var port: Int
    /// `health_status.eds_health_status` (`HEALTHY` for a static host).
    public var edsHealthStatus: String?
    public var weight: Int
}

/// A listener as `/listeners?format=json` reports it: the port it bound.
public struct EnvoyListener: Sendable, Equatable {
    public var name: String
    public var address: String
    public var port: Int
}

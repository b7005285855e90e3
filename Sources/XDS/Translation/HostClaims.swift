/// Who serves each host. Envoy refuses a whole route table in which two
/// virtual hosts share a domain, so a host belongs to one root: roots claim
/// their hosts oldest first and the first claim stands. One dictionary
/// look-up per host keeps 10,000 roots linear.
struct HostClaims {
    private var owners: [String: RootIdentity] = [:]
    private(set) var conflicts: [HostConflict] = []

    /// The hosts of `hosts` (distinct, normalised) that `root` keeps; each
    /// one already owned is recorded as a conflict.
    mutating func claim(_ hosts: [String], by root: RootIdentity) -> [String] {
        var kept: [String] = []
        for host in hosts {
            if let owner = owners[host] {
                conflicts.append(HostConflict(host: host, winner: owner, loser: root))
                continue
            }
            owners[host] = root
            kept.append(host)
        }
        return kept
    }
}

import Foundation

/// The CPUs this process may run on (its affinity: `taskset`, a cpuset),
/// from `/proc/self/status`. NIO sizes its event loops by the machine's
/// CPUs and a cgroup's quota, not by affinity; more loops than allowed CPUs
/// only take turns on them, and a request whose loop waits for its turn
/// waits a whole scheduler slice (milliseconds at p99).
enum AllowedCPUs {
    static func count(status: String? = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) -> Int? {
        guard let status,
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return nil }
        return count(list: line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces))
    }

    /// `0-3,8,10-11` → 7; nil when it does not parse.
    static func count(list: String) -> Int? {
        var total = 0
        for range in list.split(separator: ",") {
            let bounds = range.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            switch bounds.count {
            case 1:
                guard bounds[0] != nil else { return nil }
                total += 1
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }
                total += high - low + 1
            default:
                return nil
            }
        }
        return total > 0 ? total : nil
    }
}

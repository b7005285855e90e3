import KubeAPI
import Placement

/// Hosts as Envoy domains and route conditions.
enum HostDomains {
    /// `host` lower-cased without a final dot, if it is a host a root may
    /// claim (a DNS-1123 subdomain, or `*.` and one); nil otherwise, so a
    /// malformed host that admission did not see can never become an Envoy
    /// domain such as `*` or `a.com:*` that swallows other roots' traffic.
    static func normalized(_ host: String) -> String? {
        let normal = PlacementIndex.normalizedHost(host)
        return NameValidation.hostError(normal) == nil ? normal : nil
    }

    /// An exact host and `host:*` (Envoy's prefix wildcard, for a Host
    /// header with a port); a wildcard host as it is: Envoy cannot put a
    /// port after a suffix wildcard (the listener strips ports instead).
    static func domains(for host: String) -> [String] {
        isWildcard(host) ? [host] : [host, host + ":*"]
    }

    static func isWildcard(_ host: String) -> Bool { host.hasPrefix("*.") }

    /// An `:authority` condition that holds only for `hosts`, each wildcard
    /// matching exactly one DNS label as Ingress and Route wildcards do
    /// (Envoy's `*.example.com` also takes `a.b.example.com`); a port may
    /// follow. Case-insensitive, as host names are. Groups do not capture
    /// and each route names only its own hosts: Envoy refuses a regular
    /// expression whose RE2 program outgrows `re2.max_program_size`
    /// (100 by default), which a host of about 85 characters reaches.
    static func authorityMatch(for hosts: [String]) -> HeaderMatch {
        let alternatives = hosts.map { host in
            isWildcard(host) ? "[^.:]+" + escaped(String(host.dropFirst())) : escaped(host)
        }
        let regex = "(?i)(?:" + alternatives.joined(separator: "|") + ")(?::[0-9]+)?"
        return HeaderMatch(name: ":authority", value: .regex(regex))
    }

    /// Only `.` is special among the characters a valid host holds.
    private static func escaped(_ host: String) -> String {
        host.replacing(".", with: "\\.")
    }
}

import KubeAPI
import Placement

/// Hosts as Envoy domains and route conditions.
enum HostDomains {
    /// An exact host and `host:*` (Envoy's prefix wildcard, for a Host
    /// header with a port); a wildcard host as it is: Envoy cannot put a
    /// port after a suffix wildcard (the listener strips ports instead).
    static func domains(for host: String) -> [String] {
        HostNames.isWildcard(host) ? [host] : [host, host + ":*"]
    }

    /// An `:authority` condition that holds only for `host`.
    ///
    /// A wildcard matches exactly one DNS label, as Ingress and Route
    /// wildcards do (Envoy's `*.example.com` also takes `a.b.example.com`):
    /// a case-insensitive regular expression, a port allowed after it. An
    /// exact host is a case-insensitive exact match instead: no regular
    /// expression, because Envoy refuses one whose RE2 program outgrows
    /// `re2.max_program_size` (100 by default), which a host of about 90
    /// characters reaches; it relies on the listener dropping the port
    /// (`EnvoyListener.stripsHostPort`).
    static func authorityMatch(for host: String) -> HeaderMatch {
        guard HostNames.isWildcard(host) else {
            return HeaderMatch(name: ":authority", value: .exactIgnoringCase(host))
        }
        let regex = "(?i)[^.:]+" + escaped(String(host.dropFirst())) + "(?::[0-9]+)?"
        return HeaderMatch(name: ":authority", value: .regex(regex))
    }

    /// Only `.` is special among the characters a valid host holds.
    private static func escaped(_ host: String) -> String {
        host.replacing(".", with: "\\.")
    }
}

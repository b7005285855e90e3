import KubeAPI

/// Hosts as roots write them, made comparable.
public enum HostNames {
    /// `host` lower-cased without a final dot, if it is a host a root may
    /// claim (a DNS-1123 subdomain, or `*.` and one); nil otherwise, so a
    /// malformed host that admission did not see can never become an Envoy
    /// domain such as `*` or `a.com:*` that swallows other roots' traffic.
    public static func normalized(_ host: String) -> String? {
        let normal = PlacementIndex.normalizedHost(host)
        return NameValidation.hostError(normal) == nil ? normal : nil
    }

    public static func isWildcard(_ host: String) -> Bool { host.hasPrefix("*.") }
}

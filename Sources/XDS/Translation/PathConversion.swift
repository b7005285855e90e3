/// Path conversions shared by the kinds.
enum PathConversion {
    /// An element-wise prefix: `/foo/` and `/foo` both take `/foo`,
    /// `/foo/bar` and not `/foobar`. Envoy's `path_separated_prefix` wants no
    /// trailing `/`, so it is trimmed, and `/` itself (which takes every
    /// path) becomes the plain prefix `/`.
    static func elementPrefix(_ path: String) -> PathMatch {
        var trimmed = Substring(path)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        // Envoy refuses a `path_separated_prefix` holding `?` or `#` (its
        // path has no query or fragment), and one refused route refuses
        // the whole update: such a path stays a plain prefix.
        if trimmed.isEmpty { return .prefix("/") }
        if trimmed.contains(where: { $0 == "?" || $0 == "#" }) { return .prefix(path) }
        return .pathSeparatedPrefix(String(trimmed))
    }
}

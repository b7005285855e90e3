/// A request target in absolute form (`GET http://host/healthz`), which a
/// server must accept (RFC 9112 §3.2.2) although clients send it mostly to
/// proxies: split into the origin-form target routing uses and the
/// authority, which replaces the `Host` header.
struct AbsoluteFormTarget: Equatable {
    /// Path and query, `/` when the target names none.
    var originForm: String
    var authority: String

    /// Nil for any target not in absolute form (origin form, `*`).
    init?(_ target: String) {
        // Nearly every request is in origin form: decided on the first byte.
        guard target.utf8.first != UInt8(ascii: "/"), let schemeEnd = target.firstRange(of: "://") else {
            return nil
        }
        let scheme = target[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = target[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        authority = String(rest[..<authorityEnd])
        let remainder = rest[authorityEnd...]
        originForm = remainder.hasPrefix("/") ? String(remainder) : "/" + remainder
    }
}

import KubeAPI

/// Names derived from a root's name, always valid and stable.
public enum LeafNames {
    /// The name of a root's leaf on `cluster`: `<root>--<cluster>`. When that
    /// is not a DNS-1123 subdomain of at most `limit` characters (253 for the
    /// kinds here), the name is made safe (lower case, other characters as
    /// `-`, empty dot-separated parts dropped), cut to fit, and a hash of the
    /// unaltered `<root>--<cluster>` is appended, so that different inputs
    /// keep different names and the same input always gives the same name.
    public static func leafName(root: String, cluster: String, limit: Int = 253) -> String {
        fit("\(root)--\(cluster)", limit: limit)
    }

    /// `name` as a label value (at most 63 characters, DNS-1123 shaped, so
    /// also a valid label value), for labels such as `kcp.dev/owned-by` that
    /// point back at a root whose name may be longer.
    public static func labelValue(_ name: String) -> String {
        fit(name, limit: 63)
    }

    static func fit(_ candidate: String, limit: Int) -> String {
        if candidate.utf8.count <= limit, NameValidation.dns1123SubdomainError(candidate) == nil {
            return candidate
        }
        let hash = FNV1a.hash32(candidate).hex
        var kept = Substring(safeSubdomain(candidate).prefix(limit - hash.count - 1))
        // Cutting may leave a `-` or `.` at the end; the hash follows a `-`.
        while let last = kept.last, !isLowerAlphanumeric(last) { kept = kept.dropLast() }
        let name = kept.isEmpty ? hash : "\(kept)-\(hash)"
        // The hash alone is always a valid name: the last resort, should the
        // rules above ever miss a case.
        return NameValidation.dns1123SubdomainError(name) == nil ? name : hash
    }

    /// `text` lower-cased, with every character outside `a-z0-9.` as `-`,
    /// split at dots into parts that start and end alphanumeric (empty parts
    /// dropped), joined again.
    private static func safeSubdomain(_ text: String) -> String {
        let mapped = String(text.lowercased().map { isLowerAlphanumeric($0) || $0 == "." ? $0 : "-" })
        return mapped.split(separator: ".")
            .map { part in
                part.drop { !isLowerAlphanumeric($0) }.reversed().drop { !isLowerAlphanumeric($0) }.reversed()
            }
            .filter { !$0.isEmpty }
            .map { String($0) }
            .joined(separator: ".")
    }

    private static func isLowerAlphanumeric(_ character: Character) -> Bool {
        character.isASCII && (character.isNumber || ("a"..."z").contains(character))
    }
}

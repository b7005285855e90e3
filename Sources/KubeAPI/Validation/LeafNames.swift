/// Names derived from a root's name, kept valid and stable.
public enum LeafNames {
    /// The name of a root's leaf on `cluster`: `<root>--<cluster>`, lowercased
    /// and made DNS-safe. When that changed any character or is longer than
    /// `limit` (253 for the kinds here), it is truncated and a hash of the
    /// unaltered `<root>--<cluster>` is appended, so different inputs keep
    /// different names and the same input always gives the same name.
    public static func leafName(root: String, cluster: String, limit: Int = 253) -> String {
        fit("\(root)--\(cluster)", limit: limit)
    }

    /// `name` as a label value (at most 63 characters), for labels such as
    /// `kcp.dev/owned-by` that point back at a root whose name may be longer.
    public static func labelValue(_ name: String) -> String {
        fit(name, limit: 63)
    }

    private static func fit(_ candidate: String, limit: Int) -> String {
        let safe = String(
            candidate.lowercased().map { character -> Character in
                character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == ".")
                    ? character : "-"
            })
        if safe == candidate, safe.utf8.count <= limit, NameValidation.dns1123SubdomainError(safe) == nil {
            return safe
        }
        let hash = FNV1a.hash32(candidate).hex
        var kept = Substring(safe.prefix(limit - hash.count - 1))
        // The kept part must end, and start, alphanumeric.
        while let last = kept.last, !(last.isLetter || last.isNumber) { kept = kept.dropLast() }
        while let first = kept.first, !(first.isLetter || first.isNumber) { kept = kept.dropFirst() }
        return kept.isEmpty ? hash : "\(kept)-\(hash)"
    }
}

/// The 32-bit FNV-1a hash, as Go's `hash/fnv` computes it: the proof of
/// concept used it for status hosts, and it makes short stable suffixes.
public enum FNV1a {
    public static func hash32(_ text: String) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }
}

extension UInt32 {
    /// Eight lower-case hexadecimal digits.
    public var hex: String {
        let digits = String(self, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

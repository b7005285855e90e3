/// The FNV-1a hash, as Go's `hash/fnv` computes it: the proof of
/// concept used it for status hosts, and it makes short stable suffixes for
/// names and ETags. It lives here, below `Placement`, because the
/// development API server's ETags use it too.
public enum FNV1a {
    public static func hash32(_ text: String) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }

    /// The 64-bit variant, for content versions and long names.
    public static func hash64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

extension UInt32 {
    /// Eight lower-case hexadecimal digits.
    public var hex: String { zeroPadded(width: 8, radix: 16) }
}

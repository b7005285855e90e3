extension BinaryInteger {
    /// The integer's digits in `radix`, left-padded with zeros to `width`:
    /// `0x2c.zeroPadded(width: 4, radix: 16)` is `002c`. Used for hashes in
    /// names, `\u` escapes and timestamps, which all need fixed widths.
    public func zeroPadded(width: Int, radix: Int = 10, uppercase: Bool = false) -> String {
        let digits = String(self, radix: radix, uppercase: uppercase)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

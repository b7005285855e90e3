import KubeAPI

/// `metav1.Time` and `metav1.MicroTime` from their protobuf form (a
/// Timestamp: seconds = 1, nanos = 2) to the JSON Go writes for them.
enum KubernetesTime {
    /// Go's zero `time.Time` as Unix seconds (0001-01-01T00:00:00Z); both
    /// types write it as `null`.
    static let zeroSeconds: Int64 = -62_135_596_800

    static func json(_ reader: ProtobufReader, micro: Bool, path: String) throws(ProtobufError) -> JSON {
        var reader = reader
        var seconds: Int64 = 0
        var nanos: Int64 = 0
        while let (number, wireType) = try reader.nextField() {
            switch (number, wireType) {
            case (1, .varint): seconds = Int64(bitPattern: try reader.varint())
            case (2, .varint): nanos = Int64(Int32(truncatingIfNeeded: try reader.varint()))
            default: try reader.skip(wireType)
            }
        }
        // metav1.Time keeps whole seconds only (its Unmarshal drops nanos).
        guard micro else {
            return seconds == zeroSeconds ? .null : .string(try rfc3339(seconds: seconds, micros: nil, path: path))
        }
        // time.Unix normalises nanos outside [0, 1e9) into the seconds.
        let (carry, remainder) = nanos.quotientAndRemainder(dividingBy: 1_000_000_000)
        var (whole, fraction) = seconds.addingReportingOverflow(carry)
        guard !fraction else { throw ProtobufError("\(path) is out of range") }
        var nanosecond = remainder
        if nanosecond < 0 {
            (whole, fraction) = whole.subtractingReportingOverflow(1)
            guard !fraction else { throw ProtobufError("\(path) is out of range") }
            nanosecond += 1_000_000_000
        }
        if whole == zeroSeconds, nanosecond == 0 { return .null }
        return .string(try rfc3339(seconds: whole, micros: nanosecond / 1000, path: path))
    }

    /// `2006-01-02T15:04:05Z`, or with `.000000` microseconds, in UTC.
    static func rfc3339(seconds: Int64, micros: Int64?, path: String) throws(ProtobufError) -> String {
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        guard (0...9999).contains(year) else { throw ProtobufError("\(path) has a year outside 0 to 9999") }
        var text =
            pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
            + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if let micros { text += "." + pad(micros, 6) }
        return text + "Z"
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard
    /// Hinnant's `civil_from_days`).
    private static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = daysSinceEpoch + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

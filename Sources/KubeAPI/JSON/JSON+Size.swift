extension JSON {
    /// The length of `bytes` without printing it, counting no further than
    /// just past `limit`: a caller asks "is this larger than N?" and pays at
    /// most N, however large the value is. A value made by JSON Patch
    /// copies can share its parts many times over (Swift's copy-on-write
    /// keeps one copy in memory), so its printed size can be exponential in
    /// what it holds; the cut-off keeps that question cheap.
    ///
    /// Strings count their UTF-8 bytes and quotes; the few escapes the
    /// printer adds (`\"`, `\\`, control characters) are not counted, so the
    /// result can fall short of the printed length by those escapes.
    public func encodedSize(upTo limit: Int) -> Int {
        var total = 0
        accumulateSize(into: &total, limit: limit)
        return total
    }

    private func accumulateSize(into total: inout Int, limit: Int) {
        guard total <= limit else { return }
        switch self {
        case .null: total += 4
        case .bool(let value): total += value ? 4 : 5
        case .integer(let value): total += Self.digitCount(value)
        case .number(let value): total += value.literal.utf8.count
        case .string(let value): total += value.utf8.count + 2
        case .array(let elements):
            total += 2 + max(0, elements.count - 1)
            for element in elements {
                element.accumulateSize(into: &total, limit: limit)
                if total > limit { return }
            }
        case .object(let object):
            total += 2 + max(0, object.count - 1)
            for member in object.members {
                total += member.key.utf8.count + 3
                member.value.accumulateSize(into: &total, limit: limit)
                if total > limit { return }
            }
        }
    }

    private static func digitCount(_ value: Int64) -> Int {
        var count = value < 0 ? 2 : 1
        var magnitude = value.magnitude
        while magnitude >= 10 {
            magnitude /= 10
            count += 1
        }
        return count
    }
}

extension JSON {
    /// How deeply arrays and objects nest (0 for a scalar, 1 for `[]`), as
    /// the parser's `maxDepth` counts, descending no further than `limit`:
    /// the answer is `limit` for anything at least that deep, and the walk
    /// never recurses past it.
    public func depth(upTo limit: Int) -> Int {
        guard limit > 0 else { return 0 }
        switch self {
        case .array(let elements):
            var deepest = 0
            for element in elements where deepest < limit - 1 {
                deepest = max(deepest, element.depth(upTo: limit - 1))
            }
            return 1 + deepest
        case .object(let object):
            var deepest = 0
            for member in object.members where deepest < limit - 1 {
                deepest = max(deepest, member.value.depth(upTo: limit - 1))
            }
            return 1 + deepest
        default:
            return 0
        }
    }
}

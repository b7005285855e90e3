extension LabelSelector {
    /// Parses the string syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
    /// `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma-joined; an empty string
    /// selects everything. Errors give the position.
    public init(parsing text: String) throws(LabelSelectorError) {
        var scanner = SelectorScanner(Array(text.unicodeScalars))
        var requirements: [LabelRequirement] = []
        scanner.skipSpaces()
        if scanner.atEnd {
            self.init()
            return
        }
        while true {
            requirements.append(try scanner.requirement())
            scanner.skipSpaces()
            if scanner.atEnd { break }
            try scanner.expect(",")
        }
        self.init(requirements)
    }
}

private struct SelectorScanner {
    let scalars: [Unicode.Scalar]
    var position = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    var atEnd: Bool { position >= scalars.count }
    var current: Unicode.Scalar? { atEnd ? nil : scalars[position] }

    func error(_ message: String) -> LabelSelectorError {
        LabelSelectorError("\(message) at position \(position)")
    }

    mutating func skipSpaces() {
        while let scalar = current, scalar.properties.isWhitespace { position += 1 }
    }

    mutating func expect(_ scalar: Unicode.Scalar) throws(LabelSelectorError) {
        skipSpaces()
        guard current == scalar else { throw error("expected '\(scalar)'") }
        position += 1
    }

    /// A key or value: everything up to a delimiter.
    mutating func word() -> String {
        skipSpaces()
        let start = position
        while let scalar = current, !scalar.properties.isWhitespace, !"=!,()<>".unicodeScalars.contains(scalar) {
            position += 1
        }
        return String(String.UnicodeScalarView(scalars[start..<position]))
    }

    mutating func requirement() throws(LabelSelectorError) -> LabelRequirement {
        skipSpaces()
        let start = position
        if current == "!" {
            position += 1
            let key = word()
            guard !key.isEmpty else { throw error("expected a label key after '!'") }
            return try make(key, .doesNotExist, [], at: start)
        }
        let key = word()
        guard !key.isEmpty else { throw error("expected a label key") }
        skipSpaces()
        switch current {
        case nil, ",":
            return try make(key, .exists, [], at: start)
        case "=":
            position += 1
            if current == "=" { position += 1 }
            return try make(key, .equals, [word()], at: start)
        case "!":
            position += 1
            try expectImmediately("=")
            return try make(key, .notEquals, [word()], at: start)
        case ">":
            position += 1
            return try make(key, .greaterThan, [word()], at: start)
        case "<":
            position += 1
            return try make(key, .lessThan, [word()], at: start)
        default:
            let keyword = word()
            switch keyword {
            case "in": return try make(key, .in, try valueSet(), at: start)
            case "notin": return try make(key, .notIn, try valueSet(), at: start)
            default:
                throw error("expected '=', '!=', '==', 'in', 'notin', '>', '<', ',' or the end, found \"\(keyword)\"")
            }
        }
    }

    mutating func expectImmediately(_ scalar: Unicode.Scalar) throws(LabelSelectorError) {
        guard current == scalar else { throw error("expected '\(scalar)'") }
        position += 1
    }

    mutating func valueSet() throws(LabelSelectorError) -> [String] {
        try expect("(")
        var values: [String] = []
        skipSpaces()
        if current == ")" {
            position += 1
            return values
        }
        while true {
            values.append(word())
            skipSpaces()
            if current == ")" {
                position += 1
                return values
            }
            try expect(",")
        }
    }

    func make(
        _ key: String,
        _ op: LabelRequirement.Operator,
        _ values: [String],
        at start: Int
    ) throws(LabelSelectorError) -> LabelRequirement {
        do {
            return try LabelRequirement(key: key, operator: op, values: values)
        } catch {
            throw LabelSelectorError("\(error.message) at position \(start)")
        }
    }
}

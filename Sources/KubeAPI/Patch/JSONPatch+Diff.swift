extension JSONPatch {
    /// A small patch that turns `source` into `target`: objects are compared
    /// member by member, arrays element by element with appends and removals
    /// at the end, and anything else that differs is replaced. Applying it to
    /// `source` gives a value equal to `target`; equal values give no
    /// operations, which is what makes a webhook's answer empty when it has
    /// nothing to change.
    public static func diff(from source: JSON, to target: JSON) -> JSONPatch {
        var operations: [Operation] = []
        diff(source, target, at: JSONPointer(tokens: []), into: &operations)
        return JSONPatch(operations)
    }

    private static func diff(_ source: JSON, _ target: JSON, at path: JSONPointer, into operations: inout [Operation]) {
        switch (source, target) {
        case (.object(let from), .object(let to)):
            for key in from.keys where to[key] == nil {
                operations.append(.remove(path.appending(key)))
            }
            for (key, value) in to {
                if let old = from[key] {
                    diff(old, value, at: path.appending(key), into: &operations)
                } else {
                    operations.append(.add(path.appending(key), value))
                }
            }
        case (.array(let from), .array(let to)):
            for index in 0..<min(from.count, to.count) {
                diff(from[index], to[index], at: path.appending(String(index)), into: &operations)
            }
            if to.count > from.count {
                for index in from.count..<to.count {
                    operations.append(.add(path.appending(String(index)), to[index]))
                }
            } else {
                for index in (to.count..<from.count).reversed() {
                    operations.append(.remove(path.appending(String(index))))
                }
            }
        default:
            // A number respelled (1.0 → 1) is a change too.
            if !source.isIdentical(to: target) {
                operations.append(.replace(path, target))
            }
        }
    }
}

/// An RFC 6902 JSON Patch: what an admission webhook answers with, and one
/// of the patch types the API server accepts.
public struct JSONPatch: Hashable, Sendable {
    public enum Operation: Hashable, Sendable {
        case add(JSONPointer, JSON)
        case remove(JSONPointer)
        case replace(JSONPointer, JSON)
        case move(from: JSONPointer, to: JSONPointer)
        case copy(from: JSONPointer, to: JSONPointer)
        case test(JSONPointer, JSON)
    }

    public var operations: [Operation]

    public init(_ operations: [Operation] = []) {
        self.operations = operations
    }

    public var isEmpty: Bool { operations.isEmpty }

    /// Reads a patch document: an array of operation objects.
    public init(json: JSON) throws(PatchError) {
        guard case .array(let elements) = json else { throw PatchError("a JSON patch must be an array of operations") }
        var operations: [Operation] = []
        for (index, element) in elements.enumerated() {
            operations.append(try Self.operation(element, index: index))
        }
        self.operations = operations
    }

    private static func operation(_ json: JSON, index: Int) throws(PatchError) -> Operation {
        guard case .object(let object) = json else { throw PatchError("operation \(index) is not an object") }
        func pointer(_ key: String) throws(PatchError) -> JSONPointer {
            guard case .string(let text)? = object[key] else {
                throw PatchError("operation \(index) has no \"\(key)\" string")
            }
            return try JSONPointer(text)
        }
        func value() throws(PatchError) -> JSON {
            guard let value = object["value"] else { throw PatchError("operation \(index) has no \"value\"") }
            return value
        }
        guard case .string(let op)? = object["op"] else { throw PatchError("operation \(index) has no \"op\" string") }
        switch op {
        case "add": return .add(try pointer("path"), try value())
        case "remove": return .remove(try pointer("path"))
        case "replace": return .replace(try pointer("path"), try value())
        case "move": return .move(from: try pointer("from"), to: try pointer("path"))
        case "copy": return .copy(from: try pointer("from"), to: try pointer("path"))
        case "test": return .test(try pointer("path"), try value())
        default: throw PatchError("operation \(index) has unknown op \"\(op)\"")
        }
    }

    /// The patch as a JSON document.
    public var json: JSON {
        .array(
            operations.map { operation in
                switch operation {
                case .add(let path, let value): ["op": "add", "path": .string(path.description), "value": value]
                case .remove(let path): ["op": "remove", "path": .string(path.description)]
                case .replace(let path, let value):
                    ["op": "replace", "path": .string(path.description), "value": value]
                case .move(let from, let to):
                    ["op": "move", "from": .string(from.description), "path": .string(to.description)]
                case .copy(let from, let to):
                    ["op": "copy", "from": .string(from.description), "path": .string(to.description)]
                case .test(let path, let value): ["op": "test", "path": .string(path.description), "value": value]
                }
            })
    }

    /// Applies every operation in order, or none: on any failure the error
    /// says which operation failed and `document` is left as it was.
    public func apply(to document: JSON) throws(PatchError) -> JSON {
        var result = document
        for (index, operation) in operations.enumerated() {
            do throws(PatchError) {
                try Self.apply(operation, to: &result)
            } catch {
                throw PatchError("operation \(index) failed: \(error.message)")
            }
        }
        return result
    }

    private static func apply(_ operation: Operation, to document: inout JSON) throws(PatchError) {
        switch operation {
        case .add(let path, let value):
            try add(value, at: path, in: &document)
        case .remove(let path):
            _ = try remove(at: path, in: &document)
        case .replace(let path, let value):
            guard document.value(at: path) != nil else { throw PatchError("path \(path) does not exist") }
            try document.modify(path.tokens[...], path: path) { target throws(PatchError) in target = value }
        case .move(let from, let to):
            guard from != to else { return }
            guard !(to.tokens.count > from.tokens.count && Array(to.tokens.prefix(from.tokens.count)) == from.tokens)
            else { throw PatchError("cannot move \(from) into its own child \(to)") }
            let value = try remove(at: from, in: &document)
            try add(value, at: to, in: &document)
        case .copy(let from, let to):
            guard let value = document.value(at: from) else { throw PatchError("path \(from) does not exist") }
            try add(value, at: to, in: &document)
        case .test(let path, let expected):
            guard let actual = document.value(at: path) else { throw PatchError("path \(path) does not exist") }
            guard actual == expected else {
                throw PatchError("test of \(path) failed: found \(actual), expected \(expected)")
            }
        }
    }

    private static func add(_ value: JSON, at path: JSONPointer, in document: inout JSON) throws(PatchError) {
        guard let last = path.tokens.last else {
            document = value
            return
        }
        try document.modify(path.tokens.dropLast(), path: path) { parent throws(PatchError) in
            switch parent {
            case .object(var object):
                parent = .null
                object[last] = value
                parent = .object(object)
            case .array(var elements):
                let index: Int
                if last == "-" {
                    index = elements.count
                } else if let parsed = JSONPointer.arrayIndex(last), parsed <= elements.count {
                    index = parsed
                } else {
                    throw PatchError("index \(last) is out of range for \(path.parent)")
                }
                parent = .null
                elements.insert(value, at: index)
                parent = .array(elements)
            default:
                throw PatchError("\(path.parent) is neither an object nor an array")
            }
        }
    }

    private static func remove(at path: JSONPointer, in document: inout JSON) throws(PatchError) -> JSON {
        guard let last = path.tokens.last else { throw PatchError("the whole document cannot be removed") }
        var removed = JSON.null
        try document.modify(path.tokens.dropLast(), path: path) { parent throws(PatchError) in
            switch parent {
            case .object(var object):
                guard let value = object[last] else { throw PatchError("path \(path) does not exist") }
                parent = .null
                object[last] = nil
                parent = .object(object)
                removed = value
            case .array(var elements):
                guard let index = JSONPointer.arrayIndex(last), elements.indices.contains(index) else {
                    throw PatchError("path \(path) does not exist")
                }
                parent = .null
                removed = elements.remove(at: index)
                parent = .array(elements)
            default:
                throw PatchError("path \(path) does not exist")
            }
        }
        return removed
    }
}

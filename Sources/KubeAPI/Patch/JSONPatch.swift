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

    /// Reads a patch document: an array of operation objects, at most
    /// `limits.maxOperations` of them.
    public init(json: JSON, limits: JSONPatchLimits = JSONPatchLimits()) throws(PatchError) {
        guard case .array(let elements) = json else { throw PatchError("a JSON patch must be an array of operations") }
        guard elements.count <= limits.maxOperations else {
            throw PatchError(
                "the allowed maximum operations in a JSON patch is \(limits.maxOperations), got \(elements.count)",
                limitExceeded: true)
        }
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
    ///
    /// `copy` is the one operation that can make a document grow faster than
    /// the patch: each copies a value that may hold earlier copies, so K
    /// copies can double a document K times. The bytes copied are counted
    /// and the patch refused once they pass `limits.maxCopiedBytes`, before
    /// the copy that would pass it is made.
    public func apply(to document: JSON, limits: JSONPatchLimits = JSONPatchLimits()) throws(PatchError) -> JSON {
        guard operations.count <= limits.maxOperations else {
            throw PatchError(
                "the allowed maximum operations in a JSON patch is \(limits.maxOperations), got \(operations.count)",
                limitExceeded: true)
        }
        var result = document
        var copiedBytes = 0
        var depthBound = document.depth(upTo: limits.maxDepth + 1)
        for (index, operation) in operations.enumerated() {
            do throws(PatchError) {
                if case .copy(let from, _) = operation, let value = result.value(at: from) {
                    copiedBytes += value.encodedSize(upTo: limits.maxCopiedBytes - copiedBytes)
                    guard copiedBytes <= limits.maxCopiedBytes else {
                        throw PatchError(
                            "copies of more than \(limits.maxCopiedBytes) bytes in all exceed the JSON patch copy limit",
                            limitExceeded: true)
                    }
                }
                depthBound = max(depthBound, Self.depthAfter(operation, bound: depthBound, limit: limits.maxDepth))
                guard depthBound <= limits.maxDepth else {
                    throw PatchError(
                        "the result would nest deeper than \(limits.maxDepth) levels", limitExceeded: true)
                }
                try Self.apply(operation, to: &result)
            } catch {
                throw PatchError("operation \(index) failed: \(error.message)", limitExceeded: error.limitExceeded)
            }
        }
        return result
    }

    /// An upper bound of the document's nesting after `operation`, given
    /// `bound` before it, found without walking the document: a value moved
    /// or copied from `from` is at most `bound - from.count` deep. Values
    /// the patch itself carries are measured (they are no larger than the
    /// patch). Bounding depth keeps every recursive walk of the result
    /// (printing, comparing) within the stack, however the copies nest.
    private static func depthAfter(_ operation: Operation, bound: Int, limit: Int) -> Int {
        switch operation {
        case .add(let path, let value), .replace(let path, let value):
            path.tokens.count + value.depth(upTo: limit + 1)
        case .move(let from, let to), .copy(let from, let to):
            to.tokens.count + bound - from.tokens.count
        case .remove, .test:
            bound
        }
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

/// Bounds on the work one JSON Patch may ask for, as kube-apiserver bounds
/// it: a number of operations, and the bytes all its `copy` operations may
/// copy together.
public struct JSONPatchLimits: Hashable, Sendable {
    /// kube-apiserver's maxJSONPatchOperations.
    public var maxOperations: Int
    /// The sum of the sizes of all copied values; kube-apiserver's default
    /// request body limit, so a patch copies no more than it could have sent.
    public var maxCopiedBytes: Int

    /// The deepest nesting of arrays and objects a result may have: that of
    /// the JSON parser, so the result can be read back.
    public var maxDepth: Int

    public init(maxOperations: Int = 10_000, maxCopiedBytes: Int = 3 * 1024 * 1024, maxDepth: Int = 512) {
        self.maxOperations = maxOperations
        self.maxCopiedBytes = maxCopiedBytes
        self.maxDepth = maxDepth
    }
}

import KubeAPI

/// The body of a DELETE, read as kube-apiserver decodes `DeleteOptions`:
/// a field of the wrong type is a bad request (400), not a field to skip.
/// Skipping it would turn a delete guarded by a precondition into an
/// unguarded one.
struct DeleteOptions {
    var uid: String?
    var resourceVersion: String?
    var dryRun = false

    init() {}

    /// Decodes `body` (an empty object when the request had none); `queryDryRun`
    /// is the already checked `dryRun` of the query.
    init(_ body: JSON, queryDryRun: Bool) throws(APIError) {
        guard case .object(let object) = body else {
            throw Self.decodeError("the body is not a JSON object")
        }
        for (field, expected) in [("kind", "string"), ("apiVersion", "string"), ("propagationPolicy", "string")] {
            try Self.expect(object[field], field: field, is: expected)
        }
        try Self.expect(object["gracePeriodSeconds"], field: "gracePeriodSeconds", is: "integer")
        try Self.expect(object["orphanDependents"], field: "orphanDependents", is: "boolean")
        if let preconditions = object["preconditions"], !preconditions.isNull {
            guard case .object(let fields) = preconditions else {
                throw Self.decodeError("preconditions must be an object, not \(preconditions.typeName)")
            }
            try Self.expect(fields["uid"], field: "preconditions.uid", is: "string")
            try Self.expect(fields["resourceVersion"], field: "preconditions.resourceVersion", is: "string")
            uid = fields["uid"]?.stringValue
            resourceVersion = fields["resourceVersion"]?.stringValue
        }
        dryRun = queryDryRun
        if let values = object["dryRun"], !values.isNull {
            guard case .array(let elements) = values, elements.allSatisfy({ $0.stringValue != nil }) else {
                throw Self.decodeError("dryRun must be an array of strings")
            }
            for value in elements.compactMap(\.stringValue) where value != "All" {
                throw APIError.invalidOptions(
                    "DeleteOptions",
                    causes: [("dryRun", "Unsupported value: \(JSON.string(value).text): supported values: \"All\"")])
            }
            dryRun = dryRun || !elements.isEmpty
        }
        if let policy = object["propagationPolicy"]?.stringValue,
            !["Orphan", "Background", "Foreground"].contains(policy)
        {
            throw APIError.invalidOptions(
                "DeleteOptions",
                causes: [
                    (
                        "propagationPolicy",
                        "Unsupported value: \(JSON.string(policy).text): supported values: \"Foreground\", \"Background\", \"Orphan\""
                    )
                ])
        }
    }

    /// A field present with another JSON type than the Go field's.
    private static func expect(_ value: JSON?, field: String, is type: String) throws(APIError) {
        guard let value, !value.isNull else { return }
        let matches =
            switch (type, value) {
            case ("string", .string), ("boolean", .bool), ("integer", .integer): true
            default: false
            }
        guard matches else { throw decodeError("\(field) must be a \(type), not \(value.typeName)") }
    }

    private static func decodeError(_ why: String) -> APIError {
        APIError.badRequest("unable to decode DeleteOptions: \(why)")
    }
}

extension JSON {
    /// The JSON type of the value, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

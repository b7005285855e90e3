/// The `v1` Status object the API server returns for errors.
public struct Status: JSONView, Error {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    /// A Failure status with a reason (`NotFound`, `Conflict`, …) and an HTTP code.
    public init(code: Int64, reason: String, message: String, details: JSON? = nil) {
        json = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .integer(code),
        ]
        if let details { json.setField("details", to: details) }
    }

    public var status: String? { json.string("status") }
    public var message: String? { json.string("message") }
    public var reason: String? { json.string("reason") }
    public var code: Int64? { json.integer("code") }
    public var details: JSON? { json.field("details") }
    public var causes: [JSON] { json.array("details", "causes") }
    public var retryAfterSeconds: Int64? { json.integer("details", "retryAfterSeconds") }
}

/// One event of a watch stream.
public struct WatchEvent: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public enum EventType: OpenEnum {
        case added, modified, deleted, bookmark, error
        case other(String)

        public init(rawValue: String) {
            switch rawValue {
            case "ADDED": self = .added
            case "MODIFIED": self = .modified
            case "DELETED": self = .deleted
            case "BOOKMARK": self = .bookmark
            case "ERROR": self = .error
            default: self = .other(rawValue)
            }
        }

        public var rawValue: String {
            switch self {
            case .added: "ADDED"
            case .modified: "MODIFIED"
            case .deleted: "DELETED"
            case .bookmark: "BOOKMARK"
            case .error: "ERROR"
            case .other(let value): value
            }
        }
    }

    public init(type: EventType, object: JSON) {
        json = ["type": .string(type.rawValue), "object": object]
    }

    public var type: EventType? { json.string("type").map(EventType.init(rawValue:)) }
    public var object: JSON? { json.field("object") }
}

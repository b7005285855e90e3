/// `admission.k8s.io/v1` (or `v1beta1`) AdmissionReview: the request the API
/// server sends a webhook and the response it expects back.
public struct AdmissionReview: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public static let versions = ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"]

    /// `admission.k8s.io/v1` or `admission.k8s.io/v1beta1`.
    public var apiVersion: String? { json.string("apiVersion") }
    public var request: AdmissionRequest? { json.field("request").map(AdmissionRequest.init(json:)) }
    public var response: AdmissionResponse? {
        get { json.field("response").map(AdmissionResponse.init(json:)) }
        set { json.setField("response", to: newValue?.json) }
    }

    /// A review carrying `response`, in the request's API version.
    public static func answering(_ apiVersion: String, response: AdmissionResponse) -> AdmissionReview {
        AdmissionReview(json: ["apiVersion": .string(apiVersion), "kind": "AdmissionReview", "response": response.json])
    }
}

/// `CREATE`, `UPDATE`, `DELETE`, `CONNECT`, or a newer value kept as is.
public enum AdmissionOperation: OpenEnum {
    case create, update, delete, connect
    case other(String)

    public init(rawValue: String) {
        switch rawValue {
        case "CREATE": self = .create
        case "UPDATE": self = .update
        case "DELETE": self = .delete
        case "CONNECT": self = .connect
        default: self = .other(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .create: "CREATE"
        case .update: "UPDATE"
        case .delete: "DELETE"
        case .connect: "CONNECT"
        case .other(let value): value
        }
    }
}

public struct AdmissionRequest: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var uid: String? { json.string("uid") }
    public var kind: GroupVersionKind? { json.field("kind").map(GroupVersionKind.init(json:)) }
    public var resource: String? { json.string("resource", "resource") }
    public var resourceGroup: String? { json.string("resource", "group") }
    public var subResource: String? { json.string("subResource") }
    public var name: String? { json.string("name") }
    public var namespace: String? { json.string("namespace") }
    public var operation: AdmissionOperation? { json.string("operation").map(AdmissionOperation.init(rawValue:)) }
    public var username: String? { json.string("userInfo", "username") }
    public var groups: [String] { json.array("userInfo", "groups").compactMap(\.stringValue) }
    /// Absent and `null` both read as nil.
    public var object: JSON? { nonNull(json.field("object")) }
    public var oldObject: JSON? { nonNull(json.field("oldObject")) }

    // Spelled out: in a closure returning JSON?, a bare `nil` would be read
    // as JSON's own nil literal, `.null`.
    private func nonNull(_ value: JSON?) -> JSON? {
        guard let value, !value.isNull else { return Optional<JSON>.none }
        return value
    }
    public var dryRun: Bool { json.bool("dryRun") ?? false }
}

public struct GroupVersionKind: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    public var group: String { json.string("group") ?? "" }
    public var version: String { json.string("version") ?? "" }
    public var kind: String { json.string("kind") ?? "" }
}

public struct AdmissionResponse: JSONView {
    public var json: JSON
    public init(json: JSON) { self.json = json }

    /// Allows the request, optionally with a JSON patch (base64-encoded here).
    public static func allowed(uid: String, patch: JSONPatch? = nil, warnings: [String] = []) -> AdmissionResponse {
        var json: JSON = ["uid": .string(uid), "allowed": true]
        if let patch, !patch.isEmpty {
            json.setField("patchType", to: "JSONPatch")
            json.setField("patch", to: .string(Base64.encode(patch.json.bytes)))
        }
        if !warnings.isEmpty { json.setField("warnings", to: JSON.strings(warnings)) }
        return AdmissionResponse(json: json)
    }

    /// Denies the request with a message, an HTTP-like code and a reason.
    public static func denied(uid: String, code: Int64, message: String, reason: String? = nil) -> AdmissionResponse {
        var status: JSON = ["code": .integer(code), "message": .string(message)]
        if let reason { status.setField("reason", to: .string(reason)) }
        return AdmissionResponse(json: ["uid": .string(uid), "allowed": false, "status": status])
    }

    public var uid: String? { json.string("uid") }
    public var allowed: Bool { json.bool("allowed") ?? false }
    public var message: String? { json.string("status", "message") }
    public var code: Int64? { json.integer("status", "code") }
    public var patchType: String? { json.string("patchType") }

    /// The decoded patch, if any; nil when absent, an error when malformed.
    public func patch() throws(PatchError) -> JSONPatch? {
        guard let encoded = json.string("patch") else { return nil }
        guard let bytes = Base64.decode(encoded) else { throw PatchError("the response's patch is not base64") }
        do {
            return try JSONPatch(json: JSON(parsing: bytes))
        } catch let error as JSONParseError {
            throw PatchError("the response's patch is not JSON: \(error)")
        } catch let error as PatchError {
            throw error
        } catch {
            throw PatchError("\(error)")
        }
    }
}

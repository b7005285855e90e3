import KubeAPI

/// What kube-apiserver does to a Secret on its way into storage: `stringData`
/// is merged into `data` (its keys win) and dropped; every `data` value must
/// be base64, as Go's JSON decoding of `[]byte` demands (400 otherwise);
/// keys are ConfigMap-style keys (not `.`, nor beginning with `..`); `type`
/// defaults to Opaque and never changes, and
/// `kubernetes.io/tls` needs `tls.crt` and `tls.key`; the whole may not pass
/// 1 MiB; an immutable Secret keeps its data, type and immutability.
enum SecretRules {
    static let maxDataBytes = 1024 * 1024

    static func apply(_ object: JSON, current: JSON?, resource: ServedResource) throws(APIError) -> JSON {
        var object = object
        let name = object.name
        var data = object["data"]?.objectValue ?? JSONObject()
        var size = 0
        for (key, value) in data {
            guard let text = value.stringValue, let bytes = Base64.decode(text) else {
                throw APIError.badRequest(
                    "Secret in version \"v1\" cannot be handled as a Secret: data[\(key)]: illegal base64 data")
            }
            size += bytes.count
        }
        for (key, value) in object["stringData"]?.objectValue ?? JSONObject() {
            guard let text = value.stringValue else {
                throw APIError.badRequest(
                    "Secret in version \"v1\" cannot be handled as a Secret: stringData[\(key)] is not a string")
            }
            if let old = data[key]?.stringValue.flatMap(Base64.decode) { size -= old.count }
            data[key] = .string(Base64.encode(Array(text.utf8)))
            size += text.utf8.count
        }
        object["stringData"] = nil
        object["data"] = data.isEmpty ? nil : .object(data)
        let type = object["type"]?.stringValue ?? "Opaque"
        object["type"] = .string(type)

        var causes: [(field: String, message: String)] = []
        for key in data.keys where !isValidKey(key) {
            causes.append(
                (
                    "data[\(key)]",
                    "Invalid value: \"\(key)\": a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
                ))
        }
        if size > maxDataBytes { causes.append(("data", "Too long: must have at most \(maxDataBytes) bytes")) }
        if type == "kubernetes.io/tls" {
            for key in ["tls.crt", "tls.key"] where data[key] == nil {
                causes.append(("data[\(key)]", "Required value"))
            }
        }
        if let current, (current["type"]?.stringValue ?? "Opaque") != type {
            causes.append(("type", "Invalid value: \"\(type)\": field is immutable"))
        }
        if let current, current["immutable"]?.boolValue == true {
            if current["data"] != object["data"] {
                causes.append(("data", "Forbidden: field is immutable when `immutable` is set"))
            }
            if object["immutable"]?.boolValue != true {
                causes.append(("immutable", "Forbidden: field is immutable when `immutable` is set"))
            }
        }
        guard causes.isEmpty else { throw APIError.invalid(resource, name, causes: causes) }
        return object
    }

    /// A ConfigMap or Secret key: `[-._a-zA-Z0-9]+`, at most 253 characters,
    /// not `.`, not beginning with `..`.
    static func isValidKey(_ key: String) -> Bool {
        guard !key.isEmpty, key.utf8.count <= 253, key != ".", !key.hasPrefix("..") else { return false }
        return key.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                true
            default: false
            }
        }
    }
}

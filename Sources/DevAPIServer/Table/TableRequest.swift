import Foundation
import HTTPServer
import KubeAPI

/// A request for a `meta.k8s.io` Table instead of objects, as kubectl asks
/// for one when it prints (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io,
/// application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`).
struct TableRequest: Sendable, Equatable {
    enum Version: String, Sendable {
        case v1
        case v1beta1
    }

    /// What each row carries beside its cells (`includeObject`).
    enum IncludeObject: String, Sendable {
        case none = "None"
        case metadata = "Metadata"
        case object = "Object"
    }

    let version: Version
    let includeObject: IncludeObject

    var apiVersion: String { "meta.k8s.io/\(version.rawValue)" }

    /// The Table the request asks for, or nil for plain objects. The first
    /// media range this server can answer wins, in the client's order, as
    /// kube-apiserver negotiates; nothing answerable is 406.
    static func negotiate(accept: String?, query: QueryParameters) throws(APIError) -> TableRequest? {
        let ranges = (accept ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        if ranges.isEmpty { return nil }
        for range in ranges {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let type = parts[0].lowercased()
            var parameters: [String: String] = [:]
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { parameters[pair[0].lowercased()] = pair[1] }
            }
            guard let kind = parameters["as"] else {
                // Objects are answered in JSON whatever plain format is asked.
                if Self.plainTypes.contains(type) { return nil }
                continue
            }
            guard kind == "Table", type == "application/json", parameters["g"] == "meta.k8s.io",
                let version = parameters["v"].flatMap(Version.init(rawValue:))
            else { continue }
            let include = query["includeObject"].map { $0.isEmpty ? "Metadata" : $0 } ?? "Metadata"
            guard let includeObject = IncludeObject(rawValue: include) else {
                throw APIError.badRequest(
                    "includeObject: unsupported value \"\(include)\": supported values are None, Metadata, Object")
            }
            return TableRequest(version: version, includeObject: includeObject)
        }
        throw APIError.notAcceptable(
            "only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=Table;v=v1beta1;g=meta.k8s.io"
        )
    }

    private static let plainTypes: Set<String> = [
        "application/json", "*/*", "application/*", "application/yaml", KubernetesProtobuf.mediaType,
    ]
}

extension APIError {
    /// 406: nothing in the Accept header can be answered.
    static func notAcceptable(_ message: String) -> APIError {
        var error = APIError.badRequest(message)
        error.status = Status(code: 406, reason: "NotAcceptable", message: message)
        return error
    }
}

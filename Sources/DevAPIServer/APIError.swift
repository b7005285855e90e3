import KubeAPI

/// A failed API request, answered as kube-apiserver answers: a `Status`
/// object with the HTTP code, a reason and details.
struct APIError: Error {
    var status: Status

    var code: Int64 { status.code ?? 500 }

    private init(_ code: Int64, _ reason: String, _ message: String, details: JSON? = nil) {
        status = Status(code: code, reason: reason, message: message, details: details)
    }

    private static func details(_ resource: ServedResource, _ name: String) -> JSON {
        ["name": .string(name), "group": .string(resource.type.group), "kind": .string(resource.type.resource)]
    }

    static func notFound(_ resource: ServedResource, _ name: String) -> APIError {
        APIError(404, "NotFound", "\(resource.qualifiedName) \"\(name)\" not found", details: details(resource, name))
    }

    static func alreadyExists(_ resource: ServedResource, _ name: String) -> APIError {
        APIError(
            409, "AlreadyExists", "\(resource.qualifiedName) \"\(name)\" already exists",
            details: details(resource, name))
    }

    static func conflict(_ resource: ServedResource, _ name: String, _ why: String) -> APIError {
        APIError(
            409, "Conflict", "Operation cannot be fulfilled on \(resource.qualifiedName) \"\(name)\": \(why)",
            details: details(resource, name))
    }

    /// 422 with one cause per invalid field.
    static func invalid(_ resource: ServedResource, _ name: String, causes: [(field: String, message: String)])
        -> APIError
    {
        var details = details(resource, name)
        details["causes"] = .array(
            causes.map { ["reason": "FieldValueInvalid", "message": .string($0.message), "field": .string($0.field)] })
        let summary = causes.map { "\($0.field): \($0.message)" }.joined(separator: ", ")
        return APIError(422, "Invalid", "\(resource.type.kind) \"\(name)\" is invalid: \(summary)", details: details)
    }

    /// 422 for request options (`CreateOptions`, `DeleteOptions`, …) that
    /// decode but are not valid, as kube-apiserver words it.
    static func invalidOptions(_ kind: String, causes: [(field: String, message: String)]) -> APIError {
        let details: JSON = [
            "group": "meta.k8s.io", "kind": .string(kind),
            "causes": .array(
                causes.map {
                    ["reason": "FieldValueNotSupported", "message": .string($0.message), "field": .string($0.field)]
                }),
        ]
        let summary = causes.map { "\($0.field): \($0.message)" }.joined(separator: ", ")
        return APIError(422, "Invalid", "\(kind).meta.k8s.io \"\" is invalid: \(summary)", details: details)
    }

    static func badRequest(_ message: String) -> APIError { APIError(400, "BadRequest", message) }
    /// 413: a body, patch or object over one of the server's size limits.
    static func requestEntityTooLarge(_ message: String) -> APIError {
        APIError(413, "RequestEntityTooLarge", "Request entity too large: \(message)")
    }
    /// 422 without a field, as kube-apiserver answers a JSON patch that cannot be applied.
    static func unprocessable(_ message: String) -> APIError { APIError(422, "Invalid", message) }
    static func unauthorized() -> APIError { APIError(401, "Unauthorized", "Unauthorized") }
    static func forbidden(_ message: String) -> APIError { APIError(403, "Forbidden", message) }
    static func methodNotAllowed(_ message: String) -> APIError { APIError(405, "MethodNotAllowed", message) }
    static func gone(_ message: String) -> APIError { APIError(410, "Expired", message) }
    /// kube-apiserver's wording, with the types this server reads.
    static func unsupportedMediaType(_ type: String, accepted: [String]) -> APIError {
        APIError(
            415, "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: \(accepted.joined(separator: ", ")) (got \(type))"
        )
    }
    static func internalError(_ message: String) -> APIError {
        APIError(500, "InternalError", "Internal error occurred: \(message)")
    }

    /// A webhook's denial, with the code and reason it gave.
    static func denied(code: Int64, reason: String?, message: String, details: JSON? = nil) -> APIError {
        APIError(code, reason ?? "", message, details: details)
    }

    /// 504, as kube-apiserver answers a request that ran past its deadline.
    static func timeout() -> APIError {
        APIError(
            504, "Timeout", "Timeout: request did not complete within requested timeout - context deadline exceeded")
    }

    static func pathNotFound() -> APIError {
        APIError(404, "NotFound", "the server could not find the requested resource")
    }
}

import Foundation
public import KubeAPI

/// A failed API call, typed from the `Status` the server returned (or from
/// the transport when there was no answer), as apimachinery's errors are.
public struct KubeError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        case notFound, alreadyExists, conflict, expired, forbidden, unauthorized, invalid, badRequest
        case tooManyRequests, timeout, methodNotAllowed, unsupportedMediaType, serverError
        /// No answer: the server could not be reached or the connection broke.
        case unreachable
        /// An answer that is not what the API promises (not JSON, wrong shape).
        case malformedResponse
        case other(String)
    }

    public var reason: Reason
    /// The HTTP status code; 0 when there was no answer.
    public var code: Int
    public var message: String
    /// The server's `Status`, when it sent one.
    public var status: Status?
    /// From `Retry-After` or `details.retryAfterSeconds`.
    public var retryAfter: Duration?

    public init(reason: Reason, code: Int, message: String, status: Status? = nil, retryAfter: Duration? = nil) {
        self.reason = reason
        self.code = code
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
    }

    public var description: String { code == 0 ? message : "\(message) (\(code))" }

    /// From an error response: the `Status` in `body` when there is one,
    /// else the HTTP code alone.
    init(code: Int, body: JSON?, retryAfterHeader: String?) {
        let status = body.flatMap { $0["kind"]?.stringValue == "Status" ? Status(json: $0) : nil }
        let reason = status?.reason.flatMap(Self.reason(named:)) ?? Self.reason(forCode: code)
        let seconds =
            retryAfterHeader.flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
            ?? status?.retryAfterSeconds
        self.init(
            reason: reason, code: code,
            message: status?.message ?? "the server answered \(code) without a Status",
            status: status, retryAfter: seconds.map { .seconds(max(0, $0)) })
    }

    static func reason(named name: String) -> Reason? {
        switch name {
        case "NotFound": .notFound
        case "AlreadyExists": .alreadyExists
        case "Conflict": .conflict
        case "Expired", "Gone": .expired
        case "Forbidden": .forbidden
        case "Unauthorized": .unauthorized
        case "Invalid": .invalid
        case "BadRequest": .badRequest
        case "TooManyRequests": .tooManyRequests
        case "Timeout", "ServerTimeout": .timeout
        case "MethodNotAllowed": .methodNotAllowed
        case "UnsupportedMediaType": .unsupportedMediaType
        case "InternalError", "ServiceUnavailable": .serverError
        case "": nil
        default: .other(name)
        }
    }

    static func reason(forCode code: Int) -> Reason {
        switch code {
        case 400: .badRequest
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 405: .methodNotAllowed
        case 409: .conflict
        case 410: .expired
        case 415: .unsupportedMediaType
        case 422: .invalid
        case 429: .tooManyRequests
        case 504: .timeout
        case 500...: .serverError
        default: .other("HTTP \(code)")
        }
    }
}

import HTTPServer
import KubeAPI
import NIOHTTP1

/// The options a request carries beside its object, checked as
/// kube-apiserver checks them: a value it does not understand is refused
/// before anything is read or written, never silently taken for a default.
/// (A write that was meant as a dry run must not happen because the value
/// was misspelt: admission webhooks and `kubectl --dry-run=server` rely on it.)
enum RequestOptions {
    /// `dryRun` from the query: absent, or `All`, the one value Kubernetes
    /// defines. Anything else is 422 on the write's options kind.
    /// Reads (GET, HEAD) have no dryRun option and ignore the parameter.
    static func dryRun(_ query: QueryParameters, method: HTTPMethod) throws(APIError) -> Bool {
        guard [.POST, .PUT, .PATCH, .DELETE].contains(method), let value = query["dryRun"] else { return false }
        guard value == "All" else {
            throw APIError.invalidOptions(optionsKind(method), causes: [("dryRun", unsupported(value))])
        }
        return true
    }

    private static func unsupported(_ value: String) -> String {
        "Unsupported value: \(JSON.string(value).text): supported values: \"All\""
    }

    private static func optionsKind(_ method: HTTPMethod) -> String {
        switch method {
        case .POST: "CreateOptions"
        case .PUT: "UpdateOptions"
        case .PATCH: "PatchOptions"
        default: "DeleteOptions"
        }
    }

    /// A `resourceVersion` on get or list: empty, or a revision number
    /// (kube-apiserver's storage refuses anything else with 400).
    static func resourceVersion(_ query: QueryParameters) throws(APIError) -> UInt64? {
        guard let text = query["resourceVersion"], !text.isEmpty else { return nil }
        guard let version = UInt64(text) else { throw APIError.badRequest("invalid resourceVersion \"\(text)\"") }
        return version
    }

    /// `limit` on a list: absent or a whole number (0 and below mean "no limit").
    static func limit(_ query: QueryParameters) throws(APIError) -> Int? {
        guard let text = query["limit"] else { return nil }
        guard let limit = Int64(text) else {
            throw APIError.badRequest("invalid limit \"\(text)\": not an integer")
        }
        return limit > 0 ? Int(clamping: limit) : nil
    }

    /// `timeoutSeconds` on a watch: absent or a whole number of seconds,
    /// held to a year so that a deadline computed from it cannot overflow.
    static func timeoutSeconds(_ query: QueryParameters) throws(APIError) -> Int64? {
        guard let text = query["timeoutSeconds"] else { return nil }
        guard let seconds = Int64(text), seconds >= 0 else {
            throw APIError.badRequest("invalid timeoutSeconds \"\(text)\": not a whole number of seconds")
        }
        return min(seconds, 365 * 24 * 3600)
    }
}

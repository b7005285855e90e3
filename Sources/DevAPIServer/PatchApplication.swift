import KubeAPI

/// The patch formats this server applies, by content type.
enum PatchKind: String, CaseIterable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategicMerge = "application/strategic-merge-patch+json"

    /// Applies `patch` to `current` as kube-apiserver's patch handler does:
    /// a JSON patch that cannot be read is a bad request, one with too many
    /// operations is too large (413), and one that cannot be applied,
    /// including one whose copies pass the copy limit, is unprocessable (422).
    func apply(_ patch: JSON, to current: JSON) throws(APIError) -> JSON {
        switch self {
        case .json:
            let operations: JSONPatch
            do {
                operations = try JSONPatch(json: patch, limits: WriteLimits.patch)
            } catch {
                if error.limitExceeded { throw APIError.requestEntityTooLarge(error.message) }
                throw APIError.badRequest(error.message)
            }
            do {
                return try operations.apply(to: current, limits: WriteLimits.patch)
            } catch {
                throw APIError.unprocessable(error.message)
            }
        case .merge:
            return MergePatch.apply(patch, to: current)
        case .strategicMerge:
            do {
                return try MergePatch.applyStrategic(patch, to: current)
            } catch {
                throw APIError.badRequest(error.message)
            }
        }
    }
}

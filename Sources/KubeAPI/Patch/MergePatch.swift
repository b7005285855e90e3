/// RFC 7386 JSON merge patch, and the part of Kubernetes' strategic merge
/// patch that kubectl sends for this project's kinds.
public enum MergePatch {
    /// Applies `patch` to `target`: objects merge member by member, `null`
    /// removes a member, anything else replaces.
    public static func apply(_ patch: JSON, to target: JSON) -> JSON {
        guard case .object(let changes) = patch else { return patch }
        var result = target.objectValue ?? JSONObject()
        for (key, change) in changes {
            if change.isNull {
                result[key] = nil
            } else {
                result[key] = apply(change, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// The merge patch that turns `source` into `target`. A member whose
    /// target value is `null` cannot be expressed (RFC 7386 reads `null` as
    /// "remove"); it comes out as a removal.
    public static func diff(from source: JSON, to target: JSON) -> JSON {
        guard case .object(let from) = source, case .object(let to) = target else { return target }
        var patch = JSONObject()
        for key in from.keys where to[key] == nil {
            patch[key] = .null
        }
        for (key, value) in to {
            guard let old = from[key] else {
                patch[key] = value
                continue
            }
            guard !old.isIdentical(to: value) else { continue }
            if case .object = old, case .object = value {
                patch[key] = diff(from: old, to: value)
            } else {
                patch[key] = value
            }
        }
        return .object(patch)
    }

    /// A strategic merge patch for Ingress, HTTPRoute, Route, Service and the
    /// other kinds here: for their fields it is a merge patch whose lists
    /// replace wholesale. Directives (`$patch`, `$retainKeys`,
    /// `$setElementOrder/…`, `$deleteFromPrimitiveList/…`) would need the
    /// types' patch strategies, so they are refused rather than guessed at.
    public static func applyStrategic(_ patch: JSON, to target: JSON) throws(PatchError) -> JSON {
        if let directive = firstDirective(in: patch) {
            throw PatchError("strategic merge patch directive \(directive) is not supported; use a JSON or merge patch")
        }
        return apply(patch, to: target)
    }

    private static func firstDirective(in json: JSON) -> String? {
        switch json {
        case .object(let object):
            for (key, value) in object {
                if key.hasPrefix("$") { return key }
                if let found = firstDirective(in: value) { return found }
            }
            return nil
        case .array(let elements):
            for element in elements {
                if let found = firstDirective(in: element) { return found }
            }
            return nil
        default:
            return nil
        }
    }
}

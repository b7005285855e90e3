import KubeAPI

/// What kube-apiserver checks of `metadata.labels` and
/// `metadata.annotations` on every write. Placement selects on labels, so
/// a label kube-apiserver would refuse must not be stored here either: it
/// would hide a bug that a real cluster shows.
enum MetadataValidation {
    /// apimachinery's TotalAnnotationSizeLimitB.
    static let maxAnnotationBytes = 256 * 1024

    /// Throws 400 when labels or annotations are not a map of strings (a
    /// Go client cannot decode the object), 422 with the field path of each
    /// key or value that is not valid.
    static func check(_ object: JSON, resource: ServedResource, name: String) throws(APIError) {
        guard let metadata = object["metadata"], !metadata.isNull else { return }
        guard case .object = metadata else {
            throw APIError.badRequest("metadata must be an object, not \(metadata.typeName)")
        }
        let labels = try stringMap(metadata["labels"], field: "metadata.labels")
        let annotations = try stringMap(metadata["annotations"], field: "metadata.annotations")
        var causes: [(field: String, message: String)] = []
        for (key, value) in labels {
            if let problem = NameValidation.labelKeyError(key) {
                causes.append(("metadata.labels", "Invalid value: \(JSON.string(key).text): \(problem)"))
            }
            if let problem = NameValidation.labelValueError(value) {
                causes.append(("metadata.labels", "Invalid value: \(JSON.string(value).text): \(problem)"))
            }
        }
        var annotationBytes = 0
        for (key, value) in annotations {
            annotationBytes += key.utf8.count + value.utf8.count
            if let problem = NameValidation.labelKeyError(key.lowercased()) {
                causes.append(("metadata.annotations", "Invalid value: \(JSON.string(key).text): \(problem)"))
            }
        }
        if annotationBytes > maxAnnotationBytes {
            causes.append(
                ("metadata.annotations", "Too long: may not be more than \(maxAnnotationBytes) bytes"))
        }
        guard causes.isEmpty else { throw APIError.invalid(resource, name, causes: causes) }
    }

    /// The members of a map of strings (absent or null is empty); anything
    /// else is what Go's decoder refuses with 400.
    private static func stringMap(_ value: JSON?, field: String) throws(APIError) -> [(String, String)] {
        guard let value, !value.isNull else { return [] }
        guard case .object(let object) = value else {
            throw APIError.badRequest("\(field) must be a map of strings, not \(value.typeName)")
        }
        var pairs: [(String, String)] = []
        for member in object.members {
            guard let text = member.value.stringValue else {
                throw APIError.badRequest(
                    "\(field).\(member.key) must be a string, not \(member.value.typeName)")
            }
            pairs.append((member.key, text))
        }
        return pairs
    }
}

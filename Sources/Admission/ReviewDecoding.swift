public import KubeAPI
public import Placement

/// A request body that is not an AdmissionReview we can answer.
public struct ReviewDecodingError: Error, Sendable, CustomStringConvertible {
    /// One line, for the 400 answer and the log.
    public var description: String
}

/// An AdmissionReview request, decoded: what every answer must echo and
/// the request itself.
public struct DecodedReview: Sendable {
    /// `admission.k8s.io/v1` or `admission.k8s.io/v1beta1`: the answer is in the same version.
    public var apiVersion: String
    public var uid: String
    public var request: AdmissionRequest

    /// Reads a review from a request body. Fails with a one-line reason for
    /// a body that is not JSON, not an AdmissionReview of a version we
    /// answer, or has no request or no uid.
    public init(body: [UInt8]) throws(ReviewDecodingError) {
        let json: JSON
        do {
            json = try JSON(parsing: body)
        } catch {
            throw ReviewDecodingError(description: "the body is not JSON: \(error)")
        }
        guard json.objectValue != nil else {
            throw ReviewDecodingError(description: "the body is not a JSON object, so not an AdmissionReview")
        }
        let review = AdmissionReview(json: json)
        guard json["kind"]?.stringValue == "AdmissionReview" else {
            throw ReviewDecodingError(description: "kind must be AdmissionReview")
        }
        guard let apiVersion = review.apiVersion, AdmissionReview.versions.contains(apiVersion) else {
            throw ReviewDecodingError(
                description: "apiVersion must be one of \(AdmissionReview.versions.joined(separator: ", "))")
        }
        guard let request = review.request, request.json.objectValue != nil else {
            throw ReviewDecodingError(description: "the AdmissionReview has no request")
        }
        guard let uid = request.uid, !uid.isEmpty else {
            throw ReviewDecodingError(description: "the AdmissionReview's request has no uid")
        }
        self.apiVersion = apiVersion
        self.uid = uid
        self.request = request
    }

    /// The root kind the request is about, if it is one we place.
    public var rootKind: RootKind? {
        request.kind.flatMap { RootKind(group: $0.group, kind: $0.kind) }
    }
}

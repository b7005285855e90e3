import HTTPServer
import KubeAPI
import NIOCore

extension DevAPIServer {
    /// A protobuf body as JSON: malformed input is a 400, a kind without a
    /// protobuf form here a 415 naming JSON (as kube-apiserver answers for
    /// custom resources).
    static func protobufBody(_ request: HTTPRequest) throws(APIError) -> JSON {
        do {
            return try KubernetesProtobuf.decode(Array(request.body.readableBytesView))
        } catch {
            switch error {
            case .malformed(let message):
                throw APIError.badRequest("the request body is not a valid Kubernetes protobuf message: \(message)")
            case .unsupported(let message):
                var refusal = APIError.unsupportedMediaType(
                    KubernetesProtobuf.mediaType, accepted: ["application/json"])
                refusal.status.json["message"] = .string((refusal.status.message ?? "") + ": \(message)")
                throw refusal
            }
        }
    }
}

public import HTTPServer
import KubeAPI
import NIOCore
import NIOHTTP1

extension DevAPIServer {
    /// The listener's own refusals (a body over its size limit, a malformed
    /// request, headers too large) as kube-apiserver words every refusal: a
    /// `Status` object, which kubectl and client-go read.
    public static let statusRefusals = RefusalFormat(name: "kubernetes-status") { status, message in
        let reason =
            switch status {
            case .payloadTooLarge: "RequestEntityTooLarge"
            case .requestHeaderFieldsTooLarge: "RequestHeaderFieldsTooLarge"
            default: "BadRequest"
            }
        let body = Status(code: Int64(status.code), reason: reason, message: message).json.bytes
        return ("application/json", ByteBuffer(bytes: body))
    }
}

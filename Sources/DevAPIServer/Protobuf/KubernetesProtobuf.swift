import KubeAPI

/// Request bodies in `application/vnd.kubernetes.protobuf`, as client-go's
/// typed clients (and so kubectl's imperative commands) send them for
/// built-in kinds: the magic `k8s\0`, then a `runtime.Unknown` envelope
/// (typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3,
/// contentType = 4) whose `raw` is the object's message.
///
/// A body becomes exactly the JSON object the same client would have sent
/// as JSON, so everything after this (validation, admission, storage)
/// sees no difference.
enum KubernetesProtobuf {
    static let mediaType = "application/vnd.kubernetes.protobuf"
    static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    /// The kinds read in protobuf, by apiVersion and kind. Custom resources
    /// (HTTPRoute, Route) have no protobuf form, as in Kubernetes.
    static let schemas: [String: MessageSchema] = [
        "v1/Namespace": CoreSchemas.namespace,
        "v1/Service": CoreSchemas.service,
        "v1/Secret": CoreSchemas.secret,
        "networking.k8s.io/v1/Ingress": GroupSchemas.ingress,
        "coordination.k8s.io/v1/Lease": GroupSchemas.lease,
        "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration": WebhookSchemas.mutatingConfiguration,
        "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration": WebhookSchemas.validatingConfiguration,
    ]

    enum Failure: Error, Equatable {
        /// Not a well-formed body (400).
        case malformed(String)
        /// Well-formed, but a kind or encoding this server does not read in protobuf (415).
        case unsupported(String)
    }

    /// The JSON object a protobuf body stands for.
    static func decode(_ body: [UInt8]) throws(Failure) -> JSON {
        guard body.count >= magic.count, Array(body.prefix(magic.count)) == magic else {
            throw .malformed("the body does not begin with the Kubernetes protobuf prefix k8s\\0")
        }
        let envelope: Envelope
        do {
            envelope = try Envelope(ProtobufReader(body, range: magic.count..<body.count))
        } catch {
            throw .malformed("invalid runtime.Unknown envelope: \(error)")
        }
        guard envelope.contentEncoding.isEmpty else {
            throw .unsupported("content encoding \(envelope.contentEncoding) is not supported")
        }
        guard envelope.contentType.isEmpty || envelope.contentType == mediaType else {
            throw .unsupported("embedded content type \(envelope.contentType) is not supported")
        }
        // DeleteOptions travel with any group's version (client-go sends it
        // beside the object's group).
        let schema =
            envelope.kind == "DeleteOptions"
            ? MetaSchemas.deleteOptions : schemas["\(envelope.apiVersion)/\(envelope.kind)"]
        guard let schema else {
            throw .unsupported("no protobuf form of \(envelope.kind) in \(envelope.apiVersion) is served")
        }
        var object = JSONObject()
        if !envelope.kind.isEmpty { object["kind"] = .string(envelope.kind) }
        if !envelope.apiVersion.isEmpty { object["apiVersion"] = .string(envelope.apiVersion) }
        do {
            let budget = MessageDecoder.budget(forBodyOf: body.count)
            for (key, value) in try MessageDecoder.decode(envelope.raw, as: schema, budget: budget) {
                object[key] = value
            }
        } catch {
            throw .malformed("invalid \(envelope.kind): \(error)")
        }
        return .object(object)
    }

    private struct Envelope {
        var apiVersion = ""
        var kind = ""
        var raw: ProtobufReader
        var contentEncoding = ""
        var contentType = ""

        init(_ reader: ProtobufReader) throws(ProtobufError) {
            var reader = reader
            raw = reader.reader(for: reader.end..<reader.end)
            while let (number, wireType) = try reader.nextField() {
                guard wireType == .lengthDelimited, (1...4).contains(number) else {
                    try reader.skip(wireType)
                    continue
                }
                let range = try reader.lengthDelimited()
                switch number {
                case 1: try readTypeMeta(reader.reader(for: range))
                case 2: raw = reader.reader(for: range)
                case 3: contentEncoding = try MessageDecoder.text(reader.bytes[range], path: "Unknown.contentEncoding")
                default: contentType = try MessageDecoder.text(reader.bytes[range], path: "Unknown.contentType")
                }
            }
        }

        private mutating func readTypeMeta(_ reader: ProtobufReader) throws(ProtobufError) {
            var reader = reader
            while let (number, wireType) = try reader.nextField() {
                guard wireType == .lengthDelimited, number == 1 || number == 2 else {
                    try reader.skip(wireType)
                    continue
                }
                let text = try MessageDecoder.text(reader.bytes[try reader.lengthDelimited()], path: "TypeMeta")
                if number == 1 { apiVersion = text } else { kind = text }
            }
        }
    }
}

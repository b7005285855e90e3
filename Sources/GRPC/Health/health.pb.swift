// The messages of grpc/health/v1/health.proto, written in the form
// protoc-gen-swift generates for swift-protobuf 1.x: two one-field messages
// and an enum do not justify running the generator here.
//
//   message HealthCheckRequest { string service = 1; }
//   message HealthCheckResponse {
//     enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
//     ServingStatus status = 1;
//   }

public import SwiftProtobuf

private let _protobuf_package = "grpc.health.v1"

public struct Grpc_Health_V1_HealthCheckRequest: Sendable {
    public var service: String = ""
    public var unknownFields = UnknownStorage()
    public init() {}
}

public struct Grpc_Health_V1_HealthCheckResponse: Sendable {
    public var status: Grpc_Health_V1_HealthCheckResponse.ServingStatus = .unknown
    public var unknownFields = UnknownStorage()
    public init() {}

    public enum ServingStatus: SwiftProtobuf.Enum, Swift.CaseIterable {
        public typealias RawValue = Int
        case unknown  // = 0
        case serving  // = 1
        case notServing  // = 2
        case serviceUnknown  // = 3
        case UNRECOGNIZED(Int)

        public init() { self = .unknown }

        public init?(rawValue: Int) {
            switch rawValue {
            case 0: self = .unknown
            case 1: self = .serving
            case 2: self = .notServing
            case 3: self = .serviceUnknown
            default: self = .UNRECOGNIZED(rawValue)
            }
        }

        public var rawValue: Int {
            switch self {
            case .unknown: 0
            case .serving: 1
            case .notServing: 2
            case .serviceUnknown: 3
            case .UNRECOGNIZED(let value): value
            }
        }

        public static let allCases: [ServingStatus] = [.unknown, .serving, .notServing, .serviceUnknown]
    }
}

extension Grpc_Health_V1_HealthCheckRequest: Message, _MessageImplementationBase, _ProtoNameProviding {
    public static let protoMessageName: String = _protobuf_package + ".HealthCheckRequest"
    public static let _protobuf_nameMap = _NameMap(bytecode: "\0\u{1}service\0")

    public mutating func decodeMessage<D: Decoder>(decoder: inout D) throws {
        while let fieldNumber = try decoder.nextFieldNumber() {
            switch fieldNumber {
            case 1: try decoder.decodeSingularStringField(value: &service)
            default: break
            }
        }
    }

    public func traverse<V: Visitor>(visitor: inout V) throws {
        if !service.isEmpty { try visitor.visitSingularStringField(value: service, fieldNumber: 1) }
        try unknownFields.traverse(visitor: &visitor)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.service == rhs.service && lhs.unknownFields == rhs.unknownFields
    }
}

extension Grpc_Health_V1_HealthCheckResponse: Message, _MessageImplementationBase, _ProtoNameProviding {
    public static let protoMessageName: String = _protobuf_package + ".HealthCheckResponse"
    public static let _protobuf_nameMap = _NameMap(bytecode: "\0\u{1}status\0")

    public mutating func decodeMessage<D: Decoder>(decoder: inout D) throws {
        while let fieldNumber = try decoder.nextFieldNumber() {
            switch fieldNumber {
            case 1: try decoder.decodeSingularEnumField(value: &status)
            default: break
            }
        }
    }

    public func traverse<V: Visitor>(visitor: inout V) throws {
        if status != .unknown { try visitor.visitSingularEnumField(value: status, fieldNumber: 1) }
        try unknownFields.traverse(visitor: &visitor)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.status == rhs.status && lhs.unknownFields == rhs.unknownFields
    }
}

extension Grpc_Health_V1_HealthCheckResponse.ServingStatus: _ProtoNameProviding {
    public static let _protobuf_nameMap = _NameMap(
        bytecode: "\0\u{2}\0UNKNOWN\0\u{1}SERVING\0\u{1}NOT_SERVING\0\u{1}SERVICE_UNKNOWN\0")
}

public import EnvoyAPI
public import GRPC

/// `envoy.service.discovery.v3.AggregatedDiscoveryService`: every resource
/// type on one stream, state of the world or delta, each stream run by an
/// `XDSStreamDriver`. Every node id gets the same snapshot.
public struct AggregatedDiscoveryService: GRPCService {
    public typealias Request = Envoy_Service_Discovery_V3_DiscoveryRequest
    public typealias Response = Envoy_Service_Discovery_V3_DiscoveryResponse
    public typealias DeltaRequest = Envoy_Service_Discovery_V3_DeltaDiscoveryRequest
    public typealias DeltaResponse = Envoy_Service_Discovery_V3_DeltaDiscoveryResponse

    let driver: XDSStreamDriver

    public init(driver: XDSStreamDriver) {
        self.driver = driver
    }

    public var serviceName: String { "envoy.service.discovery.v3.AggregatedDiscoveryService" }

    public var methods: [String: GRPCMethod] {
        [
            "StreamAggregatedResources": .bidirectional {
                (requests: GRPCMessageStream<Request>, writer: GRPCStreamWriter<Response>) in
                try await driver.run(delta: false, requests: XDSRequests(base: requests, convert: XDSRequest.init)) {
                    try await writer.send($0.stateOfTheWorld)
                }
            },
            "DeltaAggregatedResources": .bidirectional {
                (requests: GRPCMessageStream<DeltaRequest>, writer: GRPCStreamWriter<DeltaResponse>) in
                try await driver.run(delta: true, requests: XDSRequests(base: requests, convert: XDSRequest.init)) {
                    try await writer.send($0.delta)
                }
            },
        ]
    }
}

/// Envoy's requests as the stream logic's, one by one.
struct XDSRequests<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable {
    typealias Element = XDSRequest
    let base: Base
    let convert: @Sendable (Base.Element) -> XDSRequest

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let convert: @Sendable (Base.Element) -> XDSRequest

        mutating func next() async throws -> XDSRequest? {
            try await base.next().map(convert)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), convert: convert)
    }
}

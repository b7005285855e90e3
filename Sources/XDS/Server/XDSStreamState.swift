/// The protocol logic of one ADS stream, state of the world or delta, as a
/// value: requests and snapshots go in, responses come out. The stream
/// driver only moves bytes; everything here is tested without a socket.
///
/// The rules it keeps (xDS protocol, "ACK and NACK semantics" and
/// "eventual consistency considerations"):
/// - nonces are per stream; a request answering an older response is stale
///   and ignored (delta still applies its subscription changes);
/// - a NACK leaves Envoy on what it held; the rejected content is never
///   sent again, the next different content is;
/// - make before break: a route goes out only once Envoy has ACKed every
///   cluster it names, and a cluster stays while any route Envoy may hold
///   still names it.
public struct XDSStreamState: Sendable {
    public let delta: Bool
    var types: [ResourceType: TypeState]
    private var nonces: UInt64 = 0

    public init(delta: Bool) {
        self.delta = delta
        types = Dictionary(uniqueKeysWithValues: ResourceType.allCases.map { ($0, TypeState(type: $0)) })
    }

    /// Takes in one request; call `responses(for:)` afterwards.
    public mutating func receive(_ request: XDSRequest, snapshot: XDSSnapshot) -> XDSRequestOutcome {
        guard let type = ResourceType(typeURL: request.typeURL) else { return .unknownType(request.typeURL) }
        return delta
            ? receiveDelta(request, type: type, snapshot: snapshot)
            : receiveSotW(request, type: type, snapshot: snapshot)
    }

    private mutating func receiveSotW(
        _ request: XDSRequest, type: ResourceType, snapshot: XDSSnapshot
    ) -> XDSRequestOutcome {
        var state = types[type]!
        defer { types[type] = state }
        if !request.responseNonce.isEmpty {
            let outcome: XDSRequestOutcome
            if let inFlight = state.inFlight, inFlight.nonce == request.responseNonce {
                outcome = settle(&state, type: type, inFlight: inFlight, error: request.errorDetail)
            } else if request.responseNonce == state.lastNonce {
                // Envoy's later requests of a type repeat the latest nonce,
                // already answered: not stale, it may carry other names.
                outcome = .subscribed(type)
            } else {
                return .stale(type)
            }
            let names = Set(request.resourceNames)
            if !type.isWildcardByDefault, names != state.names {
                state.names = names
                state.needsResponse = true
            }
            return outcome
        }
        // A new subscription, or Envoy reconnecting with what it holds.
        state.subscribed = true
        state.needsResponse = true
        state.names = Set(request.resourceNames)
        state.wildcard = type.isWildcardByDefault && (state.names.isEmpty || state.names.contains("*"))
        state.inFlight = nil
        if !request.versionInfo.isEmpty {
            // Versions are content hashes: if Envoy holds exactly what we
            // would send, it holds these very resources.
            let current = snapshot.resources(type, delta: false).filter { state.includes($0.key) }
            if ContentHash.hex(versions: current.mapValues(\.version)) == request.versionInfo {
                state.held = current.mapValues(TypeState.Held.init)
                state.ackedVersionInfo = request.versionInfo
                state.needsResponse = false
            }
        }
        return .subscribed(type)
    }

    private mutating func receiveDelta(
        _ request: XDSRequest, type: ResourceType, snapshot: XDSSnapshot
    ) -> XDSRequestOutcome {
        var state = types[type]!
        defer { types[type] = state }
        var outcome = XDSRequestOutcome.subscribed(type)
        if !state.subscribed {
            state.subscribed = true
            // A first request without names, or with "*", is a wildcard one.
            state.wildcard = request.subscribe.isEmpty || request.subscribe.contains("*")
            let current = snapshot.resources(type, delta: true)
            state.held = request.initialVersions.reduce(into: [:]) { held, entry in
                if let resource = current[entry.key], resource.version == entry.value {
                    held[entry.key] = TypeState.Held(resource)
                } else {
                    held[entry.key] = TypeState.Held(version: entry.value)
                }
            }
            state.needsResponse = request.initialVersions.isEmpty
        } else if !request.responseNonce.isEmpty {
            if let inFlight = state.inFlight, inFlight.nonce == request.responseNonce {
                outcome = settle(&state, type: type, inFlight: inFlight, error: request.errorDetail)
            } else {
                outcome = .stale(type)
            }
        }
        // Subscription changes count even on a stale nonce.
        for name in request.subscribe {
            if name == "*" { state.wildcard = true } else { state.names.insert(name) }
        }
        for name in request.unsubscribe {
            if name == "*" { state.wildcard = false } else { state.names.remove(name) }
            state.reportedMissing.remove(name)
        }
        // Envoy drops what it unsubscribed from.
        state.held = state.held.filter { state.includes($0.key) }
        return outcome
    }

    /// Applies Envoy's answer to the response in flight.
    private func settle(
        _ state: inout TypeState, type: ResourceType, inFlight: TypeState.InFlight, error: String?
    ) -> XDSRequestOutcome {
        state.inFlight = nil
        guard let error else {
            state.held = inFlight.target
            state.ackedVersionInfo = inFlight.version
            state.rejected = nil
            state.lastError = nil
            state.rejectedVirtualHosts = []
            return .acknowledged(type, version: inFlight.version)
        }
        let changed = inFlight.target.filter { state.held[$0.key]?.version != $0.value.version }.keys
        let removed = state.held.keys.filter { inFlight.target[$0] == nil }
        state.rejected = inFlight.target.mapValues(\.version)
        state.lastError = error
        for name in changed { state.refused[name] = inFlight.target[name]!.version }
        switch type {
        case .virtualHost:
            state.rejectedVirtualHosts = Set(changed).union(removed)
        case .routeConfiguration:
            let held = state.held.values.reduce(into: [:]) { $0.merge($1.resource?.virtualHosts ?? [:]) { a, _ in a } }
            let refused = inFlight.target.values.flatMap { $0.resource?.virtualHosts ?? [:] }.filter {
                held[$0.key] != $0.value
            }
            state.rejectedVirtualHosts = Set(refused.map(\.key))
            if !delta {
                // The configuration is refused whole; its changed virtual hosts are to blame.
                for (name, version) in refused { state.refusedVirtualHosts[name] = version }
                for name in changed { state.refused[name] = nil }
            }
        case .cluster, .listener:
            state.rejectedVirtualHosts = []
        }
        return .rejected(type, error: error, resources: (Array(changed) + removed).sorted())
    }

    mutating func nextNonce() -> String {
        nonces += 1
        return String(nonces)
    }
}

import KubeAPI
import Placement
import Testing

@testable import XDS

@Suite struct RouteReadinessTests {
    let root = RootIdentity(kind: .httpRoute, key: ObjectKey(namespace: "shop", name: "front"))
    let name = "routes_80/httproute.shop.front"

    func rendered(version content: String) -> RenderedSnapshot {
        let host = Fixture.virtualHost(name, "east", content)
        return RenderedSnapshot(
            snapshot: Fixture.snapshot(1, clusters: [Fixture.cluster("east")], hosts: [host]),
            virtualHostOfRoot: [root: name])
    }

    @Test func aRootIsRoutedOnceEveryConnectedEnvoyHoldsItsCurrentVersion() {
        let registry = XDSStreamRegistry()
        let readiness = RouteReadiness(registry: registry)
        let current = rendered(version: "v2")
        readiness.update(current)
        let state = { readiness.state(of: .httpRoute, root.key) }
        guard case .pending(let alone) = state() else { Issue.record("no Envoy: \(state())"); return }
        #expect(alone.contains("no Envoy"))

        let first = registry.open(delta: true)
        let second = registry.open(delta: false)
        let version = current.snapshot.virtualHosts[name]!.version
        registry.update(first) {
            $0.routesSubscribed = true
            $0.acceptedVirtualHosts = [name: version]
        }
        registry.update(second) {
            $0.routesSubscribed = true
            $0.acceptedVirtualHosts = [name: "older"]
        }
        #expect(state() == .pending("1 of 2 Envoys route the current version"))
        #expect(readiness.changedRoots() == [root])
        #expect(readiness.changedRoots().isEmpty)

        registry.update(second) { $0.acceptedVirtualHosts = [name: version] }
        #expect(state() == .routed)
        #expect(readiness.changedRoots() == [root])

        registry.update(second) {
            $0.nodeID = "edge-1"
            $0.rejections = [.routeConfiguration: "duplicate domain"]
            $0.rejectedVirtualHosts = [name]
        }
        #expect(state() == .rejected("Envoy edge-1 rejected the routes: duplicate domain"))
        // A root without a virtual host gives Envoy nothing to hold.
        #expect(readiness.state(of: .ingress, ObjectKey(namespace: "shop", name: "other")) == .routed)
    }

    /// The status loop asked while a response was in flight and wrote
    /// "pending"; the ACK came before readiness judged again, so readiness
    /// saw routed both times: it must still send the status loop back.
    @Test func aRootWhosePendingStateWasAnsweredCountsAsChangedOnceRouted() {
        let registry = XDSStreamRegistry()
        let readiness = RouteReadiness(registry: registry)
        let current = rendered(version: "v1")
        readiness.update(current)
        let version = current.snapshot.virtualHosts[name]!.version
        let stream = registry.open(delta: true)
        registry.update(stream) {
            $0.routesSubscribed = true
            $0.acceptedVirtualHosts = [name: version]
        }
        #expect(readiness.changedRoots() == [root])
        registry.update(stream) { $0.acceptedVirtualHosts = [:] }
        #expect(readiness.state(of: .httpRoute, root.key) == .pending("0 of 1 Envoys route the current version"))
        registry.update(stream) { $0.acceptedVirtualHosts = [name: version] }
        #expect(readiness.changedRoots() == [root])
        #expect(readiness.changedRoots().isEmpty)
    }

    @Test func streamsThatAskForNoRoutesAreNotWaitedFor() {
        let registry = XDSStreamRegistry()
        let readiness = RouteReadiness(registry: registry)
        let current = rendered(version: "v1")
        readiness.update(current)
        let routing = registry.open(delta: true)
        registry.update(routing) {
            $0.routesSubscribed = true
            $0.acceptedVirtualHosts = [name: current.snapshot.virtualHosts[name]!.version]
        }
        _ = registry.open(delta: false)
        #expect(readiness.state(of: .httpRoute, root.key) == .routed)
    }
}

extension RouteReadinessTests {
    @Test func aRootWhoseRoutesAllAnswer503IsNotRouted() {
        let registry = XDSStreamRegistry()
        let readiness = RouteReadiness(registry: registry)
        var current = rendered(version: "v1")
        current.rootsWithoutGateway = [root]
        readiness.update(current)
        let stream = registry.open(delta: true)
        registry.update(stream) {
            $0.routesSubscribed = true
            $0.acceptedVirtualHosts = [name: current.snapshot.virtualHosts[name]!.version]
        }
        #expect(
            readiness.state(of: .httpRoute, root.key)
                == .pending("no cluster serving it has reported a gateway address yet"))
    }
}

import KubeAPI
import Testing

@testable import Placement

@Suite("Leaves: copies of the root for one cluster")
struct LeafTests {
    @Test("every field of the root is kept, byte for byte, except what the server or the syncer own")
    func copiesEverything() {
        let leaf = Leaf(of: Fixtures.ingress, cluster: "east").object
        // Fields no typed view models come through exactly as written.
        #expect(leaf["spec"]?.printed == Fixtures.ingress["spec"]?.printed)
        #expect(leaf["spec"]?["x-future"]?.printed == #"{"ratio":0.50,"big":18446744073709551616}"#)
        #expect(leaf["status"] == nil)
        let metadata = leaf["metadata"]!
        for field in ["resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "ownerReferences"] {
            #expect(metadata[field] == nil, "\(field)")
        }
        #expect(metadata["finalizers"] == nil)
        #expect(metadata["name"] == "front--east")
        #expect(metadata["namespace"] == "shop")
        #expect(metadata["labels"] == ["app": "front", "kcp.dev/cluster": "east", "kcp.dev/owned-by": "front"])
        #expect(
            metadata["annotations"] == [
                "note": "café ☃", "kcp.dev/owned-by": "front", "kcp.dev/owner-uid": "u-1",
            ])
    }

    @Test("a root without a uid yet (at CREATE admission) gives a leaf without the uid annotation")
    func noUID() {
        var root = Fixtures.httpRoute
        root["metadata"]?["uid"] = nil
        let leaf = Leaf(of: root, cluster: "west").object
        #expect(leaf["metadata"]?["annotations"] == ["kcp.dev/owned-by": "store"])
        #expect(leaf["spec"]?["rules"]?[0]?["filters"] == root["spec"]?["rules"]?[0]?["filters"])
        #expect(leaf["spec"]?["rules"]?[0]?["timeouts"] == ["request": "10s"])
    }

    @Test("a root of 70 characters: the label holds a hashed value, the annotation the whole name")
    func longRoot() {
        var root = Fixtures.route
        let name = String(repeating: "r", count: 70)
        root["metadata"]?["name"] = .string(name)
        let leaf = Leaf(of: root, cluster: "east").object
        let label = leaf["metadata"]?["labels"]?["kcp.dev/owned-by"]?.stringValue ?? ""
        #expect(label.count <= 63 && NameValidation.labelValueError(label) == nil)
        #expect(leaf["metadata"]?["annotations"]?["kcp.dev/owned-by"] == .string(name))
    }

    @Test("a stored leaf satisfies the desired one unless spec, labels or annotations differ")
    func satisfied() {
        let desired = Leaf(of: Fixtures.ingress, cluster: "east")
        var stored = desired.object
        stored["metadata"]?["resourceVersion"] = "12"
        stored["metadata"]?["uid"] = "leaf-uid"
        stored["status"] = ["loadBalancer": ["ingress": [["ip": "192.0.2.1"]]]]
        #expect(desired.isSatisfied(by: stored))

        var changedSpec = stored
        changedSpec["spec"]?["ingressClassName"] = "other"
        #expect(!desired.isSatisfied(by: changedSpec))
        var extraField = stored
        extraField["extra"] = 1
        #expect(!desired.isSatisfied(by: extraField))
        var relabelled = stored
        relabelled["metadata"]?["labels"]?["kcp.dev/cluster"] = "west"
        #expect(!desired.isSatisfied(by: relabelled))

        let update = desired.replacing(stored)
        #expect(update["metadata"]?["resourceVersion"] == "12")
        #expect(update["status"] == stored["status"])
        #expect(update["spec"] == desired.object["spec"])
    }

    @Test("a leaf's gateway addresses come from its cluster: a leaf rewritten from its root keeps them")
    func gatewayAddressesKept() {
        let root = Fixtures.ingress
        let desired = Leaf(of: root, cluster: "east")
        var stored = desired.object
        stored["metadata"]?["resourceVersion"] = "12"
        stored["metadata"]?["annotations"]?["kcp.dev/gateway-addresses"] = "192.0.2.1:8080"
        #expect(desired.isSatisfied(by: stored))
        var changedSpec = stored
        changedSpec["spec"]?["ingressClassName"] = "other"
        let update = desired.replacing(changedSpec)
        #expect(update["metadata"]?["annotations"]?["kcp.dev/gateway-addresses"] == "192.0.2.1:8080")
        #expect(update["spec"] == desired.object["spec"])

        // A root that names the addresses itself decides them.
        var annotatedRoot = root
        annotatedRoot["metadata"]?["annotations"]?["kcp.dev/gateway-addresses"] = "192.0.2.9"
        let fromRoot = Leaf(of: annotatedRoot, cluster: "east")
        #expect(!fromRoot.isSatisfied(by: stored))
        #expect(fromRoot.replacing(stored)["metadata"]?["annotations"]?["kcp.dev/gateway-addresses"] == "192.0.2.9")
    }
}

extension JSON {
    var printed: String { String(decoding: bytes, as: UTF8.self) }
}

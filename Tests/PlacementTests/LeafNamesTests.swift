import KubeAPI
import Testing

@testable import Placement

@Suite("Leaf names")
struct LeafNamesTests {
    @Test("root--cluster when valid, otherwise cut with a stable hash")
    func leafNames() {
        #expect(LeafNames.leafName(root: "shop", cluster: "east") == "shop--east")
        let long = String(repeating: "a", count: 250)
        let name = LeafNames.leafName(root: long, cluster: "east")
        #expect(name.count <= 253)
        #expect(NameValidation.dns1123SubdomainError(name) == nil)
        #expect(name == LeafNames.leafName(root: long, cluster: "east"), "stable")
        #expect(name != LeafNames.leafName(root: long, cluster: "west"), "distinct")
        // Unsafe characters are replaced, and the hash keeps "East_1" apart from "east-1".
        let unsafe = LeafNames.leafName(root: "shop", cluster: "East_1")
        #expect(NameValidation.dns1123SubdomainError(unsafe) == nil)
        #expect(unsafe.hasPrefix("shop--east-1-"))
        #expect(unsafe != LeafNames.leafName(root: "shop", cluster: "east-1"))
    }

    @Test(
        "every name is a DNS-1123 subdomain within the limit",
        arguments: [
            ("shop", "a..b"), ("shop", ".east"), ("shop", "east."), ("shop", "-"), ("shop", "..."),
            ("Shop.Front", "EU.West"), ("shop", "east_1.-x-.y"), ("a.b", "c"), ("", ""), ("ünï", "cödé"),
            (String(repeating: "a.", count: 130), "z"), (String(repeating: "x", count: 252), "."),
        ])
    func alwaysValid(root: String, cluster: String) {
        let name = LeafNames.leafName(root: root, cluster: cluster)
        #expect(NameValidation.dns1123SubdomainError(name) == nil, "\(name)")
        #expect(name.utf8.count <= 253)
        #expect(name == LeafNames.leafName(root: root, cluster: cluster))
    }

    @Test("a cluster name with an empty dot-separated part gets a valid name, apart from its look-alikes")
    func emptyParts() {
        let name = LeafNames.leafName(root: "shop", cluster: "a..b")
        #expect(name.hasPrefix("shop--a.b-"))
        #expect(name != LeafNames.leafName(root: "shop", cluster: "a.b"))
    }

    @Test("label values: within 63 characters and valid, for names of any length")
    func labelValues() {
        let root70 = String(repeating: "r", count: 70)
        let value = LeafNames.labelValue(root70)
        #expect(value.count <= 63)
        #expect(NameValidation.labelValueError(value) == nil)
        #expect(value != LeafNames.labelValue(String(repeating: "r", count: 71)))
        #expect(LeafNames.labelValue("shop") == "shop")
        #expect(NameValidation.labelValueError(LeafNames.labelValue("a..b")) == nil)
    }

    @Test("names at the limit are kept; one past it is cut")
    func atTheLimit() {
        let root = String(repeating: "s", count: 253 - "--east".count)
        #expect(LeafNames.leafName(root: root, cluster: "east") == root + "--east")
        let over = LeafNames.leafName(root: root + "s", cluster: "east")
        #expect(over.count == 253)
        #expect(over.hasSuffix("-" + FNV1a.hash32(root + "s--east").hex))
    }
}

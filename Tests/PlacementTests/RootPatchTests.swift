import KubeAPI
import Testing

@testable import Placement

@Suite("The root's patch: kcp.dev/clusters")
struct RootPatchTests {
    func root(annotations: JSON?) -> JSON {
        var root = Fixtures.route
        root["metadata"]?["annotations"] = annotations
        return root
    }

    func patch(_ root: JSON, _ clusters: [String]) -> String {
        RootPatch.patch(for: root, clusters: clusters).json.printed
    }

    @Test("no annotations: one add of the whole map")
    func addMap() {
        #expect(
            patch(root(annotations: nil), ["west", "east"])
                == #"[{"op":"add","path":"/metadata/annotations","value":{"kcp.dev/clusters":"east,west"}}]"#)
        #expect(
            patch(root(annotations: .null), ["east"])
                == #"[{"op":"add","path":"/metadata/annotations","value":{"kcp.dev/clusters":"east"}}]"#)
    }

    @Test("other annotations: add, replace or remove the one key, ~1-escaped; nothing when it already says so")
    func oneKey() {
        #expect(
            patch(root(annotations: ["note": "x"]), ["east"])
                == #"[{"op":"add","path":"/metadata/annotations/kcp.dev~1clusters","value":"east"}]"#)
        #expect(
            patch(root(annotations: ["kcp.dev/clusters": "east"]), ["east", "west"])
                == #"[{"op":"replace","path":"/metadata/annotations/kcp.dev~1clusters","value":"east,west"}]"#)
        #expect(patch(root(annotations: ["kcp.dev/clusters": "east,west"]), ["west", "east"]) == "[]")
        #expect(
            patch(root(annotations: ["kcp.dev/clusters": "east"]), [])
                == #"[{"op":"remove","path":"/metadata/annotations/kcp.dev~1clusters"}]"#)
        #expect(patch(root(annotations: ["note": "x"]), []) == "[]")
    }

    @Test("every patch applies to its root and leaves the annotation as wanted")
    func applies() throws {
        for annotations: JSON? in [nil, .null, ["note": "x"], ["kcp.dev/clusters": "a"], [:]] {
            for clusters in [[], ["east"], ["west", "east"]] {
                let root = root(annotations: annotations)
                let patched = try RootPatch.patch(for: root, clusters: clusters).apply(to: root)
                #expect(RootPatch.recordedClusters(of: patched) == clusters.sorted())
                #expect(patched["metadata"]?["annotations"]?["note"] == annotations?["note"])
            }
        }
    }
}

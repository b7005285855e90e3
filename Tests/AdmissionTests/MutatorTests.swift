import KubeAPI
import Placement
import PlacementAPI
import Testing

@testable import Admission
@testable import KubeClient

@Suite("/mutate without writes: placement, patches, previews, refusals")
struct MutatorTests {
    let reader = ArrayReader(services: [
        Reviews.service("web", cluster: "east"), Reviews.service("api", cluster: "west"),
    ])

    /// A writer aimed at nothing: these tests never reach it (dry runs, or no writes to make).
    func writer() throws -> LeafWriter {
        try LeafWriter(
            connection: ClusterConnection(
                server: "https://127.0.0.1:1", certificateAuthority: nil, insecureSkipTLSVerify: true,
                clientCertificate: nil, clientKey: nil, token: nil, tokenFile: nil),
            timeout: .seconds(1), qps: 10, burst: 10)
    }

    @Test("dry run: the root's patch and one warning per leaf that would be written")
    func dryRun() async throws {
        let mutator = Mutator(reader: reader, writer: try writer())
        let answer = await mutator.review(Reviews.decoded(Reviews.review(object: Reviews.ingress, dryRun: true)))
        #expect(answer.allowed)
        #expect(answer.patchType == "JSONPatch")
        #expect(
            try answer.patch()?.json
                == Reviews.parse(
                    #"[{"op":"add","path":"/metadata/annotations","value":{"kcp.dev/clusters":"east,west"}}]"#))
        #expect(
            answer.json["warnings"]
                == [
                    "would create ingress front--east for cluster east",
                    "would create ingress front--west for cluster west",
                ])
    }

    @Test("dry run of a DELETE previews the leaves' deletion and carries no patch")
    func dryRunDelete() async throws {
        var leaves = ArrayReader(services: reader.services)
        leaves.roots[.ingress] = [Leaf(of: Reviews.ingress, cluster: "east").object]
        let mutator = Mutator(reader: leaves, writer: try writer())
        let answer = await mutator.review(
            Reviews.decoded(Reviews.review(operation: "DELETE", object: nil, oldObject: Reviews.ingress, dryRun: true)))
        #expect(answer.allowed && answer.json["patch"] == nil && answer.patchType == nil)
        #expect(answer.json["warnings"] == ["would delete ingress front--east for cluster east"])
    }

    @Test("a DELETE whose leaf deletes fail is refused, and the root is not left marked as being deleted")
    func deleteFails() async throws {
        var leaves = ArrayReader(services: reader.services)
        leaves.roots[.ingress] = [Leaf(of: Reviews.ingress, cluster: "east").object]
        let writer = try writer()
        let answer = await Mutator(reader: leaves, writer: writer).review(
            Reviews.decoded(Reviews.review(operation: "DELETE", object: nil, oldObject: Reviews.ingress)))
        #expect(!answer.allowed && answer.code == 503)
        #expect(
            !writer.deletingRoots.contains(ObjectKey(of: Reviews.ingress)), "the status loop may restore its leaves")
    }

    @Test("a leaf the stored root records but the cache has not seen yet is still deleted when it is to go")
    func cacheLag() async throws {
        var old = Reviews.ingress
        old["metadata"]?["annotations"] = ["kcp.dev/clusters": "east,west"]
        let eastOnly = ArrayReader(services: [Reviews.service("web", cluster: "east")])
        let answer = await Mutator(reader: eastOnly, writer: try writer()).review(
            Reviews.decoded(Reviews.review(operation: "UPDATE", object: old, oldObject: old, dryRun: true)))
        #expect(answer.allowed)
        let warnings = answer.json["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(warnings.contains("would delete ingress front--west for cluster west"), "\(warnings)")
        #expect(warnings.contains("would create ingress front--east for cluster east"), "\(warnings)")
    }

    @Test("dry run of a move: the leaf on the cluster left, which routes, is kept until the new cluster routes")
    func dryRunHandOver() async throws {
        // web moved from east to west; east's leaf reports its gateway, west's does not exist yet.
        var moved = ArrayReader(services: [
            Reviews.service("web", cluster: "west"), Reviews.service("api", cluster: "west"),
        ])
        var east = Leaf(of: Reviews.ingress, cluster: "east").object
        east["status"] = ["loadBalancer": ["ingress": [["ip": "192.0.2.1"]]]]
        moved.roots[.ingress] = [east]
        let answer = await Mutator(reader: moved, writer: try writer()).review(
            Reviews.decoded(
                Reviews.review(operation: "UPDATE", object: Reviews.ingress, oldObject: Reviews.ingress, dryRun: true)))
        #expect(answer.allowed)
        #expect(
            answer.json["warnings"]
                == [
                    "would create ingress front--west for cluster west",
                    "would keep ingress front--east on cluster east until the new clusters route",
                ])
    }

    @Test("leaves already as desired: nothing is written and the answer only patches the root")
    func upToDate() async throws {
        var current = reader
        current.roots[.ingress] = ["east", "west"].map { Leaf(of: Reviews.ingress, cluster: $0).object }
        // The writer points nowhere: any write would fail the review.
        let answer = await Mutator(reader: current, writer: try writer()).review(
            Reviews.decoded(Reviews.review(object: Reviews.ingress)))
        #expect(answer.allowed, "\(answer.message ?? "")")
        #expect(answer.json["warnings"] == nil)
    }

    @Test("a write that fails: refused with 503, naming the leaf and the reason")
    func writeFails() async throws {
        let answer = await Mutator(reader: reader, writer: try writer()).review(
            Reviews.decoded(Reviews.review(object: Reviews.ingress)))
        #expect(!answer.allowed && answer.code == 503)
        #expect(answer.message?.contains("create of leaf shop/front--east failed") == true, "\(answer.message ?? "")")
        #expect(answer.message?.contains("retry") == true)
    }

    @Test("no backend on a labelled cluster: allowed, no leaves, warnings saying why")
    func unplaced() async throws {
        let answer = await Mutator(reader: ArrayReader(), writer: try writer()).review(
            Reviews.decoded(Reviews.review(object: Reviews.ingress)))
        #expect(answer.allowed)
        #expect(answer.patchType == nil)
        #expect(
            answer.json["warnings"]?[0]
                == "ingress front gets no leaves: no backend Service carries the kcp.dev/cluster label")
    }

    @Test("without an API server roots are refused, saying placement needs one; other kinds pass")
    func noAPIServer() async {
        let mutator = Mutator(reader: nil, writer: nil)
        let answer = await mutator.review(Reviews.decoded(Reviews.review(object: Reviews.ingress)))
        #expect(!answer.allowed && answer.code == 503)
        #expect(answer.message?.contains("without an API server") == true)
        let leaf = Leaf(of: Reviews.ingress, cluster: "east").object
        #expect(await mutator.review(Reviews.decoded(Reviews.review(object: leaf))).allowed, "leaves are not placed")
    }
}

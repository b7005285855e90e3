import KubeAPI
import NIOHTTP1
import Testing

@testable import DevAPIServer

/// Options a write carries are read as kube-apiserver reads them: a value
/// it does not know is refused, never taken for "do it for real".
@Suite("Development API server: request options")
struct RequestOptionTests {
    static let ingress = HostileClient.ingresses + "/a"

    @Test(
        "dryRun values other than All are refused with 422 naming the supported value, and nothing is written",
        arguments: ["all", "Maybe", ""])
    func unsupportedDryRun(value: String) async throws {
        let client = HostileClient()
        let create = await client.call(.POST, HostileClient.ingresses + "?dryRun=\(value)", HostileClient.ingress)
        #expect(create.code == 422)
        #expect(create.isStatus)
        #expect(create.message.contains(#"dryRun: Unsupported value: "\#(value)": supported values: "All""#))
        #expect(create.json?["details"]?["kind"] == "CreateOptions")
        #expect(await client.call(.GET, Self.ingress).code == 404, "nothing stored")
        #expect(await client.call(.POST, HostileClient.ingresses, HostileClient.ingress).code == 201)
        let version = await client.resourceVersion(of: Self.ingress)
        let patch = await client.call(
            .PATCH, Self.ingress + "?dryRun=\(value)", #"{"spec":{"x":1}}"#, contentType: "application/merge-patch+json"
        )
        #expect(patch.code == 422)
        #expect(patch.json?["details"]?["kind"] == "PatchOptions")
        let delete = await client.call(.DELETE, Self.ingress + "?dryRun=\(value)")
        #expect(delete.code == 422)
        #expect(await client.resourceVersion(of: Self.ingress) == version, "neither patched nor deleted")
        #expect(await client.call(.GET, Self.ingress + "?dryRun=\(value)").code == 200, "reads ignore dryRun")
    }

    @Test("dryRun in a DELETE body (kubectl delete --dry-run=server) deletes nothing")
    func dryRunDeleteBody() async throws {
        let client = HostileClient()
        #expect(await client.call(.POST, HostileClient.ingresses, HostileClient.ingress).code == 201)
        let dry = await client.call(
            .DELETE, Self.ingress, #"{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["All"]}"#)
        #expect(dry.code == 200)
        #expect(await client.call(.GET, Self.ingress).code == 200, "still there")
        let bad = await client.call(.DELETE, Self.ingress, #"{"dryRun":["Sometimes"]}"#)
        #expect(bad.code == 422)
        #expect(await client.call(.GET, Self.ingress).code == 200, "still there")
    }

    @Test(
        "delete options of the wrong type are refused with 400 and the object is kept",
        arguments: [
            #"{"preconditions":{"uid":12}}"#, #"{"preconditions":{"resourceVersion":1}}"#,
            #"{"preconditions":"uid"}"#, #"{"gracePeriodSeconds":"now"}"#, #"{"dryRun":"All"}"#, #"[]"#,
        ])
    func wrongDeleteOptionTypes(body: String) async throws {
        let client = HostileClient()
        #expect(await client.call(.POST, HostileClient.ingresses, HostileClient.ingress).code == 201)
        let delete = await client.call(.DELETE, Self.ingress, body)
        #expect(delete.code == 400)
        #expect(delete.isStatus)
        #expect(delete.message.contains("unable to decode DeleteOptions"))
        #expect(await client.call(.GET, Self.ingress).code == 200, "still there")
    }

    @Test("a propagationPolicy kube-apiserver does not know is 422; a known one deletes")
    func propagationPolicy() async throws {
        let client = HostileClient()
        #expect(await client.call(.POST, HostileClient.ingresses, HostileClient.ingress).code == 201)
        #expect(await client.call(.DELETE, Self.ingress, #"{"propagationPolicy":"Eventually"}"#).code == 422)
        #expect(await client.call(.DELETE, Self.ingress, #"{"propagationPolicy":"Background"}"#).code == 200)
        #expect(await client.call(.GET, Self.ingress).code == 404)
    }

    @Test("the Bearer scheme is case-insensitive")
    func bearerCaseInsensitive() async {
        let client = HostileClient()
        for scheme in ["Bearer", "bearer", "BEARER"] {
            #expect(
                await client.call(.GET, HostileClient.ingresses, authorization: "\(scheme) admin-token").code == 200)
        }
        #expect(await client.call(.GET, HostileClient.ingresses, authorization: "Basic admin-token").code == 401)
        #expect(await client.call(.GET, HostileClient.ingresses, authorization: "bearer wrong").code == 401)
    }

    @Test("list with a numeric limit and resourceVersion still pages")
    func validListOptions() async throws {
        let client = HostileClient()
        for name in ["a", "b", "c"] {
            _ = await client.call(.POST, HostileClient.ingresses, #"{"metadata":{"name":""# + name + #""}}"#)
        }
        let page = await client.call(.GET, HostileClient.ingresses + "?limit=2&resourceVersion=0")
        #expect(page.json?["items"]?.arrayValue?.count == 2)
        #expect(await client.call(.GET, HostileClient.ingresses + "?limit=0").json?["items"]?.arrayValue?.count == 3)
    }
}

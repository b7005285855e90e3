import KubeAPI
import NIOHTTP1
import Testing

@testable import DevAPIServer

/// Writes that would make the server do or store too much are refused with
/// a Status naming the limit, and leave the stored object as it was.
@Suite("Development API server: write limits")
struct WriteLimitTests {
    static let ingress = HostileClient.ingresses + "/a"

    func created() async throws -> HostileClient {
        let client = HostileClient()
        let created = await client.call(
            .POST, HostileClient.ingresses,
            #"{"metadata":{"name":"a"},"spec":{"rules":[{"host":"a.example.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]}}"#
        )
        try #require(created.code == 201)
        return client
    }

    static func doublingCopies(_ count: Int) -> String {
        JSON.array((0..<count).map { ["op": "copy", "from": "/spec", "path": .string("/spec/c\($0)")] }).text
    }

    @Test("30 copies of /spec into itself are refused with 422 naming the copy limit; the object is unchanged")
    func copyAmplification() async throws {
        let client = try await created()
        let before = await client.resourceVersion(of: Self.ingress)
        let patched = await client.call(
            .PATCH, Self.ingress, Self.doublingCopies(30), contentType: "application/json-patch+json")
        #expect(patched.code == 422)
        #expect(patched.isStatus)
        #expect(patched.message.contains("copy limit"), "\(patched.message)")
        #expect(await client.resourceVersion(of: Self.ingress) == before)
        #expect(await client.answersVersion())
    }

    @Test("a JSON patch of more than 10,000 operations is 413 RequestEntityTooLarge")
    func tooManyOperations() async throws {
        let client = try await created()
        let patch = JSON.array(Array(repeating: ["op": "test", "path": "/kind", "value": "Ingress"], count: 10_001))
        let patched = await client.call(.PATCH, Self.ingress, patch.text, contentType: "application/json-patch+json")
        #expect(patched.code == 413)
        #expect(patched.reason == "RequestEntityTooLarge")
        #expect(patched.message.contains("10000"))
    }

    @Test("an object larger than the store's 1.5 MiB is refused with 413, by create and by patch")
    func objectTooLarge() async throws {
        let client = try await created()
        let big = String(repeating: "x", count: 1_600_000)
        let create = await client.call(
            .POST, HostileClient.ingresses, #"{"metadata":{"name":"big"},"spec":{"blob":""# + big + #""}}"#)
        #expect(create.code == 413)
        #expect(create.reason == "RequestEntityTooLarge")
        #expect(create.message.contains("1572864"))
        let before = await client.resourceVersion(of: Self.ingress)
        let patch = await client.call(
            .PATCH, Self.ingress, #"{"spec":{"blob":""# + big + #""}}"#, contentType: "application/merge-patch+json")
        #expect(patch.code == 413)
        #expect(await client.resourceVersion(of: Self.ingress) == before)
        #expect(await client.call(.GET, HostileClient.ingresses + "/big").code == 404)
    }

    @Test("a body over 3 MiB is 413 RequestEntityTooLarge as a Status, before it is parsed")
    func bodyTooLarge() async throws {
        let client = HostileClient()
        let answer = await client.call(
            .POST, HostileClient.ingresses, bytes: Array(repeating: UInt8(ascii: "{"), count: 3 * 1024 * 1024 + 1))
        #expect(answer.code == 413)
        #expect(answer.isStatus)
        #expect(answer.message == "Request entity too large: limit is 3145728")
    }

    @Test("copies that nest the object deeper than the parser reads are refused with 422")
    func deepeningCopies() async throws {
        let client = try await created()
        let patch = JSON.array(
            (1...40).map { depth in
                ["op": "copy", "from": "/spec", "path": .string("/spec" + String(repeating: "/x", count: depth))]
            })
        let patched = await client.call(.PATCH, Self.ingress, patch.text, contentType: "application/json-patch+json")
        #expect(patched.code == 422)
        #expect(patched.message.contains("deeper than 512 levels"), "\(patched.message)")
    }
}

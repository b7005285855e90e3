import Foundation
import KubeAPI
import NIOHTTP1
import Testing

@testable import DevAPIServer

/// Secrets as kube-apiserver stores them: what `--cert-management=self`
/// reads and writes, and what must fail here as it fails there.
@Suite("Development API server: Secrets")
struct SecretTests {
    let api = DevAPIServerTests()
    static let secrets = "/api/v1/namespaces/default/secrets"

    @Test("stringData is merged into data as base64 and dropped; type defaults to Opaque")
    func stringData() async throws {
        let server = api.server()
        let created = await api.call(
            server, .POST, Self.secrets,
            #"{"metadata":{"name":"s"},"data":{"a":"eA=="},"stringData":{"b":"hello","a":"y"}}"#)
        #expect(created.code == 201)
        #expect(created.json?["data"]?["a"]?.stringValue == "eQ==")
        #expect(created.json?["data"]?["b"]?.stringValue == Base64.encode(Array("hello".utf8)))
        #expect(created.json?["stringData"] == nil)
        #expect(created.json?["type"]?.stringValue == "Opaque")
    }

    @Test(
        "refused: data that is not base64 (400), a bad key, a kubernetes.io/tls Secret without its keys, over 1 MiB (422)",
        arguments: [
            (#"{"metadata":{"name":"s"},"data":{"a":"not base64!"}}"#, 400),
            (#"{"metadata":{"name":"s"},"data":{"..a":"eA=="}}"#, 422),
            (#"{"metadata":{"name":"s"},"data":{"a/b":"eA=="}}"#, 422),
            (#"{"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"eA=="}}"#, 422),
            (#"{"metadata":{"name":"s"},"stringData":{"a":"\#(String(repeating: "x", count: 1_048_577))"}}"#, 422),
        ])
    func refused(body: String, code: Int) async throws {
        let server = api.server()
        #expect(await api.call(server, .POST, Self.secrets, body).code == UInt(code))
        #expect(await api.call(server, .GET, Self.secrets + "/s").code == 404, "nothing was stored")
    }

    @Test("a Secret's type never changes; an immutable one keeps its data")
    func immutability() async throws {
        let server = api.server()
        #expect(
            await api.call(server, .POST, Self.secrets, #"{"metadata":{"name":"s"},"data":{"a":"eA=="}}"#).code == 201)
        let retyped = await api.call(
            server, .PUT, Self.secrets + "/s",
            #"{"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"eA==","tls.key":"eA=="}}"#)
        #expect(retyped.code == 422)
        #expect(retyped.json?["message"]?.stringValue?.contains("field is immutable") == true)
        #expect(
            await api.call(
                server, .POST, Self.secrets, #"{"metadata":{"name":"i"},"immutable":true,"data":{"a":"eA=="}}"#
            ).code == 201)
        let changed = await api.call(
            server, .PUT, Self.secrets + "/i", #"{"metadata":{"name":"i"},"immutable":true,"data":{"a":"eQ=="}}"#)
        #expect(changed.code == 422)
        #expect(await api.call(server, .DELETE, Self.secrets + "/i").code == 200, "deleting one is allowed")
    }
}

import Foundation
import HTTPClient
import KubeAPI
import NIOCore
import NIOHTTP1
import TLS
import Testing

@testable import DevAPIServer

/// The protocol the admission chain speaks to webhooks: HTTP/2 on loopback,
/// as kube-apiserver offers it, HTTP/1.1 elsewhere.
@Suite("Admission: the transport to webhooks", .timeLimit(.minutes(2)))
struct AdmissionTransportTests {
    @Test("a webhook at 127.0.0.1 or localhost is called over HTTP/2", arguments: ["127.0.0.1", "localhost"])
    func loopbackIsHTTP2(host: String) async throws {
        let api = try InProcessAPI()
        let webhook = try await ScriptedWebhook(urlHost: host) { _, _ in ScriptedWebhook.allow() }
        defer { webhook.stop() }
        #expect(await api.registerMutatingAndValidating(webhook))
        #expect(await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"}}"#).code == 201)
        let calls = webhook.received("/m") + webhook.received("/v")
        #expect(calls.count == 2)
        #expect(calls.allSatisfy { $0.version == .http2 }, "versions: \(calls.map(\.version))")
    }

    @Test("concurrent webhook calls are streams of one HTTP/2 connection")
    func concurrentCallsShareAConnection() async throws {
        let api = try InProcessAPI()
        let arrived = Locked(0)
        let allArrived = AsyncGate()
        let webhook = try await ScriptedWebhook { _, _ in
            // No call is answered before all three are in: they are in
            // flight together, which one HTTP/1.1 connection cannot carry.
            if arrived.withLock({
                $0 += 1; return $0
            }) == 3 {
                allArrived.open()
            }
            _ = await allArrived.wait(upTo: .seconds(20))
            return ScriptedWebhook.allow()
        }
        defer { webhook.stop() }
        #expect(
            await api.register(
                "ValidatingWebhookConfiguration",
                webhook.configuration(
                    kind: "ValidatingWebhookConfiguration", name: "v.kcp.dev",
                    webhooks: [("/1", ""), ("/2", ""), ("/3", "")])) == 201)
        #expect(await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"}}"#).code == 201)
        let calls = webhook.calls.withLock { $0 }
        #expect(calls.count == 3)
        #expect(calls.allSatisfy { $0.version == .http2 })
        #expect(Set(calls.compactMap(\.clientPort)).count == 1, "one client connection: \(calls.map(\.clientPort))")
        #expect(allArrived.isOpen)

        // The next write's calls reuse it.
        #expect(await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"b"}}"#).code == 201)
        let ports = Set(webhook.calls.withLock { $0 }.compactMap(\.clientPort))
        #expect(ports.count == 1)
    }

    @Test("HTTP/2 and HTTP/1.1 are offered to loopback hosts, HTTP/1.1 alone to any other")
    func protocolChoice() {
        for host in ["127.0.0.1", "127.3.2.1", "localhost", "LocalHost", "::1"] {
            #expect(WebhookTransport.applicationProtocols(forHost: host) == ["h2", "http/1.1"], "\(host)")
        }
        for host in ["10.0.0.1", "128.0.0.1", "webhook.example.com", "localhost.example.com", "::2", "1127.0.0.1"] {
            #expect(WebhookTransport.applicationProtocols(forHost: host) == ["http/1.1"], "\(host)")
        }
    }

    @Test("concurrent first calls to one webhook host get one TLS context, so they can share its connection")
    func concurrentCallsShareAContext() async throws {
        let webhook = try await ScriptedWebhook { _, _ in ScriptedWebhook.allow() }
        defer { webhook.stop() }
        // Building takes long enough here for eight threads released at once
        // to overlap. The contexts are held, not just their identities: a
        // context freed meanwhile could leave its address to another.
        let contexts = TLSContextCache { configuration in
            usleep(50_000)
            return try TLSContext(configuration: configuration)
        }
        let caBundle = webhook.caBundle
        let built = Locked<[TLSContext]>([])
        let go = Locked(false)
        let done = DispatchGroup()
        for _ in 0..<8 {
            done.enter()
            Thread.detachNewThread {
                while !go.withLock({ $0 }) {}
                if let context = try? contexts.context(caBundle: caBundle, host: "127.0.0.1") {
                    built.withLock { $0.append(context) }
                }
                done.leave()
            }
        }
        go.withLock { $0 = true }
        await withCheckedContinuation { finished in done.notify(queue: .global()) { finished.resume() } }
        let contextsBuilt = built.withLock { $0 }
        #expect(contextsBuilt.count == 8)
        let later = try contexts.context(caBundle: caBundle, host: "localhost")
        #expect(contextsBuilt.allSatisfy { $0 === later })
    }

    @Test("a webhook offered HTTP/1.1 alone is called over HTTP/1.1 though it speaks HTTP/2")
    func otherHostsAreHTTP1() async throws {
        let webhook = try await ScriptedWebhook { _, _ in ScriptedWebhook.allow() }
        defer { webhook.stop() }
        // No address but loopback is reachable here, so the chain's own
        // TLS context for a remote host is used against this loopback one.
        let contexts = TLSContextCache()
        let remote = try contexts.context(caBundle: webhook.caBundle, host: "webhook.example.com")
        let local = try contexts.context(caBundle: webhook.caBundle, host: "127.0.0.1")
        #expect(remote.applicationProtocols == ["http/1.1"])
        #expect(local.applicationProtocols == ["h2", "http/1.1"])
        let client = HTTPClient()
        defer { client.shutdown() }
        for context in [remote, local] {
            let review: JSON = [
                "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": ["uid": "u"],
            ]
            var body = ByteBuffer()
            body.writeBytes(review.bytes)
            let request = try ClientRequest(method: .POST, url: webhook.url("/v"), body: body)
            let response = try await client.execute(request, tls: context, timeout: .seconds(30))
            #expect(response.status == .ok)
        }
        #expect(webhook.received("/v").map(\.version) == [.http1_1, .http2])
    }
}

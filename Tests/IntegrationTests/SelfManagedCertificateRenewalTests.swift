import Foundation
import TestSupport
import Testing

/// Renewal with lifetimes of seconds. Its assertions are about wall-clock
/// deadlines (a pair renewed with a third of 3 s left must be served before
/// it expires), so it runs in the Makefile's timed phase, alone: in the
/// parallel suite a loaded machine delays one renewal past that second.
@Suite("Self-managed serving certificate: renewal", .timeLimit(.minutes(3)))
struct SelfManagedCertificateRenewalTests {
    /// A 3 s serving lifetime: renewed every 2 s. The CA lives 30 s; its
    /// successor enters the bundle after 20 s and signs from 1 s later, while
    /// the first stays trusted until it expires at 30 s.
    @Test("renewal of the pair and of the CA while requests go on: none fails")
    func renewalKeepsServing() async throws {
        let api = try await SelfManagedCertificateTests.apiServer()
        defer { api.stop() }
        let replica = try await SelfManagedReplica(api: api, validity: "3s")
        defer { replica.stop() }
        try await api.pointWebhooks(at: replica.port)
        let firstCA = String(decoding: try #require(try await api.secretData()["ca.crt"]), as: UTF8.self)

        var served = Set<[UInt8]>()
        var failures: [String] = []
        // Seen: a bundle led by the new CA that still holds the first.
        var overlap = false
        let deadline = ContinuousClock.now + .seconds(28)
        var index = 0
        while ContinuousClock.now < deadline, index < 200 {
            index += 1
            // As the API server does: trust what the configuration says now.
            let bundle = try await api.caBundle("validatingwebhookconfiguration")
            let text = String(decoding: bundle, as: UTF8.self)
            if !text.hasPrefix(firstCA), text.contains(firstCA) { overlap = true }
            let (code, body) = try await replica.curl("/healthz", caBundle: bundle)
            if code != 200 { failures.append("request \(index): \(code) \(body)") }
            let created = try await api.kubectl(["create", "ingress", "r\(index)", "--rule", "a.example.com/=svc:80"])
            if created.status != 0 { failures.append("ingress r\(index): \(created.stderr)") }
            if let files = try? replica.servedFiles(), let certificate = files[0] { served.insert(certificate) }
            // Enough once the new CA has signed for a while.
            if overlap, served.count >= 4,
                replica.process.stderr.contains(where: { $0.contains("the new CA signs from now") })
            {
                break
            }
        }
        #expect(
            failures.isEmpty,
            """
            \(failures.count) failed of \(index), the first: \(failures.prefix(4)); what the replica did: \
            \(replica.process.stderr.filter { $0.contains("secret") }.suffix(8))
            """)
        #expect(served.count >= 4, "the pair was renewed several times: \(served.count) seen")
        #expect(overlap, "the new CA led the bundle while the first was still in it")
        #expect(replica.process.stderr.contains { $0.contains("the new CA signs from now") })
        let bundleNow = String(decoding: try await api.secretData()["ca.crt"] ?? [], as: UTF8.self)
        #expect(!bundleNow.hasPrefix(firstCA), "the CA that signs is no longer the first one")
    }
}

import Foundation
import Testing

/// Where the operator's page is served: on the probe listener only, and
/// not at all with `--debug-page=false`.
@Suite("The operator's page: which listener serves it", .timeLimit(.minutes(2)))
struct OpsPageListenerTests {
    static func probe(_ server: KCPIngressServer, _ path: String) async throws -> (code: Int, body: String) {
        let result = try await run(
            "/usr/bin/curl", ["-sS", "-w", "\n%{http_code}", "http://127.0.0.1:\(server.healthPort)\(path)"])
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test("on the probe listener by default, as HTML and JSON; never on the webhook listener")
    func probeListenerOnly() async throws {
        let server = try await KCPIngressServer()
        defer { server.stop() }
        let page = try await Self.probe(server, "/debug")
        #expect(page.code == 200)
        #expect(page.body.hasPrefix("<!DOCTYPE html>"))
        let json = try await Self.probe(server, "/debug/state.json")
        #expect(json.code == 200)
        let state = try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [String: Any]
        #expect((state?["page"] as? [String: Any])?["total"] as? Int == 0)
        #expect(try await server.curl("/debug").code == 404)
        #expect(try await server.curl("/debug/state.json").code == 404)
    }

    @Test("--debug-page=false: not served, the probes still are")
    func turnedOff() async throws {
        let server = try await KCPIngressServer(arguments: ["--debug-page=false"])
        defer { server.stop() }
        #expect(try await Self.probe(server, "/debug").code == 404)
        #expect(try await Self.probe(server, "/debug/state.json").code == 404)
        #expect(try await Self.probe(server, "/healthz").code == 200)
    }
}

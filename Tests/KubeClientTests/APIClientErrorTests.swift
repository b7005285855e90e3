import Foundation
import HTTPServer
import KubeAPI
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import KubeClient

@Suite("REST client: answers the development server never gives", .timeLimit(.minutes(2)))
struct APIClientErrorTests {
    static let namespace: JSON = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "default"]]

    @Test("429 with Retry-After is retried after the time it asks; the request then succeeds")
    func retryAfter() async throws {
        let server = try await ScriptedServer { index in
            index < 2
                ? ScriptedServer.status(429, "TooManyRequests", "slow down", headers: [("Retry-After", "1")])
                : ScriptedServer.ok(Self.namespace)
        }
        defer { server.stop() }
        let clock = ContinuousClock()
        let start = clock.now
        let answer = try await APIClient(connection: server.connection()).get(
            Namespace.type, namespace: nil, name: "default")
        #expect(answer["metadata"]?["name"] == "default")
        #expect(server.requests.count == 3)
        #expect(start.duration(to: clock.now) >= .seconds(2))
    }

    @Test("429 past the retry budget is a tooManyRequests error carrying Retry-After")
    func tooManyRequests() async throws {
        let server = try await ScriptedServer { _ in
            ScriptedServer.status(429, "TooManyRequests", "slow down", headers: [("Retry-After", "0")])
        }
        defer { server.stop() }
        var options = APIClientOptions()
        options.maxRetries = 2
        let error = try await #require(throws: KubeError.self) {
            _ = try await APIClient(connection: server.connection(), options: options).get(
                Namespace.type, namespace: nil, name: "default")
        }
        #expect(error.reason == .tooManyRequests && error.retryAfter == .zero && server.requests.count == 3)
    }

    @Test("403 Forbidden, a 500 without Status, a 503 with Retry-After, and a body that is not JSON")
    func otherAnswers() async throws {
        let server = try await ScriptedServer { index in
            switch index {
            case 0: ScriptedServer.status(403, "Forbidden", "leases are forbidden")
            case 1: HTTPResponse.text(.internalServerError, "boom")
            case 2: ScriptedServer.status(503, "ServiceUnavailable", "later", headers: [("Retry-After", "0")])
            case 3: ScriptedServer.ok(Self.namespace)
            default: HTTPResponse.text(.ok, "not json")
            }
        }
        defer { server.stop() }
        let client = try APIClient(connection: server.connection())
        let forbidden = try await #require(throws: KubeError.self) {
            _ = try await client.get(Lease.type, namespace: "default", name: "x")
        }
        #expect(forbidden.reason == .forbidden && forbidden.message == "leases are forbidden")
        let serverError = try await #require(throws: KubeError.self) {
            _ = try await client.get(Lease.type, namespace: "default", name: "x")
        }
        #expect(serverError.reason == .serverError && serverError.code == 500 && serverError.status == nil)
        // The 503 asks to retry: answered by the next response.
        _ = try await client.get(Namespace.type, namespace: nil, name: "default")
        let garbage = try await #require(throws: KubeError.self) {
            _ = try await client.get(Namespace.type, namespace: nil, name: "default")
        }
        #expect(garbage.reason == .malformedResponse)
    }

    @Test("a continue token that expires mid-list (410) restarts the list without paging, as client-go's pager does")
    func expiredContinue() async throws {
        let service: JSON = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "a", "namespace": "default"]]
        let server = try await ScriptedServer { index in
            switch index {
            case 0:
                ScriptedServer.ok([
                    "kind": "ServiceList", "metadata": ["resourceVersion": "5", "continue": "page-2"],
                    "items": [service],
                ])
            case 1: ScriptedServer.status(410, "Expired", "the provided continue parameter is too old")
            default:
                ScriptedServer.ok([
                    "kind": "ServiceList", "metadata": ["resourceVersion": "9"], "items": [service, service],
                ])
            }
        }
        defer { server.stop() }
        let list = try await APIClient(connection: server.connection()).list(Service.type, namespace: "default")
        #expect(list.items.count == 2 && list.resourceVersion == "9", "only the unpaged list's items")
        let queries = server.requests.map { $0.query ?? "" }
        #expect(queries.count == 3)
        #expect(queries[0] == "limit=500" && queries[1] == "limit=500&continue=page-2" && queries[2].isEmpty)
    }

    @Test("a list a page at a time: each page handed as it comes, and the restart after an expired token said")
    func pagesAsTheyCome() async throws {
        let service: JSON = ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "a", "namespace": "default"]]
        let server = try await ScriptedServer { index in
            switch index {
            case 0, 1:
                ScriptedServer.ok([
                    "kind": "ServiceList",
                    "metadata": ["resourceVersion": "5", "continue": .string("page-\(index + 2)")],
                    "items": [service],
                ])
            case 2: ScriptedServer.status(410, "Expired", "the provided continue parameter is too old")
            default:
                ScriptedServer.ok([
                    "kind": "ServiceList", "metadata": ["resourceVersion": "9"], "items": [service, service, service],
                ])
            }
        }
        defer { server.stop() }
        var pages: [(count: Int, startingOver: Bool)] = []
        let resourceVersion = try await APIClient(connection: server.connection()).listPages(
            Service.type, namespace: "default"
        ) { items, startingOver in
            pages.append((items.count, startingOver))
        }
        #expect(resourceVersion == "9")
        #expect(pages.map(\.count) == [1, 1, 3])
        #expect(pages.map(\.startingOver) == [false, false, true])
    }

    @Test("a server that does not answer: a timeout error after requestTimeout")
    func timeout() async throws {
        let server = try await ScriptedServer { _ in
            try? await Task.sleep(for: .seconds(5))
            return ScriptedServer.ok(Self.namespace)
        }
        defer { server.stop() }
        var options = APIClientOptions()
        options.requestTimeout = .milliseconds(300)
        let error = try await #require(throws: KubeError.self) {
            _ = try await APIClient(connection: server.connection(), options: options).get(
                Namespace.type, namespace: nil, name: "default")
        }
        #expect(error.reason == .timeout)
    }

    @Test("requests carry the User-Agent, the path prefix, and the token file's current token")
    func headersAndPrefix() async throws {
        let server = try await ScriptedServer { _ in ScriptedServer.ok(Self.namespace) }
        defer { server.stop() }
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try Data("first-token\n".utf8).write(to: tokenFile)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        let client = try APIClient(
            connection: server.connection(prefix: "/clusters/root:org", token: nil, tokenFile: tokenFile.path))
        _ = try await client.get(Namespace.type, namespace: nil, name: "default")
        _ = try await client.get(Ingress.type, namespace: "team a", name: "web")
        let requests = server.requests
        #expect(
            requests.map(\.path) == [
                "/clusters/root:org/api/v1/namespaces/default",
                "/clusters/root:org/apis/networking.k8s.io/v1/namespaces/team%20a/ingresses/web",
            ])
        #expect(requests[0].headers.first(name: "user-agent") == "kcp-ingress/\(KCPIngressVersion.current)")
        #expect(requests[0].headers.first(name: "authorization") == "Bearer first-token")
    }

    @Test("the token file is re-read after the refresh interval, keeping the last token if it vanishes")
    func tokenRotation() async throws {
        let tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try Data("one".utf8).write(to: tokenFile)
        let start = ContinuousClock.now
        let elapsed = Mutex(Duration.zero)
        let credentials = Credentials(
            token: nil, tokenFile: tokenFile.path, refreshInterval: .seconds(60),
            now: { start + elapsed.withLock { $0 } })
        #expect(credentials.authorization() == "Bearer one")
        try Data("two".utf8).write(to: tokenFile)
        elapsed.withLock { $0 = .seconds(59) }
        #expect(credentials.authorization() == "Bearer one", "not due before the interval")
        elapsed.withLock { $0 = .seconds(60) }
        #expect(credentials.authorization() == "Bearer two", "re-read once due")
        try FileManager.default.removeItem(at: tokenFile)
        elapsed.withLock { $0 = .seconds(121) }
        #expect(credentials.authorization() == "Bearer two", "the last token kept")
    }
}

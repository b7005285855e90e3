import DevAPIServer
import Foundation
import KubeAPI
import Logging
import NIOHTTP1
import Testing

/// Several webhooks: validating ones in parallel, mutating ones re-run when
/// needed, and one deadline for the whole write.
@Suite("Admission: several webhooks", .timeLimit(.minutes(2)))
struct AdmissionOrderingTests {
    @Test("validating webhooks are called at once; all are called; the first refusal in order is reported")
    func parallelValidation() async throws {
        let api = try InProcessAPI()
        let secondCalled = AsyncGate()
        let webhook = try await ScriptedWebhook { path, _ in
            if path == "/first" {
                // Answers only once the second has been called: sequential calls would wait here.
                let opened = await secondCalled.wait(upTo: .seconds(20))
                return opened ? ScriptedWebhook.deny(message: "first") : ScriptedWebhook.allow()
            }
            secondCalled.open()
            return ScriptedWebhook.deny(message: "second")
        }
        defer { webhook.stop() }
        #expect(
            await api.register(
                "ValidatingWebhookConfiguration",
                webhook.configuration(
                    kind: "ValidatingWebhookConfiguration", name: "v.kcp.dev",
                    webhooks: [("/first", #","timeoutSeconds":30"#), ("/second", "")])) == 201)
        let created = await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"}}"#)
        #expect(created.code == 400)
        #expect(created.json?["message"] == #"admission webhook "0.v.kcp.dev" denied the request: first"#)
        #expect(webhook.received("/second").count == 1)
    }

    @Test("a mutating webhook with reinvocationPolicy IfNeeded runs again after a later one changed the object")
    func reinvocation() async throws {
        let api = try InProcessAPI()
        let webhook = try await ScriptedWebhook { path, _ in
            path == "/changes"
                ? ScriptedWebhook.allow(patch: #"[{"op":"add","path":"/metadata/labels","value":{"changed":"yes"}}]"#)
                : ScriptedWebhook.allow()
        }
        defer { webhook.stop() }
        #expect(
            await api.register(
                "MutatingWebhookConfiguration",
                webhook.configuration(
                    kind: "MutatingWebhookConfiguration", name: "m.kcp.dev",
                    webhooks: [
                        ("/again", #","reinvocationPolicy":"IfNeeded""#), ("/once", ""), ("/changes", ""),
                    ])) == 201)
        #expect(await api.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"}}"#).code == 201)
        let again = webhook.received("/again")
        #expect(again.count == 2)
        #expect(again.last?.request["object"]?["metadata"]?["labels"] == ["changed": "yes"])
        #expect(webhook.received("/once").count == 1, "reinvocationPolicy Never")
        #expect(webhook.received("/changes").count == 1)
    }

    @Test("the whole write has one deadline: a webhook gets what is left of it, not its own timeoutSeconds")
    func overallDeadline() async throws {
        let api = try DevAPIServer(
            authenticator: TokenAuthenticator(tokens: ["admin-token": .admin]), logger: Logger(label: "api"),
            admissionRequestTimeout: .seconds(10))
        let released = AsyncGate()
        // Held for 20 s at most, well inside its own 30 s timeout: only the
        // write's 10 s deadline can end the call while it is still held.
        // Over HTTP/2 the client resets the stream at its deadline, which
        // cancels the held call: that is no answer either.
        let answered = Locked(false)
        let webhook = try await ScriptedWebhook { _, _ in
            _ = await released.wait(upTo: .seconds(20))
            if !Task.isCancelled { answered.withLock { $0 = true } }
            return ScriptedWebhook.allow()
        }
        defer {
            released.open()
            webhook.stop()
        }
        let inProcess = InProcessAPI(server: api)
        #expect(
            await inProcess.register(
                "ValidatingWebhookConfiguration",
                webhook.configuration(
                    kind: "ValidatingWebhookConfiguration", name: "v.kcp.dev",
                    webhooks: [("/v", #","timeoutSeconds":30"#)])) == 201)
        let created = await inProcess.call(.POST, InProcessAPI.ingresses, #"{"metadata":{"name":"a"}}"#)
        #expect(!answered.withLock { $0 }, "the write returned while the webhook was still held")
        #expect(created.code == 500)
        // Told what is left of the write's 10 s (whole seconds, so 10 or less once
        // the write has spent some of it), never its own 30 s.
        let query = try #require(webhook.received("/v").last?.query)
        let seconds = try #require(Int(query.dropFirst("timeout=".count).dropLast()))
        #expect(query.hasPrefix("timeout=") && query.hasSuffix("s"))
        #expect((1...10).contains(seconds), "the webhook is told what is left of the deadline: \(query)")
    }
}

/// A one-shot signal that tasks wait on, each with a bounded wait.
final class AsyncGate: Sendable {
    private let state = Locked<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    var isOpen: Bool { state.withLock { $0.open } }

    /// True if opened, false if `limit` passed first (the gate is then
    /// opened, so that `isOpen` tells a test a waiter gave up).
    func wait(upTo limit: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let resumeNow = self.state.withLock { state in
                        if state.open { return true }
                        state.waiters.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            if !first { self.open() }  // releases the waiter so the group can finish
            return first
        }
    }
}

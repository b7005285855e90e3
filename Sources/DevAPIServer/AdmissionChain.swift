import Foundation
import HTTPClient
import KubeAPI
import NIOCore
import NIOHTTP1
import Synchronization
import TLS

/// One write, as admission sees it.
struct AdmissionAttributes: Sendable {
    var operation: AdmissionOperation
    var resource: ServedResource
    var subresource: String?
    /// For a Namespace, its own name, as kube-apiserver sets it.
    var namespace: String?
    /// Empty on a CREATE with generateName until the name is generated.
    var name: String
    var object: JSON?
    var oldObject: JSON?
    var user: APIUser
    var dryRun: Bool
    /// CreateOptions, UpdateOptions or DeleteOptions (`meta.k8s.io/v1`).
    var options: JSON?
    /// The whole write's deadline; no webhook is waited for past it.
    var deadline: ContinuousClock.Instant
}

/// kube-apiserver's webhook admission: the registered configurations are
/// read for each write (kube-apiserver reads them through an informer, so
/// there a write just after registering may still skip a webhook), matching
/// mutating webhooks run in order and their patches are applied, those with
/// `reinvocationPolicy: IfNeeded` run once more if a later one changed the
/// object; validating webhooks run in parallel. Nothing is locked while a
/// webhook is called, so a webhook may write to this server while its own
/// call is in flight.
struct AdmissionChain: Sendable {
    let store: ObjectStore
    let client: HTTPClient
    /// kube-apiserver's limit for a whole non-long-running request.
    let requestTimeout: Duration
    private let contexts = TLSContextCache()
    private var matcher: WebhookMatcher { WebhookMatcher(store: store) }

    init(store: ObjectStore, client: HTTPClient, requestTimeout: Duration = .seconds(60)) {
        self.store = store
        self.client = client
        self.requestTimeout = requestTimeout
    }

    var newDeadline: ContinuousClock.Instant { .now + requestTimeout }

    /// The object after the mutating webhooks; each patch is applied,
    /// decoded into the kind (`decode`) and defaulted before the next
    /// webhook sees it.
    func mutate(_ attributes: AdmissionAttributes, decode: (JSON) throws(APIError) -> JSON) async throws(APIError)
        -> JSON?
    {
        let webhooks = configured(MutatingWebhookConfiguration.type)
        var attributes = attributes
        var invokedReinvocable: Set<Int> = []
        var reinvoke: Set<Int> = []
        for round in 0..<2 {
            if round == 1, reinvoke.isEmpty { break }
            for (index, webhook) in webhooks.enumerated() {
                if round == 1, !reinvoke.contains(index) { continue }
                // Selectors are evaluated against the object as patched so far.
                guard let type = try matcher.match(webhook, attributes) else { continue }
                let before = attributes.object
                // An empty patch changes nothing and, as in kube-apiserver, is not decoded.
                if let patch = try await call(webhook, as: type, attributes, mutating: true), !patch.isEmpty {
                    guard let object = attributes.object else {
                        throw APIError.internalError(
                            "admission webhook \"\(webhook.name ?? "")\" attempted to modify the object, which is not supported for this operation"
                        )
                    }
                    let patched: JSON
                    do {
                        patched = try patch.apply(to: EquivalentResources.convert(object, to: type))
                    } catch {
                        throw APIError.internalError("\(error)")
                    }
                    attributes.object = try decode(EquivalentResources.convert(patched, to: attributes.resource.type))
                }
                if attributes.object != before {
                    reinvoke = invokedReinvocable
                }
                if webhook.reinvocationPolicy == "IfNeeded" { invokedReinvocable.insert(index) }
            }
        }
        return attributes.object
    }

    /// Calls every matching validating webhook at once and waits for all;
    /// the first refusal in configuration order is the one reported.
    func validate(_ attributes: AdmissionAttributes) async throws(APIError) {
        var calls: [(Int, Webhook, ResourceType)] = []
        for (index, webhook) in configured(ValidatingWebhookConfiguration.type).enumerated() {
            if let type = try matcher.match(webhook, attributes) { calls.append((index, webhook, type)) }
        }
        guard !calls.isEmpty else { return }
        guard ContinuousClock.now < attributes.deadline else { throw APIError.timeout() }
        let outcomes = await withTaskGroup(of: (Int, APIError?).self) { group in
            for (index, webhook, type) in calls {
                group.addTask {
                    do throws(APIError) {
                        _ = try await call(webhook, as: type, attributes, mutating: false)
                        return (index, nil)
                    } catch {
                        return (index, error)
                    }
                }
            }
            var outcomes: [(Int, APIError?)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        if let first = outcomes.sorted(by: { $0.0 < $1.0 }).lazy.compactMap(\.1).first { throw first }
    }

    /// The webhooks of one configuration kind, configurations in name order.
    private func configured(_ kind: ResourceType) -> [Webhook] {
        store.list(kind.qualifiedName, namespace: nil).items.flatMap { _, object in
            (object["webhooks"]?.arrayValue ?? []).map(Webhook.init(json:))
        }
    }

    /// Calls one webhook; returns its patch (mutating webhooks), throws a
    /// denial, or a failure unless the failure policy is Ignore.
    private func call(_ webhook: Webhook, as type: ResourceType, _ attributes: AdmissionAttributes, mutating: Bool)
        async throws(APIError) -> JSONPatch?
    {
        let name = webhook.name ?? ""
        if attributes.dryRun, !["None", "NoneOnDryRun"].contains(webhook.sideEffects ?? "Unknown") {
            throw APIError.badRequest("admission webhook \"\(name)\" does not support dry run")
        }
        let verdict: AdmissionVerdict
        do {
            verdict = try await exchange(webhook, as: type, attributes, mutating: mutating)
        } catch {
            if webhook.failurePolicy == "Ignore" { return nil }
            throw APIError.internalError("failed calling webhook \"\(name)\": \(error)")
        }
        for warning in verdict.warnings { AdmissionWarnings.current?.add(warning) }
        guard verdict.allowed else { throw AdmissionVerdict.denial(webhook: name, result: verdict.result) }
        return verdict.patch
    }

    private func exchange(_ webhook: Webhook, as type: ResourceType, _ attributes: AdmissionAttributes, mutating: Bool)
        async throws -> AdmissionVerdict
    {
        guard let url = webhook.url else { throw WebhookFailure("only clientConfig.url webhooks are supported here") }
        let version =
            webhook.admissionReviewVersions.first { AdmissionReview.versions.contains("admission.k8s.io/\($0)") }
            ?? "v1"
        let apiVersion = "admission.k8s.io/\(version)"
        let uid = UUID().uuidString.lowercased()
        var converted = attributes
        converted.object = attributes.object.map { EquivalentResources.convert($0, to: type) }
        converted.oldObject = attributes.oldObject.map { EquivalentResources.convert($0, to: type) }
        let review = AdmissionReviewRequest.review(apiVersion: apiVersion, uid: uid, converted, matched: type)
        let remaining = attributes.deadline - .now
        guard remaining > .zero else { throw WebhookFailure("context deadline exceeded") }
        let timeout = min(Duration.seconds(min(max(webhook.timeoutSeconds, 1), 30)), remaining)
        let timeoutText = "\(Int(timeout.inSeconds.rounded(.up)))s"
        var body = ByteBuffer()
        body.writeBytes(review.bytes)
        let request = try ClientRequest(
            method: .POST, url: url + "?timeout=\(timeoutText)",
            headers: ["content-type": "application/json", "accept": "application/json, */*"], body: body)
        let tls = try request.scheme == "https" ? contexts.context(caBundle: webhook.caBundle, host: request.host) : nil
        let response = try await client.execute(request, tls: tls, timeout: timeout)
        guard (200...206).contains(response.status.code) else {
            throw WebhookFailure("the server responded with the status code \(response.status.code)")
        }
        let answer: JSON
        do {
            answer = try JSON(parsing: response.body.readableBytesView)
        } catch {
            throw WebhookFailure("received invalid webhook response: \(error)")
        }
        return try AdmissionVerdict(review: answer, apiVersion: apiVersion, uid: uid, mutating: mutating)
    }
}

struct WebhookFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

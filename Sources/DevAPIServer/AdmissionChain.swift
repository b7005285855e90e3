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
    var namespace: String?
    var name: String
    var object: JSON?
    var oldObject: JSON?
    var user: APIUser
    var dryRun: Bool
}

/// kube-apiserver's admission webhooks: the registered configurations are
/// read for each write, matching mutating webhooks run in order and their
/// patches are applied, then validating webhooks run. Nothing is locked
/// while a webhook is called, so a webhook may write to this server while
/// its own call is in flight.
struct AdmissionChain: Sendable {
    let store: ObjectStore
    let client: HTTPClient
    private let contexts = TLSContextCache()

    init(store: ObjectStore, client: HTTPClient) {
        self.store = store
        self.client = client
    }

    /// The object after mutation, or an APIError as kube-apiserver words it.
    func admit(_ attributes: AdmissionAttributes) async throws(APIError) -> JSON? {
        var attributes = attributes
        for webhook in webhooks(of: MutatingWebhookConfiguration.type, attributes) {
            if let patch = try await call(webhook, attributes, mutating: true), let object = attributes.object {
                do {
                    attributes.object = try patch.apply(to: object)
                } catch {
                    throw APIError.internalError(
                        "failed to apply the patch of admission webhook \"\(webhook.name ?? "")\": \(error)")
                }
            }
        }
        for webhook in webhooks(of: ValidatingWebhookConfiguration.type, attributes) {
            _ = try await call(webhook, attributes, mutating: false)
        }
        return attributes.object
    }

    /// The matching webhooks of one configuration kind, configurations in name order.
    private func webhooks(of kind: ResourceType, _ attributes: AdmissionAttributes) -> [Webhook] {
        store.list(kind.qualifiedName, namespace: nil).items.flatMap { _, object in
            (object["webhooks"]?.arrayValue ?? []).map(Webhook.init(json:)).filter { matches($0, attributes) }
        }
    }

    private func matches(_ webhook: Webhook, _ attributes: AdmissionAttributes) -> Bool {
        let type = attributes.resource.type
        let resourceName = attributes.subresource.map { "\(type.resource)/\($0)" } ?? type.resource
        let ruleMatches = webhook.rules.contains { rule in
            (rule.operations.contains("*") || rule.operations.contains(attributes.operation.rawValue))
                && (rule.apiGroups.contains("*") || rule.apiGroups.contains(type.group))
                && (rule.apiVersions.contains("*") || rule.apiVersions.contains(type.version))
                && (rule.resources.contains("*") && attributes.subresource == nil || rule.resources.contains("*/*")
                    || rule.resources.contains(resourceName))
                && (rule.scope == "*" || (rule.scope == "Namespaced") == type.namespaced)
        }
        guard ruleMatches else { return false }
        let labels = ObjectMeta(json: (attributes.object ?? attributes.oldObject)?["metadata"] ?? .object(JSONObject()))
            .labels
        if let selector = webhook.objectSelector, let parsed = try? LabelSelector(object: selector),
            !parsed.matches(labels)
        {
            return false
        }
        if let selector = webhook.namespaceSelector, let namespace = attributes.namespace,
            let parsed = try? LabelSelector(object: selector)
        {
            let namespaceObject = store.get("namespaces", namespace: nil, name: namespace)
            let namespaceLabels = ObjectMeta(json: namespaceObject?["metadata"] ?? .object(JSONObject())).labels
            if !parsed.matches(namespaceLabels) { return false }
        }
        return true
    }

    /// Calls one webhook; returns its patch (mutating webhooks), throws a
    /// denial, or a failure unless the failure policy is Ignore.
    private func call(_ webhook: Webhook, _ attributes: AdmissionAttributes, mutating: Bool) async throws(APIError)
        -> JSONPatch?
    {
        let name = webhook.name ?? ""
        if attributes.dryRun, !["None", "NoneOnDryRun"].contains(webhook.sideEffects ?? "Unknown") {
            throw APIError.badRequest("admission webhook \"\(name)\" does not support dry run")
        }
        do {
            return try await exchange(webhook, attributes, mutating: mutating)
        } catch let denial as AdmissionDenial {
            throw denial.error
        } catch {
            if webhook.failurePolicy == "Ignore" { return nil }
            throw APIError.internalError("failed calling webhook \"\(name)\": \(error)")
        }
    }

    private func exchange(_ webhook: Webhook, _ attributes: AdmissionAttributes, mutating: Bool) async throws
        -> JSONPatch?
    {
        guard let url = webhook.url else { throw WebhookFailure("only clientConfig.url webhooks are supported here") }
        let version =
            webhook.admissionReviewVersions.first { AdmissionReview.versions.contains("admission.k8s.io/\($0)") }
            ?? "v1"
        let apiVersion = "admission.k8s.io/\(version)"
        let uid = UUID().uuidString.lowercased()
        let review = reviewRequest(apiVersion: apiVersion, uid: uid, attributes)
        let timeout = min(max(webhook.timeoutSeconds, 1), 30)
        let separator = url.contains("?") ? "&" : "?"
        var body = ByteBuffer()
        body.writeBytes(review.bytes)
        let request = try ClientRequest(
            method: .POST, url: url + "\(separator)timeout=\(timeout)s",
            headers: ["content-type": "application/json", "accept": "application/json"], body: body)
        let tls = try request.scheme == "https" ? contexts.context(caBundle: webhook.caBundle) : nil
        let response = try await client.execute(request, tls: tls, timeout: .seconds(timeout))
        guard response.status == .ok else { throw WebhookFailure("the webhook answered HTTP \(response.status.code)") }
        let answer = AdmissionReview(json: try JSON(parsing: response.body.readableBytesView))
        guard answer.apiVersion == apiVersion, answer.json["kind"]?.stringValue == "AdmissionReview" else {
            throw WebhookFailure("expected an AdmissionReview \(apiVersion) in the response")
        }
        guard let result = answer.response, result.uid == uid else {
            throw WebhookFailure("expected response.uid=\"\(uid)\", got \"\(answer.response?.uid ?? "")\"")
        }
        guard result.allowed else {
            let message = result.message ?? ""
            throw AdmissionDenial(
                error: APIError.denied(
                    code: result.code ?? 400, reason: result.json.field("status", "reason")?.stringValue,
                    message: "admission webhook \"\(webhook.name ?? "")\" denied the request"
                        + (message.isEmpty ? "" : ": \(message)")))
        }
        let patch = try result.patch()
        guard (patch == nil) == (result.patchType == nil) else {
            throw WebhookFailure("patchType must be present exactly when patch is")
        }
        if patch != nil, !mutating || attributes.operation == .delete {
            throw WebhookFailure("a \(mutating ? "DELETE" : "validating webhook") response may not carry a patch")
        }
        return patch
    }

    private func reviewRequest(apiVersion: String, uid: String, _ attributes: AdmissionAttributes) -> JSON {
        let type = attributes.resource.type
        let kind: JSON = ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)]
        let resource: JSON = [
            "group": .string(type.group), "version": .string(type.version), "resource": .string(type.resource),
        ]
        var request: JSON = [
            "uid": .string(uid), "kind": kind, "resource": resource, "requestKind": kind, "requestResource": resource,
            "name": .string(attributes.name), "operation": .string(attributes.operation.rawValue),
            "userInfo": [
                "username": .string(attributes.user.name), "groups": .array(attributes.user.groups.map(JSON.string)),
            ],
            "object": attributes.object ?? .null, "oldObject": attributes.oldObject ?? .null,
            "dryRun": .bool(attributes.dryRun),
        ]
        if let namespace = attributes.namespace { request["namespace"] = .string(namespace) }
        if let subresource = attributes.subresource { request["subResource"] = .string(subresource) }
        return ["apiVersion": .string(apiVersion), "kind": "AdmissionReview", "request": request]
    }
}

struct WebhookFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

struct AdmissionDenial: Error {
    var error: APIError
}

/// One TLS client context per distinct `caBundle`, built once.
final class TLSContextCache: Sendable {
    private let contexts = Mutex<[String: TLSContext]>([:])

    func context(caBundle: String?) throws -> TLSContext {
        let key = caBundle ?? ""
        if let known = contexts.withLock({ $0[key] }) { return known }
        let roots: TrustRoots
        if let caBundle, !caBundle.isEmpty {
            guard let pem = Base64.decode(caBundle) else { throw WebhookFailure("clientConfig.caBundle is not base64") }
            roots = .pem(pem)
        } else {
            roots = .system
        }
        let context = try TLSContext(configuration: .client(trustRoots: roots, applicationProtocols: ["http/1.1"]))
        contexts.withLock { $0[key] = context }
        return context
    }
}

import Foundation
import KubeAPI
import KubeClient
import Logging
import TLS

/// The `caBundle` of every webhook in the MutatingWebhookConfiguration and
/// the ValidatingWebhookConfiguration of one name.
struct WebhookCABundle {
    let name: String
    let client: APIClient
    let logger: Logger

    /// Makes the configurations trust `bundle`'s CAs, keeping the unexpired
    /// CAs they trust already: a replica that read an older Secret must not
    /// take out a CA another replica has just put in. A CA leaves once it has
    /// expired (or when an operator removes it by hand). A configuration not installed yet is skipped with a warning
    /// and looked at again next time.
    func trust(_ bundle: [UInt8], now: Date) async throws {
        for type in [MutatingWebhookConfiguration.type, ValidatingWebhookConfiguration.type] {
            try await update(type, bundle, now: now)
        }
    }

    private func update(_ type: ResourceType, _ bundle: [UInt8], now: Date) async throws {
        for _ in 1...5 {
            var configuration: JSON
            do {
                configuration = try await client.get(type, namespace: nil, name: name)
            } catch let error as KubeError where error.reason == .notFound {
                logger.warning(
                    "no webhook configuration to give the CA to yet",
                    metadata: ["kind": "\(type.kind)", "name": "\(name)"])
                return
            }
            var webhooks = configuration["webhooks"]?.arrayValue ?? []
            var changed = false
            for index in webhooks.indices {
                let current = webhooks[index]["clientConfig"]?["caBundle"]?.stringValue.flatMap(Base64.decode) ?? []
                let wanted = Self.merged(bundle, keeping: current, now: now)
                guard wanted != current else { continue }
                webhooks[index].setField("clientConfig", "caBundle", to: .string(Base64.encode(wanted)))
                changed = true
            }
            guard changed else { return }
            configuration.setField("webhooks", to: .array(webhooks))
            do {
                _ = try await client.update(configuration, type)
                logger.info("webhook CA bundle updated", metadata: ["kind": "\(type.kind)", "name": "\(name)"])
                return
            } catch let error as KubeError where error.reason == .conflict {
                continue
            }
        }
        // Not trusted yet: the pair must not be served until it is.
        throw KubeError(
            reason: .conflict, code: 409,
            message: "the \(type.kind) \(name) kept changing under every attempt to set its caBundle")
    }

    /// `bundle`'s unexpired certificates, then those of `current` not among them.
    static func merged(_ bundle: [UInt8], keeping current: [UInt8], now: Date) -> [UInt8] {
        let wanted = ((try? CertificateIssuer.details(bundle)) ?? []).filter { $0.notAfter > now }.map(\.pem)
        let kept = ((try? CertificateIssuer.details(current)) ?? []).filter { $0.notAfter > now }.map(\.pem)
            .filter { !wanted.contains($0) }
        return Array((wanted + kept).joined())
    }
}

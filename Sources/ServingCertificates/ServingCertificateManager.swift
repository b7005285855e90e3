public import Foundation
import KubeAPI
public import KubeClient
public import Logging
import TLS

/// `--cert-management=self`: the webhook's CA and serving certificate,
/// made by kcp-ingress, kept in one Secret that every replica shares
/// (created once; a replica that loses a race reads the winner's), renewed
/// before they expire, written where the listener loads them, and the CA
/// bundle kept in the webhook configurations, as the webhooks of OPA
/// Gatekeeper and Kyverno do for clusters without cert-manager.
///
/// Every CA that signed a pair still in use stays trusted: each replica puts
/// the Secret's CAs into the webhook configurations' `caBundle` before it
/// writes the pair it will serve, a new CA is in the Secret (and so in
/// `caBundle`) long before it signs, and a CA leaves only once it has expired.
public final class ServingCertificateManager: Sendable {
    let client: APIClient
    let settings: ServingCertificateSettings
    let files: CertificateFiles
    let logger: Logger

    public init(client: APIClient, settings: ServingCertificateSettings, logger: Logger) {
        self.client = client
        self.settings = settings
        self.files = CertificateFiles(directory: settings.directory)
        self.logger = logger
    }

    public var certificateFile: String { files.certificatePath }
    public var keyFile: String { files.keyPath }

    /// Brings the Secret, the files and the webhook configurations up to
    /// date once; returns when the next look is due, and whether new files
    /// were written.
    @discardableResult
    public func reconcile(now: Date = Date()) async throws -> (next: Date, wroteFiles: Bool) {
        let stored = try await currentSecret(now: now)
        // Trusted before this replica can serve a pair the Secret's CAs signed.
        try await WebhookCABundle(name: settings.webhookConfigurationName, client: client, logger: logger)
            .trust(stored.bundle, now: now)
        let wrote = try files.write(stored)
        if wrote { logger.info("serving certificate written", metadata: ["directory": "\(settings.directory)"]) }
        let next = min(stored.nextChange(settings), now.addingTimeInterval(settings.checkInterval.inSeconds))
        return (max(next, now.addingTimeInterval(1)), wrote)
    }

    /// Until cancelled: a reconcile whenever due, `onWritten` after each that
    /// wrote new files (the listener reloads at once rather than at its next
    /// poll); a failed one is retried with backoff up to the check interval.
    public func run(onWritten: @Sendable () -> Void) async {
        var failures = 0
        while !Task.isCancelled {
            let wait: Duration
            do {
                let (next, wrote) = try await reconcile()
                if wrote { onWritten() }
                failures = 0
                wait = .seconds(max(0, next.timeIntervalSinceNow))
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                wait = min(.milliseconds(250) * (1 << min(failures, 10)), settings.checkInterval)
                logger.warning(
                    "serving certificate not reconciled", metadata: ["error": "\(error)", "retry": "\(wait)"])
            }
            try? await Task.sleep(for: wait)
        }
    }

    /// The Secret's certificates, made or renewed first when due.
    private func currentSecret(now: Date) async throws -> StoredCertificates {
        for _ in 1...8 {
            let secret: Secret
            do {
                secret = Secret(
                    json: try await client.get(Secret.type, namespace: settings.namespace, name: settings.secretName))
            } catch let error as KubeError where error.reason == .notFound {
                let fresh = try StoredCertificates.fresh(settings)
                do {
                    _ = try await client.create(newSecret(fresh), Secret.type, namespace: settings.namespace)
                    logger.notice(
                        "made the webhook's CA and serving certificate",
                        metadata: ["secret": "\(settings.namespace)/\(settings.secretName)"])
                    return fresh
                } catch let error as KubeError where error.reason == .alreadyExists {
                    continue  // another replica made it first: use theirs
                }
            }
            if secret.secretType != "kubernetes.io/tls" || secret.json["immutable"]?.boolValue == true {
                // Neither can be written in place (a Secret's type is
                // immutable): replaced, only if it is still the one read.
                logger.warning(
                    "replacing the Secret: it is not a writable kubernetes.io/tls Secret",
                    metadata: [
                        "secret": "\(settings.namespace)/\(settings.secretName)", "type": "\(secret.secretType)",
                    ])
                do {
                    try await client.delete(
                        Secret.type, namespace: settings.namespace, name: settings.secretName,
                        uid: secret.json["metadata"]?["uid"]?.stringValue)
                } catch let error as KubeError where error.reason == .notFound || error.reason == .conflict {
                    // Gone or changed already: read it again.
                }
                continue
            }
            let data = Dictionary(
                uniqueKeysWithValues: StoredCertificates.keyNames.compactMap { key in
                    secret.bytes(for: key).map { (key, $0) }
                })
            let renewed: StoredCertificates
            let what: String
            if let stored = StoredCertificates(secretData: data) {
                guard let (result, done) = try stored.renewed(at: now, settings) else { return stored }
                (renewed, what) = (result, done)
            } else {
                renewed = try StoredCertificates.fresh(settings)
                what = "an incomplete or unreadable Secret was replaced with a new CA and serving certificate"
            }
            do {
                // The object as read, with new data: its labels, annotations
                // and owners stay, and its resourceVersion guards the write.
                var object = secret.json
                object.setField("data", to: Self.encoded(renewed))
                _ = try await client.update(object, Secret.type)
                logger.notice(
                    "\(what)",
                    metadata: ["secret": "\(settings.namespace)/\(settings.secretName)"])
                return renewed
            } catch let error as KubeError where error.reason == .conflict {
                continue  // another replica renewed first: read theirs
            }
        }
        throw KubeError(
            reason: .conflict, code: 409,
            message: "the Secret \(settings.secretName) kept changing under every attempt to write it")
    }

    private func newSecret(_ stored: StoredCertificates) -> JSON {
        [
            "apiVersion": "v1", "kind": "Secret",
            "metadata": [
                "name": .string(settings.secretName), "namespace": .string(settings.namespace),
                "labels": ["app.kubernetes.io/managed-by": "kcp-ingress"],
            ],
            "type": "kubernetes.io/tls", "data": Self.encoded(stored),
        ]
    }

    private static func encoded(_ stored: StoredCertificates) -> JSON {
        var data = JSONObject()
        for (key, bytes) in stored.secretData { data[key] = .string(Base64.encode(bytes)) }
        return .object(data)
    }
}

/// Where kcp-ingress keeps the webhook's own certificates and how long they
/// live, with `--cert-management=self`.
public struct ServingCertificateSettings: Sendable {
    /// The Secret shared by every replica: `ca.crt`, `ca.key`, `tls.crt`, `tls.key`.
    public var namespace: String
    public var secretName: String
    /// The webhook's Service: the certificate names it as clients dial it.
    public var serviceName: String
    /// Where the current pair is written for the listener to load and watch.
    public var directory: String
    /// The MutatingWebhookConfiguration and ValidatingWebhookConfiguration
    /// (one name for both) whose `caBundle` is kept to the CA.
    public var webhookConfigurationName: String
    /// A serving certificate's lifetime. It is renewed once a third of it is
    /// left; the CA lives ten times as long and is renewed once a third of
    /// its own lifetime is left, so a serving certificate never outlives it.
    public var validity: Duration
    /// The longest time between two looks at the Secret (renewals due sooner
    /// are looked at sooner): how soon a replica picks up a pair another
    /// replica wrote.
    public var checkInterval: Duration

    public init(
        namespace: String,
        secretName: String = "kcp-ingress-webhook-tls",
        serviceName: String = "kcp-ingress",
        directory: String,
        webhookConfigurationName: String = "kcp-ingress",
        validity: Duration = .seconds(90 * 86_400),
        checkInterval: Duration = .seconds(60)
    ) {
        self.namespace = namespace
        self.secretName = secretName
        self.serviceName = serviceName
        self.directory = directory
        self.webhookConfigurationName = webhookConfigurationName
        self.validity = validity
        self.checkInterval = checkInterval
    }

    /// The Service's names as cluster DNS answers them.
    public var dnsNames: [String] {
        [
            serviceName, "\(serviceName).\(namespace)", "\(serviceName).\(namespace).svc",
            "\(serviceName).\(namespace).svc.cluster.local",
        ]
    }

    public var authorityValidity: Duration { validity * 10 }
}

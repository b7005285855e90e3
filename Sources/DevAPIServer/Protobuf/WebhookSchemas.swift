/// `admissionregistration.k8s.io/v1` webhook configurations, with the field
/// numbers of its `generated.proto` and the JSON rules of its `types.go`
/// tags. The two webhook kinds differ only in the number of
/// objectSelector and matchConditions and in reinvocationPolicy.
enum WebhookSchemas {
    static let clientConfig = MessageSchema(
        "WebhookClientConfig",
        [
            .string(3, "url", .pointer),
            .message(
                1, "service",
                MessageSchema(
                    "ServiceReference",
                    [
                        .string(1, "namespace", .always), .string(2, "name", .always), .string(3, "path", .pointer),
                        .int32(4, "port", .pointer),
                    ]), .pointer),
            .bytes(2, "caBundle"),
        ])

    static let rule = MessageSchema(
        "Rule",
        [
            .strings(1, "apiGroups"), .strings(2, "apiVersions"), .strings(3, "resources"),
            .string(4, "scope", .pointer),
        ])

    static let ruleWithOperations = MessageSchema(
        "RuleWithOperations", [.strings(1, "operations"), .message(2, "rule", rule, .inline)])

    static let matchCondition = MessageSchema(
        "MatchCondition", [.string(1, "name", .always), .string(2, "expression", .always)])

    static func webhook(mutating: Bool) -> MessageSchema {
        var fields: [FieldSchema] = [
            .string(1, "name", .always), .message(2, "clientConfig", clientConfig),
            .messages(3, "rules", ruleWithOperations), .string(4, "failurePolicy", .pointer),
            .string(9, "matchPolicy", .pointer),
            .message(5, "namespaceSelector", MetaSchemas.labelSelector, .pointer),
            .message(mutating ? 11 : 10, "objectSelector", MetaSchemas.labelSelector, .pointer),
            .string(6, "sideEffects", .nullablePointer), .int32(7, "timeoutSeconds", .pointer),
            .strings(8, "admissionReviewVersions", .always),
        ]
        if mutating { fields.append(.string(10, "reinvocationPolicy", .pointer)) }
        fields.append(.messages(mutating ? 12 : 11, "matchConditions", matchCondition))
        return MessageSchema(mutating ? "MutatingWebhook" : "ValidatingWebhook", fields)
    }

    static let mutatingConfiguration = MessageSchema(
        "MutatingWebhookConfiguration",
        [.message(1, "metadata", MetaSchemas.objectMeta), .messages(2, "webhooks", webhook(mutating: true))])

    static let validatingConfiguration = MessageSchema(
        "ValidatingWebhookConfiguration",
        [.message(1, "metadata", MetaSchemas.objectMeta), .messages(2, "webhooks", webhook(mutating: false))])
}

/// Ingress (`networking.k8s.io/v1`), Lease (`coordination.k8s.io/v1`) and
/// the webhook configurations (`admissionregistration.k8s.io/v1`), with the
/// field numbers of their `generated.proto` and the JSON rules of their
/// `types.go` tags.
enum GroupSchemas {
    static let ingressBackend = MessageSchema(
        "IngressBackend",
        [
            .message(
                4, "service",
                MessageSchema(
                    "IngressServiceBackend",
                    [
                        .string(1, "name", .always),
                        .message(
                            2, "port",
                            MessageSchema("ServiceBackendPort", [.string(1, "name"), .int32(2, "number")])),
                    ]), .pointer),
            .message(
                3, "resource",
                MessageSchema(
                    "TypedLocalObjectReference",
                    [
                        .string(1, "apiGroup", .nullablePointer), .string(2, "kind", .always),
                        .string(3, "name", .always),
                    ]), .pointer),
        ])

    static let httpIngressPath = MessageSchema(
        "HTTPIngressPath",
        [.string(1, "path"), .string(3, "pathType", .nullablePointer), .message(2, "backend", ingressBackend)])

    static let ingressRule = MessageSchema(
        "IngressRule",
        [
            .string(1, "host"),
            .message(
                2, "ingressRuleValue",
                MessageSchema(
                    "IngressRuleValue",
                    [
                        .message(
                            1, "http",
                            MessageSchema("HTTPIngressRuleValue", [.messages(1, "paths", httpIngressPath, .always)]),
                            .pointer)
                    ]), .inline),
        ])

    static let ingressPortStatus = MessageSchema(
        "IngressPortStatus",
        [.int32(1, "port", .always), .string(2, "protocol", .always), .string(3, "error", .pointer)])

    static let ingress = MessageSchema(
        "Ingress",
        [
            .message(1, "metadata", MetaSchemas.objectMeta),
            .message(
                2, "spec",
                MessageSchema(
                    "IngressSpec",
                    [
                        .string(4, "ingressClassName", .pointer),
                        .message(1, "defaultBackend", ingressBackend, .pointer),
                        .messages(
                            2, "tls", MessageSchema("IngressTLS", [.strings(1, "hosts"), .string(2, "secretName")])),
                        .messages(3, "rules", ingressRule),
                    ])),
            .message(
                3, "status",
                MessageSchema(
                    "IngressStatus",
                    [
                        .message(
                            1, "loadBalancer",
                            MessageSchema(
                                "IngressLoadBalancerStatus",
                                [
                                    .messages(
                                        1, "ingress",
                                        MessageSchema(
                                            "IngressLoadBalancerIngress",
                                            [
                                                .string(1, "ip"), .string(2, "hostname"),
                                                .messages(4, "ports", ingressPortStatus),
                                            ]))
                                ]))
                    ])),
        ])

    static let lease = MessageSchema(
        "Lease",
        [
            .message(1, "metadata", MetaSchemas.objectMeta),
            .message(
                2, "spec",
                MessageSchema(
                    "LeaseSpec",
                    [
                        .string(1, "holderIdentity", .pointer), .int32(2, "leaseDurationSeconds", .pointer),
                        .special(3, "acquireTime", .microTime, .pointer),
                        .special(4, "renewTime", .microTime, .pointer),
                        .int32(5, "leaseTransitions", .pointer), .string(6, "strategy", .pointer),
                        .string(7, "preferredHolder", .pointer),
                    ])),
        ])
}

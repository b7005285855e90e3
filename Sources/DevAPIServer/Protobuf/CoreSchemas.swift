/// `k8s.io/api/core/v1` Namespace and Service, with the field numbers of
/// its `generated.proto` and the JSON rules of its `types.go` tags.
enum CoreSchemas {
    static let namespaceCondition = MessageSchema(
        "NamespaceCondition",
        [
            .string(1, "type", .always), .string(2, "status", .always),
            .special(4, "lastTransitionTime", .time, .omitEmpty), .string(5, "reason"), .string(6, "message"),
        ])

    static let namespace = MessageSchema(
        "Namespace",
        [
            .message(1, "metadata", MetaSchemas.objectMeta),
            .message(2, "spec", MessageSchema("NamespaceSpec", [.strings(1, "finalizers")])),
            .message(
                3, "status",
                MessageSchema(
                    "NamespaceStatus", [.string(1, "phase"), .messages(2, "conditions", namespaceCondition)])),
        ])

    /// `Secret`: Go's field order (immutable, data, stringData, type), its
    /// `generated.proto` numbers.
    static let secret = MessageSchema(
        "Secret",
        [
            .message(1, "metadata", MetaSchemas.objectMeta), .special(5, "immutable", .bool, .pointer),
            .special(2, "data", .bytesMap, .omitEmpty), .map(4, "stringData"), .string(3, "type"),
        ])

    static let servicePort = MessageSchema(
        "ServicePort",
        [
            .string(1, "name"), .string(2, "protocol"), .string(6, "appProtocol", .pointer),
            .int32(3, "port", .always), .special(4, "targetPort", .intOrString, .omitEmpty),
            .int32(5, "nodePort"),
        ])

    static let sessionAffinityConfig = MessageSchema(
        "SessionAffinityConfig",
        [
            .message(
                1, "clientIP", MessageSchema("ClientIPConfig", [.int32(1, "timeoutSeconds", .pointer)]), .pointer)
        ])

    static let serviceSpec = MessageSchema(
        "ServiceSpec",
        [
            .messages(1, "ports", servicePort), .map(2, "selector"), .string(3, "clusterIP"),
            .strings(18, "clusterIPs"), .string(4, "type"), .strings(5, "externalIPs"),
            .string(7, "sessionAffinity"), .string(8, "loadBalancerIP"), .strings(9, "loadBalancerSourceRanges"),
            .string(10, "externalName"), .string(11, "externalTrafficPolicy"), .int32(12, "healthCheckNodePort"),
            .bool(13, "publishNotReadyAddresses"),
            .message(14, "sessionAffinityConfig", sessionAffinityConfig, .pointer),
            .strings(19, "ipFamilies"), .string(17, "ipFamilyPolicy", .pointer),
            .bool(20, "allocateLoadBalancerNodePorts", .pointer), .string(21, "loadBalancerClass", .pointer),
            .string(22, "internalTrafficPolicy", .pointer), .string(23, "trafficDistribution", .pointer),
        ])

    static let portStatus = MessageSchema(
        "PortStatus", [.int32(1, "port", .always), .string(2, "protocol", .always), .string(3, "error", .pointer)])

    static let loadBalancerIngress = MessageSchema(
        "LoadBalancerIngress",
        [
            .string(1, "ip"), .string(2, "hostname"), .string(3, "ipMode", .pointer),
            .messages(4, "ports", portStatus),
        ])

    static let service = MessageSchema(
        "Service",
        [
            .message(1, "metadata", MetaSchemas.objectMeta),
            .message(2, "spec", serviceSpec),
            .message(
                3, "status",
                MessageSchema(
                    "ServiceStatus",
                    [
                        .message(
                            1, "loadBalancer",
                            MessageSchema("LoadBalancerStatus", [.messages(1, "ingress", loadBalancerIngress)])),
                        .messages(2, "conditions", MetaSchemas.condition),
                    ])),
        ])
}

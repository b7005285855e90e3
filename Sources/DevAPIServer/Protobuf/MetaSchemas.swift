/// `k8s.io/apimachinery/pkg/apis/meta/v1` messages, with the field numbers
/// of its `generated.proto` and the JSON rules of its `types.go` tags.
enum MetaSchemas {
    static let ownerReference = MessageSchema(
        "OwnerReference",
        [
            .string(5, "apiVersion", .always), .string(1, "kind", .always), .string(3, "name", .always),
            .string(4, "uid", .always), .bool(6, "controller", .pointer), .bool(7, "blockOwnerDeletion", .pointer),
        ])

    static let managedFieldsEntry = MessageSchema(
        "ManagedFieldsEntry",
        [
            .string(1, "manager"), .string(2, "operation"), .string(3, "apiVersion"),
            .special(4, "time", .time, .pointer), .string(6, "fieldsType"),
            .special(7, "fieldsV1", .rawJSON, .pointer), .string(8, "subresource"),
        ])

    static let objectMeta = MessageSchema(
        "ObjectMeta",
        [
            .string(1, "name"), .string(2, "generateName"), .string(3, "namespace"), .string(4, "selfLink"),
            .string(5, "uid"), .string(6, "resourceVersion"), .int64(7, "generation"),
            .special(8, "creationTimestamp", .time, .omitZero), .special(9, "deletionTimestamp", .time, .pointer),
            .int64(10, "deletionGracePeriodSeconds", .pointer), .map(11, "labels"), .map(12, "annotations"),
            .messages(13, "ownerReferences", ownerReference), .strings(14, "finalizers"),
            .messages(17, "managedFields", managedFieldsEntry),
        ])

    static let labelSelectorRequirement = MessageSchema(
        "LabelSelectorRequirement",
        [.string(1, "key", .always), .string(2, "operator", .always), .strings(3, "values")])

    static let labelSelector = MessageSchema(
        "LabelSelector",
        [.map(1, "matchLabels"), .messages(2, "matchExpressions", labelSelectorRequirement)])

    static let condition = MessageSchema(
        "Condition",
        [
            .string(1, "type", .always), .string(2, "status", .always), .int64(3, "observedGeneration"),
            .special(4, "lastTransitionTime", .time), .string(5, "reason", .always),
            .string(6, "message", .always),
        ])

    static let preconditions = MessageSchema(
        "Preconditions", [.string(1, "uid", .pointer), .string(2, "resourceVersion", .pointer)])

    static let deleteOptions = MessageSchema(
        "DeleteOptions",
        [
            .int64(1, "gracePeriodSeconds", .pointer), .message(2, "preconditions", preconditions, .pointer),
            .bool(3, "orphanDependents", .pointer), .string(4, "propagationPolicy", .pointer),
            .strings(5, "dryRun"), .bool(6, "ignoreStoreReadErrorWithClusterBreakingPotential", .pointer),
        ])
}

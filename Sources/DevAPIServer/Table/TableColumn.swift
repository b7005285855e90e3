import KubeAPI

/// A `TableColumnDefinition`. Priority 0 columns are printed always, priority
/// 1 only by `kubectl get -o wide`.
struct TableColumn: Sendable {
    let name: String
    let type: String
    let format: String
    let description: String
    let priority: Int64

    init(_ name: String, _ description: String, type: String = "string", format: String = "", priority: Int64 = 0) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
    }

    var json: JSON {
        [
            "name": .string(name), "type": .string(type), "format": .string(format),
            "description": .string(description), "priority": .integer(priority),
        ]
    }

    // Descriptions are the first sentence of the API's field documentation,
    // which is what kube-apiserver fills them from.
    static let name = TableColumn(
        "Name",
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.",
        format: "name")
    static let age = TableColumn(
        "Age",
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
    )
    /// A custom resource's printer column without a description: the
    /// apiextensions server describes it by its JSONPath.
    static func customResource(_ name: String, jsonPath: String, type: String = "string") -> TableColumn {
        TableColumn(name, "Custom resource definition column (in JSONPath format): \(jsonPath)", type: type)
    }
}

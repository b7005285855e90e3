import Foundation
import KubeAPI

/// The columns of one kind and how a row's cells are made from an object:
/// kube-apiserver's printers for the built-in kinds, the CRDs' printer
/// columns for HTTPRoute, and OpenShift's printer for Route.
struct TablePrinter: Sendable {
    let columns: [TableColumn]
    let cells: @Sendable (JSON, Date) -> [JSON]

    static func forKind(_ kind: String) -> TablePrinter {
        switch kind {
        case "Namespace": namespace
        case "Service": service
        case "Ingress": ingress
        case "Lease": lease
        case "Secret": secret
        case "HTTPRoute": httpRoute
        case "Route": RoutePrinter.printer
        case "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration": webhookConfiguration
        default: TablePrinter(columns: [.name, .age]) { object, now in [.string(object.name), age(object, now)] }
        }
    }

    static func age(_ object: JSON, _ now: Date) -> JSON {
        .string(HumanDuration.age(of: object["metadata"]?["creationTimestamp"]?.stringValue, now: now))
    }

    static let namespace = TablePrinter(
        columns: [.name, TableColumn("Status", "The status of the namespace"), .age]
    ) { object, now in
        [.string(object.name), .string(object["status"]?["phase"]?.stringValue ?? ""), age(object, now)]
    }

    static let lease = TablePrinter(
        columns: [
            .name, TableColumn("Holder", "holderIdentity contains the identity of the holder of a current lease."),
            .age,
        ]
    ) { object, now in
        [.string(object.name), .string(object["spec"]?["holderIdentity"]?.stringValue ?? ""), age(object, now)]
    }

    static let secret = TablePrinter(
        columns: [
            .name, TableColumn("Type", "The type of the secret"),
            TableColumn("Data", "The number of entries in the data", type: "integer"), .age,
        ]
    ) { object, now in
        [
            .string(object.name), .string(object["type"]?.stringValue ?? "Opaque"),
            .integer(Int64(object["data"]?.objectValue?.count ?? 0)), age(object, now),
        ]
    }

    static let webhookConfiguration = TablePrinter(
        columns: [
            .name,
            TableColumn(
                "Webhooks", "Webhooks indicates the number of webhooks registered in this configuration",
                type: "integer"),
            .age,
        ]
    ) { object, now in
        [.string(object.name), .integer(Int64(object["webhooks"]?.arrayValue?.count ?? 0)), age(object, now)]
    }

    /// The Gateway API CRD's printer columns: Hostnames (`.spec.hostnames`,
    /// printed as compact JSON as kubectl's JSONPath printer does for a
    /// list) and Age.
    static let httpRoute = TablePrinter(
        columns: [
            .name, .customResource("Hostnames", jsonPath: ".spec.hostnames"),
            .customResource("Age", jsonPath: ".metadata.creationTimestamp", type: "date"),
        ]
    ) { object, now in
        let hostnames = object["spec"]?["hostnames"]
        let cell: JSON = hostnames.map { $0.isNull ? .null : .string($0.text) } ?? .null
        return [.string(object.name), cell, age(object, now)]
    }
}

extension JSON {
    /// `metadata.name`, or empty.
    var name: String { self["metadata"]?["name"]?.stringValue ?? "" }
}

import Foundation
import HTTPServer
import KubeAPI
import NIOCore
import NIOHTTP1

extension TableRequest {
    /// A Table of `objects` with the columns of `kind`. `headers: false`
    /// leaves the column definitions out (`null`), as watch events after
    /// the first carry them.
    func table(
        of objects: [JSON],
        kind: String,
        listMetadata: JSON,
        headers: Bool = true,
        now: Date = Date()
    ) -> JSON {
        let printer = TablePrinter.forKind(kind)
        return [
            "kind": "Table", "apiVersion": .string(apiVersion), "metadata": listMetadata,
            "columnDefinitions": headers ? .array(printer.columns.map(\.json)) : .null,
            "rows": .array(objects.map { row($0, printer, now) }),
        ]
    }

    private func row(_ object: JSON, _ printer: TablePrinter, _ now: Date) -> JSON {
        let attached: JSON
        switch includeObject {
        case .none: attached = .null
        case .object: attached = object
        case .metadata:
            attached = [
                "kind": "PartialObjectMetadata", "apiVersion": .string(apiVersion),
                "metadata": object["metadata"] ?? .object(JSONObject()),
            ]
        }
        return ["cells": .array(printer.cells(object, now)), "object": attached]
    }

    /// A Table of one object, as a get answers.
    func table(of object: JSON, kind: String) -> JSON {
        var metadata = JSONObject()
        metadata["resourceVersion"] = object["metadata"]?["resourceVersion"]
        return table(of: [object], kind: kind, listMetadata: .object(metadata))
    }

    /// A list answer turned into a Table: the list's items, selection and
    /// paging stay exactly what the list verb decided.
    func table(ofList response: HTTPResponse, kind: String) throws(APIError) -> HTTPResponse {
        guard response.status == .ok else { return response }
        let list: JSON
        do {
            list = try JSON(parsing: response.body.readableBytesView)
        } catch {
            throw APIError.internalError("the list could not be read back for its table: \(error)")
        }
        let table = table(
            of: list["items"]?.arrayValue ?? [], kind: kind,
            listMetadata: list["metadata"] ?? .object(JSONObject()))
        return DevAPIServer.json(.ok, table)
    }
}

/// Turns a watch's events into Table events for kubectl's `get -w`: one
/// row each, the column definitions in the first event only.
struct TableWatchEvents {
    let request: TableRequest
    let kind: String
    private var sentHeaders = false

    init(_ request: TableRequest, kind: String) {
        self.request = request
        self.kind = kind
    }

    mutating func event(_ event: WatchEvent) -> WatchEvent {
        let object = event.json["object"] ?? .object(JSONObject())
        var metadata = JSONObject()
        metadata["resourceVersion"] = object["metadata"]?["resourceVersion"]
        // A bookmark names a version, not an object: a Table without rows.
        let rows = event.json["type"]?.stringValue == "BOOKMARK" ? [] : [object]
        let table = request.table(
            of: rows, kind: kind, listMetadata: .object(metadata), headers: !sentHeaders)
        if !rows.isEmpty { sentHeaders = true }
        var converted = event
        converted.json["object"] = table
        return converted
    }
}

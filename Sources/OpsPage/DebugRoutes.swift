import Foundation
public import HTTPServer
import NIOCore
import NIOHTTP1

/// `/debug` (the page) and `/debug/state.json` (the same model for
/// scripts), for the probe listener. `inputs` reads the process's state
/// anew for each request.
public enum DebugRoutes {
    public static func router(inputs: @escaping @Sendable () async -> DebugInputs) -> Router {
        var router = Router()
        router.add(.GET, "/debug") { request in
            let query = DebugQuery(request.query)
            let state = DebugStateBuilder.build(await inputs(), filter: query.filter, page: query.page)
            return .bytes(.ok, contentType: "text/html; charset=utf-8", ByteBuffer(string: DebugPageHTML.render(state)))
        }
        router.add(.GET, "/debug/state.json") { request in
            let query = DebugQuery(request.query)
            let state = DebugStateBuilder.build(await inputs(), filter: query.filter, page: query.page)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            guard let body = try? encoder.encode(state) else {
                return .text(.internalServerError, "the state could not be encoded\n")
            }
            return .bytes(.ok, contentType: "application/json", ByteBuffer(bytes: body))
        }
        return router
    }
}

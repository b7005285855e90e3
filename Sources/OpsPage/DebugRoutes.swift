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
            let page = await offLoop { DebugPageHTML.render(DebugStateBuilder.build(await inputs(), query)) }
            return .bytes(.ok, contentType: "text/html; charset=utf-8", ByteBuffer(string: page))
        }
        router.add(.GET, "/debug/state.json") { request in
            let query = DebugQuery(request.query)
            let body = await offLoop { () async -> Data? in
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                return try? encoder.encode(DebugStateBuilder.build(await inputs(), query))
            }
            guard let body else { return .text(.internalServerError, "the state could not be encoded\n") }
            return .bytes(.ok, contentType: "application/json", ByteBuffer(bytes: body))
        }
        return router
    }

    /// Tens of milliseconds of CPU at 10,000 roots: run on the global
    /// executor, not on the event loop the handler was called on, which
    /// the webhook's and the probes' connections share.
    private static func offLoop<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
        await Task.detached(priority: .utility) { await work() }.value
    }
}

extension DebugStateBuilder {
    static func build(_ inputs: DebugInputs, _ query: DebugQuery) -> DebugState {
        build(inputs, filter: query.filter, page: query.page)
    }
}

import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1

@testable import HTTPServer

/// One HTTP/1.1 connection as production builds it — `HTTP1ServerHandler`
/// with a router — over an in-memory channel: raw request bytes in, raw
/// response bytes out, time moved by hand.
struct HTTP1TestConnection {
    let channel: NIOAsyncTestingChannel
    /// Runs what the handler hands to the event loop (route answers come
    /// back to it from their tasks) as a real loop would; time still moves
    /// only by hand.
    private let driver: Task<Void, Never>

    init(router: Router, limits: ConnectionLimits = ConnectionLimits(), drainWindow: TimeAmount = .seconds(1))
        async throws
    {
        let channel = NIOAsyncTestingChannel()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1))
        try await channel.testingEventLoop.executeInContext {
            try channel.pipeline.syncOperations.addHandler(
                HTTP1ServerHandler(
                    configuration: HTTP1ConnectionStateMachine.Configuration(
                        limits: limits, drainWindow: .nanoseconds(drainWindow.nanoseconds)),
                    refusalFormat: limits.refusalFormat, router: router, metrics: ServerMetrics(listener: "test"),
                    logger: Logger(label: "test")))
        }
        self.channel = channel
        driver = Task {
            while !Task.isCancelled {
                await channel.testingEventLoop.run()
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    /// Runs `body` with a fresh connection, and closes it and waits for its
    /// request loop to end afterwards, whatever `body` did.
    static func with<Result>(
        router: Router,
        limits: ConnectionLimits = ConnectionLimits(),
        drainWindow: TimeAmount = .seconds(1),
        _ body: (HTTP1TestConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await HTTP1TestConnection(router: router, limits: limits, drainWindow: drainWindow)
        do {
            let result = try await body(connection)
            await connection.finish()
            return result
        } catch {
            await connection.finish()
            throw error
        }
    }

    func send(_ text: String) async throws {
        try await channel.writeInbound(ByteBuffer(string: text))
    }

    /// What the server wrote until `complete` holds for all of it; throws if
    /// it does not within `timeout` (the server loop runs on other threads).
    func read(
        until complete: @escaping @Sendable (String) -> Bool,
        timeout: Duration = .seconds(10)
    ) async throws -> String {
        var text = ""
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !complete(text) {
            if var buffer = try await channel.readOutbound(as: ByteBuffer.self) {
                text += buffer.readString(length: buffer.readableBytes) ?? ""
                continue
            }
            guard clock.now < deadline else { throw HTTP1TestFailure("no complete output; got: \(text)") }
            try await Task.sleep(for: .milliseconds(5))
        }
        return text
    }

    /// Reads `count` whole responses (content-length bodies).
    func responses(_ count: Int = 1) async throws -> [String] {
        let text = try await read(until: { Self.split($0).count >= count })
        return Self.split(text)
    }

    /// Everything written so far, without waiting.
    func written() async throws -> String {
        var text = ""
        while var buffer = try await channel.readOutbound(as: ByteBuffer.self) {
            text += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        return text
    }

    /// Waits until the server has closed the connection.
    func waitForClose(timeout: Duration = .seconds(10)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while channel.isActive {
            guard clock.now < deadline else { throw HTTP1TestFailure("the connection stayed open") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Lets the request loop settle: it runs outside the event loop, so a
    /// read it has not taken yet would otherwise look like silence.
    func settle() async {
        for _ in 0..<20 {
            await Task.yield()
            await channel.testingEventLoop.run()
        }
    }

    func finish() async {
        _ = try? await channel.close()
        driver.cancel()
        await driver.value
    }

    /// Splits output into whole responses: interim ones (1xx) have no body,
    /// the others a `content-length` body.
    static func split(_ text: String) -> [String] {
        var responses: [String] = []
        var rest = Substring(text)
        while let end = rest.firstRange(of: "\r\n\r\n") {
            let head = rest[..<end.lowerBound]
            let length =
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].filter { $0 != " " }) } ?? 0
            let bodyStart = end.upperBound
            let isInterim = head.hasPrefix("HTTP/1.1 1") || head.hasPrefix("HTTP/1.0 1")
            let bodyLength = isInterim ? 0 : length
            guard rest.distance(from: bodyStart, to: rest.endIndex) >= bodyLength else { break }
            let bodyEnd = rest.index(bodyStart, offsetBy: bodyLength)
            responses.append(String(rest[..<bodyEnd]))
            rest = rest[bodyEnd...]
        }
        return responses
    }
}

struct HTTP1TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

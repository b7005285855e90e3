import NIOCore
import NIOEmbedded
import NIOHTTP1

@testable import HTTPServer

/// A request as either parser read it: what must agree between the two.
struct ParsedRequest: Equatable, CustomStringConvertible {
    var method: String
    var target: String
    var minorVersion: Int
    var fields: [HTTP1Field]
    var body: [UInt8]

    var description: String {
        "\(method) \(target) 1.\(minorVersion) \(fields.map { "\($0.name): \($0.value)" }) body \(body.count) B"
    }
}

/// What a parser made of a byte stream: the requests it completed, and
/// whether it refused the rest (with the status it answers) or waits for more.
struct ParseOutcome: Equatable, CustomStringConvertible {
    var requests: [ParsedRequest] = []
    /// The status of the refusal; nil when every byte was accepted.
    var refusal: Int?
    /// A request begun and not finished, or bytes left unread.
    var incomplete = false
    /// A request that ends the connection was read; what followed was skipped.
    var closed = false

    var description: String {
        "\(requests.count) requests \(requests) refusal \(refusal.map(String.init) ?? "none") incomplete \(incomplete)"
    }
}

enum ParserDriver {
    static let limits = HTTP1RequestParser.Limits(maxHeaderBytes: 8192, maxBodyBytes: 1 << 20)

    /// Feeds `bytes` to `HTTP1RequestParser` in pieces cut at `splits`.
    static func ours(_ bytes: [UInt8], splits: [Int] = [], limits: HTTP1RequestParser.Limits = limits)
        -> ParseOutcome
    {
        var parser = HTTP1RequestParser(limits: limits)
        var outcome = ParseOutcome()
        var pending: [UInt8] = []
        var current: ParsedRequest?
        var cuts = splits.filter { $0 > 0 && $0 < bytes.count }.sorted() + [bytes.count]
        var start = 0
        while !cuts.isEmpty {
            let end = cuts.removeFirst()
            pending += bytes[start..<end]
            start = end
            parsing: while true {
                let step = parser.next(pending.span)
                switch step {
                case .needMore:
                    break parsing
                case .skipped(let count):
                    pending.removeFirst(count)
                case .event(let event, let consumed):
                    switch event {
                    case .head(let head):
                        current = ParsedRequest(
                            method: head.method, target: head.target, minorVersion: head.minorVersion,
                            fields: head.fields, body: [])
                    case .body(let range):
                        current?.body += pending[range]
                    case .end:
                        if let request = current { outcome.requests.append(request) }
                        current = nil
                    }
                    pending.removeFirst(consumed)
                case .failed(let error):
                    outcome.refusal = error.statusCode
                    return outcome
                }
            }
        }
        outcome.incomplete = current != nil || !pending.isEmpty
        outcome.closed = parser.isClosed
        return outcome
    }

    /// Feeds `bytes` to NIOHTTP1's decoder (llhttp), in pieces cut at `splits`.
    /// NIO gives no status for a refusal: 400 stands for any.
    static func nio(_ bytes: [UInt8], splits: [Int] = []) -> ParseOutcome {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder()))
        var outcome = ParseOutcome()
        var current: ParsedRequest?
        var cuts = splits.filter { $0 > 0 && $0 < bytes.count }.sorted() + [bytes.count]
        var start = 0
        func drain() throws {
            while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
                switch part {
                case .head(let head):
                    current = ParsedRequest(
                        method: head.method.rawValue, target: head.uri, minorVersion: head.version.minor,
                        fields: head.headers.map {
                            HTTP1Field(name: $0.name, value: trimmingTrailingWhitespace($0.value))
                        },
                        body: [])
                case .body(let buffer):
                    current?.body += buffer.readableBytesView
                case .end:
                    if let request = current { outcome.requests.append(request) }
                    current = nil
                }
            }
        }
        do {
            while !cuts.isEmpty {
                let end = cuts.removeFirst()
                try channel.writeInbound(ByteBuffer(bytes: bytes[start..<end]))
                start = end
                try drain()
            }
        } catch {
            try? drain()
            outcome.refusal = 400
            _ = try? channel.finish()
            return outcome
        }
        outcome.incomplete = current != nil
        do {
            _ = try channel.finish()
        } catch {
            // Left-over bytes of an unfinished request.
            outcome.incomplete = true
        }
        return outcome
    }
}

/// llhttp keeps a field value's trailing whitespace; RFC 9110 §5.5 says it
/// is not part of the value, and ours drops it. Compared without it.
private func trimmingTrailingWhitespace(_ value: String) -> String {
    var value = Substring(value)
    while value.last == " " || value.last == "\t" { value = value.dropLast() }
    return String(value)
}

extension String {
    /// The text with `\n` written as CRLF, and `␊` as a bare LF: readable test messages.
    var crlf: [UInt8] {
        unicodeScalars.flatMap { scalar -> [UInt8] in
            switch scalar {
            case "\n": [13, 10]
            case "␊": [10]
            default: Array(String(scalar).utf8)
            }
        }
    }
}

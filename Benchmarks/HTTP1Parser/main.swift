// Request framing cost: HTTP1RequestParser against NIOHTTP1's decoder
// (llhttp behind a ByteToMessageHandler, as the webhook listener runs it
// today), on the same bytes: a kube-apiserver AdmissionReview POST with a
// body of the given size. Usage:
//   http1-parser-bench [BODY_BYTES] [SECONDS]     (defaults: 1600, 3)
import HTTPServer
import NIOCore
import NIOEmbedded
import NIOHTTP1

let arguments = CommandLine.arguments
let bodyBytes = arguments.count > 1 ? Int(arguments[1]) ?? 1600 : 1600
let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 3 : 3

let body =
    "{\"kind\":\"AdmissionReview\",\"padding\":\"" + String(repeating: "x", count: max(0, bodyBytes - 40)) + "\"}"
let request = Array(
    ("POST /validate?timeout=10s HTTP/1.1\r\nHost: kcp-ingress.kcp-ingress.svc:443\r\n"
        + "User-Agent: kube-apiserver-admission\r\nContent-Length: \(body.utf8.count)\r\n"
        + "Accept: application/json, */*\r\nContent-Type: application/json\r\nAccept-Encoding: gzip\r\n\r\n" + body)
        .utf8)
let clock = ContinuousClock()

/// Runs `parseOne` for about `seconds`; returns ns per request.
func measure(_ parseOne: () -> Int) -> Double {
    var count = 0
    var check = 0
    for _ in 0..<1000 { check &+= parseOne() }
    let start = clock.now
    let deadline = start + .seconds(seconds)
    while clock.now < deadline {
        for _ in 0..<1000 { check &+= parseOne() }
        count += 1000
    }
    let elapsed = start.duration(to: clock.now)
    precondition(check != 0)
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    return nanoseconds / Double(count)
}

let limits = HTTP1RequestParser.Limits(maxHeaderBytes: 64 * 1024, maxBodyBytes: 7 * 1024 * 1024)
let ours = measure {
    var parser = HTTP1RequestParser(limits: limits)
    var offset = 0
    var bodySeen = 0
    while true {
        switch parser.next(request.span.extracting(offset..<request.count)) {
        case .event(let event, let consumed):
            if case .body(let range) = event { bodySeen += range.count }
            if case .end = event { return bodySeen }
            offset += consumed
        case .skipped(let count): offset += count
        case .needMore, .failed: fatalError("the request did not parse")
        }
    }
}

let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder()))
var buffer = ByteBuffer(bytes: request)
let nio = measure {
    try! channel.writeInbound(buffer)
    var bodySeen = 0
    while let part = try! channel.readInbound(as: HTTPServerRequestPart.self) {
        if case .body(let bytes) = part { bodySeen += bytes.readableBytes }
    }
    return bodySeen
}

print("request of \(request.count) bytes (body \(body.utf8.count)), \(seconds) s each")
print("HTTP1RequestParser      \(Int(ours.rounded())) ns per request")
print("NIOHTTP1 (llhttp)       \(Int(nio.rounded())) ns per request")

import Testing

@testable import HTTPServer

@Suite("HTTP/1.1 request parser: RFC 9112, strictly")
struct HTTP1RequestParserTests {
    let post =
        "POST /validate HTTP/1.1\nHost: webhook.kcp-ingress.svc:443\nContent-Type: application/json\nContent-Length: 5\n\nhello"

    @Test("a request with a body: its line, fields in order, body bytes")
    func wholeRequest() {
        let outcome = ParserDriver.ours(post.crlf)
        #expect(outcome.refusal == nil && !outcome.incomplete)
        #expect(
            outcome.requests == [
                ParsedRequest(
                    method: "POST", target: "/validate", minorVersion: 1,
                    fields: [
                        HTTP1Field(name: "Host", value: "webhook.kcp-ingress.svc:443"),
                        HTTP1Field(name: "Content-Type", value: "application/json"),
                        HTTP1Field(name: "Content-Length", value: "5"),
                    ],
                    body: Array("hello".utf8))
            ])
    }

    @Test("split at every byte, the outcome is the same as in one piece")
    func everySplit() {
        let stream = (post + "GET /healthz HTTP/1.1\nHost: a\n\n").crlf
        let whole = ParserDriver.ours(stream)
        #expect(whole.requests.count == 2)
        for cut in 1..<stream.count {
            #expect(ParserDriver.ours(stream, splits: [cut]) == whole, "cut at \(cut)")
        }
        #expect(ParserDriver.ours(stream, splits: Array(1..<stream.count)) == whole)
    }

    @Test("what the head decides: keep-alive, 100-continue, framing")
    func headFacts() {
        func head(_ text: String) -> HTTP1RequestHead? {
            var parser = HTTP1RequestParser(limits: ParserDriver.limits)
            let bytes = text.crlf
            if case .event(.head(let head), _) = parser.next(bytes.span) { return head }
            return nil
        }
        #expect(head("GET / HTTP/1.1\nHost: a\n\n")?.keepAlive == true)
        #expect(head("GET / HTTP/1.1\nHost: a\nConnection: Close\n\n")?.keepAlive == false)
        #expect(head("GET / HTTP/1.1\nHost: a\nConnection: upgrade, close\n\n")?.keepAlive == false)
        #expect(head("GET / HTTP/1.0\n\n")?.keepAlive == false)
        #expect(head("GET / HTTP/1.0\nConnection: keep-alive\n\n")?.keepAlive == true)
        #expect(head("GET / HTTP/1.1\nHost: a\nExpect: 100-Continue\n\n")?.expectsContinue == true)
        #expect(head("GET / HTTP/1.0\nExpect: 100-continue\n\n")?.expectsContinue == false)
        #expect(head("GET / HTTP/1.1\nHost: a\n\n")?.framing == HTTP1BodyFraming.none)
        #expect(head("PUT / HTTP/1.1\nHost: a\nContent-Length: 7\n\n")?.framing == .length(7))
        #expect(head("PUT / HTTP/1.1\nHost: a\nTransfer-Encoding: Chunked\n\n")?.framing == .chunked)
        #expect(head("GET / HTTP/1.1\nHost: a\nX-Padded: \t value \t\n\n")?.fields.last?.value == "value")
    }

    @Test("a chunked body with extensions and trailers")
    func chunked() {
        let text =
            "POST /mutate HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n5;name=\"v;1\"\nhello\n6\n world\n0\nChecksum: x\n\n"
        let outcome = ParserDriver.ours(text.crlf)
        #expect(outcome.refusal == nil && !outcome.incomplete)
        #expect(outcome.requests.first?.body == Array("hello world".utf8))
    }

    /// Each is refused, with this status, and nothing after it is read.
    static let refused: [(String, String, Int)] = [
        (
            "Content-Length and Transfer-Encoding",
            "POST / HTTP/1.1\nHost: a\nContent-Length: 3\nTransfer-Encoding: chunked\n\n0\n\n", 400
        ),
        ("differing Content-Lengths", "POST / HTTP/1.1\nHost: a\nContent-Length: 3\nContent-Length: 4\n\nabcd", 400),
        ("differing Content-Lengths in one field", "POST / HTTP/1.1\nHost: a\nContent-Length: 3, 4\n\nabcd", 400),
        ("a repeated Content-Length", "POST / HTTP/1.1\nHost: a\nContent-Length: 3\nContent-Length: 3\n\nabc", 400),
        ("a Content-Length list", "POST / HTTP/1.1\nHost: a\nContent-Length: 3, 3\n\nabc", 400),
        ("HTTP/1.2", "GET / HTTP/1.2\nHost: a\n\n", 505),
        ("a signed Content-Length", "POST / HTTP/1.1\nHost: a\nContent-Length: +3\n\nabc", 400),
        ("a Content-Length that is not a number", "POST / HTTP/1.1\nHost: a\nContent-Length: 0x3\n\nabc", 400),
        ("an overflowing Content-Length", "POST / HTTP/1.1\nHost: a\nContent-Length: 99999999999999999999999\n\n", 400),
        ("obs-fold", "GET / HTTP/1.1\nHost: a\nX-A: b\n c\n\n", 400),
        ("a bare CR in a field", "GET / HTTP/1.1\nHost: a\nX-A: b\rc\n\n", 400),
        ("a bare LF ending a line", "GET / HTTP/1.1\nHost: a␊\n", 400),
        ("a space before the colon", "GET / HTTP/1.1\nHost : a\n\n", 400),
        ("a tab before the colon", "GET / HTTP/1.1\nHost\t: a\n\n", 400),
        ("a field without a name", "GET / HTTP/1.1\nHost: a\n: b\n\n", 400),
        ("a NUL in a field value", "GET / HTTP/1.1\nHost: a\nX-A: b\u{0}c\n\n", 400),
        ("two spaces in the request line", "GET  / HTTP/1.1\nHost: a\n\n", 400),
        ("a space in the target", "GET /a b HTTP/1.1\nHost: a\n\n", 400),
        ("a lower-case version", "GET / http/1.1\nHost: a\n\n", 400),
        ("HTTP/2.0 over HTTP/1", "GET / HTTP/2.0\nHost: a\n\n", 505),
        ("no Host on 1.1", "GET / HTTP/1.1\n\n", 400),
        ("two Hosts", "GET / HTTP/1.1\nHost: a\nHost: b\n\n", 400),
        ("a Host list", "GET / HTTP/1.1\nHost: a, b\n\n", 400),
        ("Transfer-Encoding on 1.0", "POST / HTTP/1.0\nTransfer-Encoding: chunked\n\n0\n\n", 400),
        ("chunked not last", "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked, gzip\n\n", 400),
        ("chunked twice", "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked, chunked\n\n", 400),
        ("an unknown transfer coding", "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: gzip, chunked\n\n", 501),
        ("a chunk size that is not hex", "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\nz\nabc\n0\n\n", 400),
        ("a chunk size with a sign", "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n-1\nabc\n0\n\n", 400),
        (
            "an overflowing chunk size",
            "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\nffffffffffffffffff\nabc\n0\n\n", 400
        ),
        (
            "a chunk size followed by junk", "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n3x\nabc\n0\n\n",
            400
        ),
        (
            "chunk data longer than its size", "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n3\nabcd\n0\n\n",
            400
        ),
        ("a bare LF after a chunk size", "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n3␊abc\n0\n\n", 400),
        (
            "a control character in a chunk extension",
            "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n3;a=\u{1}\nabc\n0\n\n", 400
        ),
        ("obs-fold in a trailer", "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n0\nX-A: b\n c\n\n", 400),
        ("a chunked body over the limit", "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n100001\n", 413),
        ("a Content-Length over the limit", "POST / HTTP/1.1\nHost: a\nContent-Length: 1048577\n\n", 413),
    ]

    @Test("request smuggling and malformed messages are refused", arguments: refused.indices)
    func refusals(index: Int) {
        let (name, text, status) = Self.refused[index]
        let bytes = text.crlf.map { $0 }
        let outcome = ParserDriver.ours(bytes)
        #expect(outcome.refusal == status, "\(name): \(outcome)")
        #expect(outcome.requests.isEmpty, "\(name)")
        for cut in 1..<bytes.count {
            #expect(ParserDriver.ours(bytes, splits: [cut]).refusal == status, "\(name), cut at \(cut)")
        }
    }

    @Test("a header section over the limit is 431 before its end arrives")
    func headerLimit() {
        let limits = HTTP1RequestParser.Limits(maxHeaderBytes: 64, maxBodyBytes: 1024)
        let long = "GET / HTTP/1.1\nHost: a\nX-Long: \(String(repeating: "x", count: 100))".crlf
        #expect(ParserDriver.ours(long, limits: limits).refusal == 431)
        let trailers =
            "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n0\nX-Long: \(String(repeating: "x", count: 100))"
            .crlf
        #expect(ParserDriver.ours(trailers, limits: limits).refusal == 431)
    }

    @Test("a chunk line over the limit is refused before its end arrives")
    func chunkLineLimit() {
        let text = "POST / HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n3;\(String(repeating: "a", count: 5000))"
        #expect(ParserDriver.ours(text.crlf).refusal == 400)
    }

    @Test("empty lines before a request line are skipped; nothing is decided on a lone CR")
    func leadingEmptyLines() {
        #expect(ParserDriver.ours("\n\nGET / HTTP/1.1\nHost: a\n\n".crlf).requests.count == 1)
        #expect(ParserDriver.ours(Array("\r".utf8)) == ParseOutcome(incomplete: true))
        #expect(ParserDriver.ours("␊".crlf).refusal == 400)
    }
}

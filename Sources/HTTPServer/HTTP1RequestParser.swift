// Standard library only: `make fuzz` compiles this file on its own.

/// One header field of a request, as received (name case kept).
package struct HTTP1Field: Equatable, Sendable {
    package var name: String
    package var value: String

    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// How a request's body is delimited (RFC 9112 §6.3).
package enum HTTP1BodyFraming: Equatable, Sendable {
    case none
    case length(Int)
    case chunked
}

/// A request's line and header section, with what its headers decide.
package struct HTTP1RequestHead: Equatable, Sendable {
    package var method: String
    /// The request-target as sent: origin, absolute, authority or asterisk form.
    package var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    package var minorVersion: Int
    package var fields: [HTTP1Field]
    package var framing: HTTP1BodyFraming
    /// Whether the connection may carry another request after this one.
    package var keepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request.
    package var expectsContinue: Bool
}

/// Why a request is refused; the connection closes after the answer, since
/// where the next request would start is no longer known.
package enum HTTP1RequestError: Error, Equatable, Sendable {
    /// 400: the message breaks RFC 9112.
    case badRequest(String)
    /// 431: the header section (or the trailer section) is over the limit.
    case headerTooLarge
    /// 413: the body is over the limit.
    case bodyTooLarge
    /// 501: a transfer coding other than chunked.
    case notImplemented(String)
    /// 505: not HTTP/1.0 or 1.1.
    case versionNotSupported

    package var statusCode: Int {
        switch self {
        case .badRequest: 400
        case .headerTooLarge: 431
        case .bodyTooLarge: 413
        case .notImplemented: 501
        case .versionNotSupported: 505
        }
    }

    package var reason: String {
        switch self {
        case .badRequest(let reason), .notImplemented(let reason): reason
        case .headerTooLarge: "request header fields too large"
        case .bodyTooLarge: "request body too large"
        case .versionNotSupported: "HTTP version not supported"
        }
    }
}

/// RFC 9112 request framing, strict where leniency lets two parsers
/// disagree on where a request ends (request smuggling): Content-Length with
/// Transfer-Encoding, differing lengths, obs-fold, bare CR or LF, whitespace
/// before a colon, bad chunk sizes and over-long chunk lines are refused.
///
/// Incremental and allocation-free between events: `next` is given the
/// bytes not yet consumed (as many as have arrived) and says how many it
/// consumed and what they were. The body is never copied here: `.body`
/// names a range of the input.
package struct HTTP1RequestParser: Sendable {
    package struct Limits: Sendable {
        package var maxHeaderBytes: Int
        package var maxBodyBytes: Int
        /// A chunk-size line, extensions included (llhttp and nginx cap these too).
        package var maxChunkLineBytes: Int

        package init(maxHeaderBytes: Int, maxBodyBytes: Int, maxChunkLineBytes: Int = 4096) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
            self.maxChunkLineBytes = maxChunkLineBytes
        }
    }

    package enum Event: Equatable, Sendable {
        case head(HTTP1RequestHead)
        /// Body bytes at this range of the input.
        case body(Range<Int>)
        /// The request is complete; trailer fields, if any, were checked and dropped.
        case end
    }

    package enum Step: Equatable, Sendable {
        /// Nothing can be decided before more bytes arrive.
        case needMore
        /// `consumed` bytes from the start of the input were used.
        case event(Event, consumed: Int)
        /// Empty lines before a request line, skipped (RFC 9112 §2.2).
        case skipped(Int)
        case failed(HTTP1RequestError)
    }

    private enum State: Sendable {
        /// A request that ends the connection was read: what follows is ignored.
        case closed
        /// `scanned` bytes of a header section were already looked at.
        case head(scanned: Int)
        case fixedBody(remaining: Int)
        case chunkLine(bodyBytes: Int)
        case chunkData(remaining: Int, bodyBytes: Int)
        case chunkDataEnd(bodyBytes: Int)
        case trailers(scanned: Int)
        case complete(keepAlive: Bool)
        case failed(HTTP1RequestError)
    }

    package let limits: Limits
    private var state = State.head(scanned: 0)
    /// The keep-alive of the request being read.
    private var keepAlive = true

    package init(limits: Limits) {
        self.limits = limits
    }

    /// Whether the last request read ends the connection (bytes after it are skipped).
    package var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    package mutating func next(_ input: Span<UInt8>) -> Step {
        let step = advance(input)
        if case .failed(let error) = step { state = .failed(error) }
        return step
    }

    private mutating func advance(_ input: Span<UInt8>) -> Step {
        switch state {
        case .failed(let error):
            return .failed(error)
        case .complete(let keepAlive):
            state = keepAlive ? .head(scanned: 0) : .closed
            return .event(.end, consumed: 0)
        case .closed:
            return input.isEmpty ? .needMore : .skipped(input.count)
        case .head(let scanned):
            return parseHead(input, scanned: scanned)
        case .fixedBody(let remaining):
            if input.isEmpty { return .needMore }
            let count = min(remaining, input.count)
            state = remaining == count ? .complete(keepAlive: keepAlive) : .fixedBody(remaining: remaining - count)
            return .event(.body(0..<count), consumed: count)
        case .chunkLine(let bodyBytes):
            return parseChunkLine(input, bodyBytes: bodyBytes)
        case .chunkData(let remaining, let bodyBytes):
            if input.isEmpty { return .needMore }
            let count = min(remaining, input.count)
            state =
                remaining == count
                ? .chunkDataEnd(bodyBytes: bodyBytes) : .chunkData(remaining: remaining - count, bodyBytes: bodyBytes)
            return .event(.body(0..<count), consumed: count)
        case .chunkDataEnd(let bodyBytes):
            guard input.count >= 2 else {
                if input.count == 1, input[0] != ASCII.cr {
                    return .failed(.badRequest("chunk data not followed by CRLF"))
                }
                return .needMore
            }
            guard input[0] == ASCII.cr, input[1] == ASCII.lf else {
                return .failed(.badRequest("chunk data not followed by CRLF"))
            }
            state = .chunkLine(bodyBytes: bodyBytes)
            return .skipped(2)
        case .trailers(let scanned):
            return parseTrailers(input, scanned: scanned)
        }
    }

    // MARK: - Header section

    private mutating func parseHead(_ input: Span<UInt8>, scanned: Int) -> Step {
        if scanned == 0, !input.isEmpty, !ASCII.isTokenCharacter(input[0]) {
            // Empty lines before the request line are ignored; a bare LF is not
            // a line end here. Anything else cannot start a method: refused now,
            // not after waiting for a header section that will never be one.
            guard input[0] == ASCII.cr else { return .failed(.badRequest("malformed request line")) }
            guard input.count >= 2 else { return .needMore }
            guard input[1] == ASCII.lf else { return .failed(.badRequest("a line must end with CRLF")) }
            return .skipped(2)
        }
        switch Self.sectionEnd(input, from: scanned, limit: limits.maxHeaderBytes) {
        case .failure(let error):
            return .failed(error)
        case .success(nil):
            state = .head(scanned: input.count)
            return .needMore
        case .success(let end?):
            switch Self.head(input.extracting(0..<end), limits: limits) {
            case .failure(let error):
                return .failed(error)
            case .success(let head):
                keepAlive = head.keepAlive
                switch head.framing {
                case .none: state = .complete(keepAlive: keepAlive)
                case .length(0): state = .complete(keepAlive: keepAlive)
                case .length(let length): state = .fixedBody(remaining: length)
                case .chunked: state = .chunkLine(bodyBytes: 0)
                }
                return .event(.head(head), consumed: end)
            }
        }
    }

    /// Where a header (or trailer) section that starts at the input's first
    /// byte ends, just past its empty line; nil while incomplete. Lines
    /// must end in CRLF: a bare CR or LF is refused as soon as it is seen.
    private static func sectionEnd(_ input: Span<UInt8>, from scanned: Int, limit: Int)
        -> Result<Int?, HTTP1RequestError>
    {
        // Resume where the last look stopped, one line end back to see an empty line.
        var index = max(0, scanned - 3)
        let count = input.count
        while index < count {
            let byte = input[index]
            if byte == ASCII.lf {
                guard index > 0, input[index - 1] == ASCII.cr else {
                    return .failure(.badRequest("a line must end with CRLF"))
                }
                // An empty line: CRLF right after the previous CRLF (or at the start).
                if index == 1 || (index >= 3 && input[index - 2] == ASCII.lf) {
                    let end = index + 1
                    return end > limit ? .failure(.headerTooLarge) : .success(end)
                }
            } else if byte == ASCII.cr, index + 1 < count, input[index + 1] != ASCII.lf {
                return .failure(.badRequest("a bare CR in the header section"))
            }
            index += 1
        }
        return count > limit ? .failure(.headerTooLarge) : .success(nil)
    }

    /// The request line and fields of a whole header section (its final CRLF included).
    private static func head(_ section: Span<UInt8>, limits: Limits) -> Result<HTTP1RequestHead, HTTP1RequestError> {
        var lineStart = 0
        guard let lineEnd = lineEnd(section, from: 0) else { return .failure(.badRequest("no request line")) }
        let requestLine: (method: String, target: String, minor: Int)
        switch Self.requestLine(section.extracting(0..<lineEnd)) {
        case .failure(let error): return .failure(error)
        case .success(let line): requestLine = line
        }
        lineStart = lineEnd + 2
        var fields: [HTTP1Field] = []
        fields.reserveCapacity(12)
        var facts = FieldFacts()
        while let end = Self.lineEnd(section, from: lineStart), end > lineStart {
            switch field(section.extracting(lineStart..<end)) {
            case .failure(let error): return .failure(error)
            case .success(let field):
                facts.note(field)
                fields.append(field)
            }
            lineStart = end + 2
        }
        return facts.head(
            method: requestLine.method, target: requestLine.target, minorVersion: requestLine.minor, fields: fields,
            limits: limits)
    }

    /// The index of the CR of the CRLF ending the line that starts at `start`.
    private static func lineEnd(_ section: Span<UInt8>, from start: Int) -> Int? {
        var index = start
        while index + 1 < section.count {
            if section[index] == ASCII.cr { return index }
            index += 1
        }
        return nil
    }

    /// `method SP request-target SP HTTP-version`, with exactly one space each.
    private static func requestLine(_ line: Span<UInt8>) -> Result<(String, String, Int), HTTP1RequestError> {
        var index = 0
        while index < line.count, ASCII.isTokenCharacter(line[index]) { index += 1 }
        guard index > 0, index < line.count, line[index] == ASCII.space else {
            return .failure(.badRequest("malformed request line"))
        }
        let methodEnd = index
        index += 1
        let targetStart = index
        while index < line.count, ASCII.isURICharacter(line[index]) { index += 1 }
        guard index > targetStart, index < line.count, line[index] == ASCII.space else {
            return .failure(.badRequest("malformed request target"))
        }
        let targetEnd = index
        guard Self.isRequestTarget(line.extracting(targetStart..<targetEnd), method: line.extracting(0..<methodEnd))
        else { return .failure(.badRequest("malformed request target")) }
        index += 1
        let version = line.extracting(index..<line.count)
        guard version.count == 8, version[0] == UInt8(ascii: "H"), version[1] == UInt8(ascii: "T"),
            version[2] == UInt8(ascii: "T"), version[3] == UInt8(ascii: "P"), version[4] == UInt8(ascii: "/"),
            ASCII.isDigit(version[5]), version[6] == UInt8(ascii: "."), ASCII.isDigit(version[7])
        else { return .failure(.badRequest("malformed HTTP version")) }
        // A well-formed line with a method nothing here implements (RFC 9110 §9.1).
        guard Self.isKnownMethod(line.extracting(0..<methodEnd)) else {
            return .failure(.notImplemented("method \(ASCII.string(line.extracting(0..<methodEnd)))"))
        }
        // 1.0 and 1.1 only: no 1.x beyond exists, and llhttp refuses one too.
        guard version[5] == UInt8(ascii: "1"), version[7] <= UInt8(ascii: "1") else {
            return .failure(.versionNotSupported)
        }
        let minor = Int(version[7] - UInt8(ascii: "0"))
        return .success(
            (
                ASCII.string(line.extracting(0..<methodEnd)), ASCII.string(line.extracting(targetStart..<targetEnd)),
                minor
            ))
    }

    /// The methods of RFC 9110 and PATCH: llhttp knows no others either,
    /// and none of the routes here takes another.
    private static func isKnownMethod(_ method: Span<UInt8>) -> Bool {
        switch method.count {
        case 3: ASCII.equals(method, "GET") || ASCII.equals(method, "PUT")
        case 4: ASCII.equals(method, "POST") || ASCII.equals(method, "HEAD")
        case 5: ASCII.equals(method, "PATCH") || ASCII.equals(method, "TRACE")
        case 6: ASCII.equals(method, "DELETE")
        case 7: ASCII.equals(method, "OPTIONS") || ASCII.equals(method, "CONNECT")
        default: false
        }
    }

    /// One of RFC 9112 §3.2's four forms: origin (`/path?query`), absolute
    /// (`http://` or `https://`: a server is no proxy for other schemes),
    /// authority (CONNECT only) and asterisk (OPTIONS only).
    private static func isRequestTarget(_ target: Span<UInt8>, method: Span<UInt8>) -> Bool {
        if target[0] == UInt8(ascii: "/") { return true }
        if target.count == 1, target[0] == UInt8(ascii: "*") { return ASCII.equals(method, "OPTIONS") }
        if ASCII.equals(method, "CONNECT") { return true }
        return ASCII.hasPrefixIgnoringCase(target, "http://") || ASCII.hasPrefixIgnoringCase(target, "https://")
    }

    /// `field-name ":" OWS field-value OWS`; no obs-fold, no space before the colon.
    private static func field(_ line: Span<UInt8>) -> Result<HTTP1Field, HTTP1RequestError> {
        if line[0] == ASCII.space || line[0] == ASCII.tab {
            return .failure(.badRequest("obsolete line folding in a header field"))
        }
        var index = 0
        while index < line.count, ASCII.isTokenCharacter(line[index]) { index += 1 }
        guard index < line.count, line[index] == ASCII.colon else {
            if index < line.count, line[index] == ASCII.space || line[index] == ASCII.tab {
                return .failure(.badRequest("whitespace before the colon of a header field"))
            }
            return .failure(.badRequest("malformed header field"))
        }
        guard index > 0 else { return .failure(.badRequest("a header field without a name")) }
        let nameEnd = index
        index += 1
        while index < line.count, line[index] == ASCII.space || line[index] == ASCII.tab { index += 1 }
        let valueStart = index
        var valueEnd = index
        while index < line.count {
            let byte = line[index]
            guard ASCII.isFieldValueByte(byte) else {
                return .failure(.badRequest("a control character in a header field value"))
            }
            if byte != ASCII.space, byte != ASCII.tab { valueEnd = index + 1 }
            index += 1
        }
        return .success(
            HTTP1Field(
                name: ASCII.string(line.extracting(0..<nameEnd)),
                value: ASCII.string(line.extracting(valueStart..<valueEnd))))
    }

    // MARK: - Chunked body

    private mutating func parseChunkLine(_ input: Span<UInt8>, bodyBytes: Int) -> Step {
        var index = 0
        var size = 0
        var digits = 0
        while index < input.count, let digit = ASCII.hexValue(input[index]) {
            guard digits < 15 else { return .failed(.badRequest("chunk size too large")) }
            size = size << 4 | digit
            digits += 1
            index += 1
        }
        if index == input.count {
            return input.count > limits.maxChunkLineBytes ? .failed(.badRequest("chunk line too long")) : .needMore
        }
        guard digits > 0 else { return .failed(.badRequest("malformed chunk size")) }
        // The line ends at its first CR: a quoted extension value cannot hold one.
        while index < input.count, input[index] != ASCII.cr {
            index += 1
            if index > limits.maxChunkLineBytes { return .failed(.badRequest("chunk line too long")) }
        }
        guard index + 1 < input.count else {
            return index + 1 > limits.maxChunkLineBytes ? .failed(.badRequest("chunk line too long")) : .needMore
        }
        guard input[index + 1] == ASCII.lf else { return .failed(.badRequest("a bare CR in a chunk line")) }
        guard Self.isChunkExtension(input.extracting(digits..<index)) else {
            return .failed(.badRequest("malformed chunk extension"))
        }
        let consumed = index + 2
        if size == 0 {
            state = .trailers(scanned: 0)
            return .skipped(consumed)
        }
        guard size <= limits.maxBodyBytes - bodyBytes else { return .failed(.bodyTooLarge) }
        state = .chunkData(remaining: size, bodyBytes: bodyBytes + size)
        return .skipped(consumed)
    }

    /// `*( ";" name [ "=" ( token / quoted-string ) ] )`, exactly: extensions
    /// are read past, never kept, but one parser's extension must not be
    /// another's chunk data. The BWS that RFC 9112 tolerates around `;` and
    /// `=` (no sender may write it) is refused, as llhttp refuses it.
    private static func isChunkExtension(_ bytes: Span<UInt8>) -> Bool {
        var index = 0
        func skipToken() -> Bool {
            let start = index
            while index < bytes.count, ASCII.isTokenCharacter(bytes[index]) { index += 1 }
            return index > start
        }
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: ";") else { return false }
            index += 1
            guard skipToken() else { return false }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                var closed = false
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\"") {
                        closed = true
                        index += 1
                        break
                    }
                    if byte == UInt8(ascii: "\\") {
                        index += 1
                        guard index < bytes.count, ASCII.isFieldValueByte(bytes[index]) else { return false }
                    } else if !ASCII.isFieldValueByte(byte) {
                        return false
                    }
                    index += 1
                }
                guard closed else { return false }
            } else {
                guard skipToken() else { return false }
            }
        }
        return true
    }

    /// The trailer section after the last chunk: fields checked as header
    /// fields are, then dropped (nothing here reads trailers).
    private mutating func parseTrailers(_ input: Span<UInt8>, scanned: Int) -> Step {
        switch Self.sectionEnd(input, from: scanned, limit: limits.maxHeaderBytes) {
        case .failure(let error):
            return .failed(error)
        case .success(nil):
            state = .trailers(scanned: input.count)
            return .needMore
        case .success(let end?):
            var lineStart = 0
            while let lineEnd = Self.lineEnd(input, from: lineStart), lineEnd > lineStart, lineEnd < end {
                if case .failure(let error) = Self.field(input.extracting(lineStart..<lineEnd)) {
                    return .failed(error)
                }
                lineStart = lineEnd + 2
            }
            state = keepAlive ? .head(scanned: 0) : .closed
            return .event(.end, consumed: end)
        }
    }
}

/// What the header fields decide, gathered as they are read.
private struct FieldFacts {
    var hosts = 0
    var hostValue = ""
    /// Content-Length values: fields, and list members within one.
    var contentLengthCount = 0
    var contentLength = ""
    var transferEncodings: [Substring] = []
    var sawTransferEncoding = false
    var connectionTokens: [Substring] = []
    var expect: String?

    mutating func note(_ field: HTTP1Field) {
        let name = field.name
        if ASCII.equalsIgnoringCase(name, "host") {
            hosts += 1
            hostValue = field.value
        } else if ASCII.equalsIgnoringCase(name, "content-length") {
            contentLengthCount += 1 + field.value.utf8.count { $0 == UInt8(ascii: ",") }
            contentLength = field.value
        } else if ASCII.equalsIgnoringCase(name, "transfer-encoding") {
            sawTransferEncoding = true
            transferEncodings.append(contentsOf: field.value.split(separator: ",", omittingEmptySubsequences: false))
        } else if ASCII.equalsIgnoringCase(name, "connection") {
            connectionTokens.append(contentsOf: field.value.split(separator: ","))
        } else if ASCII.equalsIgnoringCase(name, "expect") {
            expect = field.value
        }
    }

    func head(
        method: String, target: String, minorVersion: Int, fields: [HTTP1Field], limits: HTTP1RequestParser.Limits
    ) -> Result<HTTP1RequestHead, HTTP1RequestError> {
        // RFC 9112 §3.2: exactly one Host on HTTP/1.1, at most one on 1.0.
        if hosts > 1 { return .failure(.badRequest("more than one Host header")) }
        if hosts == 0, minorVersion >= 1 { return .failure(.badRequest("an HTTP/1.1 request needs a Host header")) }
        if hostValue.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == ASCII.space || $0 == ASCII.tab }) {
            return .failure(.badRequest("invalid Host header"))
        }
        let framing: HTTP1BodyFraming
        switch bodyFraming(minorVersion: minorVersion, limits: limits) {
        case .failure(let error): return .failure(error)
        case .success(let value): framing = value
        }
        let tokens = connectionTokens.map { ASCII.lowercased(ASCII.trimmed($0)) }
        let keepAlive =
            minorVersion >= 1 ? !tokens.contains("close") : tokens.contains("keep-alive") && !tokens.contains("close")
        let expectsContinue = minorVersion >= 1 && expect.map { ASCII.lowercased($0) == "100-continue" } == true
        return .success(
            HTTP1RequestHead(
                method: method, target: target, minorVersion: minorVersion, fields: fields, framing: framing,
                keepAlive: keepAlive, expectsContinue: expectsContinue))
    }

    /// RFC 9112 §6.1–6.3, for requests.
    private func bodyFraming(minorVersion: Int, limits: HTTP1RequestParser.Limits)
        -> Result<HTTP1BodyFraming, HTTP1RequestError>
    {
        if sawTransferEncoding {
            if contentLengthCount > 0 {
                return .failure(.badRequest("both Content-Length and Transfer-Encoding"))
            }
            if minorVersion == 0 { return .failure(.badRequest("Transfer-Encoding in an HTTP/1.0 request")) }
            let codings = transferEncodings.map { ASCII.lowercased(ASCII.trimmed($0)) }
            guard codings.last == "chunked" else {
                return .failure(.badRequest("chunked is not the final transfer coding"))
            }
            if codings.dropLast().contains("chunked") { return .failure(.badRequest("chunked applied twice")) }
            if codings.count > 1 {
                return .failure(.notImplemented("transfer coding \(codings.dropLast().joined(separator: ", "))"))
            }
            return .success(.chunked)
        }
        guard contentLengthCount > 0 else { return .success(.none) }
        // RFC 9110 §8.6 lets identical repeats through; llhttp and nginx refuse
        // any repeat, and so does this: one sender's framing, one value.
        guard contentLengthCount == 1 else { return .failure(.badRequest("more than one Content-Length")) }
        let digits = contentLength.utf8
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(ASCII.isDigit), let length = Int(contentLength)
        else { return .failure(.badRequest("invalid Content-Length \(contentLength)")) }
        return length > limits.maxBodyBytes ? .failure(.bodyTooLarge) : .success(.length(length))
    }
}

/// The byte classes of RFC 9110 §5.6 and 9112.
enum ASCII {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")

    /// tchar: `!#$%&'*+-.^_`|~`, digits and letters.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// What RFC 3986 lets a request-target hold: unreserved, sub-delims,
    /// `:@/?%` and the brackets of an IPv6 literal; no fragment.
    static func isURICharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"),
            UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="),
            UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "%"),
            UInt8(ascii: "["), UInt8(ascii: "]"):
            true
        default:
            false
        }
    }

    /// field-vchar, SP and HTAB: VCHAR and obs-text; never CR, LF, NUL or DEL.
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= 0x20 && byte != 0x7F)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// The bytes as a String: ASCII as it is, obs-text decoded as UTF-8
    /// where it is, repaired where not (as NIO's HTTPHeaders reads them).
    static func string(_ bytes: Span<UInt8>) -> String {
        if let text = try? UTF8Span(validating: bytes) { return String(copying: text) }
        var copy: [UInt8] = []
        copy.reserveCapacity(bytes.count)
        for index in bytes.indices { copy.append(bytes[index]) }
        return String(decoding: copy, as: UTF8.self)
    }

    static func equals(_ bytes: Span<UInt8>, _ text: String) -> Bool {
        guard bytes.count == text.utf8.count else { return false }
        var index = 0
        for byte in text.utf8 {
            guard bytes[index] == byte else { return false }
            index += 1
        }
        return true
    }

    /// Whether `bytes` start with `lowercase`, but for the case of their letters.
    static func hasPrefixIgnoringCase(_ bytes: Span<UInt8>, _ lowercase: String) -> Bool {
        guard bytes.count >= lowercase.utf8.count else { return false }
        var index = 0
        for expected in lowercase.utf8 {
            let byte = bytes[index]
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            guard folded == expected else { return false }
            index += 1
        }
        return true
    }

    /// Whether `text` is `lowercase` but for the case of its letters.
    static func equalsIgnoringCase(_ text: String, _ lowercase: String) -> Bool {
        guard text.utf8.count == lowercase.utf8.count else { return false }
        for (byte, expected) in zip(text.utf8, lowercase.utf8) {
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            guard folded == expected else { return false }
        }
        return true
    }

    static func lowercased(_ text: some StringProtocol) -> String {
        text.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") })
            ? text.lowercased() : String(text)
    }

    static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while let first = text.utf8.first, first == space || first == tab { text = text.dropFirst() }
        while let last = text.utf8.last, last == space || last == tab { text = text.dropLast() }
        return text
    }
}

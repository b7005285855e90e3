// libFuzzer entry point for the HTTP/1.1 request parser. Compiled together
// with Sources/HTTPServer/HTTP1RequestParser.swift alone by `make fuzz`
// (swiftc -sanitize=fuzzer,address), not by SwiftPM. The C entry point hands
// us a raw pointer: this is the one place the parser's code touches one.

private let limits = HTTP1RequestParser.Limits(maxHeaderBytes: 4096, maxBodyBytes: 65536, maxChunkLineBytes: 256)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let whole = outcome(of: bytes, cutAt: [])
    // Where the bytes are cut into reads never changes what they mean.
    let seed = bytes.reduce(into: 0) { $0 = $0 &* 31 &+ Int($1) }
    let cut = bytes.isEmpty ? 0 : abs(seed % bytes.count)
    precondition(outcome(of: bytes, cutAt: [cut]) == whole, "a cut at \(cut) changed the outcome")
    precondition(outcome(of: bytes, cutAt: Array(stride(from: 1, to: bytes.count, by: 7))) == whole)
    return 0
}

private struct Outcome: Equatable {
    var heads: [HTTP1RequestHead] = []
    var body: [UInt8] = []
    var ends = 0
    var refusal: HTTP1RequestError?
}

/// Parses `bytes` read in pieces, checking on every step that the parser
/// stays inside its input and always makes progress.
private func outcome(of bytes: [UInt8], cutAt cuts: [Int]) -> Outcome {
    var parser = HTTP1RequestParser(limits: limits)
    var result = Outcome()
    var pending: [UInt8] = []
    var start = 0
    for end in cuts.filter({ $0 > 0 && $0 < bytes.count }) + [bytes.count] {
        guard end > start else { continue }
        pending += bytes[start..<end]
        start = end
        var endsWithoutProgress = 0
        reading: while true {
            switch parser.next(pending.span) {
            case .needMore:
                break reading
            case .failed(let error):
                result.refusal = error
                return result
            case .skipped(let count):
                precondition(count > 0 && count <= pending.count, "skipped \(count) of \(pending.count)")
                pending.removeFirst(count)
            case .event(let event, let consumed):
                precondition(consumed <= pending.count, "consumed \(consumed) of \(pending.count)")
                switch event {
                case .head(let head):
                    precondition(consumed > 0)
                    result.heads.append(head)
                case .body(let range):
                    precondition(!range.isEmpty && range.upperBound <= consumed, "body \(range) past \(consumed)")
                    result.body += pending[range]
                case .end:
                    result.ends += 1
                }
                endsWithoutProgress = consumed == 0 ? endsWithoutProgress + 1 : 0
                precondition(endsWithoutProgress <= 1, "no progress")
                pending.removeFirst(consumed)
            }
        }
    }
    return result
}

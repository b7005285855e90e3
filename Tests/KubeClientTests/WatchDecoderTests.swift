import KubeAPI
import Testing

@testable import KubeClient

@Suite("Watch stream decoding")
struct WatchDecoderTests {
    static let stream = Array(
        """
        {"type":"ADDED","object":{"kind":"Service","metadata":{"name":"a {\\"}","resourceVersion":"1"}}}
        {"type":"MODIFIED","object":{"kind":"Service","metadata":{"name":"a","resourceVersion":"2"},"spec":{"ports":[{"port":80}]}}}
        {"type":"BOOKMARK","object":{"kind":"Service","metadata":{"resourceVersion":"3"}}}

        """.utf8)

    @Test("events split at every byte boundary decode to the same three events")
    func everySplit() throws {
        for split in 0...Self.stream.count {
            var decoder = WatchDecoder()
            let events =
                try decoder.feed(Self.stream[..<split]) + decoder.feed(Self.stream[split...])
            #expect(events.map { $0.type } == [.added, .modified, .bookmark], "split at \(split)")
            #expect(events.first?.object?["metadata"]?["name"] == "a {\"}")
            #expect(decoder.isAtBoundary)
        }
    }

    @Test("one byte at a time")
    func byteByByte() throws {
        var decoder = WatchDecoder()
        var events: [WatchEvent] = []
        for byte in Self.stream { events += try decoder.feed([byte]) }
        #expect(events.count == 3)
    }

    @Test(
        "broken streams are errors, not silent losses",
        arguments: [
            ("x{}", "unexpected byte"),
            ("{\"type\":\"ADDED\"}\n", "without type or object"),
            ("{\"type\":\"ADDED\",\"object\":{}}}", "unbalanced"),
            ("{\"type\":,}\n", "not JSON"),
        ])
    func broken(text: String, message: String) {
        var decoder = WatchDecoder()
        let error = #expect(throws: WatchDecodingError.self) { try decoder.feed(Array(text.utf8)) }
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test("an event larger than the limit is refused before it is buffered whole")
    func oversized() {
        var decoder = WatchDecoder(maximumEventBytes: 64)
        #expect(throws: WatchDecodingError.self) {
            try decoder.feed(
                Array(("{\"type\":\"ADDED\",\"object\":{\"a\":\"" + String(repeating: "x", count: 100)).utf8))
        }
    }
}

import Testing

@testable import KubeAPI

@Suite("PackedJSON: a value at rest in one array")
struct PackedJSONTests {
    @Test(
        "real AdmissionReviews unpack to the same tree, printed byte for byte, in less than their text",
        arguments: ["admissionreview-small.json", "admissionreview-large.json"])
    func fixtures(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let value = try JSON(parsing: bytes)
        let packed = PackedJSON(value)
        #expect(packed.unpacked().bytes == bytes)
        #expect(packed.bytes.count < bytes.count)
        // Sized ahead, not grown by doubling: only malloc's rounding is spare.
        #expect(packed.bytes.capacity - packed.bytes.count < 32)
    }

    @Test("every kind of value, edge numbers and Unicode, key order and repeated shapes")
    func values() throws {
        let text = """
            {"z":null,"a":[true,false,[],{}],"n":[0,-1,1,63,-64,64,127,128,-129,16383,16384,\
            9223372036854775807,-9223372036854775808,0.5,-0,1e3,18446744073709551616],\
            "s":["","a","é☃😀","\\"\\n\\u0001",\"\(String(repeating: "x", count: 300))\"],\
            "\(String(repeating: "k", count: 200))":{"nested":{"deeper":[{"b":1,"a":2}]}}}
            """
        let value = try JSON(parsing: text)
        let unpacked = PackedJSON(value).unpacked()
        #expect(unpacked.text == value.text)
        #expect(unpacked == value)
        #expect(unpacked["n"]?[12] == .integer(Int64.min))
        if case .number(let literal) = unpacked["n"]?[14] {
            #expect(literal.literal == "-0")
        } else {
            Issue.record("-0 must stay a number literal")
        }
    }

    @Test("equal packings mean equal trees, in the same order")
    func equality() throws {
        let one = try JSON(parsing: #"{"a":1,"b":[2]}"#)
        let same = try JSON(parsing: #"{"a":1,"b":[2]}"#)
        let reordered = try JSON(parsing: #"{"b":[2],"a":1}"#)
        #expect(PackedJSON(one) == PackedJSON(same))
        #expect(PackedJSON(one) != PackedJSON(reordered))
        #expect(PackedJSON(one) != PackedJSON(try JSON(parsing: #"{"a":1,"b":[3]}"#)))
    }
}

import Testing

@testable import KubeAPI

@Suite("JSON: lossless parse and print")
struct JSONTests {
    @Test(
        "real AdmissionReviews round-trip byte for byte",
        arguments: ["admissionreview-small.json", "admissionreview-large.json"])
    func fixturesRoundTrip(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let value = try JSON(parsing: bytes)
        #expect(value.bytes == bytes)
        #expect(
            value["request"]?["object"]?["x-unknown"]?["big"] == .number(JSONNumber(unchecked: "18446744073709551616")))
    }

    @Test("numbers keep their form: integers exact, floats and big numbers as written")
    func numbers() throws {
        let text =
            #"[0,-0,3,-42,9223372036854775807,-9223372036854775808,9223372036854775808,0.5,1e3,-1.25E-7,100000000000000000000000]"#
        let value = try JSON(parsing: text)
        #expect(value.text == text)
        #expect(value[2] == .integer(3))
        #expect(value[4] == .integer(Int64.max))
        #expect(value[5] == .integer(Int64.min))
        if case .number = value[6] {} else { Issue.record("2^63 must not become an Int64") }
        if case .number = value[1] {} else { Issue.record("-0 must keep its sign") }
        #expect(value[7]?.doubleValue == 0.5)
        #expect(JSON.integer(1) == (try JSON(parsing: "1.0")), "numbers compare by value")
    }

    @Test("strings: every escape, any Unicode, surrogate pairs; printed with the fewest escapes")
    func strings() throws {
        let value = try JSON(parsing: #"["a\"b\\c\/d\b\f\n\r\t","\u00e9\u2603\ud83d\ude00","café ☃ 😀","\u0001"]"#)
        #expect(value[0] == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(value[1] == .string("é☃😀"))
        #expect(value[2] == .string("café ☃ 😀"))
        #expect(value.text == #"["a\"b\\c/d\b\f\n\r\t","é☃😀","café ☃ 😀","\u0001"]"#)
    }

    @Test("object keys keep their order; a repeated key keeps its place and its last value")
    func objectOrder() throws {
        let value = try JSON(parsing: #"{"z":1,"a":2,"m":{"y":true,"b":null},"a":3}"#)
        #expect(value.text == #"{"z":1,"a":3,"m":{"y":true,"b":null}}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
        #expect(
            try JSON(parsing: #"{"a":1,"b":2}"#) == (try JSON(parsing: #"{"b":2,"a":1}"#)), "equality ignores order")
    }

    @Test(
        "malformed input is refused with the offset and what was expected",
        arguments: [
            ("", 0, "expected a value, found the end of the input"),
            ("{\"a\":1", 6, "expected ',' or '}' in an object"),
            ("[1,2", 4, "expected ',' or ']' in an array"),
            ("{\"a\" 1}", 5, "expected ':' after an object key"),
            ("{1:2}", 1, "expected a string key"),
            ("[1] x", 4, "unexpected data after the value"),
            ("\"abc", 0, "unterminated string"),
            ("\"\\x\"", 1, "invalid escape"),
            ("\"\\ud800\"", 1, "unpaired surrogate \\uD800"),
            ("\"\\udc00x\"", 1, "unpaired surrogate \\uDC00"),
            ("\"\\u12zz\"", 5, "invalid hex digit in \\u escape"),
            ("\"\\u12\"", 1, "incomplete \\u escape"),
            ("01", 1, "leading zero in a number"),
            ("-", 1, "expected a digit"),
            ("1.", 2, "expected a digit after '.'"),
            ("1e+", 3, "expected a digit in the exponent"),
            ("tru", 0, "expected true"),
            ("[nul]", 1, "expected null"),
            ("\"a\u{1}b\"", 2, "control character in a string"),
        ])
    func malformed(input: String, offset: Int, message: String) {
        #expect(throws: JSONParseError(offset: offset, message)) { try JSON(parsing: input) }
    }

    @Test("invalid UTF-8 inside a string is refused, before or after an escape")
    func invalidUTF8() {
        #expect(throws: JSONParseError(offset: 1, "invalid UTF-8 in a string")) {
            try JSON(parsing: [UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")])
        }
        #expect(throws: JSONParseError(offset: 1, "invalid UTF-8 in a string")) {
            try JSON(parsing: Array(#""ok\n"#.utf8) + [0xC3, 0x28] + Array(#"\t""#.utf8))
        }
    }

    @Test("text between escapes comes through whole: an annotation holding a JSON document")
    func runsBetweenEscapes() throws {
        let inner = #"{"apiVersion":"networking.k8s.io/v1","metadata":{"name":"café"},"spec":{"rules":[]}}"#
        let document = JSON.object(["kubectl.kubernetes.io/last-applied-configuration": .string(inner + "\n")])
        #expect(document.text.contains(#"{\"apiVersion\":\"networking.k8s.io/v1\""#))
        #expect(try JSON(parsing: document.text) == document)
        #expect(try JSON(parsing: #""\u00e9t\u00e9 \"x\" é""#) == .string("été \"x\" é"))
    }

    @Test("nesting deeper than the limit and input larger than the limit are clear errors")
    func limits() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError(offset: 512, "nesting deeper than 512 levels")) { try JSON(parsing: deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSON(parsing: fine) }
        #expect(throws: JSONParseError(offset: 10, "input larger than 10 bytes")) {
            try JSON(parsing: "[1,2,3,4,5,6]", limits: JSONLimits(maxBytes: 10))
        }
    }

    @Test("setting through subscripts keeps other keys and their order")
    func mutation() throws {
        var value = try JSON(parsing: #"{"metadata":{"name":"a","labels":{"x":"1"}},"spec":{}}"#)
        value["metadata"]?["labels"]?["kcp.dev/cluster"] = "east"
        value["metadata"]?["name"] = "b"
        value["spec"] = nil
        #expect(value.text == #"{"metadata":{"name":"b","labels":{"x":"1","kcp.dev/cluster":"east"}}}"#)
    }
}

@Suite("JSON from other byte collections")
struct JSONCollectionTests {
    @Test("any collection of bytes parses, as a ByteBuffer's readable view would")
    func collections() throws {
        let bytes = Array(#"xx{"a":[1,2]}yy"#.utf8)
        let value = try JSON(parsing: bytes[2..<(bytes.count - 2)])
        #expect(value.text == #"{"a":[1,2]}"#)
    }
}

@Suite("JSON numbers a Kubernetes client can read")
struct JSONNumberRangeTests {
    @Test(
        "numbers outside a 64-bit float's range are refused; large integers and tiny fractions are kept",
        arguments: ["1e999999", "-1e400", "1" + String(repeating: "0", count: 400)])
    func outOfRange(literal: String) {
        let error = #expect(throws: JSONParseError.self) { try JSON(parsing: #"{"x":"# + literal + "}") }
        #expect(error?.message.contains("outside the range of a 64-bit float") == true)
    }

    @Test("in-range numbers keep their spelling")
    func inRange() throws {
        let text = #"{"a":18446744073709551616,"b":1e-400,"c":1.5e300,"d":-0}"#
        #expect(try JSON(parsing: text).text == text)
    }
}

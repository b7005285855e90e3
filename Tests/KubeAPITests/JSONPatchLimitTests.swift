import Testing

@testable import KubeAPI

/// JSON Patch under hostile input: a patch cannot make the server do or
/// store more than a bounded amount, whatever it asks for.
@Suite("JSON Patch limits")
struct JSONPatchLimitTests {
    /// `count` operations that each copy `/spec` into itself: every one
    /// doubles the document.
    static func doublingCopies(_ count: Int) throws -> JSONPatch {
        try JSONPatch(
            json: .array(
                (0..<count).map { index in
                    ["op": "copy", "from": "/spec", "path": .string("/spec/c\(index)")]
                }))
    }

    static let nested: JSON = ["spec": ["a": ["b": ["c": "some text to copy around"]]]]

    @Test("copies that double the document are refused once they pass the copy limit, naming it")
    func copyAmplificationRefused() throws {
        let limits = JSONPatchLimits(maxCopiedBytes: 64 * 1024)
        let error = #expect(throws: PatchError.self) {
            // Discarded, so that a failure does not print a 2^30-fold document.
            _ = try Self.doublingCopies(30).apply(to: Self.nested, limits: limits)
        }
        #expect(error?.limitExceeded == true)
        #expect(error?.message.contains("65536") == true)
        // A few copies within the limit still apply.
        let small = try Self.doublingCopies(3).apply(to: Self.nested, limits: limits)
        #expect(small.value(at: try JSONPointer("/spec/c2/c1/c0/a/b/c")) == "some text to copy around")
    }

    @Test("a patch of more operations than the limit is refused when it is read")
    func tooManyOperations() throws {
        let operation: JSON = ["op": "test", "path": "/spec", "value": 1]
        let error = #expect(throws: PatchError.self) {
            try JSONPatch(
                json: .array(Array(repeating: operation, count: 11)), limits: JSONPatchLimits(maxOperations: 10))
        }
        #expect(error?.limitExceeded == true)
        #expect(error?.message.contains("maximum operations in a JSON patch is 10, got 11") == true)
        #expect(throws: Never.self) {
            try JSONPatch(
                json: .array(Array(repeating: operation, count: 10)), limits: JSONPatchLimits(maxOperations: 10))
        }
    }

    @Test("copies into a deeper path cannot nest the result past the parser's depth")
    func deepeningCopiesRefused() throws {
        // Copy k puts /a one level deeper than copy k-1 did, inside that copy:
        // the document nests k levels deeper each time.
        let operations: [JSON] = (1...16).map { depth in
            ["op": "copy", "from": "/a", "path": .string("/a" + String(repeating: "/x", count: depth))]
        }
        let error = #expect(throws: PatchError.self) {
            _ = try JSONPatch(json: .array(operations)).apply(
                to: ["a": ["y": 1]], limits: JSONPatchLimits(maxDepth: 64))
        }
        #expect(error?.limitExceeded == true)
        #expect(error?.message.contains("deeper than 64 levels") == true)
    }

    @Test("encodedSize is the printed length, and stops counting just past its limit")
    func encodedSize() throws {
        let document = try JSON(
            parsing: #"{"a":[1,-20,3.5e2,true,false,null,"text","ü"],"b":{},"c":[],"d":{"e":"f"}}"#)
        #expect(document.encodedSize(upTo: .max) == document.bytes.count)
        // A value whose parts are shared 60 times over would print 2^60 bytes.
        var shared: JSON = "x"
        for _ in 0..<60 { shared = [shared, shared] }
        let counted = shared.encodedSize(upTo: 1_000)
        #expect(counted > 1_000 && counted < 2_000)
        // Depth stops at its limit too: nothing deeper is visited.
        #expect(shared.depth(upTo: 10) == 10)
        var chain: JSON = "x"
        for _ in 0..<60 { chain = [chain] }
        #expect(chain.depth(upTo: 100) == 60)
    }
}

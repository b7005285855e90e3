import Testing

@testable import KubeAPI

@Suite("JSON Patch (RFC 6902)")
struct JSONPatchTests {
    func apply(_ patch: String, to document: String) throws -> JSON {
        try JSONPatch(json: JSON(parsing: patch)).apply(to: JSON(parsing: document))
    }

    /// RFC 6902 appendix A: the examples that succeed.
    @Test(
        "appendix A examples that succeed",
        arguments: [
            // A.1 adding an object member
            (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#, #"{"foo":"bar","baz":"qux"}"#),
            // A.2 adding an array element
            (
                #"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#,
                #"{"foo":["bar","qux","baz"]}"#
            ),
            // A.3 removing an object member
            (#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#, #"{"foo":"bar"}"#),
            // A.4 removing an array element
            (#"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#, #"{"foo":["bar","baz"]}"#),
            // A.5 replacing a value
            (
                #"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#,
                #"{"baz":"boo","foo":"bar"}"#
            ),
            // A.6 moving a value
            (
                #"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#,
                #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
                #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#
            ),
            // A.7 moving an array element
            (
                #"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#,
                #"{"foo":["all","cows","eat","grass"]}"#
            ),
            // A.8 testing a value: success
            (
                #"{"baz":"qux","foo":["a",2,"c"]}"#,
                #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
                #"{"baz":"qux","foo":["a",2,"c"]}"#
            ),
            // A.10 adding a nested member object
            (
                #"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#,
                #"{"foo":"bar","child":{"grandchild":{}}}"#
            ),
            // A.11 ignoring unrecognized elements
            (
                #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#,
                #"{"foo":"bar","baz":"qux"}"#
            ),
            // A.14 ~ escape ordering
            (#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":10}]"#, #"{"/":9,"~1":10}"#),
            // A.16 adding an array value
            (
                #"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#,
                #"{"foo":["bar",["abc","def"]]}"#
            ),
            // copy, and add replacing an existing member, and the root
            (#"{"a":{"b":1}}"#, #"[{"op":"copy","from":"/a","path":"/c"}]"#, #"{"a":{"b":1},"c":{"b":1}}"#),
            (#"{"a":1}"#, #"[{"op":"add","path":"/a","value":2}]"#, #"{"a":2}"#),
            (#"{"a":1}"#, #"[{"op":"add","path":"","value":[1]}]"#, #"[1]"#),
            // label keys with a slash, as kcp-ingress writes them
            (
                #"{"labels":{}}"#, #"[{"op":"add","path":"/labels/kcp.dev~1cluster","value":"east"}]"#,
                #"{"labels":{"kcp.dev/cluster":"east"}}"#
            ),
        ])
    func succeeds(document: String, patch: String, expected: String) throws {
        let result = try apply(patch, to: document)
        #expect(result.text == expected)
    }

    /// RFC 6902 appendix A: the examples that fail, and more; each leaves
    /// the document unchanged (the result is discarded, the input untouched).
    @Test(
        "failures are errors that name the operation",
        arguments: [
            // A.9 testing a value: error
            (
                #"{"baz":"qux"}"#, #"[{"op":"test","path":"/baz","value":"bar"}]"#,
                "operation 0 failed: test of /baz failed"
            ),
            // A.12 adding to a nonexistent target
            (
                #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#,
                "operation 0 failed: path /baz/bat does not exist"
            ),
            // A.13 invalid JSON patch document (a repeated "op" keeps the last value: "remove" needs no value, so use a bad op)
            (
                #"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","op":"frobnicate"}]"#,
                "operation 0 has unknown op \"frobnicate\""
            ),
            // A.15 comparing strings and numbers
            (
                #"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":"10"}]"#,
                "operation 0 failed: test of /~01 failed: found 10, expected \"10\""
            ),
            (
                #"{"a":[1]}"#, #"[{"op":"add","path":"/a/5","value":2}]"#,
                "operation 0 failed: index 5 is out of range for /a"
            ),
            (#"{"a":[1]}"#, #"[{"op":"remove","path":"/a/01"}]"#, "operation 0 failed: path /a/01 does not exist"),
            (
                #"{"a":{"b":{}}}"#, #"[{"op":"move","from":"/a","path":"/a/b/c"}]"#,
                "operation 0 failed: cannot move /a into its own child /a/b/c"
            ),
            (#"{"a":1}"#, #"[{"op":"replace","path":"/b","value":2}]"#, "operation 0 failed: path /b does not exist"),
            (#"{"a":1}"#, #"{"op":"add"}"#, "a JSON patch must be an array of operations"),
            (#"{"a":1}"#, #"[{"op":"add","path":"a","value":1}]"#, "JSON pointer \"a\" must start with '/'"),
            (
                #"{"a":1}"#, #"[{"op":"add","path":"/~2","value":1}]"#,
                "JSON pointer \"/~2\" has a '~' not followed by 0 or 1"
            ),
        ])
    func fails(document: String, patch: String, message: String) throws {
        do {
            _ = try apply(patch, to: document)
            Issue.record("the patch applied")
        } catch let error as PatchError {
            #expect(error.message.hasPrefix(message), "\(error.message)")
        }
    }

    @Test("a patch whose later operation fails changes nothing")
    func atomic() throws {
        let document = try JSON(parsing: #"{"a":1}"#)
        let patch = try JSONPatch(
            json: JSON(parsing: #"[{"op":"add","path":"/b","value":2},{"op":"test","path":"/a","value":5}]"#))
        #expect(throws: PatchError.self) { try patch.apply(to: document) }
        #expect(document.text == #"{"a":1}"#)
    }

    @Test(
        "a generated patch turns the source into the target, and is empty for equal values",
        arguments: [
            (#"{"a":1,"b":[1,2,3],"c":{"d":"e"}}"#, #"{"a":2,"b":[1,5],"c":{"d":"e","f":null},"g":true}"#),
            (
                #"{"metadata":{"labels":{"a":"1"}}}"#,
                #"{"metadata":{"labels":{"a":"1","kcp.dev/cluster":"east"},"annotations":{"kcp.dev/clusters":"east,west"}}}"#
            ),
            (#"[1,2,3]"#, #"[1]"#),
            (#"[1]"#, #"[1,2,{"x":[]}]"#),
            (#"{"a":1}"#, #"[1]"#),
            (#"{"a":1.0}"#, #"{"a":1}"#),
        ])
    func diffRoundTrip(source: String, target: String) throws {
        let from = try JSON(parsing: source)
        let to = try JSON(parsing: target)
        let patch = JSONPatch.diff(from: from, to: to)
        #expect(try patch.apply(to: from).text == to.text)
        #expect(JSONPatch.diff(from: from, to: from).isEmpty)
        // It survives its own JSON form.
        #expect(try JSONPatch(json: JSON(parsing: patch.json.bytes)) == patch)
    }

    @Test("the generated patch for a label and an annotation is two adds")
    func minimalPatch() throws {
        let from = try JSON(parsing: #"{"metadata":{"name":"x","labels":{"a":"1"},"annotations":{}}}"#)
        var to = from
        to["metadata"]?["labels"]?["kcp.dev/owned-by"] = "x"
        to["metadata"]?["annotations"]?["kcp.dev/clusters"] = "east"
        #expect(
            JSONPatch.diff(from: from, to: to).json.text
                == #"[{"op":"add","path":"/metadata/labels/kcp.dev~1owned-by","value":"x"},{"op":"add","path":"/metadata/annotations/kcp.dev~1clusters","value":"east"}]"#
        )
    }
}

@Suite("JSON merge patch (RFC 7386) and the strategic subset")
struct MergePatchTests {
    /// RFC 7386 appendix A, every row.
    @Test(
        "appendix A",
        arguments: [
            (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
            (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
            (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
            (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
            (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
            (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
            (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
            (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
            (#"{"a":"foo"}"#, #"null"#, #"null"#),
            (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
            (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
            (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
            (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
        ])
    func appendixA(target: String, patch: String, expected: String) throws {
        #expect(MergePatch.apply(try JSON(parsing: patch), to: try JSON(parsing: target)).text == expected)
    }

    @Test("a generated merge patch turns the source into the target")
    func diff() throws {
        let from = try JSON(parsing: #"{"a":1,"b":{"c":2,"d":3},"e":[1],"f":"x"}"#)
        let to = try JSON(parsing: #"{"a":1,"b":{"c":5},"e":[1,2],"g":{"h":true}}"#)
        let patch = MergePatch.diff(from: from, to: to)
        #expect(patch.text == #"{"f":null,"b":{"d":null,"c":5},"e":[1,2],"g":{"h":true}}"#)
        #expect(MergePatch.apply(patch, to: from) == to)
        #expect(MergePatch.diff(from: from, to: from).text == "{}")
    }

    @Test("strategic merge patch: lists replace wholesale, directives are refused")
    func strategic() throws {
        let ingress = try JSON(
            parsing: #"{"spec":{"rules":[{"host":"a"},{"host":"b"}]},"metadata":{"labels":{"x":"1"}}}"#)
        let patched = try MergePatch.applyStrategic(
            JSON(parsing: #"{"spec":{"rules":[{"host":"c"}]},"metadata":{"labels":{"y":"2"}}}"#), to: ingress)
        #expect(patched.text == #"{"spec":{"rules":[{"host":"c"}]},"metadata":{"labels":{"x":"1","y":"2"}}}"#)
        for directive in ["$patch", "$retainKeys", "$setElementOrder/rules", "$deleteFromPrimitiveList/finalizers"] {
            let patch: JSON = ["spec": [directive: "replace"]]
            #expect(
                throws: PatchError(
                    "strategic merge patch directive \(directive) is not supported; use a JSON or merge patch")
            ) {
                try MergePatch.applyStrategic(patch, to: ingress)
            }
        }
    }
}

import Testing

@testable import KubeAPI

@Suite("Label selectors")
struct LabelSelectorTests {
    let production: [String: String] = ["environment": "production", "tier": "backend", "partition": "a"]
    let qa: [String: String] = ["environment": "qa", "tier": "frontend"]

    /// The examples of the Kubernetes "Labels and Selectors" page.
    @Test(
        "the documentation's examples parse, match and print canonically",
        arguments: [
            ("environment = production", "environment=production", true, false),
            ("environment == production", "environment=production", true, false),
            ("tier != frontend", "tier!=frontend", true, false),
            ("environment in (production, qa)", "environment in (production,qa)", true, true),
            ("tier notin (frontend, backend)", "tier notin (backend,frontend)", false, false),
            ("partition", "partition", true, false),
            ("!partition", "!partition", false, true),
            ("environment=production,tier!=frontend", "environment=production,tier!=frontend", true, false),
            ("tier!=frontend , environment=production", "environment=production,tier!=frontend", true, false),
            ("", "", true, true),
        ])
    func documentation(text: String, canonical: String, matchesProduction: Bool, matchesQA: Bool) throws {
        let selector = try LabelSelector(parsing: text)
        #expect(selector.description == canonical)
        #expect(selector.matches(production) == matchesProduction)
        #expect(selector.matches(qa) == matchesQA)
        #expect(try LabelSelector(parsing: selector.description) == selector, "canonical text parses back")
    }

    @Test("greater-than and less-than compare integers")
    func numeric() throws {
        let selector = try LabelSelector(parsing: "replicas>2,replicas<10")
        #expect(selector.matches(["replicas": "5"]))
        #expect(!selector.matches(["replicas": "10"]))
        #expect(!selector.matches(["replicas": "five"]))
    }

    @Test(
        "invalid selectors are refused with the position",
        arguments: [
            ("a in ()", "for 'in', 'notin' operators, values set can't be empty at position 0"),
            ("a in (x", "expected ',' at position 7"),
            ("a b", "expected '=', '!=', '==', 'in', 'notin', '>', '<', ',' or the end, found \"b\" at position 3"),
            ("a=b,", "expected a label key at position 4"),
            ("a=b c", "expected ',' at position 4"),
            (
                "-a=b",
                "invalid label key \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character at position 0"
            ),
            (
                "a=-b",
                "invalid label value \"-b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character at position 0"
            ),
            ("a>b", "for 'Gt', 'Lt' operators, exactly one value is required and it must be an integer at position 0"),
            ("!", "expected a label key after '!' at position 1"),
            ("a!b", "expected '=' at position 2"),
        ])
    func invalid(text: String, message: String) {
        #expect(throws: LabelSelectorError(message)) { try LabelSelector(parsing: text) }
    }

    @Test("an empty value is a value: a= selects the empty string")
    func emptyValue() throws {
        let selector = try LabelSelector(parsing: "a=")
        #expect(selector.matches(["a": ""]))
        #expect(!selector.matches([:]))
    }

    @Test("metav1.LabelSelector objects: matchLabels and matchExpressions")
    func objectForm() throws {
        let selector = try LabelSelector(
            object: JSON(
                parsing:
                    #"{"matchLabels":{"kcp.dev/cluster":"east"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]},{"key":"legacy","operator":"DoesNotExist"}]}"#
            ))
        #expect(selector.description == "kcp.dev/cluster=east,!legacy,tier in (a,b)")
        #expect(selector.matches(["kcp.dev/cluster": "east", "tier": "b"]))
        #expect(!selector.matches(["kcp.dev/cluster": "east", "tier": "b", "legacy": "1"]))
        #expect(try LabelSelector(object: [:]).matches([:]))
        #expect(throws: LabelSelectorError("\"Near\" is not a valid label selector operator")) {
            try LabelSelector(object: ["matchExpressions": [["key": "a", "operator": "Near"]]])
        }
    }
}

@Suite("Names and values")
struct NameValidationTests {
    @Test("DNS-1123 labels and subdomains, and hosts with a leading wildcard")
    func dns() {
        #expect(NameValidation.dns1123LabelError("shop-1") == nil)
        #expect(NameValidation.dns1123LabelError("Shop") != nil)
        #expect(NameValidation.dns1123LabelError("-a") != nil)
        #expect(
            NameValidation.dns1123LabelError(String(repeating: "a", count: 64)) == "must be no more than 63 characters")
        #expect(NameValidation.dns1123SubdomainError("a.b-c.d") == nil)
        #expect(NameValidation.dns1123SubdomainError("a..b") != nil)
        #expect(
            NameValidation.dns1123SubdomainError(String(repeating: "a.", count: 127) + "a")
                == "must be no more than 253 characters")
        #expect(NameValidation.hostError("*.apps.example.com") == nil)
        #expect(NameValidation.hostError("a.*.example.com") != nil)
        #expect(NameValidation.hostError("*") != nil)
        #expect(NameValidation.hostError("shop.kcp-apps.127.0.0.1.nip.io") == nil)
    }

    @Test("label keys and values as Kubernetes checks them")
    func labels() {
        #expect(NameValidation.labelKeyError("kcp.dev/cluster") == nil)
        #expect(NameValidation.labelKeyError("app.kubernetes.io/name") == nil)
        #expect(NameValidation.labelKeyError("/name") == "prefix part must not be empty")
        #expect(NameValidation.labelKeyError("Example.com/name") != nil)
        #expect(
            NameValidation.labelKeyError("a/" + String(repeating: "b", count: 64))
                == "name part must be no more than 63 characters")
        #expect(NameValidation.labelValueError("") == nil)
        #expect(NameValidation.labelValueError("East_1.a") == nil)
        #expect(NameValidation.labelValueError("a/b") != nil)
    }

    @Test("FNV-1a 32 matches Go's hash/fnv")
    func fnv() {
        // Known vectors of FNV-1a 32.
        #expect(FNV1a.hash32("") == 0x811C_9DC5)
        #expect(FNV1a.hash32("a") == 0xE40C_292C)
        #expect(FNV1a.hash32("foobar") == 0xBF9C_F968)
        #expect(FNV1a.hash32("a").hex == "e40c292c")
        #expect(FNV1a.hash32("").hex == "811c9dc5")
    }

    @Test("zero padding in any radix, never cutting digits")
    func zeroPadding() {
        #expect(0x2C.zeroPadded(width: 4, radix: 16) == "002c")
        #expect(0x2C.zeroPadded(width: 4, radix: 16, uppercase: true) == "002C")
        #expect(7.zeroPadded(width: 2) == "07")
        #expect(12345.zeroPadded(width: 2) == "12345")
        #expect(UInt32(0x0000_00AB).hex == "000000ab")
    }
}

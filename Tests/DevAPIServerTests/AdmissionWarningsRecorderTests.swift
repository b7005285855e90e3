import Testing

@testable import DevAPIServer

/// The warning recorder's limits, as kube-apiserver's `warning.go` sets them.
@Suite("Admission warnings: deduplication and truncation")
struct AdmissionWarningsRecorderTests {
    @Test("once the total passes 4,096 characters every warning is cut to 256, and none is added past the total")
    func truncation() {
        let warnings = AdmissionWarnings()
        let long = { (letter: Character) in String(repeating: letter, count: 1_000) }
        for letter in "abcd" { warnings.add(long(letter)) }
        #expect(warnings.headerValues.count == 4, "4,000 characters fit whole")
        #expect(warnings.headerValues[0] == "299 - \"\(long("a"))\"")
        warnings.add(long("e"))
        #expect(warnings.headerValues.count == 5)
        #expect(warnings.headerValues.allSatisfy { $0.count == 256 + #"299 - """#.count }, "all cut to 256")
        for index in 0..<20 { warnings.add(String(repeating: "x", count: 300) + "\(index)") }
        // 5 + 11 cut warnings reach 16 * 256 = 4,096; the rest are dropped.
        #expect(warnings.headerValues.count == 16)
    }

    @Test("a warning is recorded once; empty and control-character text is dropped")
    func deduplication() {
        let warnings = AdmissionWarnings()
        warnings.add("same")
        warnings.add("same")
        warnings.add("")
        warnings.add("two\nlines")
        #expect(warnings.headerValues == [#"299 - "same""#])
    }
}

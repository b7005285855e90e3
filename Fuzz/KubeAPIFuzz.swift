// libFuzzer entry point for KubeAPI's parser, printer, patches and label
// selectors. Compiled together with the KubeAPI sources by `make fuzz`
// (swiftc -sanitize=fuzzer,address), not by SwiftPM. The C entry point hands
// us a raw pointer: this is the one place KubeAPI's code touches one.

/// The document the fuzzed patches are applied to.
private let target = try! JSON(
    parsing:
        #"{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"a","labels":{"x":"1"}},"spec":{"rules":[{"host":"a.example.com"},{"host":"b.example.com"}]}}"#
)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    checkJSON(bytes)
    checkSelector(bytes)
    return 0
}

private func checkJSON(_ bytes: [UInt8]) {
    guard let value = try? JSON(parsing: bytes, limits: JSONLimits(maxDepth: 64, maxBytes: 1 << 20)) else { return }
    // Printing is canonical: what it prints parses back to the same bytes.
    let printed = value.bytes
    guard let reparsed = try? JSON(parsing: printed) else { fatalError("printed JSON does not parse") }
    precondition(reparsed.bytes == printed, "printing is not canonical")
    precondition(reparsed == value, "a round trip changed the value")

    // As a JSON patch: applying never crashes, and failure leaves the target alone.
    if let patch = try? JSONPatch(json: value) {
        _ = try? patch.apply(to: target)
        precondition(target.bytes == target.bytes)
    }
    // As a merge patch: the diff of the result reproduces it.
    let merged = MergePatch.apply(value, to: target)
    let diff = MergePatch.diff(from: target, to: merged)
    _ = MergePatch.apply(diff, to: target)
    // A generated JSON patch always turns one into the other.
    let generated = JSONPatch.diff(from: target, to: value)
    guard let applied = try? generated.apply(to: target) else { fatalError("a generated patch does not apply") }
    precondition(applied == value, "a generated patch does not reproduce its target")
}

private func checkSelector(_ bytes: [UInt8]) {
    guard let text = String(validating: bytes, as: UTF8.self),
        let selector = try? LabelSelector(parsing: text)
    else { return }
    guard let again = try? LabelSelector(parsing: selector.description) else {
        fatalError("canonical selector text does not parse: \(selector.description)")
    }
    precondition(again == selector, "selector text does not round-trip")
}

// The xDS snapshot build alone, in process: N Ingress roots with two leaves
// each, translated and rendered as serve does on every change.
//
//     swift run -c release xds-build-bench [ROOTS]
import Foundation
import KubeAPI
import Placement
import XDS

let roots = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 10_000

func parse(_ text: String) -> JSON { try! JSON(parsing: text) }

let baselineMiB = residentMiBEarly()
let services: [String: JSON] = [
    "default/web": parse(#"{"metadata":{"name":"web","namespace":"default","labels":{"kcp.dev/cluster":"east"}}}"#),
    "default/api": parse(#"{"metadata":{"name":"api","namespace":"default","labels":{"kcp.dev/cluster":"west"}}}"#),
]
var sources: [RootSource] = []
for index in 0..<roots {
    let root = parse(
        #"{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"r\#(index)","namespace":"default","uid":"u\#(index)","resourceVersion":"\#(index)","creationTimestamp":"2026-11-30T00:00:00Z"},"spec":{"rules":[{"host":"r\#(index).example.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}},{"path":"/api","pathType":"Prefix","backend":{"service":{"name":"api","port":{"number":80}}}}]}}]}}"#
    )
    let leaves = [("east", 8001), ("west", 8002)].map { cluster, port in
        var leaf = Leaf(of: root, cluster: cluster).object
        leaf["metadata"]?["resourceVersion"] = .string("\(index)-\(cluster)")
        leaf["status"] = parse(#"{"loadBalancer":{"ingress":[{"ip":"127.0.0.1","ports":[{"port":\#(port)}]}]}}"#)
        return leaf
    }
    sources.append(RootSource(kind: .ingress, object: root, leaves: leaves))
}

func residentMiBEarly() -> Int { residentMiB() }

/// Resident memory now, from /proc/self/status.
func residentMiB() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
}
print("resident: \(baselineMiB) MiB at start, \(residentMiB()) MiB with \(roots) roots and \(2 * roots) leaves as JSON")

func time(_ label: String, runs: Int = 5, _ body: () throws -> Void) rethrows {
    var best = Duration.seconds(1000)
    for _ in 0..<runs {
        let start = ContinuousClock.now
        try body()
        best = min(best, start.duration(to: .now))
    }
    print("\(label): \(best) (best of \(runs))")
}

let lookup: (ObjectKey) -> JSON? = { services["\($0.namespace)/\($0.name)"] }
var translation: Translation!
time("translate \(roots) roots") { translation = Translator.translate(roots: sources, service: lookup) }
var renderer = SnapshotRenderer()
try time("render, first time", runs: 1) { _ = try renderer.render(translation.table) }
try time("render, nothing changed") { _ = try renderer.render(translation.table) }
var cache = TranslationCache()
_ = Translator.translate(roots: sources, service: lookup, cache: &cache)
var changed = sources
let incrementalRuns = ProcessInfo.processInfo.environment["INCREMENTAL_RUNS"].flatMap(Int.init) ?? 5
time("translate with one root changed, incremental", runs: incrementalRuns) {
    var root = changed[42].object
    root["metadata"]?["resourceVersion"] = .string("\(ContinuousClock.now)")
    changed[42].object = root
    translation = Translator.translate(roots: changed, service: lookup, cache: &cache)
}
print("roots translated again: \(cache.lastTranslated)")
try time("render after one root changed") {
    _ = try renderer.render(translation.table, changed: translation.retranslated)
}
// As serve builds: the informers' events say which root changed.
time("translate one root changed, given the change", runs: incrementalRuns) {
    var root = changed[42].object
    root["metadata"]?["resourceVersion"] = .string("\(ContinuousClock.now)")
    changed[42].object = root
    translation = Translator.translate(changed: [changed[42]], removed: [], service: lookup, cache: &cache)
}
try time("render it") { _ = try renderer.render(translation.table, changed: translation.retranslated) }
print("resident after translating and rendering: \(residentMiB()) MiB")
print("virtual hosts: \(translation.table.virtualHosts.count), clusters: \(translation.table.clusters.count)")

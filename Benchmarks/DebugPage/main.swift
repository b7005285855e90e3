// The operator's page at fleet size, in process: N Ingress roots with two
// leaves each in the informers' stores, and the CPU time of one request's
// work: building the model (every root looked at for the filter and the
// per-cluster counts, the page's 100 described), then the HTML or the JSON.
//
//     swift run -c release debug-page-bench [ROOTS]
import Foundation
import KubeAPI
import OpsPage
import Placement
import XDS

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 10_000

func parse(_ text: String) -> JSON { try! JSON(parsing: text) }

var objects: [JSON] = []
for index in 0..<count {
    let name = "r\(index)"
    objects.append(
        parse(
            #"{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"\#(name)","namespace":"team-\#(index % 50)","annotations":{"kcp.dev/clusters":"east,west"}},"spec":{"rules":[{"host":"\#(name).example.com","http":{"paths":[{"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}}]}}]},"status":{"loadBalancer":{"ingress":[{"hostname":"\#(name).kcp-apps.example.com"}]}}}"#
        ))
    for (cluster, port) in [("east", 8001), ("west", 8002)] {
        objects.append(
            parse(
                #"{"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"\#(name)--\#(cluster)","namespace":"team-\#(index % 50)","labels":{"kcp.dev/cluster":"\#(cluster)","kcp.dev/owned-by":"\#(name)"}},"spec":{"rules":[{"host":"\#(name).example.com"}]},"status":{"loadBalancer":{"ingress":[{"ip":"127.0.0.1","ports":[{"port":\#(port)}]}]}}}"#
            ))
    }
}
// One root in a hundred is waiting for an Envoy, one in a thousand refused.
var routing: [RootIdentity: RoutingState] = [:]
for index in stride(from: 0, to: count, by: 100) {
    let key = ObjectKey(namespace: "team-\(index % 50)", name: "r\(index)")
    routing[RootIdentity(kind: .ingress, key: key)] =
        index % 1000 == 0 ? .rejected("Envoy edge rejected the routes: bad regex") : .pending("1 of 2 Envoys")
}
let judged = routing
let inputs = DebugInputs(
    version: "bench", leader: true, informersSynced: true, queueDepth: 0, streams: [],
    objects: [.ingress: objects], routing: { judged[$0] ?? .routed })

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

func measure(_ label: String, rounds: Int = 20, _ work: () -> Int) {
    _ = work()  // warm
    let start = cpuSeconds()
    var bytes = 0
    for _ in 0..<rounds { bytes = work() }
    let perRequest = (cpuSeconds() - start) / Double(rounds) * 1000
    let padded = label.padding(toLength: 46, withPad: " ", startingAt: 0)
    print(padded + String(format: "%7.1f ms CPU per request, %7d bytes", perRequest, bytes))
}

print("\(count) Ingress roots, \(objects.count - count) leaves")
measure("/debug (page 1)") {
    DebugPageHTML.render(DebugStateBuilder.build(inputs, filter: .init(), page: 1)).utf8.count
}
measure("/debug?notReady=1") {
    DebugPageHTML.render(DebugStateBuilder.build(inputs, filter: .init(notReady: true), page: 1)).utf8.count
}
measure("/debug?namespace=team-7&cluster=east&page=2") {
    DebugPageHTML.render(
        DebugStateBuilder.build(inputs, filter: .init(namespace: "team-7", cluster: "east"), page: 2)
    ).utf8.count
}
let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
measure("/debug/state.json (page 1)") {
    (try? encoder.encode(DebugStateBuilder.build(inputs, filter: .init(), page: 1)))?.count ?? 0
}

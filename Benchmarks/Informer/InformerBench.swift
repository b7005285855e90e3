// Informer benchmark against a running API server (contrib/bench/informer.sh
// starts the development one): seed COUNT Ingresses, then measure
//   1. the informer's initial sync (list in pages of 500 into the indexed store),
//   2. the store's steady-state memory (resident set before and after),
//   3. watch events into handlers while 16 writers patch every Ingress,
//   4. the same events replayed from a resourceVersion by one watch, decoded
//      and applied to a store: the client's ceiling without the writers.
//
//   kubeclient-informer-bench KUBECONFIG [COUNT]
import Foundation
import KubeAPI
import KubeClient
import Logging
import Placement
import Synchronization

@main
enum InformerBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: kubeclient-informer-bench KUBECONFIG [COUNT]\n".utf8))
            exit(2)
        }
        let count = arguments.count > 2 ? Int(arguments[2]) ?? 10_000 : 10_000
        let writers = 16

        var options = APIClientOptions()
        options.qps = 1_000_000
        options.burst = 1_000_000
        let client = try APIClient(connection: try KubeConfig.load(path: arguments[1]), options: options)
        let clock = ContinuousClock()

        // Seed.
        let seedStart = clock.now
        try await inParallel(count: count, writers: writers) { index in
            _ = try await client.create(try ingress(index), Ingress.type, namespace: "default")
        }
        let seedTime = seconds(seedStart.duration(to: clock.now))

        // 1 and 2: initial sync and store memory.
        let before = residentBytes()
        let informer = Informer(
            client: client, type: Ingress.type, indexers: PlacementIndex.forRoots, logger: Logger(label: "bench"))
        let updates = Atomic<Int>(0)
        informer.addHandler { event in
            if case .updated = event { updates.add(1, ordering: .relaxed) }
        }
        let syncStart = clock.now
        let run = Task { await informer.run() }
        while !informer.hasSynced { try await Task.sleep(for: .milliseconds(1)) }
        let syncTime = seconds(syncStart.duration(to: clock.now))
        try await Task.sleep(for: .milliseconds(200))
        let storeBytes = residentBytes() - before

        // 3: events into handlers while the writers patch every Ingress.
        let startVersion = try await client.list(Ingress.type, namespace: "default", labelSelector: "bench=none")
            .resourceVersion
        let patchStart = clock.now
        try await inParallel(count: count, writers: writers) { index in
            _ = try await client.patch(
                Ingress.type, namespace: "default", name: "shop-\(index)",
                .merge(["metadata": ["annotations": ["bench/round": "1"]]]))
        }
        let writesDone = clock.now
        while updates.load(ordering: .relaxed) < count { try await Task.sleep(for: .milliseconds(1)) }
        let delivered = clock.now
        run.cancel()

        // 4: replay of the same events from one watch, decoded and applied to a store.
        let replayStore = InformerStore(indexers: PlacementIndex.forRoots)
        let replayStart = clock.now
        let replayed = try await replay(client, from: startVersion, into: replayStore, count: count)
        let replayTime = seconds(replayStart.duration(to: clock.now))

        print("| measure | result |")
        print("|---|---|")
        row(
            "seed: \(count) Ingress creates, \(writers) writers",
            String(format: "%.2f s (%.0f/s)", seedTime, Double(count) / seedTime))
        row("informer initial sync of \(count) Ingresses", String(format: "%.3f s", syncTime))
        row(
            "store memory (resident set growth)",
            String(
                format: "%.1f MiB, %.0f bytes per Ingress", Double(storeBytes) / 1_048_576,
                Double(storeBytes) / Double(count)))
        let writeTime = seconds(patchStart.duration(to: writesDone))
        let deliveryTime = seconds(patchStart.duration(to: delivered))
        row(
            "\(count) patches by \(writers) writers → update handlers",
            String(
                format: "%.0f events/s (writes done in %.2f s, last handler call %.0f ms after the last write)",
                Double(count) / deliveryTime, writeTime, seconds(writesDone.duration(to: delivered)) * 1000))
        row(
            "replay of the \(count) events by one watch into a store",
            String(format: "%.0f events/s", Double(replayed) / replayTime))
    }

    /// Watches from `version` until `count` MODIFIED events are in `store`.
    nonisolated static func replay(_ client: APIClient, from version: String, into store: InformerStore, count: Int)
        async throws -> Int
    {
        var replayed = 0
        do {
            try await client.watch(Ingress.type, namespace: "default", resourceVersion: version, timeoutSeconds: 60) {
                event in
                guard let object = event.object, event.type == .modified else { return }
                store.put(object)
                replayed += 1
                // All seen: end the watch here instead of waiting for its timeout.
                if replayed == count { throw CancellationError() }
            }
        } catch is CancellationError {}
        return replayed
    }

    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }

    @Sendable static func ingress(_ index: Int) throws -> JSON {
        try JSON(
            parsing: """
                {"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
                 "metadata":{"name":"shop-\(index)","namespace":"default","labels":{"app":"shop","bench":"informer"}},
                 "spec":{"rules":[{"host":"shop-\(index).kcp-apps.127.0.0.1.nip.io","http":{"paths":[
                   {"path":"/","pathType":"Prefix","backend":{"service":{"name":"shop-\(index % 100)","port":{"number":8080}}}}]}}]}}
                """)
    }

    /// Runs `body(index)` for 0..<count over `writers` concurrent tasks.
    static func inParallel(count: Int, writers: Int, _ body: @escaping @Sendable (Int) async throws -> Void)
        async throws
    {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<writers {
                group.addTask { for index in stride(from: worker, to: count, by: writers) { try await body(index) } }
            }
            try await group.waitForAll()
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func row(_ measure: String, _ result: String) { print("| \(measure) | \(result) |") }
}

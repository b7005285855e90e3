import Foundation
import HTTPServer
import KubeAPI
import KubeClient
import Logging
import Metrics
import Placement
import ServiceLifecycle
import StatusLoop

/// The API side of `serve`: informers for the three root kinds and for
/// Services (with the indexes the webhook and the status loop look things up
/// by), and, with `--leader-elect`, the election that decides which replica
/// runs the status loop.
struct ClusterSync: ServiceLifecycle.Service {
    let services: Informer
    let roots: [RootKind: Informer]
    let elector: LeaderElector?
    let logger: Logger
    /// Set once the leaf writer exists (it needs the connection): runs on the leader.
    var statusLoop: StatusLoop?

    var informers: [Informer] { [services] + RootKind.allCases.compactMap { roots[$0] } }

    init(client: APIClient, elector: LeaderElector?, logger: Logger) {
        // Managed fields are never read here: 30,000 objects at 10,000 roots need not keep them.
        services = Informer(
            client: client, type: KubeAPI.Service.type, indexers: PlacementIndex.forServices,
            transform: Informer.stripManagedFields, logger: logger)
        roots = Dictionary(
            uniqueKeysWithValues: RootKind.allCases.map {
                (
                    $0,
                    Informer(
                        client: client, type: $0.type, indexers: PlacementIndex.forRoots,
                        transform: Informer.stripManagedFields, logger: logger)
                )
            })
        self.elector = elector
        self.logger = logger
    }

    /// The informers, typed: what the status loop reads and listens to.
    var stores: StatusLoopStores { StatusLoopStores(services: services, roots: roots) }

    /// Placement's view of the informers' stores: Services, leaves by root,
    /// roots by host, with no API round trip.
    var reader: IndexedPlacementReader { stores.reader }

    /// `/readyz` passes once every informer has its first list.
    func addReadinessCheck(to health: HealthChecks) {
        let informers = informers
        health.addReadinessCheck("informers") {
            let waiting = informers.filter { !$0.hasSynced }.map(\.type.resource)
            return waiting.isEmpty ? .passed : .failed("not synced: \(waiting.joined(separator: ", "))")
        }
    }

    func run() async {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for informer in informers { group.addTask { await informer.run() } }
                let statusLoop = statusLoop
                if let elector {
                    group.addTask {
                        let leader = Gauge(label: "kcp_ingress_leader")
                        leader.record(0)
                        // Only the Lease holder writes; losing it cancels the term at once.
                        await elector.run {
                            leader.record(1)
                            if let statusLoop {
                                await statusLoop.lead()
                            } else {
                                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                            }
                            leader.record(0)
                        }
                    }
                } else if let statusLoop {
                    // Without leader election every replica runs the loop, and says so.
                    Gauge(label: "kcp_ingress_leader").record(1)
                    group.addTask { await statusLoop.lead() }
                }
            }
        }
    }

    /// The namespace this pod runs in, from its service account; else kube-system.
    static func defaultLeaderElectionNamespace(
        secretsDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount"
    ) -> String {
        let file = secretsDirectory + "/namespace"
        let namespace = (try? String(contentsOfFile: file, encoding: .utf8))?.trimmingCharacters(
            in: .whitespacesAndNewlines)
        return namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "kube-system"
    }
}

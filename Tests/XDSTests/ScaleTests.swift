import KubeAPI
import Placement
import Testing
import XDS

@Suite("Translation at scale")
struct ScaleTests {
    @Test("10,000 Ingress roots with two leaves each: 10,000 virtual hosts, 3 clusters, 20,000 distinct domains")
    func tenThousandRoots() {
        let clusters = ["east", "west", "north"]
        let services = ["web", "api", "docs"]
        let roots = (0..<10_000).map { index in
            let first = index % 3
            let second = (index + 1) % 3
            let root = Objects.root(
                .ingress, "app-\(index)",
                spec: """
                    {"rules":[{"host":"app-\(index).example.com","http":{"paths":[
                      {"path":"/","pathType":"Prefix","backend":{"service":{"name":"\(services[first])","port":{"number":80}}}},
                      {"path":"/api","pathType":"Prefix","backend":{"service":{"name":"\(services[second])","port":{"number":80}}}}]}}]}
                    """)
            return Objects.ingressSource(root, on: [clusters[first], clusters[second]])
        }
        let translation = Objects.translate(roots)
        let table = translation.table
        #expect(table.virtualHosts.count == 10_000)
        #expect(table.clusters.count == 3)
        let domains = table.virtualHosts.flatMap(\.domains)
        #expect(domains.count == 20_000)
        #expect(Set(domains).count == domains.count)
        #expect(translation.conflicts.isEmpty)
        #expect(table.virtualHosts.allSatisfy { $0.routes.count == 2 && $0.clusterNames.count == 2 })
    }
}

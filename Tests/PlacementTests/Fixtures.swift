import KubeAPI

@testable import Placement

/// Objects for the placement tables, written as a user would write them.
enum Fixtures {
    static func parse(_ text: String) -> JSON {
        // The fixtures below are valid JSON; a typo should fail loudly.
        try! JSON(parsing: Array(text.utf8))
    }

    static func service(_ name: String, namespace: String = "shop", cluster: String?, logicalCluster: String? = nil)
        -> JSON
    {
        var service = Service(name: name, namespace: namespace)
        if let cluster { service.metadata.labels = [PlacementLabels.cluster: cluster] }
        if let logicalCluster { service.metadata.annotations = ["kcp.io/cluster": logicalCluster] }
        return service.json
    }

    /// A lookup over `services`, as the informer's store would answer it.
    static func lookup(_ services: [JSON]) -> (ObjectKey) -> JSON? {
        let byKey = Dictionary(uniqueKeysWithValues: services.map { (ObjectKey(of: $0), $0) })
        return { byKey[$0] }
    }

    static let ingress = parse(
        """
        {"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
         "metadata":{"name":"front","namespace":"shop","uid":"u-1","resourceVersion":"7","generation":2,
           "creationTimestamp":"2026-11-20T10:15:30Z","labels":{"app":"front"},
           "annotations":{"note":"café ☃","kcp.dev/clusters":"old"},
           "managedFields":[{"manager":"kubectl"}],"finalizers":["example.com/keep"],
           "ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"x","uid":"y"}]},
         "spec":{"ingressClassName":"kcp","defaultBackend":{"service":{"name":"web","port":{"number":80}}},
           "rules":[{"host":"front.kcp-apps.127.0.0.1.nip.io","http":{"paths":[
             {"path":"/","pathType":"Prefix","backend":{"service":{"name":"web","port":{"number":80}}}},
             {"path":"/api","pathType":"Exact","backend":{"service":{"name":"api","port":{"name":"http"}}}}]}}],
           "tls":[{"hosts":["front.kcp-apps.127.0.0.1.nip.io"],"secretName":"front-tls"}],
           "x-future":{"ratio":0.50,"big":18446744073709551616}},
         "status":{"loadBalancer":{"ingress":[{"ip":"10.0.0.1"}]}}}
        """)

    static let httpRoute = parse(
        """
        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute",
         "metadata":{"name":"store","namespace":"shop"},
         "spec":{"parentRefs":[{"name":"gw"}],"hostnames":["store.example.com","*.store.example.com"],
           "rules":[{"backendRefs":[{"name":"web","port":80},{"name":"api","namespace":"shop","port":8080},
             {"name":"elsewhere","namespace":"other","port":80},{"name":"bucket","group":"storage.example.com","kind":"Bucket"}],
             "filters":[{"type":"RequestHeaderModifier","requestHeaderModifier":{"add":[{"name":"x","value":"1"}]}}],
             "timeouts":{"request":"10s"}}]}}
        """)

    static let route = parse(
        """
        {"apiVersion":"route.openshift.io/v1","kind":"Route",
         "metadata":{"name":"legacy","namespace":"shop"},
         "spec":{"host":"legacy.example.com","path":"/","to":{"kind":"Service","name":"web","weight":100},
           "alternateBackends":[{"kind":"Service","name":"api","weight":10},{"kind":"Service","name":"web"}],
           "tls":{"termination":"edge"}}}
        """)
}

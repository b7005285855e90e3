import Foundation
import KubeAPI

/// The configuration an `EnvoyProcess` starts with. Its admin listener is
/// always on 127.0.0.1 port 0: Envoy reports the port it got.
public struct EnvoyBootstrap: Sendable {
    /// YAML (JSON being YAML, either).
    public var text: String

    public init(text: String) {
        self.text = text
    }

    /// The project's own `contrib/envoy/bootstrap.yaml` (`bootstrap-delta.yaml`
    /// with `delta`), pointed at an xDS server on 127.0.0.1:`xdsPort`. The
    /// file users run is the file tested; only its two ports change.
    public static func ads(xdsPort: Int, delta: Bool = false) throws -> EnvoyBootstrap {
        let file = repository.appendingPathComponent("contrib/envoy/bootstrap\(delta ? "-delta" : "").yaml")
        var text = try String(contentsOf: file, encoding: .utf8)
        try text.replaceOnce("port_value: 18000", with: "port_value: \(xdsPort)", in: file.lastPathComponent)
        try text.replaceOnce("port_value: 9901", with: "port_value: 0", in: file.lastPathComponent)
        return EnvoyBootstrap(text: text)
    }

    /// A route of `staticRoutes`: every path of `host` to one gateway.
    public struct StaticRoute: Sendable {
        public var host: String
        public var cluster: String
        public var port: Int

        public init(host: String, cluster: String, port: Int) {
            self.host = host
            self.cluster = cluster
            self.port = port
        }
    }

    /// No xDS at all: a listener on 127.0.0.1:`listenerPort` sending each
    /// route's host to its gateway on 127.0.0.1. Proves the harness, and
    /// Envoy's routing to stand-ins, without the xDS server.
    public static func staticRoutes(listenerPort: Int, _ routes: [StaticRoute]) -> EnvoyBootstrap {
        let virtualHosts: [JSON] = routes.map { route in
            [
                "name": .string(route.host), "domains": [.string(route.host)],
                "routes": [["match": ["prefix": "/"], "route": ["cluster": .string(route.cluster)]]],
            ]
        }
        let clusters: [JSON] = routes.map { route in
            [
                "name": .string(route.cluster), "type": "STATIC", "connect_timeout": "1s",
                "load_assignment": [
                    "cluster_name": .string(route.cluster),
                    "endpoints": [["lb_endpoints": [["endpoint": ["address": socketAddress(port: route.port)]]]]],
                ],
            ]
        }
        let connectionManager: JSON = [
            "@type":
                "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
            "stat_prefix": "ingress_http",
            "route_config": ["name": "static", "virtual_hosts": .array(virtualHosts)],
            // Envoy 1.40 needs the router named with its typed_config, and
            // last; without any HTTP filter it accepts the configuration and
            // never answers a request.
            "http_filters": [
                [
                    "name": "envoy.filters.http.router",
                    "typed_config": ["@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"],
                ]
            ],
        ]
        let bootstrap: JSON = [
            "admin": ["address": socketAddress(port: 0)],
            "static_resources": [
                "listeners": [
                    [
                        "name": "static", "address": socketAddress(port: listenerPort),
                        "filter_chains": [
                            [
                                "filters": [
                                    [
                                        "name": "envoy.filters.network.http_connection_manager",
                                        "typed_config": connectionManager,
                                    ]
                                ]
                            ]
                        ],
                    ]
                ],
                "clusters": .array(clusters),
            ],
        ]
        return EnvoyBootstrap(text: bootstrap.text)
    }

    private static func socketAddress(port: Int) -> JSON {
        ["socket_address": ["address": "127.0.0.1", "port_value": .integer(Int64(port))]]
    }

    /// The package's root: this file is Tests/EnvoyTestSupport/EnvoyBootstrap.swift.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

extension String {
    /// Replaces `target`, which must occur exactly once: a bootstrap edited so
    /// that a port is no longer found, or found twice, fails loudly here
    /// rather than as an Envoy that talks to the wrong port.
    fileprivate mutating func replaceOnce(_ target: String, with replacement: String, in name: String) throws {
        let ranges = ranges(of: target)
        guard ranges.count == 1, let range = ranges.first else {
            throw EnvoyTestError("\(name) has \(ranges.count) occurrences of \"\(target)\", expected one")
        }
        replaceSubrange(range, with: replacement)
    }
}

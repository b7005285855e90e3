// swift-tools-version:6.2
import PackageDescription

let upcomingFeatures: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "kcp-ingress",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kcp-ingress", targets: ["kcp-ingress"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // glibc's malloc.h: nothing to link, no package.
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(
            name: "CNGHTTP2",
            pkgConfig: "libnghttp2",
            providers: [.apt(["libnghttp2-dev"])]
        ),
        .target(
            name: "HTTP2",
            dependencies: [
                "CNGHTTP2",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "TLS",
            dependencies: [
                "COpenSSL",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "HTTPServer",
            dependencies: [
                "TLS",
                "HTTP2",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "GRPC",
            dependencies: [
                "HTTPServer",
                "HTTP2",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "KubeAPI",
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "Placement",
            dependencies: ["KubeAPI"],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "HTTPClient",
            dependencies: [
                "TLS",
                "HTTP2",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeAPI",
                "HTTPClient",
                "TLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "OpsPage",
            dependencies: [
                "KubeAPI",
                "Placement",
                "XDS",
                "HTTPServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "ServingCertificates",
            dependencies: [
                "TLS",
                "KubeAPI",
                "KubeClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "PlacementAPI",
            dependencies: [
                "Placement",
                "KubeAPI",
                "KubeClient",
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "StatusLoop",
            dependencies: [
                "Placement",
                "PlacementAPI",
                "KubeAPI",
                "KubeClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "Admission",
            dependencies: [
                "Placement",
                "PlacementAPI",
                "KubeAPI",
                "KubeClient",
                "HTTPServer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        // Generated by contrib/gen-envoy-api.sh from contrib/envoy-api/protos; never by the build.
        .target(
            name: "EnvoyAPI",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "XDS",
            dependencies: [
                "EnvoyAPI",
                "GRPC",
                "Placement",
                "KubeAPI",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "DevAPIServer",
            dependencies: [
                "KubeAPI",
                "HTTPServer",
                "HTTPClient",
                "TLS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "kcp-ingress",
            dependencies: [
                "CMalloc",
                "TLS",
                "HTTPServer",
                "GRPC",
                "DevAPIServer",
                "KubeAPI",
                "KubeClient",
                "Placement",
                "PlacementAPI",
                "ServingCertificates",
                "OpsPage",
                "Admission",
                "StatusLoop",
                "XDS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "kcp-ingress-echo",
            dependencies: [
                "TLS",
                "HTTPServer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Benchmarks/EchoServer",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "http1-parser-bench",
            dependencies: [
                "HTTPServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/HTTP1Parser",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "admission-review-bench",
            dependencies: ["Admission", "KubeAPI", "Placement"],
            path: "Benchmarks/AdmissionReview",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "kubeapi-json-bench",
            dependencies: ["KubeAPI"],
            path: "Benchmarks/JSON",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "kubeclient-informer-bench",
            dependencies: [
                "KubeAPI",
                "KubeClient",
                "Placement",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Informer",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "debug-page-bench",
            dependencies: ["KubeAPI", "Placement", "XDS", "OpsPage"],
            path: "Benchmarks/DebugPage",
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "xds-build-bench",
            dependencies: ["KubeAPI", "Placement", "XDS"],
            path: "Benchmarks/XDSBuild",
            swiftSettings: upcomingFeatures
        ),
        .target(
            name: "TestSupport",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            path: "Tests/TestSupport",
            swiftSettings: upcomingFeatures
        ),
        // Drives a real Envoy for the end-to-end tests: the process, its
        // admin API, stand-in gateways and curl through Envoy's listener.
        .target(
            name: "EnvoyTestSupport",
            dependencies: [
                "TestSupport",
                "HTTPServer",
                "KubeAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/EnvoyTestSupport",
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "TLSTests",
            dependencies: [
                "TLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "HTTP2Tests",
            dependencies: [
                "HTTP2",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: [
                "HTTPServer",
                "HTTP2",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "XDSTests",
            dependencies: [
                "XDS",
                "TestSupport",
                "GRPC",
                "Placement",
                "KubeAPI",
                "EnvoyAPI",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "GRPCTests",
            dependencies: [
                "GRPC",
                "HTTP2",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "KubeAPITests",
            dependencies: ["KubeAPI"],
            resources: [.copy("Fixtures")],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "EnvoyAPITests",
            dependencies: ["EnvoyAPI", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            resources: [.copy("Fixtures")],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "AdmissionTests",
            dependencies: ["Admission", "Placement", "PlacementAPI", "KubeAPI", "KubeClient", "HTTPServer"],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "PlacementTests",
            dependencies: ["Placement", "KubeAPI"],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "DevAPIServerTests",
            dependencies: [
                "DevAPIServer",
                "HTTPServer",
                "KubeAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "TestSupport",
                "KubeClient",
                "KubeAPI",
                "Placement",
                "HTTPClient",
                "DevAPIServer",
                "HTTPServer",
                "TLS",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "OpsPageTests",
            dependencies: ["OpsPage", "XDS", "Placement", "KubeAPI"],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "KCPIngressTests",
            dependencies: [
                "kcp-ingress",
                "KubeAPI",
                "KubeClient",
                "Placement",
                "XDS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TestSupport",
                "EnvoyTestSupport",
                "HTTPServer",
                "GRPC",
                "TLS",
                "DevAPIServer",
                "HTTPClient",
                "KubeAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["clients"],
            swiftSettings: upcomingFeatures
        ),
    ],
    swiftLanguageModes: [.v6]
)

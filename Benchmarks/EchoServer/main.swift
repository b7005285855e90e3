// The webhook listener's exact stack (TLS on OpenSSL, HTTP/1.1 or HTTP/2 by
// ALPN, limits, timeouts, metrics) with one extra route, `POST /echo`, for
// the benchmarks in contrib/bench. Usage: kcp-ingress-echo PORT CERT KEY [THREADS]
// THREADS (default: one per core) sizes the event loop group, so that a
// server pinned to one core can run one event loop, as nginx runs one worker.
import Foundation
import HTTPServer
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import TLS

let arguments = CommandLine.arguments
guard (4...5).contains(arguments.count), let port = Int(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: kcp-ingress-echo PORT CERT KEY [THREADS]\n".utf8))
    exit(2)
}
var logger = Logger(label: "kcp-ingress-echo")
logger.logLevel = .warning
let context = try TLSContext(
    configuration: .server(
        identity: CertificateKeyPair(
            certificateChainPEM: Array(try Data(contentsOf: URL(fileURLWithPath: arguments[2]))),
            privateKeyPEM: Array(try Data(contentsOf: URL(fileURLWithPath: arguments[3])))),
        applicationProtocols: ["h2", "http/1.1"]))
var router = Router()
router.addSync(.POST, "/echo") { request in
    .bytes(.ok, contentType: request.headers.first(name: "content-type") ?? "application/octet-stream", request.body)
}
let server = HTTPServer(
    configuration: ServerConfiguration(
        name: "echo", address: BindAddress(host: "127.0.0.1", port: port), protocols: .negotiated, tls: { context }),
    router: router,
    logger: logger,
    group: MultiThreadedEventLoopGroup(
        numberOfThreads: arguments.count == 5 ? Int(arguments[4]) ?? 1 : System.coreCount),
    onListening: { _ in print("listening", terminator: "\n") })
try await server.run()

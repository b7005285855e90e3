import Foundation
import HTTPClient
import NIOCore
import NIOHTTP1
import Testing

/// The client against a real HTTP/1.0 server: Python's http.server, which
/// closes the connection after every response, as a webhook written with
/// it does.
@Suite("HTTP client against Python's http.server (HTTP/1.0)", .timeLimit(.minutes(1)))
struct HTTPClientPythonServerTests {
    /// Answers GET and POST with 200 and the request count; prints its port.
    static let script = """
        import http.server, sys
        class Handler(http.server.BaseHTTPRequestHandler):
            count = 0
            def answer(self):
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                Handler.count += 1
                body = str(Handler.count).encode()
                self.send_response(200)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            do_GET = answer
            do_POST = answer
            def log_message(self, *args):
                pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    @Test("POSTs and GETs in a row all succeed, each on a connection of its own")
    func requestsInARow() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", "-c", Self.script]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer {
            // SIGKILL: the test process ignores SIGTERM (signal handling for
            // graceful shutdown), and a child inherits that.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        // The first line is the port; reading it waits for the server to listen.
        // The blocking read runs on a thread of its own, not the shared pool.
        let reader = output.fileHandleForReading
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            Thread.detachNewThread {
                var line = Data()
                while let byte = try? reader.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
                    line.append(byte)
                }
                continuation.resume(returning: String(decoding: line, as: UTF8.self))
            }
        }
        let port = try #require(Int(line))

        let client = HTTPClient()
        defer { client.shutdown() }
        let url = "http://127.0.0.1:\(port)/validate"
        for index in 1...20 {
            let method: HTTPMethod = index.isMultiple(of: 2) ? .GET : .POST
            let request = try ClientRequest(method: method, url: url, body: ByteBuffer(string: "{}"))
            let response = try await client.execute(request, tls: nil, timeout: .seconds(10))
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "\(index)", "request \(index) answered once")
            #expect(!response.keepsConnectionOpen)
        }
    }
}

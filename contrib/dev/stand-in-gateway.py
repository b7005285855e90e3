#!/usr/bin/env python3
"""The gateway of one physical cluster, standing in for the real one in
`make run`: plain HTTP on 127.0.0.1, every request answered with one line of
JSON naming the cluster, the Host header and the path, so whoever curls
through Envoy sees which cluster served the request.

    contrib/dev/stand-in-gateway.py CLUSTER PORT
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    cluster, port = sys.argv[1], int(sys.argv[2])

    class StandIn(BaseHTTPRequestHandler):
        # Keep-alive, as Envoy expects of an upstream.
        protocol_version = "HTTP/1.1"

        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            reply = {"cluster": cluster, "host": self.headers.get("Host", ""), "path": self.path,
                     "method": self.command}
            body = (json.dumps(reply) + "\n").encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = answer

        def log_message(self, format, *args):
            pass

    ThreadingHTTPServer.daemon_threads = True
    server = ThreadingHTTPServer(("127.0.0.1", port), StandIn)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

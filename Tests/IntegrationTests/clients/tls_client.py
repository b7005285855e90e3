"""Hand-driven TLS clients for the integration tests: the behaviours curl
cannot produce (holding a connection, trickling bytes, pipelining, garbage).
Each mode prints one line per observation; the Swift test reads them."""

import socket
import ssl
import sys
import time


def connect(port, ca_file):
    context = ssl.create_default_context(cafile=ca_file)
    raw = socket.create_connection(("127.0.0.1", port), timeout=30)
    return context.wrap_socket(raw, server_hostname="localhost")


class Reader:
    """Reads HTTP/1.1 responses with Content-Length bodies, keeping any
    bytes past one response for the next (pipelining)."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError
        self.buffer += chunk

    def response(self):
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body


def wait_for_close(sock, limit=30):
    started = time.monotonic()
    sock.settimeout(limit)
    try:
        while sock.recv(4096):
            pass
        return "closed after %.2f" % (time.monotonic() - started)
    except (socket.timeout, TimeoutError):
        return "still open"
    except (ConnectionResetError, ssl.SSLError, OSError):
        return "closed after %.2f" % (time.monotonic() - started)


def get(path):
    return ("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path).encode()


def serial(sock):
    import subprocess

    pem = ssl.DER_cert_to_PEM_cert(sock.getpeercert(binary_form=True))
    out = subprocess.run(["openssl", "x509", "-noout", "-serial"], input=pem.encode(), capture_output=True, check=True)
    return out.stdout.decode().strip().split("=", 1)[1]


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    ca_file = sys.argv[3] if len(sys.argv) > 3 else None

    if mode == "keepalive":
        sock = connect(port, ca_file)
        reader = Reader(sock)
        local = sock.getsockname()[1]
        while True:
            sock.sendall(get("/healthz"))
            status, _, _ = reader.response()
            print("response %d serial=%s local=%d" % (status, serial(sock), local), flush=True)
            if not sys.stdin.readline():
                return

    if mode == "pipeline":
        sock = connect(port, ca_file)
        reader = Reader(sock)
        sock.sendall(get("/healthz") + get("/nope") + get("/healthz"))
        print("statuses " + ",".join(str(reader.response()[0]) for _ in range(3)), flush=True)

    if mode == "slow-headers":
        sock = connect(port, ca_file)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        print(wait_for_close(sock), flush=True)

    if mode == "slow-body":
        sock = connect(port, ca_file)
        sock.sendall(b"POST /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nab")
        print(wait_for_close(sock), flush=True)

    if mode == "idle":
        sock = connect(port, ca_file)
        reader = Reader(sock)
        sock.sendall(get("/healthz"))
        print("response %d" % reader.response()[0], flush=True)
        print(wait_for_close(sock), flush=True)

    if mode == "handshake-only":
        sock = connect(port, ca_file)
        print("connected", flush=True)
        print(wait_for_close(sock), flush=True)

    if mode == "sslv3":
        # An SSLv3 ClientHello, which no current client library will send.
        body = b"\x03\x00" + bytes(32) + b"\x00" + b"\x00\x04\x00\x2f\x00\x0a" + b"\x01\x00"
        handshake = b"\x01" + len(body).to_bytes(3, "big") + body
        record = b"\x16\x03\x00" + len(handshake).to_bytes(2, "big") + handshake
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(record)
        reply = b""
        try:
            while chunk := sock.recv(4096):
                reply += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        if len(reply) >= 7 and reply[0] == 0x15:
            print("alert %d" % reply[6], flush=True)
        else:
            print("reply %s" % reply.hex(), flush=True)

    if mode == "garbage":
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"\x16\x03\x01\x00\x05hello" + b"\xff" * 64)
        print(wait_for_close(sock, 10), flush=True)

    if mode == "in-flight-stalled":
        # A request whose body never completes: still in flight when the
        # grace period ends. Prints what the connection gave before closing.
        sock = connect(port, ca_file)
        sock.sendall(b"POST /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n\r\nab")
        time.sleep(0.5)
        print("started", flush=True)
        started = time.monotonic()
        sock.settimeout(60)
        received = b""
        try:
            while chunk := sock.recv(4096):
                received += chunk
        except (ConnectionResetError, ssl.SSLError, OSError):
            pass
        print("received %d bytes" % len(received), flush=True)
        print("closed after %.2f" % (time.monotonic() - started), flush=True)

    if mode == "in-flight":
        # A request whose body arrives slowly, to be in flight during SIGTERM.
        sock = connect(port, ca_file)
        reader = Reader(sock)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\n\r\nab")
        # Give the server time to read the head: until it has, the connection
        # is idle and shutdown rightly closes it at once. (Seen on a loaded
        # machine: SIGTERM overtook the bytes.)
        time.sleep(0.5)
        print("started", flush=True)
        sys.stdin.readline()
        sock.sendall(b"cd")
        status, headers, _ = reader.response()
        print("response %d connection=%s" % (status, headers.get("connection", "")), flush=True)
        print(wait_for_close(sock), flush=True)


main()

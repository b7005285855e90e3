"""An HTTP/2 client over TLS (ALPN h2) that tests the server's limits.

  big-headers PORT CA_FILE SIZE   stream 1 carries SIZE bytes of extra headers,
                                  stream 3 is a plain GET /healthz
  stall PORT CA_FILE              stream 1 is a POST whose body never ends,
                                  stream 3 is a plain GET /healthz

Prints one line per observation: "status <stream> <code>" for each response
header block, "reset <stream> <code> after <seconds>" for RST_STREAM, "goaway
<code>", then "closed" or "open"."""

import socket
import ssl
import struct
import sys
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
STATIC_STATUS = {8: 200, 9: 204, 10: 206, 11: 304, 12: 400, 13: 404, 14: 500}


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def integer(value):
    if value < 127:
        return bytes([value])
    out, value = bytearray([127]), value - 127
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def literal_headers(headers):
    block = b""
    for name, value in headers:
        block += b"\x00" + integer(len(name)) + name.encode() + integer(len(value)) + value.encode()
    return block


def request(stream, method, path, end_stream, extra=()):
    """HEADERS, with CONTINUATION frames when the block exceeds 16 KiB."""
    headers = [(":method", method), (":scheme", "https"), (":path", path), (":authority", "localhost")]
    block = literal_headers(headers + list(extra))
    pieces = [block[i:i + 16384] for i in range(0, len(block), 16384)]
    out = b""
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        if index == 0:
            out += frame(1, (0x4 if last else 0) | (0x1 if end_stream else 0), stream, piece)
        else:
            out += frame(9, 0x4 if last else 0, stream, piece)
    return out


def status_of(block):
    """The :status of a response header block: the first field, either a
    static-table entry or a literal with the :status name (index 8)."""
    first = block[0]
    if first & 0x80:
        return STATIC_STATUS.get(first & 0x7F)
    if first in (0x48, 0x08, 0x18) and not block[1] & 0x80:
        return int(block[2:2 + block[1]].decode())
    return None


def connect(port, ca_file):
    context = ssl.create_default_context(cafile=ca_file)
    context.set_alpn_protocols(["h2"])
    raw = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock = context.wrap_socket(raw, server_hostname="localhost")
    assert sock.selected_alpn_protocol() == "h2", sock.selected_alpn_protocol()
    return sock


def main():
    mode, port, ca_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    sock = connect(port, ca_file)
    start = PREFACE + frame(4, 0, 0) + frame(4, 1, 0)
    if mode == "big-headers":
        size = int(sys.argv[4])
        extra = [("x-big-%d" % i, "a" * 1000) for i in range(size // 1000 + 1)]
        sock.sendall(start + request(1, "GET", "/healthz", True, extra) + request(3, "GET", "/healthz", True))
        wanted = 2  # a response on each stream
    elif mode == "stall":
        sock.sendall(start + request(1, "POST", "/healthz", False) + frame(0, 0, 1, b"partial")
                     + request(3, "GET", "/healthz", True))
        wanted = 2  # the reset of 1 and the response on 3
    else:
        raise SystemExit("unknown mode " + mode)

    started = time.monotonic()
    deadline = started + 30
    received, index, seen, closed = b"", 0, 0, False
    sock.settimeout(1)
    while time.monotonic() < deadline and seen < wanted:
        try:
            chunk = sock.recv(65536)
        except (socket.timeout, TimeoutError):
            continue
        except (ConnectionResetError, ssl.SSLError, OSError):
            closed = True
            break
        if not chunk:
            closed = True
            break
        received += chunk
        while index + 9 <= len(received):
            length = int.from_bytes(received[index:index + 3], "big")
            if index + 9 + length > len(received):
                break
            kind, stream = received[index + 3], int.from_bytes(received[index + 5:index + 9], "big") & 0x7FFFFFFF
            payload = received[index + 9:index + 9 + length]
            index += 9 + length
            if kind == 1:
                print("status %d %s" % (stream, status_of(payload)), flush=True)
                seen += 1
            elif kind == 3:
                code = int.from_bytes(payload[:4], "big")
                print("reset %d %d after %.2f" % (stream, code, time.monotonic() - started), flush=True)
                seen += 1
            elif kind == 7:
                print("goaway %d" % int.from_bytes(payload[4:8], "big"), flush=True)
    print("closed" if closed else "open", flush=True)


main()

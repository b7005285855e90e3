"""Hostile HTTP/2 frame sequences, hand-made, on a raw socket to the h2c
listener. Prints "goaway <code>" if the server sent GOAWAY, "resets <n>" and
"headers <n>" counting RST_STREAM and HEADERS frames, then "closed" or "open"
depending on whether the server closed the connection."""

import socket
import struct
import sys
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def literal_headers(headers):
    block = b""
    for name, value in headers:
        block += b"\x00" + integer(len(name)) + name.encode() + integer(len(value)) + value.encode()
    return block


def integer(value):
    if value < 127:
        return bytes([value])
    out, value = bytearray([127]), value - 127
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def request(stream, end_stream=True, extra=()):
    """HEADERS, split into CONTINUATION frames when the block is larger
    than the default maximum frame size."""
    headers = [(":method", "POST"), (":scheme", "http"), (":path", "/grpc.health.v1.Health/Check"),
               (":authority", "localhost"), ("content-type", "application/grpc")] + list(extra)
    block = literal_headers(headers)
    pieces = [block[i:i + 16384] for i in range(0, len(block), 16384)]
    out = b""
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        if index == 0:
            out += frame(1, (0x4 if last else 0) | (0x1 if end_stream else 0), stream, piece)
        else:
            out += frame(9, 0x4 if last else 0, stream, piece)
    return out


START = PREFACE + frame(4, 0, 0)
SETTINGS_ACK = frame(4, 1, 0)

CASES = {
    "bad-preface": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 3,
    "settings-33": PREFACE + frame(4, 0, 0, struct.pack(">HI", 3, 100) * 33),
    "ping-flood": START + frame(6, 0, 0, b"\x01" * 8) * 5000,
    "continuation-flood": START + frame(1, 0x1, 1, literal_headers([(":method", "POST")]))
    + frame(9, 0, 1, literal_headers([("x", "y")])) * 50,
    "rst-flood": START + b"".join(request(2 * i + 1, end_stream=False) + frame(3, 0, 2 * i + 1, struct.pack(">I", 8))
                                   for i in range(2000)),
    # 70 headers of 1 KiB: over the 64 KiB list limit, each field well within HPACK's.
    "header-list-too-large": START + request(1, extra=[("x-big-%d" % i, "a" * 1000) for i in range(70)]),
    "too-many-streams": START + SETTINGS_ACK + b"".join(request(2 * i + 1, end_stream=False) for i in range(150)),
    "window-update-overflow": START + frame(8, 0, 0, struct.pack(">I", 0x7FFFFFFF)) * 2,
}


def main():
    case, port = sys.argv[1], int(sys.argv[2])
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        sock.sendall(CASES[case])
    except (BrokenPipeError, ConnectionResetError):
        pass
    received = b""
    deadline = time.monotonic() + 10
    closed = False
    sock.settimeout(1)
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            if case in ("header-list-too-large",):
                break  # a stream error: the connection rightly stays open
            continue
        except (ConnectionResetError, OSError):
            closed = True
            break
        if not chunk:
            closed = True
            break
        received += chunk
    index, resets, headers = 0, 0, 0
    while index + 9 <= len(received):
        length = int.from_bytes(received[index:index + 3], "big")
        kind = received[index + 3]
        payload = received[index + 9:index + 9 + length]
        if kind == 7 and len(payload) >= 8:
            print("goaway %d" % int.from_bytes(payload[4:8], "big"), flush=True)
        if kind == 3:
            resets += 1
        if kind == 1:
            headers += 1
        index += 9 + length
    if resets:
        print("resets %d" % resets, flush=True)
    if headers:
        print("headers %d" % headers, flush=True)
    print("closed" if closed else "open", flush=True)


main()

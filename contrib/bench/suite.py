"""The whole benchmark suite in one run, written to BENCHMARKS.md.

Runs each benchmark below in turn (each on 127.0.0.1, bounded in requests
and time; HTTP servers on core 0 and their load generators on core 1),
keeps each one's output as it printed it, and puts first a table of the
goals the issues set, each met or missed, with the figure measured.

    python3 contrib/bench/suite.py [OUTPUT]        (or: make bench)

OUTPUT defaults to BENCHMARKS.md. A step that fails stops the suite: a
table with a figure missing would read as a figure met.
"""
import datetime
import os
import platform
import re
import subprocess
import sys
import time

output = sys.argv[1] if len(sys.argv) > 1 else "BENCHMARKS.md"
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# QUICK=1 runs every step small and short, to check the suite itself; its
# figures mean nothing.
QUICK = os.environ.get("QUICK") == "1"
FEW, MANY = (200, 300) if QUICK else (1000, 10000)
SHORT = {"DURATION": "2s", "H2_REQUESTS": "5000", "KINDS": "ingress", "CONNECTIONS": "16",
         "SECONDS_PER_CASE": "0.2", "ROUNDS": "2000"} if QUICK else {}
ADMISSION = "Admission over TLS against nginx"
TLS = "TLS and HTTP/1.1 against nginx"
STATUS = f"Status loop, {FEW:,} roots"
XDS = f"xDS, {MANY:,} roots"
# (name, command, environment): the quick in-process steps first, the
# 10,000-root one, the longest, last.
STEPS = [
    ("Admission, in process", ["contrib/bench/admission-review.sh"], {}),
    ("JSON against Foundation", ["contrib/bench/json.sh"], {}),
    (ADMISSION, ["contrib/bench/admission.sh"], {"H2_REQUESTS": "50000"}),
    (TLS, ["contrib/bench/tls-http1.sh"], {}),
    (STATUS, ["python3", "-u", "contrib/bench/status_loop.py", str(FEW)], {}),
    (f"xDS, {FEW:,} roots", ["python3", "-u", "contrib/bench/xds.py", str(FEW)], {"IDLE_SECONDS": "30"}),
    (XDS, ["python3", "-u", "contrib/bench/xds.py", str(MANY)], {}),
]


def version(command):
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    text = (result.stdout + result.stderr).strip().splitlines()
    return text[0].strip() if text else "?"


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    memory = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    release = dict(line.rstrip().split("=", 1) for line in open("/etc/os-release") if "=" in line)
    return [
        ("CPU", f"{cpu}, {os.cpu_count()} cores"),
        ("memory", f"{memory / 1024 / 1024:.0f} GiB"),
        ("system", f"{release.get('PRETTY_NAME', '?').strip(chr(34))}, Linux {platform.release()}"),
        ("Swift", version(["swift", "--version"])),
        ("OpenSSL", version(["openssl", "version"])),
        ("nghttp2", version(["h2load", "--version"])),
        ("nginx", version(["nginx", "-v"])),
        ("Envoy", version(["envoy", "--version"])),
        ("wrk", version(["wrk", "-v"])),
        ("valgrind", version(["valgrind", "--version"])),
        ("Python", version(["python3", "--version"])),
    ]


def run(name, command, environment):
    print(f"== {name}: {' '.join(command)}", flush=True)
    started = time.time()
    environment = {**environment, **SHORT, **({"IDLE_SECONDS": "3"} if QUICK else {})}
    result = subprocess.run(command, env={**os.environ, **environment}, capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        sys.stderr.write(result.stderr[-4000:])
        raise SystemExit(f"{name} failed with exit status {result.returncode}")
    return result.stdout, time.time() - started


def find(pattern, text, what):
    match = re.search(pattern, text, re.MULTILINE)
    if not match:
        raise SystemExit(f"the suite found no {what} in its output (pattern {pattern!r})")
    return match


def admission_row(text, protocol, connections, route, review):
    """One row of admission.sh's table: (× nginx, p99 ms)."""
    cells = r"\s*\|\s*".join([re.escape(protocol), str(connections), re.escape(route), re.escape(review) + r" \d+ B"])
    row = find(r"^\|\s*" + cells + r"\s*\|(.*)\|\s*$", text, f"{route} row for {review}").group(1)
    values = [value.strip() for value in row.split("|")]
    # requests/s, p50, p99, p99.9, CPU s, per CPU-second, × nginx, non-2xx
    return float(values[6]), float(values[2])


def goals(outputs):
    admission, tls, status, xds = outputs[ADMISSION], outputs[TLS], outputs[STATUS], outputs[XDS]
    rows = []

    validate_ratio, validate_p99 = admission_row(admission, "HTTP/1.1", 16, "/validate", "ingress")
    rows.append(("`/validate`, HTTP/1.1, 16 connections, 1.6 KB Ingress: × nginx", "≥ 0.7×",
                 f"{validate_ratio:.2f}×", validate_ratio >= 0.7))
    rows.append(("… and its p99", "≤ 2 ms", f"{validate_p99:.2f} ms", validate_p99 <= 2))
    mutate_ratio, _ = admission_row(admission, "HTTP/1.1", 16, "/mutate dryRun", "ingress")
    rows.append(("`/mutate` dry run, same: × nginx", "≥ 0.6×", f"{mutate_ratio:.2f}×", mutate_ratio >= 0.6))
    handshakes = float(find(r"^new TLS connections kcp-ingress: [\d.]+× nginx in requests/s, ([\d.]+)×", tls,
                            "new-connection ratio").group(1))
    rows.append(("new TLS 1.3 connections: × nginx per CPU-second", "≥ 0.8×", f"{handshakes:.2f}×", handshakes >= 0.8))
    keepalive = float(find(r"^keep-alive kcp-ingress: [\d.]+× nginx in requests/s, ([\d.]+)×", tls,
                           "keep-alive ratio").group(1))
    rows.append(("HTTP/1.1 keep-alive echo: × nginx per CPU-second ([h1-fast])", "≥ 0.8×", f"{keepalive:.2f}×",
                 keepalive >= 0.8))

    peak = float(find(r"^serve resident memory at the end: \d+ MiB \(peak (\d+) MiB\)", xds, "peak memory").group(1))
    rows.append((f"xDS, {MANY:,} roots: serve's peak resident memory", "< 150 MiB", f"{peak:.0f} MiB", peak < 150))
    share = float(find(r"delta / full delta push = 1/(\d+)", xds, "delta share").group(1))
    rows.append((f"xDS, {MANY:,} roots: delta bytes of a one-root change / full push", "≤ 1/1000", f"1/{share:.0f}",
                 share >= 1000))
    for mode in ("sotw", "delta"):
        routed = float(find(rf"^{mode}: one-root change, .* first request routed p50 \d+ ms p99 (\d+) ms", xds,
                            f"{mode} latency").group(1))
        label = "state of the world" if mode == "sotw" else "delta"
        rows.append((f"xDS, {MANY:,} roots, {label}: root change → first request routed, p99", "≤ 100 ms",
                     f"{routed:.0f} ms", routed <= 100))
    burst = find(r"^burst of 1,000 changes in [\d.]+ s: \d+ snapshot builds, responses sent: state of the world (\d+),"
                 r" delta (\d+)", xds, "burst")
    rows.append((f"xDS, {MANY:,} roots: responses for a burst of 1,000 changes (per mode)", "a handful",
                 f"{burst.group(1)} and {burst.group(2)}", None))
    writes = find(r"^root status writes by serve: (\d+) for (\d+) roots", status, "status writes")
    rows.append((f"status loop, {FEW:,} roots: root status writes", "one per root",
                 f"{writes.group(1)} for {writes.group(2)}", writes.group(1) == writes.group(2)))
    startup = float(find(r"^start-up: process start to /readyz 200 in ([\d.]+) s", xds, "start-up").group(1))
    rows.append((f"start-up against {MANY:,} roots and their leaves: process start → /readyz 200", "< 2 s",
                 f"{startup:.2f} s", startup < 2))
    idle = find(r"^idle: ([\d.]+) CPU-seconds per minute over \d+ s, resident memory (\d+) MiB", xds, "idle cost")
    rows.append((f"idle, {MANY:,} roots: CPU per minute, resident memory", "—",
                 f"{idle.group(1)} CPU-s, {idle.group(2)} MiB", None))
    return rows


def markdown(text):
    """A step's output as Markdown: its tables as they are, with a blank
    line before each; its other lines as a preformatted block."""
    lines, plain = [], []

    def flush():
        if plain:
            lines.extend(["```text", *plain, "```", ""])
            plain.clear()

    for line in text.strip("\n").splitlines():
        line = line.rstrip()
        if line.startswith("|"):
            flush()
            if lines and lines[-1] and not lines[-1].startswith("|"):
                lines.append("")
            lines.append(line)
        elif line:
            if lines and lines[-1].startswith("|"):
                lines.append("")
            plain.append(line)
    flush()
    return lines


def main():
    started = datetime.datetime.now(datetime.timezone.utc)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    outputs, durations = {}, {}
    for name, command, environment in STEPS:
        outputs[name], durations[name] = run(name, command, environment)
    lines = [
        "# Benchmarks",
        "",
        f"One run of `make bench` (`python3 contrib/bench/suite.py`), {started:%Y-%m-%d %H:%M} UTC, commit {commit}.",
        "Every server and load generator on 127.0.0.1; the HTTP benchmarks pin the server to core 0 and the load",
        "generator to core 1, and give each figure as requests/s and as requests per server CPU-second.",
        "",
        "## Machine and versions",
        "",
        "| | |",
        "|---|---|",
        *[f"| {name} | {value} |" for name, value in machine()],
        "",
        "## Goals",
        "",
        "| figure | goal | measured | |",
        "|---|---|---|---|",
        *[f"| {figure} | {goal} | {measured} | {'—' if met is None else 'met' if met else 'missed'} |"
          for figure, goal, measured, met in goals(outputs)],
        "",
    ]
    for name, command, environment in STEPS:
        settings = " ".join(f"{key}={value}" for key, value in environment.items())
        lines += [f"## {name}", "", f"`{(settings + ' ') if settings else ''}{' '.join(command)}`"
                  f" ({durations[name]:.0f} s)", ""]
        lines += markdown(outputs[name])
        lines.append("")
    with open(output, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {output}")


main()

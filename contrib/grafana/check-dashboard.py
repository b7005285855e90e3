#!/usr/bin/env python3
"""Check the Grafana dashboard against the metrics kcp-ingress exports.

Usage: check-dashboard.py [DASHBOARD.json] [--sources DIR] [--metrics-url URL]

DASHBOARD.json defaults to kcp-ingress.json beside this script.

The dashboard must be valid JSON with unique panel ids, a gridPos on every
panel inside the 24-column grid and overlapping no other, a Prometheus
data source template variable that every panel, query and query variable
uses, and, when it has `job` and `instance` variables, a `$job` and an
`$instance` matcher on every metric it selects.

Every metric name in every query (panel targets and template variables) must
be one kcp-ingress exports. By default the names come from the swift-metrics
constructors in Sources/**/*.swift (`Counter(label: "...")`, `Timer`,
`Recorder`, `Gauge`, `Meter`, `FloatingPointCounter`), as swift-prometheus
exports them: a Timer, or an aggregating Recorder, is a histogram whose
series are NAME_bucket, NAME_sum and NAME_count; the others keep their name.
With --metrics-url (http://HOST:PORT/metrics, or a file:// URL of a saved
exposition) the names are the series of that exposition instead; metrics
made on first use (leaf writes, reconciles, API requests, TLS failures) are
only there once something recorded them.

Exits non-zero, naming each problem, otherwise prints what it checked.
"""

import argparse
import json
import os
import re
import sys
import urllib.request

GRID_WIDTH = 24

# swift-metrics constructor -> Prometheus type, as swift-prometheus maps it.
CONSTRUCTORS = {
    "Counter": "counter",
    "FloatingPointCounter": "counter",
    "Timer": "histogram",
    "Recorder": "histogram",  # aggregate: false makes it a gauge
    "Gauge": "gauge",
    "Meter": "gauge",
}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
CONSTRUCTOR_CALL = re.compile(r"\b(" + "|".join(CONSTRUCTORS) + r")\s*\(\s*label:\s*")
SWIFT_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')

# PromQL words that are not metric names when not followed by "(".
KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "offset", "inf", "nan",
}
# Followed by a parenthesised list of label names, not an expression.
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}


class Problems:
    def __init__(self):
        self.items = []

    def add(self, where, message):
        self.items.append(f"{where}: {message}")


# ---------------------------------------------------------------- the code


def registered_metrics(sources):
    """{name: type} of every metric a swift-metrics constructor makes under
    `sources`, and the places whose label is not a string literal."""
    metrics = {}
    unchecked = []
    for directory, _, files in os.walk(sources):
        for file in sorted(files):
            if not file.endswith(".swift"):
                continue
            path = os.path.join(directory, file)
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
            for call in CONSTRUCTOR_CALL.finditer(text):
                kind = CONSTRUCTORS[call.group(1)]
                literal = SWIFT_STRING.match(text, call.end())
                line = text.count("\n", 0, call.start()) + 1
                where = f"{os.path.relpath(path, os.path.dirname(sources))}:{line}"
                if not literal or "\\(" in literal.group(1):
                    unchecked.append(where)
                    continue
                name = literal.group(1)
                if not METRIC_NAME.match(name):
                    continue  # a DispatchQueue or Logger label, say
                if call.group(1) == "Recorder":
                    arguments = text[call.end() : text.find(")", literal.end()) + 1]
                    if re.search(r"aggregate:\s*false", arguments):
                        kind = "gauge"
                previous = metrics.get(name)
                if previous and previous[0] != kind:
                    raise SystemExit(f"{where}: {name} is a {kind} here but a {previous[0]} at {previous[1]}")
                metrics.setdefault(name, (kind, where))
    return {name: kind for name, (kind, _) in metrics.items()}, unchecked


def series_names(metrics):
    """The series names swift-prometheus exposes for `metrics`."""
    names = set()
    for name, kind in metrics.items():
        if kind == "histogram":
            names.update(name + suffix for suffix in HISTOGRAM_SUFFIXES)
        else:
            names.add(name)
    return names


def exposition_metrics(url):
    """The series names of a text exposition, and {metric: type} from its # TYPE lines."""
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode("utf-8")
    series = set()
    types = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(None, 3)
            types[name] = kind.strip()
        elif line.strip() and not line.startswith("#"):
            series.add(re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0))
    return series, types


# ----------------------------------------------------------------- PromQL


def tokens(expr):
    """PromQL tokens: (kind, text). Kinds: string, braces ({...}),
    brackets ([...]), ident, number, variable, space, punct."""
    i = 0
    out = []
    while i < len(expr):
        c = expr[i]
        if c in "\"'`":
            j = i + 1
            while j < len(expr) and expr[j] != c:
                j += 2 if expr[j] == "\\" and c != "`" else 1
            out.append(("string", expr[i : j + 1]))
            i = j + 1
        elif c in "{[":
            close = "}" if c == "{" else "]"
            j = i + 1
            while j < len(expr) and expr[j] != close:
                if expr[j] in "\"'`":
                    quote = expr[j]
                    j += 1
                    while j < len(expr) and expr[j] != quote:
                        j += 2 if expr[j] == "\\" and quote != "`" else 1
                j += 1
            out.append(("braces" if c == "{" else "brackets", expr[i : j + 1]))
            i = j + 1
        elif c == "$":
            m = re.compile(r"\$(\{[^}]*\}|\w+)").match(expr, i)
            text = m.group(0) if m else c
            out.append(("variable", text))
            i += len(text)
        elif c.isdigit() or (c == "." and i + 1 < len(expr) and expr[i + 1].isdigit()):
            # 0.99, 1e+3, 0x1f, and durations: 5m, 1h30m.
            m = re.compile(r"0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?[a-zA-Z0-9_]*").match(expr, i)
            out.append(("number", m.group(0)))
            i = m.end()
        elif c.isalpha() or c in "_:":
            m = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*").match(expr, i)
            out.append(("ident", m.group(0)))
            i = m.end()
        elif c.isspace():
            m = re.compile(r"\s+").match(expr, i)
            out.append(("space", m.group(0)))
            i = m.end()
        else:
            out.append(("punct", c))
            i += 1
    return out


def selectors(expr):
    """(metric name, label matchers or "") of every vector selector in `expr`."""
    found = []
    toks = [t for t in tokens(expr) if t[0] != "space"]
    i = 0
    while i < len(toks):
        kind, text = toks[i]
        following = toks[i + 1] if i + 1 < len(toks) else ("", "")
        if kind == "ident":
            if text.lower() in GROUPING and following == ("punct", "("):
                depth = 0
                while i < len(toks):  # skip the label list
                    if toks[i] == ("punct", "("):
                        depth += 1
                    elif toks[i] == ("punct", ")"):
                        depth -= 1
                        if depth == 0:
                            break
                    i += 1
            elif following == ("punct", "(") or (following[0] == "ident" and following[1].lower() in ("by", "without")):
                pass  # a function, or an aggregation (`sum(...)`, `sum by (le) (...)`)
            elif text.lower() in KEYWORDS:
                pass
            else:
                found.append((text, following[1] if following[0] == "braces" else ""))
        elif kind == "braces" and (i == 0 or toks[i - 1][0] != "ident"):
            # {__name__="m", ...}: a selector without a name in front.
            name = re.search(r'\b__name__\s*=\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"', text)
            if name:
                found.append((name.group(1), text))
        i += 1
    return found


def variable_query_metrics(query):
    """Metrics a Prometheus query variable reads: label_values(m, label),
    label_values(label) (none), metrics(regex) (none), query_result(expr)."""
    query = query.strip()
    m = re.match(r"label_values\s*\((.*)\)\s*$", query, re.S)
    if m:
        # The metric (with its matchers) comes before the last comma, if any.
        inner = tokens(m.group(1))
        commas = [index for index, token in enumerate(inner) if token == ("punct", ",")]
        if not commas:
            return []
        return selectors("".join(text for _, text in inner[: commas[-1]]))
    m = re.match(r"query_result\s*\((.*)\)\s*$", query, re.S)
    if m:
        return selectors(m.group(1))
    if re.match(r"metrics\s*\(", query):
        return []
    return selectors(query)


# --------------------------------------------------------------- the dashboard


def all_panels(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel, True
        for inner in panel.get("panels", []) or []:  # a collapsed row's panels
            yield inner, False


def datasource_variables(dashboard, problems):
    names = set()
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "datasource":
            if variable.get("query") != "prometheus":
                problems.add(f"variable {variable.get('name')}", "data source variable is not of type prometheus")
            else:
                names.add(variable.get("name"))
    if not names:
        problems.add("templating", "no data source variable of type prometheus")
    return names


def uses_variable(datasource, names):
    if isinstance(datasource, str):
        uid = datasource
    elif isinstance(datasource, dict):
        if datasource.get("type") not in (None, "prometheus"):
            return False
        uid = datasource.get("uid", "")
    else:
        return False
    return any(uid in (f"${name}", f"${{{name}}}") for name in names)


def check_layout(dashboard, problems):
    ids = {}
    boxes = []
    for panel, top_level in all_panels(dashboard):
        where = f"panel {panel.get('id')} ({panel.get('title', '')!r})"
        pid = panel.get("id")
        if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
            problems.add(where, "id is not a positive integer")
        elif pid in ids:
            problems.add(where, f"id {pid} is also panel {ids[pid]!r}'s")
        else:
            ids[pid] = panel.get("title", "")
        grid = panel.get("gridPos")
        keys = ("x", "y", "w", "h")
        if not isinstance(grid, dict) or not all(isinstance(grid.get(k), int) for k in keys):
            problems.add(where, "no gridPos with integer x, y, w and h")
            continue
        x, y, w, h = (grid[k] for k in keys)
        if x < 0 or y < 0 or w <= 0 or h <= 0 or x + w > GRID_WIDTH:
            problems.add(where, f"gridPos {grid} is outside the {GRID_WIDTH}-column grid")
        if top_level:
            for other, (ox, oy, ow, oh) in boxes:
                if x < ox + ow and ox < x + w and y < oy + oh and oy < y + h:
                    problems.add(where, f"gridPos overlaps panel {other}")
            boxes.append((pid, (x, y, w, h)))
    return len(ids)


def check(dashboard, known, types, problems):
    """`known`: the series names there are; `types`: {metric: type} when known."""
    names = datasource_variables(dashboard, problems)
    variables = {v.get("name") for v in dashboard.get("templating", {}).get("list", [])}
    scoped = [label for label in ("job", "instance") if label in variables]
    count = check_layout(dashboard, problems)
    if dashboard.get("schemaVersion") is None:
        problems.add("dashboard", "no schemaVersion")

    used = {}  # metric name -> the places that select it

    def check_selectors(where, found):
        for name, matchers in found:
            used.setdefault(name, []).append(where)
            for label in scoped:
                if not re.search(r"\b" + label + r'\s*=~?\s*"\$\{?' + label + r"\b", matchers):
                    problems.add(where, f'{name} is not filtered by {label}=~"${label}"')

    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") != "query":
            continue
        where = f"variable {variable.get('name')}"
        if not uses_variable(variable.get("datasource"), names):
            problems.add(where, "data source is not the data source variable")
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query", "")
        found = variable_query_metrics(query or "")
        for name, _ in found:
            used.setdefault(name, []).append(where)

    queries = 0
    for panel, _ in all_panels(dashboard):
        if panel.get("type") == "row":
            continue
        where = f"panel {panel.get('id')} ({panel.get('title', '')!r})"
        if not uses_variable(panel.get("datasource"), names):
            problems.add(where, "data source is not the data source variable")
        targets = panel.get("targets") or []
        if not targets:
            problems.add(where, "no queries")
        for target in targets:
            if "datasource" in target and not uses_variable(target["datasource"], names):
                problems.add(f"{where} query {target.get('refId')}", "data source is not the data source variable")
            expr = target.get("expr", "")
            if not expr.strip():
                problems.add(f"{where} query {target.get('refId')}", "no expr")
                continue
            queries += 1
            found = selectors(expr)
            if not found:
                problems.add(f"{where} query {target.get('refId')}", "selects no metric")
            check_selectors(f"{where} query {target.get('refId')}", found)

    for name, places in sorted(used.items()):
        if name in known:
            continue
        base = next((name[: -len(s)] for s in HISTOGRAM_SUFFIXES if name.endswith(s)), None)
        if types.get(name) == "histogram":
            why = f" (a histogram: exported as {name}_bucket, {name}_sum and {name}_count)"
        elif base in types:
            why = f" ({base} is a {types[base]}, not a histogram)"
        else:
            why = ""
        problems.add(f"unknown metric {name}{why}", "in " + "; ".join(dict.fromkeys(places)))
    return count, queries, used


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dashboard", nargs="?", default=os.path.join(here, "kcp-ingress.json"))
    parser.add_argument("--sources", default=os.path.join(here, "..", "..", "Sources"),
                        help="the Swift sources to read metric names from (default: the repository's Sources)")
    parser.add_argument("--metrics-url", help="check against this live exposition instead of the sources")
    parser.add_argument("--list", action="store_true", help="print the metrics the sources register, and exit")
    arguments = parser.parse_args()

    if arguments.list:
        registered, _ = registered_metrics(os.path.normpath(arguments.sources))
        for name, kind in sorted(registered.items()):
            print(f"{name} {kind}")
        return 0

    problems = Problems()
    try:
        with open(arguments.dashboard, encoding="utf-8") as handle:
            dashboard = json.load(handle)
    except (OSError, json.JSONDecodeError) as error:
        print(f"{arguments.dashboard}: {error}", file=sys.stderr)
        return 1
    if not isinstance(dashboard, dict):
        print(f"{arguments.dashboard}: not a dashboard object", file=sys.stderr)
        return 1

    if arguments.metrics_url:
        try:
            known, types = exposition_metrics(arguments.metrics_url)
        except (OSError, ValueError) as error:
            print(f"{arguments.metrics_url}: {error}", file=sys.stderr)
            return 1
        origin = f"{len(known)} series names at {arguments.metrics_url}"
    else:
        sources = os.path.normpath(arguments.sources)
        if not os.path.isdir(sources):
            print(f"{sources}: no such directory", file=sys.stderr)
            return 1
        registered, unchecked = registered_metrics(sources)
        if not registered:
            print(f"{sources}: no metric found", file=sys.stderr)
            return 1
        for where in unchecked:
            problems.add(where, "a metric whose label is not a string literal: its name cannot be checked")
        known = series_names(registered)
        types = registered
        origin = f"{len(registered)} metrics registered in {os.path.relpath(sources)}"

    panels, queries, used = check(dashboard, known, types, problems)
    if problems.items:
        for item in problems.items:
            print(item, file=sys.stderr)
        print(f"{arguments.dashboard}: {len(problems.items)} problem(s)", file=sys.stderr)
        return 1
    print(f"{os.path.relpath(arguments.dashboard)}: {panels} panels, {queries} queries, "
          f"{len(used)} metric names, all among {origin}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Writes the README's flag tables from the binary's own description of its
flags (`kcp-ingress <command> --experimental-dump-help`), between the
markers <!-- flags:COMMAND --> and <!-- /flags:COMMAND -->.

    contrib/flag-table.py [--binary .build/debug/kcp-ingress] README.md

The test suite holds the tables against the binary (FlagTableTests), so a
flag added, renamed or re-described without running this fails `make test`.
"""
import argparse
import json
import re
import subprocess
import sys


def rows(binary, command):
    dump = json.loads(subprocess.run([binary, command, "--experimental-dump-help"], check=True,
                                     capture_output=True, text=True).stdout)
    lines = ["| flag | default | what it does |", "|---|---|---|"]
    for argument in dump["command"].get("arguments", []):
        if not argument.get("shouldDisplay", True) or argument["kind"] == "positional":
            continue
        name = argument["preferredName"]["name"]
        if name in ("help", "version"):
            continue
        default = argument.get("defaultValue")
        if argument["kind"] == "flag":
            default = "off"
        cell = f"`{default}`" if default not in (None, "", "off") else (default or "—")
        text = argument.get("abstract", "").replace("|", "\\|")
        lines.append(f"| `--{name}` | {cell} | {text} |")
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/kcp-ingress")
    parser.add_argument("readme")
    options = parser.parse_args()
    text = open(options.readme, encoding="utf-8").read()
    for command in re.findall(r"<!-- flags:([a-z-]+) -->", text):
        table = "\n".join(rows(options.binary, command))
        text = re.sub(rf"(<!-- flags:{command} -->)\n.*?(<!-- /flags:{command} -->)",
                      lambda m: m.group(1) + "\n" + table + "\n" + m.group(2), text, flags=re.S)
    open(options.readme, "w", encoding="utf-8").write(text)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# Regenerates Sources/EnvoyAPI, the Swift types of the part of Envoy's v3 API
# that kcp-ingress uses. A normal build never runs this: its output is committed.
#
# What it does:
#   1. installs protoc (Debian's protobuf-compiler) if it is missing, and builds
#      protoc-gen-swift from the swift-protobuf package this package depends on;
#   2. compiles contrib/envoy-api/protos into Sources/EnvoyAPI/*.pb.swift;
#   3. installs Envoy's own descriptors (PyPI's xds-protos) into a temporary
#      virtualenv and checks every message, field, oneof, enum value and
#      service method of the subset against them (contrib/envoy-api/check.py),
#      failing on any difference;
#   4. writes the fixtures of EnvoyAPITests with Envoy's Python classes
#      (contrib/envoy-api/make-fixtures.py).
#
# The protos are a faithful subset: Envoy's file paths, packages, message
# names, field names, numbers and types, keeping only what we use and none of
# the validation or annotation options. To add a message or a field, copy its
# declaration from Envoy's proto of the same path (its name, number and type
# exactly; an enum with all its values; a oneof member inside its oneof),
# add the file to PROTOS below if it is new, and run this script.
#
# Environment: XDS_PROTOS_VERSION (default below) picks the upstream to check
# against; PYTHON (default python3) makes the virtualenv; PROTOC_GEN_SWIFT
# skips building the plugin.
set -euo pipefail
cd "$(dirname "$0")/.."

XDS_PROTOS_VERSION=${XDS_PROTOS_VERSION:-1.85.0}
PYTHON=${PYTHON:-python3}
PROTO_ROOT=contrib/envoy-api/protos
OUT=Sources/EnvoyAPI
FIXTURES=Tests/EnvoyAPITests/Fixtures
PROTOS=(
    google/rpc/status.proto
    envoy/config/core/v3/address.proto
    envoy/config/core/v3/base.proto
    envoy/config/core/v3/config_source.proto
    envoy/config/core/v3/grpc_service.proto
    envoy/config/listener/v3/listener.proto
    envoy/config/listener/v3/listener_components.proto
    envoy/config/route/v3/route.proto
    envoy/config/route/v3/route_components.proto
    envoy/config/cluster/v3/cluster.proto
    envoy/config/endpoint/v3/endpoint.proto
    envoy/config/endpoint/v3/endpoint_components.proto
    envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto
    envoy/extensions/filters/http/router/v3/router.proto
    envoy/service/discovery/v3/ads.proto
    envoy/service/discovery/v3/discovery.proto
    envoy/type/matcher/v3/regex.proto
    envoy/type/matcher/v3/string.proto
)

listed=$(printf '%s\n' "${PROTOS[@]}" | sort)
present=$(cd "$PROTO_ROOT" && find . -name '*.proto' | sed 's|^\./||' | sort)
if [ "$listed" != "$present" ]; then
    echo "PROTOS does not list exactly the files under $PROTO_ROOT:" >&2
    diff <(echo "$listed") <(echo "$present") >&2 || true
    exit 1
fi

if ! command -v protoc >/dev/null; then
    echo "installing protoc (protobuf-compiler)"
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends protobuf-compiler
fi
# The well-known types (Any, Duration, wrappers) ship with protoc.
WKT_INCLUDE=$(dirname "$(dirname "$(command -v protoc)")")/include
[ -f "$WKT_INCLUDE/google/protobuf/any.proto" ] || WKT_INCLUDE=/usr/include

# PROTOC_GEN_SWIFT names a plugin already built (from the same swift-protobuf).
PLUGIN=${PROTOC_GEN_SWIFT:-}
if [ -z "$PLUGIN" ]; then
    swift build --product protoc-gen-swift
    PLUGIN="$(swift build --show-bin-path)/protoc-gen-swift"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

rm -f "$OUT"/*.pb.swift
mkdir -p "$OUT"
protoc \
    --proto_path="$PROTO_ROOT" \
    --proto_path="$WKT_INCLUDE" \
    --plugin=protoc-gen-swift="$PLUGIN" \
    --swift_out="$OUT" \
    --swift_opt=Visibility=Public \
    --swift_opt=FileNaming=PathToUnderscores \
    --swift_opt=UseAccessLevelOnImports=true \
    --descriptor_set_out="$WORK/subset.pb" \
    --include_imports \
    "${PROTOS[@]}"

"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check "xds-protos==$XDS_PROTOS_VERSION"
"$WORK/venv/bin/python" contrib/envoy-api/check.py "$WORK/subset.pb"
"$WORK/venv/bin/python" contrib/envoy-api/make-fixtures.py "$FIXTURES"

echo "generated $(cat "$OUT"/*.pb.swift | wc -l) lines in $OUT"

"""Write the wire-compatibility fixtures of EnvoyAPITests with Envoy's own
Python classes (the xds-protos package).

Usage: make-fixtures.py OUTPUT_DIR
EnvoyAPITests decodes these bytes with the generated Swift types and expects
the field values set here, so a wrong field number or type in the subset fails
the tests. Keep the values here and in the test in step.
"""

import os
import sys

from envoy.config.core.v3 import config_source_pb2
from envoy.config.route.v3 import route_pb2
from envoy.service.discovery.v3 import discovery_pb2


def discovery_request():
    request = discovery_pb2.DiscoveryRequest(
        version_info="7",
        resource_names=["kcp-ingress", "other"],
        type_url="type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
        response_nonce="nonce-3",
    )
    request.node.id = "kcp-ingress"
    request.node.cluster = "kcp"
    request.node.user_agent_name = "envoy"
    request.node.user_agent_version = "1.36.2"
    request.error_detail.code = 3
    request.error_detail.message = "unknown cluster"
    return request


def route_configuration():
    config = route_pb2.RouteConfiguration(name="kcp-ingress")
    config.validate_clusters.value = False
    config.vhds.config_source.ads.SetInParent()
    config.vhds.config_source.resource_api_version = config_source_pb2.V3

    host = config.virtual_hosts.add(name="default/web", domains=["web.example.com", "*.web.example.com"])

    split = host.routes.add(name="split")
    split.match.path_separated_prefix = "/api"
    split.match.case_sensitive.value = True
    header = split.match.headers.add(name="x-canary")
    header.string_match.exact = "yes"
    header.invert_match = True
    query = split.match.query_parameters.add(name="debug")
    query.present_match = True
    for name, weight in (("gateway-a", 3), ("gateway-b", 1)):
        cluster = split.route.weighted_clusters.clusters.add(name=name)
        cluster.weight.value = weight
    split.route.timeout.seconds = 15
    split.route.upgrade_configs.add(upgrade_type="websocket").enabled.value = True
    split.route.cluster_not_found_response_code = 1  # NOT_FOUND

    regex = host.routes.add(name="regex")
    regex.match.safe_regex.google_re2.SetInParent()
    regex.match.safe_regex.regex = "^/v[0-9]+/.*$"
    regex.route.cluster = "gateway-a"

    missing = host.routes.add(name="missing")
    missing.match.prefix = "/"
    missing.direct_response.status = 404
    missing.direct_response.body.inline_string = "no backend"
    return config


def main(directory):
    os.makedirs(directory, exist_ok=True)
    for name, message in (
        ("discovery-request.binpb", discovery_request()),
        ("route-configuration.binpb", route_configuration()),
    ):
        with open(os.path.join(directory, name), "wb") as f:
            f.write(message.SerializeToString(deterministic=True))
    print(f"fixtures written to {directory}")


if __name__ == "__main__":
    main(sys.argv[1])

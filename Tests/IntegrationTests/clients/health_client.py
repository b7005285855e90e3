"""grpcio's own client against the gRPC health service: Check, then Watch,
printing one line per observation for the Swift test to read."""

import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

mode, port = sys.argv[1], sys.argv[2]
channel = grpc.insecure_channel("127.0.0.1:%s" % port)
stub = health_pb2_grpc.HealthStub(channel)

if mode == "check":
    response = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
    print("check %s" % health_pb2.HealthCheckResponse.ServingStatus.Name(response.status), flush=True)
    try:
        stub.Check(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=10)
    except grpc.RpcError as error:
        print("unknown service %s" % error.code().name, flush=True)
    try:
        channel.unary_unary("/no.such.Service/Method")(b"", timeout=10)
    except grpc.RpcError as error:
        print("unknown method %s" % error.code().name, flush=True)

if mode == "watch":
    try:
        for response in stub.Watch(health_pb2.HealthCheckRequest(service=""), timeout=60):
            print("watch %s" % health_pb2.HealthCheckResponse.ServingStatus.Name(response.status), flush=True)
        print("watch ended", flush=True)
    except grpc.RpcError as error:
        print("watch error %s" % error.code().name, flush=True)

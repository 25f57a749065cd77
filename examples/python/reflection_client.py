#!/usr/bin/python3
"""What a generic gRPC client sees of spindled through server reflection
(examples/python/README.md): the services it serves, the methods of one of
them, and a call made from the descriptors the daemon sends, without any
stubs generated from Spindle's own .proto files.

  PYTHONPATH=build/host/examples/python/gen \\
      /usr/bin/python3 examples/python/reflection_client.py --connect 127.0.0.1:50051

Only the standard reflection stubs (grpc_reflection.v1alpha) are generated
ahead of time. Exit status: 0 on success, 1 when the daemon does not answer
or refuses, 2 for bad arguments.
"""

import argparse
import os
import sys

PROG = "reflection_client"

try:
    import grpc
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format
except ImportError as e:  # pragma: no cover - depends on the installation
    sys.exit(f"{PROG}: {e}; install Debian's python3-grpcio and python3-protobuf "
             "(scripts/setup.sh) and run with /usr/bin/python3")
try:
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
except ImportError as e:
    sys.exit(f"{PROG}: {e}: the generated stubs are not on PYTHONPATH; build them with "
             "`ninja -C BUILD spindle_python_stubs` and set PYTHONPATH=BUILD/examples/python/gen")


DEFAULT_ADDRESS = "127.0.0.1:50051"  # where spindled listens by default


def default_address(environ=os.environ):
    """$SPINDLE_CONNECT (as `spindle` reads it), else the old $SPINDLE_DAEMON, else spindled's default."""
    if environ.get("SPINDLE_CONNECT"):
        return environ["SPINDLE_CONNECT"]
    if environ.get("SPINDLE_DAEMON"):
        print(f"{PROG}: warning: SPINDLE_DAEMON is deprecated; set SPINDLE_CONNECT (the name `spindle --connect` "
              "reads)", file=sys.stderr)
        return environ["SPINDLE_DAEMON"]
    return DEFAULT_ADDRESS


class ReflectionError(Exception):
    pass


def ask(stub, request, timeout):
    """One request on the bidirectional reflection stream, one response back."""
    responses = list(stub.ServerReflectionInfo(iter([request]), timeout=timeout))
    if len(responses) != 1:
        raise ReflectionError(f"expected one reflection response, got {len(responses)}")
    r = responses[0]
    if r.HasField("error_response"):
        code = r.error_response.error_code
        names = {c.value[0]: c.name for c in grpc.StatusCode}
        raise ReflectionError(f"{names.get(code, code)}: {r.error_response.error_message}")
    return r


def list_services(stub, timeout):
    r = ask(stub, reflection_pb2.ServerReflectionRequest(list_services=""), timeout)
    return sorted(s.name for s in r.list_services_response.service)


def pool_for_symbol(stub, symbol, timeout):
    """A descriptor pool holding the file that defines `symbol` and its imports."""
    r = ask(stub, reflection_pb2.ServerReflectionRequest(file_containing_symbol=symbol), timeout)
    files = {}
    for blob in r.file_descriptor_response.file_descriptor_proto:
        f = descriptor_pb2.FileDescriptorProto.FromString(blob)
        files[f.name] = f
    pool = descriptor_pool.DescriptorPool()
    added = set()

    def add(name):
        if name in added:
            return
        if name not in files:  # an import the daemon did not send in this response
            more = ask(stub, reflection_pb2.ServerReflectionRequest(file_by_filename=name), timeout)
            for blob in more.file_descriptor_response.file_descriptor_proto:
                f = descriptor_pb2.FileDescriptorProto.FromString(blob)
                files.setdefault(f.name, f)
            if name not in files:
                raise ReflectionError(f"the daemon did not send {name}")
        for dep in files[name].dependency:  # imports first
            add(dep)
        pool.Add(files[name])
        added.add(name)

    for name in list(files):
        add(name)
    return pool


def message_class(descriptor):
    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(descriptor.file.pool).GetPrototype(descriptor)


def main(argv):
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.add_argument("--connect", default=None,
                   help=f"daemon address host:port or unix:PATH (default: $SPINDLE_CONNECT or {DEFAULT_ADDRESS})")
    p.add_argument("--service", default="spindle.v1.Spindle", help="service to describe")
    p.add_argument("--call", default="DescribeMachine",
                   help="method of --service to call with an empty request (unary methods only)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each answer")
    args = p.parse_args(argv)
    if args.connect is None:
        args.connect = default_address()

    with grpc.insecure_channel(args.connect) as channel:
        try:
            grpc.channel_ready_future(channel).result(timeout=args.timeout)
        except grpc.FutureTimeoutError:
            print(f"{PROG}: no daemon answers at {args.connect} (waited {args.timeout:g} s)", file=sys.stderr)
            return 1
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        try:
            services = list_services(stub, args.timeout)
            print("services: " + ", ".join(services))
            if args.service not in services:
                print(f"{PROG}: the daemon does not serve {args.service}", file=sys.stderr)
                return 1
            pool = pool_for_symbol(stub, args.service, args.timeout)
            service = pool.FindServiceByName(args.service)
            print(f"{service.full_name} methods:")
            for m in service.methods:
                streams = ("stream " if m.client_streaming else "", "stream " if m.server_streaming else "")
                print(f"  {m.name}({streams[0]}{m.input_type.full_name}) returns "
                      f"({streams[1]}{m.output_type.full_name})")
            method = service.methods_by_name.get(args.call)
            if method is None:
                print(f"{PROG}: {args.service} has no method {args.call}", file=sys.stderr)
                return 2
            if method.client_streaming or method.server_streaming:
                print(f"{PROG}: {args.call} streams; only unary methods can be called here", file=sys.stderr)
                return 2
            request_cls, response_cls = message_class(method.input_type), message_class(method.output_type)
            call = channel.unary_unary(f"/{service.full_name}/{method.name}",
                                       request_serializer=request_cls.SerializeToString,
                                       response_deserializer=response_cls.FromString)
            response = call(request_cls(), timeout=args.timeout)
        except ReflectionError as e:
            print(f"{PROG}: reflection: {e}", file=sys.stderr)
            return 1
        except grpc.RpcError as e:
            print(f"{PROG}: {e.code().name}: {e.details()}", file=sys.stderr)
            return 1
        print(f"{method.name} -> {method.output_type.full_name}:")
        print(text_format.MessageToString(response), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

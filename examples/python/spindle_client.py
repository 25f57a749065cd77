#!/usr/bin/python3
"""Spindle example client: submit a network to spindled, run it and watch the
spikes stream in (examples/python/README.md).

  PYTHONPATH=build/host/examples/python/gen \\
      /usr/bin/python3 examples/python/spindle_client.py \\
      --connect 127.0.0.1:50051 examples/networks/cuba.textproto

It checks the daemon's standard health service, submits the network (a
text-format spindle.v1.Network, parsed here with google.protobuf.text_format),
optionally injects spikes, runs the job with streaming, prints per-population
spike counts and rates as the batches arrive, then the same per-population
table as `spindle run` and the job's provenance.

Exit status: 0 for a completed run, 1 when the daemon refuses a call or the
run does not complete (the gRPC status code and message are printed, and for
an invalid network every "field.path: message"), 2 for bad arguments or an
unreadable network file.
"""

import argparse
import csv
import os
import signal
import sys
import time

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PROG = "spindle_client"

try:
    import grpc
    from google.protobuf import text_format
except ImportError as e:  # pragma: no cover - depends on the installation
    sys.exit(f"{PROG}: {e}; install Debian's python3-grpcio and python3-protobuf "
             "(scripts/setup.sh) and run with /usr/bin/python3")
try:
    from spindle.v1 import network_pb2, service_pb2, service_pb2_grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc
except ImportError as e:
    sys.exit(f"{PROG}: {e}: the generated stubs are not on PYTHONPATH; build them with "
             "`ninja -C BUILD spindle_python_stubs` and set PYTHONPATH=BUILD/examples/python/gen")

VALIDATION_ERRORS_KEY = "spindle-validation-errors-bin"  # service.proto, SubmitNetwork


def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    default_net = os.path.normpath(os.path.join(here, "..", "networks", "cuba.textproto"))
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.add_argument("network", nargs="?", default=default_net,
                   help="text-format spindle.v1.Network (default: examples/networks/cuba.textproto)")
    p.add_argument("--connect", default=os.environ.get("SPINDLE_DAEMON", "127.0.0.1:50051"),
                   help="daemon address host:port (default: $SPINDLE_DAEMON or 127.0.0.1:50051)")
    p.add_argument("--duration", type=float, default=0.0,
                   help="biological time to run, ms (default: the network's run.duration_ms)")
    p.add_argument("--chunk-ticks", type=int, default=0,
                   help="ticks per engine chunk between streamed batches (default: the daemon's)")
    p.add_argument("--real-time", action="store_true", help="pace ticks to the wall clock")
    p.add_argument("--inject", action="append", default=[], metavar="POP:IDS@TICK",
                   help="make neurons of a population spike at a job tick before the run, e.g. "
                        "exc:0,5,10-19@100 (repeatable)")
    p.add_argument("--spikes-csv", metavar="FILE",
                   help="write every streamed spike as population,neuron,tick")
    p.add_argument("--updates", type=int, default=10,
                   help="streaming lines to print per run (at progress events; 0: none)")
    p.add_argument("--keep-job", action="store_true",
                   help="leave the job on the daemon afterwards (default: delete it)")
    p.add_argument("--timeout", type=float, default=30.0,
                   help="seconds to wait for the daemon to answer unary calls")
    p.add_argument("--client-name", help="identity to own jobs by (the spindle-client metadata; "
                   "default: the daemon uses this connection's address)")
    p.add_argument("--tls-ca", metavar="PEM", help="connect with TLS, trusting this CA certificate")
    args = p.parse_args(argv)
    # A daemon started with a token file wants "authorization: Bearer TOKEN"
    # on every call (docs/daemon.md); the token comes from the environment so
    # that it stays out of process listings.
    args.metadata = []
    if args.client_name:
        args.metadata.append(("spindle-client", args.client_name))
    if os.environ.get("SPINDLE_TOKEN"):
        args.metadata.append(("authorization", "Bearer " + os.environ["SPINDLE_TOKEN"]))
    if args.duration < 0:
        p.error("--duration must be >= 0")
    if args.chunk_ticks < 0:
        p.error("--chunk-ticks must be >= 0")
    try:
        args.inject = [parse_inject(s) for s in args.inject]
    except ValueError as e:
        p.error(str(e))
    return args


def parse_inject(spec):
    """'exc:0,5,10-19@100' -> ('exc', [0, 5, 10, ..., 19], 100)."""
    pop, sep, rest = spec.partition(":")
    ids_text, at, tick_text = rest.partition("@")
    if not pop or not sep or not ids_text or not at:
        raise ValueError(f"--inject {spec!r}: expected POP:IDS@TICK, e.g. exc:0,5,10-19@100")
    ids = []
    try:
        for part in ids_text.split(","):
            lo, dash, hi = part.partition("-")
            ids.extend(range(int(lo), int(hi) + 1) if dash else [int(lo)])
        tick = int(tick_text)
    except ValueError:
        raise ValueError(f"--inject {spec!r}: neuron ids and tick must be non-negative integers") from None
    if tick < 0 or any(i < 0 for i in ids):
        raise ValueError(f"--inject {spec!r}: neuron ids and tick must be non-negative integers")
    return pop, ids, tick


def load_network(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return text_format.Parse(text, network_pb2.Network())


def describe_rpc_error(call_name, err):
    """One line per problem: the status, then the field paths of an invalid network."""
    lines = [f"{PROG}: {call_name}: {err.code().name}: {err.details()}"]
    for key, value in (err.trailing_metadata() or ()):
        if key == VALIDATION_ERRORS_KEY:
            errors = service_pb2.ValidationErrors.FromString(value)
            lines += [f"{PROG}:   {e.path}: {e.message}" for e in errors.errors]
    return "\n".join(lines)


def check_health(channel, timeout, metadata):
    stub = health_pb2_grpc.HealthStub(channel)
    try:
        reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout, metadata=metadata)
    except grpc.RpcError as e:
        return f"health: {e.code().name} ({e.details()})"
    return "health: " + health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


def inject_requests(job_id, injections):
    for pop, ids, tick in injections:
        yield service_pb2.InjectRequest(job_id=job_id, population=pop, neuron_ids=ids, tick=tick)


class SpikeTally:
    """Per-population spike counts as batches stream in."""

    def __init__(self, populations, dt_ms, csv_path):
        self.sizes = {p.index: p.size for p in populations}
        self.labels = {p.index: p.label for p in populations}
        self.counts = {p.index: 0 for p in populations}
        self.dt_ms = dt_ms
        self.csv = open(csv_path, "w", encoding="utf-8", newline="") if csv_path else None
        # RFC 4180 quoting (as `spindle run` writes): a label from the daemon
        # holding a comma, quote or line break stays one field.
        self.writer = csv.writer(self.csv, lineterminator="\n") if self.csv else None
        if self.csv:
            self.writer.writerow(["population", "neuron", "tick"])
        self.batches = 0

    def add(self, batch):
        self.batches += 1
        self.counts[batch.population_index] = self.counts.get(batch.population_index, 0) + len(batch.neuron_ids)
        if self.csv:
            label = batch.population
            self.writer.writerows((label, n, t) for n, t in zip(batch.neuron_ids, batch.ticks))

    def rate_hz(self, index, ticks):
        seconds = ticks * self.dt_ms / 1000.0
        size = self.sizes.get(index, 0)
        return self.counts[index] / size / seconds if seconds > 0 and size else 0.0

    def line(self, ticks):
        return "  ".join(f"{self.labels[i]} {self.counts[i]} ({self.rate_hz(i, ticks):.2f} Hz)"
                         for i in sorted(self.counts))

    def close(self):
        if self.csv:
            self.csv.close()


def print_provenance(final, drops):
    p = final.provenance
    print(f"provenance: {p.ticks} ticks, {p.neuron_updates} neuron updates, {p.synaptic_events} synaptic events, "
          f"{p.spikes} spikes, {p.injected_spikes} injected, {p.wall_seconds:.3f} s engine time, "
          f"{p.late_ticks} late ticks")
    f = p.fabric
    dropped = sum(f.dropped.values())
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(f.dropped.items()) if v) or "none"
    print(f"fabric: {f.injected} injected, {f.delivered} delivered ({f.delivered_late} late), "
          f"{f.emergency_routed} emergency-routed, {f.dumped} dumped, {f.reinjected} reinjected, "
          f"{dropped} dropped ({reasons})")
    c = p.cores
    print(f"core drops: {c.input_queue_overflows} input-queue overflows, {c.packets_send_failed} refused sends, "
          f"{c.spike_records_dropped} spike records, {c.state_records_dropped} state records")
    print(f"stream drops: {drops.dropped_batches} batches ({drops.dropped_spikes} spikes), "
          f"{drops.dropped_progress} progress events")


def run_job(stub, args, job_id):
    """Streams one Run; returns (exit code, message)."""
    call = stub.Run(service_pb2.RunRequest(job_id=job_id, duration_ms=args.duration,
                                           chunk_ticks=args.chunk_ticks), metadata=args.metadata)
    # Ctrl-C cancels the call; the daemon then ends the run and the stream
    # still delivers RunFinal (CANCELLED) or the CANCELLED status.
    previous = signal.signal(signal.SIGINT, lambda *_: call.cancel())
    tally, final, drops, next_update = None, None, service_pb2.StreamDrops(), 0
    started = time.monotonic()
    try:
        for event in call:
            kind = event.WhichOneof("event")
            if kind == "queued":
                q = event.queued
                print(f"run: waiting in line, place {q.position} ({q.running} runs going)", flush=True)
            elif kind == "started":
                s = event.started
                tally = SpikeTally(s.populations, s.timestep_ms, args.spikes_csv)
                print(f"run: job ticks {s.first_tick}..{s.first_tick + s.ticks} "
                      f"({s.ticks} ticks of {s.timestep_ms:g} ms)", flush=True)
            elif kind == "spikes":
                tally.add(event.spikes)
            elif kind == "progress":
                pr = event.progress
                if args.updates > 0 and pr.ticks_done >= next_update and pr.ticks_done < pr.ticks_total:
                    pct = 100.0 * pr.ticks_done / pr.ticks_total if pr.ticks_total else 100.0
                    print(f"[{pct:5.1f}%] t={pr.ticks_done * tally.dt_ms:9.1f} ms  {tally.line(pr.ticks_done)}",
                          flush=True)
                    next_update = pr.ticks_done + max(1, pr.ticks_total // args.updates)
            elif kind == "drops":
                drops = event.drops
                print(f"stream fell behind: {drops.dropped_batches} batches ({drops.dropped_spikes} spikes) "
                      f"dropped so far", file=sys.stderr, flush=True)
            elif kind == "final":
                final = event.final
    except grpc.RpcError as e:
        if tally:
            tally.close()
        return EXIT_FAILED, describe_rpc_error("Run", e)
    finally:
        signal.signal(signal.SIGINT, previous)
    if tally:
        tally.close()
    if final is None:
        return EXIT_FAILED, f"{PROG}: Run: the stream ended without a RunFinal"
    if final.HasField("stream_drops"):
        drops = final.stream_drops
    wall = time.monotonic() - started

    print(f"{'population':<24} {'neurons':>8} {'spikes':>10} {'rate (Hz)':>12}")
    for i in sorted(tally.counts):
        print(f"{tally.labels[i]:<24} {tally.sizes[i]:>8} {tally.counts[i]:>10} "
              f"{tally.rate_hz(i, final.ticks_run):>12.2f}")
    status = service_pb2.RunStatus.Name(final.status)
    streamed = sum(tally.counts.values())
    print(f"run: {status}, {final.ticks_run} ticks, job tick {final.job_tick}, {streamed} spikes in "
          f"{tally.batches} batches, {wall:.2f} s wall ({streamed / wall if wall > 0 else 0:.3g} spikes/s)"
          + (f": {final.message}" if final.message else ""))
    print_provenance(final, drops)
    if final.status != service_pb2.RUN_COMPLETED:
        return EXIT_FAILED, f"{PROG}: run {status}: {final.message}"
    return EXIT_OK, None


def main(argv):
    args = parse_args(argv)
    try:
        network = load_network(args.network)
    except OSError as e:
        print(f"{PROG}: {args.network}: {e.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except (text_format.ParseError, UnicodeDecodeError) as e:
        print(f"{PROG}: {args.network}: invalid text-format spindle.v1.Network: {e}", file=sys.stderr)
        return EXIT_USAGE

    if args.tls_ca:
        try:
            with open(args.tls_ca, "rb") as f:
                credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
        except OSError as e:
            print(f"{PROG}: {args.tls_ca}: {e.strerror}", file=sys.stderr)
            return EXIT_USAGE
        channel = grpc.secure_channel(args.connect, credentials)
    else:
        channel = grpc.insecure_channel(args.connect)
    with channel:
        stub = service_pb2_grpc.SpindleStub(channel)
        try:
            grpc.channel_ready_future(channel).result(timeout=args.timeout)
        except grpc.FutureTimeoutError:
            print(f"{PROG}: no daemon answers at {args.connect} (waited {args.timeout:g} s)", file=sys.stderr)
            return EXIT_FAILED

        try:
            m = stub.DescribeMachine(service_pb2.DescribeMachineRequest(), timeout=args.timeout,
                                   metadata=args.metadata)
        except grpc.RpcError as e:
            print(describe_rpc_error("DescribeMachine", e), file=sys.stderr)
            return EXIT_FAILED
        print(f"connected to {args.connect}: spindled {m.version}, machine {m.machine} "
              f"({m.description}: {m.chips} chips, {m.application_cores} application cores)")
        print(check_health(channel, args.timeout, args.metadata))

        try:
            sub = stub.SubmitNetwork(service_pb2.SubmitNetworkRequest(
                network=network, name=os.path.basename(args.network), real_time=args.real_time),
                timeout=args.timeout, metadata=args.metadata)
        except grpc.RpcError as e:
            print(describe_rpc_error("SubmitNetwork", e), file=sys.stderr)
            return EXIT_FAILED
        job = sub.job
        print(f"job {job.job_id} ({job.name}): {job.neurons} neurons, {job.synapses} synapses on {job.cores} cores, "
              f"{len(sub.populations)} populations")

        code, message = EXIT_OK, None
        if args.inject:
            try:
                s = stub.Inject(inject_requests(job.job_id, args.inject), timeout=args.timeout,
                                metadata=args.metadata)
                print(f"injected: {s.spikes} spikes in {s.requests} requests ({s.late_spikes} late)")
            except grpc.RpcError as e:
                code, message = EXIT_FAILED, describe_rpc_error("Inject", e)
        if code == EXIT_OK:
            code, message = run_job(stub, args, job.job_id)
        if message:
            print(message, file=sys.stderr)
        if not args.keep_job:
            try:
                stub.DeleteJob(service_pb2.DeleteJobRequest(job_id=job.job_id), timeout=args.timeout,
                               metadata=args.metadata)
            except grpc.RpcError as e:
                print(describe_rpc_error("DeleteJob", e), file=sys.stderr)
                code = EXIT_FAILED
        return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

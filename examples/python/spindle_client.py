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

The daemon address, client name and token file are found as `spindle
--connect` finds them: --connect or $SPINDLE_CONNECT, --client or
$SPINDLE_CLIENT (default USER@HOST), --token-file or $SPINDLE_TOKEN_FILE.

Exit status: 0 for a completed run, 1 when the daemon refuses a call or the
run does not complete (the gRPC status code and message are printed, and for
an invalid network every "field.path: message"), 2 for bad arguments or an
unreadable network file, 130 after Ctrl-C (the job is cancelled and
deleted).
"""

import argparse
import decimal
import os
import pwd
import socket
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
EXIT_INTERRUPTED = 128 + 2  # SIGINT, as `spindle run` exits after Ctrl-C
DEFAULT_ADDRESS = "127.0.0.1:50051"  # where spindled listens by default


def warn(message):
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def default_address(environ=os.environ):
    """$SPINDLE_CONNECT (as `spindle` reads it), else the old $SPINDLE_DAEMON, else spindled's default."""
    if environ.get("SPINDLE_CONNECT"):
        return environ["SPINDLE_CONNECT"]
    if environ.get("SPINDLE_DAEMON"):
        warn("SPINDLE_DAEMON is deprecated; set SPINDLE_CONNECT (the name `spindle --connect` reads)")
        return environ["SPINDLE_DAEMON"]
    return DEFAULT_ADDRESS


def default_client_name():
    """USER@HOST, as `spindle --connect` sends it: the login name from the
    password database (not $USER, which any process may set), and the host name."""
    try:
        user = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        user = ""
    if not user:
        user = f"uid{os.geteuid()}"
    return f"{user}@{socket.gethostname()}"


def read_token(path):
    """The first line that is not blank or a comment: "NAME TOKEN" (as in
    spindled's --token-file) or only the token; as `spindle --token-file` reads it."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            if not words or words[0].startswith("#"):
                continue
            return words[1] if len(words) > 1 else words[0]
    return None


def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    default_net = os.path.normpath(os.path.join(here, "..", "networks", "cuba.textproto"))
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.add_argument("network", nargs="?", default=default_net,
                   help="text-format spindle.v1.Network (default: examples/networks/cuba.textproto)")
    p.add_argument("--connect", default=None,
                   help=f"daemon address host:port or unix:PATH (default: $SPINDLE_CONNECT or {DEFAULT_ADDRESS})")
    p.add_argument("--duration", type=float, default=0.0,
                   help="biological time to run, ms (default: the network's run.duration_ms)")
    p.add_argument("--chunk-ticks", type=int, default=0,
                   help="ticks per engine chunk between streamed batches (default: the daemon's)")
    p.add_argument("--real-time", action="store_true", help="pace ticks to the wall clock")
    p.add_argument("--inject", action="append", default=[], metavar="POP:IDS@TICK",
                   help="make neurons of a population spike at a job tick before the run, e.g. "
                        "exc:0,5,10-19@100 (repeatable)")
    p.add_argument("--spikes-csv", metavar="FILE",
                   help="write the streamed spikes as `spindle run` writes spikes.csv (population,neuron,time_ms)")
    p.add_argument("--weights-csv", metavar="FILE",
                   help="after the run, write every plastic (STDP) projection's weights: projection,pre,post,weight, "
                        "each projection's rows as `spindle run` writes <projection>.weights.csv (GetWeights)")
    p.add_argument("--updates", type=int, default=10,
                   help="streaming lines to print per run (at progress events; 0: none)")
    p.add_argument("--keep-job", action="store_true",
                   help="leave the job on the daemon afterwards (default: delete it)")
    p.add_argument("--timeout", type=float, default=30.0,
                   help="seconds to wait for the daemon to answer unary calls")
    p.add_argument("--client", "--client-name", dest="client", default=None,
                   help="the client name jobs are kept under (the spindle-client metadata; "
                        "default: $SPINDLE_CLIENT or USER@HOST; with a token, the token's name)")
    p.add_argument("--token-file", metavar="FILE", default=None,
                   help="file with the bearer token: a spindled --token-file line \"NAME TOKEN\", or the token "
                        "(default: $SPINDLE_TOKEN_FILE)")
    p.add_argument("--tls-ca", metavar="PEM", help="connect with TLS, trusting this CA certificate")
    args = p.parse_args(argv)
    if args.connect is None:
        args.connect = default_address()
    if args.client is None:
        args.client = os.environ.get("SPINDLE_CLIENT") or default_client_name()
    if args.token_file is None:
        args.token_file = os.environ.get("SPINDLE_TOKEN_FILE") or None
    # A daemon started with a token file wants "authorization: Bearer TOKEN"
    # on every call (docs/daemon.md) and names the caller by the token; else
    # jobs belong to the spindle-client name. As `spindle --connect` does.
    token = None
    if args.token_file:
        try:
            token = read_token(args.token_file)
        except (OSError, UnicodeDecodeError) as e:
            p.error(f"--token-file {args.token_file}: cannot read ({getattr(e, 'strerror', None) or e})")
        if not token:
            p.error(f"--token-file {args.token_file}: no token in it")
    elif os.environ.get("SPINDLE_TOKEN"):
        warn("SPINDLE_TOKEN is deprecated; put the token in a file and give --token-file or SPINDLE_TOKEN_FILE")
        token = os.environ["SPINDLE_TOKEN"]
    args.metadata = [("authorization", "Bearer " + token)] if token else [("spindle-client", args.client)]
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


class TickTimeFormat:
    """Spike times as `spindle run` writes them (host/cli/csv_numbers.h):
    tick x timestep with exactly the timestep's decimals (0.1 ms -> 1234.5),
    or, for a timestep of more than 9 decimals, the shortest round-trip form."""

    MAX_DECIMALS = 9

    def __init__(self, dt_ms):
        self.dt_ms = dt_ms
        self.decimals = -1
        scaled = dt_ms
        for d in range(self.MAX_DECIMALS + 1):
            if abs(scaled - round(scaled)) <= 1e-12 * abs(scaled):
                self.decimals = d
                break
            scaled *= 10

    def __call__(self, tick):
        t = tick * self.dt_ms
        if self.decimals >= 0:
            return f"{t:.{self.decimals}f}"
        return shortest(t)


def shortest(value):
    """The shortest text that reads back as `value`, fixed or scientific
    (whichever is shorter, fixed on a tie), as C++'s std::to_chars writes it."""
    if value == 0:
        return "-0" if str(value).startswith("-") else "0"
    d = decimal.Decimal(repr(value)).normalize()
    fixed = format(d, "f")
    sign, digits, exponent = d.as_tuple()
    e = len(digits) - 1 + exponent
    mantissa = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
    scientific = ("-" if sign else "") + mantissa + f"e{'-' if e < 0 else '+'}{abs(e):02d}"
    return fixed if len(fixed) <= len(scientific) else scientific


def csv_field(text):
    """A label as `spindle run` writes it (RFC 4180): quoted, quotes doubled,
    when it holds a comma, a quote or a line break."""
    if not any(c in text for c in ',"\r\n'):
        return text
    return '"' + text.replace('"', '""') + '"'


def recorded_populations(network):
    """Labels of the populations whose spikes the network records, each with
    the neurons recorded (a set), or None when a recording takes them all."""
    out = {}
    for r in network.recordings:
        if network_pb2.SPIKES not in r.variables:
            continue
        if not r.neurons:
            out[r.population] = None
        elif out.get(r.population, set()) is not None:
            out.setdefault(r.population, set()).update(r.neurons)
    return out


class SpikeTally:
    """Per-population spike counts as batches stream in; the spikes for the CSV."""

    def __init__(self, populations, dt_ms, csv_path, recorded=None):
        self.sizes = {p.index: p.size for p in populations}
        self.labels = {p.index: p.label for p in populations}
        self.counts = {p.index: 0 for p in populations}
        # Populations that record spikes (all when not known): the others
        # have no count to show.
        self.recorded = {p.index for p in populations if recorded is None or p.label in recorded}
        # The neurons a rate is taken over: those recorded (spindle run's rule).
        self.rate_neurons = dict(self.sizes)
        for p in populations:
            chosen = (recorded or {}).get(p.label)
            if chosen is not None:
                self.rate_neurons[p.index] = len({n for n in chosen if n < p.size})
        self.dt_ms = dt_ms
        self.csv_path = csv_path
        self.spikes = {}  # population index -> [(neuron, tick)], for the CSV
        self.batches = 0

    def add(self, batch):
        self.batches += 1
        i = batch.population_index
        self.counts[i] = self.counts.get(i, 0) + len(batch.neuron_ids)
        self.recorded.add(i)
        if self.csv_path:
            self.spikes.setdefault(i, []).extend(zip(batch.neuron_ids, batch.ticks))

    def rate_hz(self, index, ticks):
        seconds = ticks * self.dt_ms / 1000.0
        size = self.rate_neurons.get(index, 0)
        return self.counts[index] / size / seconds if seconds > 0 and size else 0.0

    def line(self, ticks):
        return "  ".join(f"{self.labels[i]} {self.counts[i]} ({self.rate_hz(i, ticks):.2f} Hz)"
                         for i in sorted(self.counts) if i in self.recorded)

    def table(self, ticks):
        """The per-population table `spindle run` prints."""
        lines = [f"{'population':<24} {'neurons':>8} {'spikes':>10} {'rate (Hz)':>12}"]
        for i in sorted(self.counts):
            if i in self.recorded:
                line = (f"{self.labels[i]:<24} {self.sizes[i]:>8} {self.counts[i]:>10} "
                        f"{self.rate_hz(i, ticks):>12.2f}")
                if self.rate_neurons.get(i, 0) != self.sizes[i]:
                    line += f"  (of the {self.rate_neurons.get(i, 0)} neurons recorded)"
                lines.append(line)
            else:
                lines.append(f"{self.labels[i]:<24} {self.sizes[i]:>8} {'-':>10} {'(not recorded)':>12}")
        return "\n".join(lines)

    def write_csv(self):
        """The spikes as `spindle run`'s spikes.csv: populations in the
        network's order, each in neuron order, then time."""
        if not self.csv_path:
            return
        time_ms = TickTimeFormat(self.dt_ms)
        with open(self.csv_path, "w", encoding="utf-8", newline="") as f:
            f.write("population,neuron,time_ms\n")
            for i in sorted(self.spikes):
                label = csv_field(self.labels.get(i, ""))
                f.writelines(f"{label},{n},{time_ms(t)}\n" for n, t in sorted(self.spikes[i]))

    def close(self):
        self.write_csv()


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


def run_job(stub, args, job_id, recorded, interrupted):
    """Streams one Run; returns (exit code, message). Ctrl-C during the run
    cancels it on the daemon (`interrupted` set), then raises KeyboardInterrupt."""
    call = stub.Run(service_pb2.RunRequest(job_id=job_id, duration_ms=args.duration,
                                           chunk_ticks=args.chunk_ticks), metadata=args.metadata)
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
                tally = SpikeTally(s.populations, s.timestep_ms, args.spikes_csv, recorded)
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
    except KeyboardInterrupt:
        # The daemon stops the run (Cancel returns once it has), then the
        # stream is dropped; the caller deletes the job.
        interrupted["job"] = job_id
        try:
            stub.Cancel(service_pb2.CancelRequest(job_id=job_id), timeout=args.timeout, metadata=args.metadata)
            interrupted["cancelled"] = True
        except grpc.RpcError as e:
            print(describe_rpc_error("Cancel", e), file=sys.stderr)
        call.cancel()
        raise
    except grpc.RpcError as e:
        return EXIT_FAILED, describe_rpc_error("Run", e)
    if final is None:
        return EXIT_FAILED, f"{PROG}: Run: the stream ended without a RunFinal"
    if final.HasField("stream_drops"):
        drops = final.stream_drops
    wall = time.monotonic() - started
    tally.close()

    print(tally.table(final.ticks_run))
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
        job_id, interrupted = None, {}
        try:
            return run_on(stub, channel, args, network, interrupted, lambda j: interrupted.update(submitted=j))
        except KeyboardInterrupt:
            job_id = interrupted.get("job") or interrupted.get("submitted")
        # Ctrl-C: nothing of the job is left on the daemon (unless --keep-job).
        if job_id is None:
            print(f"{PROG}: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        what = "cancelled" if interrupted.get("cancelled") else "not run"
        if not args.keep_job:
            try:
                stub.DeleteJob(service_pb2.DeleteJobRequest(job_id=job_id), timeout=args.timeout,
                               metadata=args.metadata)
                what += " and deleted"
            except grpc.RpcError as e:
                print(describe_rpc_error("DeleteJob", e), file=sys.stderr)
        print(f"{PROG}: interrupted: job {job_id} {what}", file=sys.stderr)
        return EXIT_INTERRUPTED


def write_weights(stub, args, job_id):
    """The plastic projections' weights as of the end of the run (GetWeights:
    pending potentiation applied, exactly what the cores hold), one CSV line
    a synapse in PyNN's get('weight', format='list') order per projection."""
    lines = ["projection,pre,post,weight\n"]
    projections = set()
    try:
        for chunk in stub.GetWeights(service_pb2.GetWeightsRequest(job_id=job_id), timeout=args.timeout,
                                     metadata=args.metadata):
            projections.add(chunk.projection_index)
            name = csv_field(chunk.projection)
            lines.extend(f"{name},{pre},{post},{shortest(w)}\n"
                         for pre, post, w in zip(chunk.pre, chunk.post, chunk.weight))
    except grpc.RpcError as e:
        return EXIT_FAILED, describe_rpc_error("GetWeights", e)
    try:
        with open(args.weights_csv, "w", encoding="utf-8", newline="") as f:
            f.writelines(lines)
    except OSError as e:
        return EXIT_FAILED, f"{PROG}: --weights-csv {args.weights_csv}: {e.strerror or e}"
    print(f"weights: {len(lines) - 1} synapses of {len(projections)} plastic projection(s) in {args.weights_csv}")
    return EXIT_OK, None


def run_on(stub, channel, args, network, interrupted, submitted):
    """Connects, submits, injects, runs and deletes the job; returns the exit code."""
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
    # What the job runs with but may not be what was meant (weights the cores
    # lose, parameters out of range): as `spindle run` prints them, the field
    # path from the file's root.
    for w in sub.warnings:
        path = w.path[len("network."):] if w.path.startswith("network.") else w.path
        print(f"{PROG}: {args.network}: {path}: warning: {w.message}", file=sys.stderr)
    job = sub.job
    submitted(job.job_id)
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
        code, message = run_job(stub, args, job.job_id, recorded_populations(network), interrupted)
    if code == EXIT_OK and args.weights_csv:
        code, message = write_weights(stub, args, job.job_id)
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

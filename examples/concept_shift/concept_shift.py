#!/usr/bin/python3
"""Homeostatic learners under concept shift (after Man, Damasio & Neven,
"Need is all you need: homeostatic neural networks adapt to concept
shift"), as a closed loop through spindled. docs/examples.md, "Concept
shift", explains the network and its results.

    PYTHONPATH=BUILD/examples/python/gen /usr/bin/python3 \\
        examples/concept_shift/concept_shift.py SPINDLED [--seeds N] [--presentations N]
        [--shifts K,K,...] [--svg OUT.svg] [--doc docs/examples.md]

A learner is C = 3 IF_curr_exp outputs reading C groups of inputs through
dopamine-modulated STDP (Izhikevich 2007). Each presentation shows one class:
its group fires (Poisson, 50 Hz) for 100 ms. The output with the most spikes
is the learner's answer. The client (this script) compares it with the
class's current label and injects a spike into the learner's reward source
(right) or punishment source (wrong), whose REWARD / PUNISHMENT projection
raises or lowers that output's dopamine, so the eligibility the
presentation left on its synapses becomes weight. Every K presentations the
labels are permuted (a concept shift).

Three learners differ only in the learning-rate scale the client sets
(SetLearningRate) before each presentation:
  need      2 x (1 - a), a the learner's own accuracy as an exponential
            average (weight 0.1 on the latest answer): it learns fast when
            it is often wrong;
  constant  the paired need learner's mean scale;
  random    uniform in [0, twice that mean), drawn each presentation.
The need learners run first (one job); the constant and random ones then
run with their budgets (a second job). The learners of a seed see the same
inputs, so comparisons are paired. Defaults: 16 seeds, 1200 presentations,
shifts every 400, 200, 100, 50 and 25. Prints the table docs/examples.md
quotes (with --doc every row must be in that file); with --svg, draws
accuracy against the shift period. Exit status 1 when a check fails.
"""
import argparse
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from svg_chart import Chart  # noqa: E402

try:
    import grpc
    from spindle.v1 import network_pb2, service_pb2, service_pb2_grpc
    from google.protobuf import text_format
except ImportError as e:
    sys.exit(f"concept_shift: {e}: run with /usr/bin/python3 and PYTHONPATH=BUILD/examples/python/gen "
             "(the stubs `ninja -C BUILD spindle_python_stubs` makes)")

CLASSES = 3
GROUP = 10                 # inputs a class
RATE_HZ = 50.0             # a shown class's inputs
PRESENT_MS = 100           # input window of a presentation
GAP_MS = 50                # then silence; the reward comes at its start
SLOT_MS = PRESENT_MS + GAP_MS
LEARNERS = ("need", "constant", "random")
EMA = 0.1                  # weight of the latest answer in the need learner's accuracy
W_MAX = 1.0                # nA
DOPAMINE = 0.5             # concentration a reward or punishment spike adds
NOISE_POOL = 60           # Poisson sources a seed; each output reads NOISE_IN of them
NOISE_IN = 5
NOISE_HZ = 20.0
NOISE_W = 1.0              # nA
STDP = ("timing_dependence { tau_plus: 20 tau_minus: 20 A_plus: 0.05 A_minus: 0.05 }\n"
        f"      additive {{ w_min: 0 w_max: {W_MAX} }}\n"
        "      neuromodulation { tau_c: 200 tau_d: 10 }")


def poisson(rng, start, length, rate):
    t, out = start, []
    while True:
        t += rng.expovariate(rate / 1000.0)
        if t >= start + length:
            return out
        out.append(round(t))


def class_sequence(seed, n):
    rng = random.Random(seed * 7919 + 1)
    return [rng.randrange(CLASSES) for _ in range(n)]


def instances(kinds, seeds, shifts):
    return [(learner, k, s) for s in range(seeds) for k in shifts for learner in kinds]


def label(inst):
    learner, k, s = inst
    return f"out_{learner}_{k}_{s}"


def network(insts, seeds, n):
    parts = [f"run {{ timestep_ms: 1 duration_ms: {n * SLOT_MS} seed: 11 }}\n"]
    for s in range(seeds):
        rng = random.Random(1000 + s)
        trains = [[] for _ in range(CLASSES * GROUP)]
        for p, c in enumerate(class_sequence(s, n)):
            for i in range(GROUP):
                trains[c * GROUP + i] += poisson(rng, p * SLOT_MS + GAP_MS // 2, PRESENT_MS, RATE_HZ)
        body = "".join("    per_neuron { times: [" + ", ".join(map(str, sorted(set(t)))) + "] }\n" for t in trains)
        parts.append(f"populations {{\n  label: \"inputs_{s}\"\n  size: {CLASSES * GROUP}\n"
                     f"  spike_source_array {{\n{body}  }}\n}}\n")
    for s in range(seeds):
        parts.append(f"populations {{ label: \"noise_{s}\" size: {NOISE_POOL} "
                     f"spike_source_poisson {{ rate {{ constant: {NOISE_HZ} }} }} }}\n")
    for src in ("reward", "punish"):
        parts.append(f"populations {{ label: \"{src}\" size: {len(insts) * CLASSES} spike_source_array {{}} }}\n")
    for j, inst in enumerate(insts):
        parts.append(f"populations {{\n  label: \"{label(inst)}\"\n  size: {CLASSES}\n"
                     "  if_curr_exp { tau_refrac { constant: 2 } }\n}\n")
        parts.append(f"projections {{\n  label: \"w_{label(inst)[4:]}\"\n  pre: \"inputs_{inst[2]}\"\n"
                     f"  post: \"{label(inst)}\"\n  receptor: EXCITATORY\n  connector {{ all_to_all {{}} }}\n"
                     f"  weight {{ random {{ uniform {{ low: 0.3 high: 0.5 }} seed: {17 + inst[2]} }} }}\n"
                     "  delay { constant: 1 }\n"
                     f"  synapse_dynamics {{\n    stdp {{\n      {STDP}\n    }}\n  }}\n}}\n")
        parts.append(f"projections {{ pre: \"noise_{inst[2]}\" post: \"{label(inst)}\" receptor: EXCITATORY "
                     f"connector {{ fixed_number_pre {{ n: {NOISE_IN} }} }} weight {{ constant: {NOISE_W} }} "
                     "delay { constant: 1 } }\n")
        for src, receptor in (("reward", "REWARD"), ("punish", "PUNISHMENT")):
            conns = " ".join(f"connections {{ pre: {j * CLASSES + c} post: {c} }}" for c in range(CLASSES))
            parts.append(f"projections {{ pre: \"{src}\" post: \"{label(inst)}\" receptor: {receptor} "
                         f"connector {{ from_list {{ {conns} }} }} weight {{ constant: {DOPAMINE} }} "
                         "delay { constant: 1 } }\n")
        parts.append(f"recordings {{ population: \"{label(inst)}\" variables: SPIKES }}\n")
    return "".join(parts)


class Learner:
    def __init__(self, inst, mean):
        self.inst = inst
        self.mean = mean  # constant and random: the paired need learner's mean scale
        self.rng = random.Random(f"{inst}")
        self.acc = 0.0
        self.correct = []
        self.scales = []

    def scale(self):
        kind = self.inst[0]
        if kind == "need":
            return min(2.0, 2.0 * (1.0 - self.acc))
        if kind == "constant":
            return self.mean
        return self.rng.uniform(0.0, 2.0 * self.mean)

    def answer(self, counts):
        best = max(counts)
        if best == 0:
            return None
        winners = [c for c, x in enumerate(counts) if x == best]
        return winners[self.rng.randrange(len(winners))]

    def record(self, right):
        self.correct.append(right)
        self.acc = (1 - EMA) * self.acc + EMA * (1.0 if right else 0.0)


def permutations(k, n, seed):
    """The label of each class at each presentation: permuted every k."""
    rng = random.Random(seed * 31 + k)
    perm = list(range(CLASSES))
    out = []
    for p in range(n):
        if p > 0 and p % k == 0:
            old = perm[:]
            while perm == old:  # a shift always changes the mapping
                rng.shuffle(perm)
        out.append(perm[:])
    return out


def start_daemon(spindled, work):
    sock = os.path.join(work, "spindled.sock")
    log = open(os.path.join(work, "spindled.log"), "w")
    proc = subprocess.Popen([spindled, "--listen", f"unix:{sock}", "--engine-threads", "1"],
                            stdout=log, stderr=subprocess.STDOUT)
    for _ in range(200):
        if os.path.exists(sock):
            return proc, f"unix:{sock}"
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    sys.exit("concept_shift: spindled did not start:\n" + open(os.path.join(work, "spindled.log")).read())


def closed_loop(stub, insts, means, seeds, shifts, n):
    net = text_format.Parse(network(insts, seeds, n), network_pb2.Network())
    job = stub.SubmitNetwork(service_pb2.SubmitNetworkRequest(network=net, name="concept_shift")).job.job_id
    learners = [Learner(inst, means.get(inst[1:], 1.0)) for inst in insts]
    index = {label(inst): j for j, inst in enumerate(insts)}
    labels = {(k, s): permutations(k, n, s) for k in shifts for s in range(seeds)}
    classes = [class_sequence(s, n) for s in range(seeds)]
    for p in range(n):
        for lr in learners:
            sc = lr.scale()
            lr.scales.append(sc)
            stub.SetLearningRate(service_pb2.SetLearningRateRequest(job_id=job, population=label(lr.inst), scale=sc))
        counts = [[0] * CLASSES for _ in insts]
        for ev in stub.Run(service_pb2.RunRequest(job_id=job, duration_ms=SLOT_MS, chunk_ticks=SLOT_MS)):
            if ev.HasField("spikes") and ev.spikes.population in index:
                row = counts[index[ev.spikes.population]]
                for nid, tick in zip(ev.spikes.neuron_ids, ev.spikes.ticks):
                    if GAP_MS // 2 <= tick - p * SLOT_MS < GAP_MS // 2 + PRESENT_MS + 5:
                        row[nid] += 1
            if ev.HasField("final"):
                final = ev.final
                if final.status != service_pb2.RUN_COMPLETED:
                    sys.exit(f"concept_shift: presentation {p}: the run did not complete: {final.message}")
                if final.stream_drops.dropped_spikes:
                    # The answers would be counted from missing spikes.
                    sys.exit(f"concept_shift: presentation {p}: the stream dropped "
                             f"{final.stream_drops.dropped_spikes} spikes")
        reward, punish = [], []
        for j, lr in enumerate(learners):
            learner, k, s = lr.inst
            want = labels[(k, s)][p][classes[s][p]]
            got = lr.answer(counts[j])
            lr.record(got == want)
            if got is not None:
                (reward if got == want else punish).append(j * CLASSES + got)
        reqs = []
        if reward:
            reqs.append(service_pb2.InjectRequest(job_id=job, population="reward", neuron_ids=reward))
        if punish:
            reqs.append(service_pb2.InjectRequest(job_id=job, population="punish", neuron_ids=punish))
        if reqs:
            stub.Inject(iter(reqs))
    stub.DeleteJob(service_pb2.DeleteJobRequest(job_id=job))
    return learners


AFTER = 10  # presentations after a shift the adaptation columns look at


def mean_se(v):
    m = sum(v) / len(v)
    se = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1) / len(v)) if len(v) > 1 else 0.0
    return m, se


def accuracies(learners, kind, k, after_shift=False):
    """Per seed: the fraction right over the run or over the AFTER
    presentations that follow each shift."""
    out = []
    for lr in learners:
        if lr.inst[0] != kind or lr.inst[1] != k:
            continue
        idx = range(len(lr.correct))
        if after_shift:
            idx = [p for p in idx if p >= k and p % k < AFTER]
        out.append(sum(lr.correct[p] for p in idx) / len(idx))
    return out


def summary(learners, shifts):
    """The rows docs/examples.md quotes: the whole run, and the AFTER
    presentations after each shift; mean ± standard error over seeds, and
    the paired differences."""
    rows = []
    for after in (False, True):
        for k in shifts:
            acc = {x: accuracies(learners, x, k, after) for x in LEARNERS}
            diffs = [[a - b for a, b in zip(acc["need"], acc[x])] for x in ("constant", "random")]
            cells = ["%.3f ± %.3f" % mean_se(acc[x]) for x in LEARNERS]
            cells += ["%+.3f ± %.3f" % mean_se(d) for d in diffs]
            if not after:
                scale = [sum(lr.scales) / len(lr.scales) for lr in learners if lr.inst[:2] == ("need", k)]
                cells.append("%.2f" % (sum(scale) / len(scale)))
            rows.append(f"| {'after shifts' if after else 'whole run'} | {k} | " + " | ".join(cells) + " |")
    return rows


def svg(path, learners, shifts):
    """Accuracy over the run against the shift period, mean ± standard error;
    the periods evenly spaced, slowest shifts left."""
    pos = {k: i for i, k in enumerate(shifts)}
    chart = Chart(x_ticks=[(i, str(k)) for k, i in pos.items()], y_range=(0.3, 0.9),
                  y_ticks=[0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], width=600, legend_width=120,
                  x_label="presentations between shifts (faster shifts to the right)")
    chart.hline(1 / CLASSES, "chance")
    for n, (kind, colour) in enumerate(zip(LEARNERS, ("#d62728", "#1f77b4", "#2ca02c"))):
        pts = [(pos[k] + (n - 1) * 0.03, *mean_se(accuracies(learners, kind, k))) for k in shifts]
        chart.series(kind, [(x, m) for x, m, _ in pts], colour, points=[(x, m) for x, m, _ in pts],
                     error_bars=[(x, m - se, m + se) for x, m, se in pts])
    chart.save(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("spindled")
    ap.add_argument("--seeds", type=int, default=16)
    ap.add_argument("--presentations", type=int, default=1200)
    ap.add_argument("--shifts", default="400,200,100,50,25")
    ap.add_argument("--svg")
    ap.add_argument("--doc")
    a = ap.parse_args()
    shifts = [int(x) for x in a.shifts.split(",")]
    with tempfile.TemporaryDirectory() as work:
        proc, address = start_daemon(a.spindled, work)
        try:
            stub = service_pb2_grpc.SpindleStub(grpc.insecure_channel(address))
            t0 = time.time()
            # The need learners first; then the constant and random ones, each
            # with its paired need learner's mean scale: the same learning
            # budget, spent differently.
            need = closed_loop(stub, instances(["need"], a.seeds, shifts), {}, a.seeds, shifts, a.presentations)
            means = {lr.inst[1:]: sum(lr.scales) / len(lr.scales) for lr in need}
            learners = need + closed_loop(stub, instances(["constant", "random"], a.seeds, shifts), means,
                                          a.seeds, shifts, a.presentations)
            wall = time.time() - t0
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait()
    print("| accuracy over | shift every | need | constant | random | need - constant | need - random | need's mean scale |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    rows = summary(learners, shifts)
    for r in rows:
        print(r)
    print(f"closed loop: {wall:.1f} s", file=sys.stderr)
    if a.svg:
        svg(a.svg, learners, shifts)
    failures = []
    # The loop learned: with the slowest shifts every learner is well above
    # chance, and the need learner's scale fell below its ceiling.
    slow = shifts[0]
    for kind in LEARNERS:
        m, _ = mean_se(accuracies(learners, kind, slow))
        if m < 0.5:
            failures.append(f"{kind} learners at shifts every {slow}: accuracy {m:.3f}, not above 0.5")
    if a.doc:
        text = open(a.doc).read()
        failures += [f"{a.doc} lacks the row: {r}" for r in rows if r not in text]
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

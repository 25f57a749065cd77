#!/usr/bin/python3
"""CUBA run time: Spindle's native engine against Brian2's C++ standalone mode.

Both simulate the Vogels-Abbott CUBA network of examples/networks/cuba.textproto
(4000 IF_curr_exp neurons, 2% connectivity, PyNN parameters; the Brian2 model
is the one of tests/reference/cuba_brian2.py) for 1 s of biological time at
dt = 0.1 ms, one thread each, in the same run of this script:

  Brian2   set_device('cpp_standalone'), OpenMP off (one thread), default
           compiler flags (-O3 -ffast-math -march=native). Code generation and
           compilation happen once and are reported as the build time. The
           compiled binary is then run --reps times; "run" is the time Brian2
           itself measures around the network's time-step loop (read back as
           device._last_run_time). Without OpenMP Brian2 measures it with
           std::clock(), i.e. as the process's CPU time, not wall time
           (templates/network.cpp). "process" is the whole binary (synapse
           creation, initial values, loop, writing results).
  Spindle  `spindle run examples/networks/cuba.textproto --threads 1
           --duration 1000`. "run" is the run phase as its provenance.json
           gives it: cpu_seconds, the process's CPU time over the engine's
           run (the clock Brian2's figure uses), and wall_seconds. "process"
           is the whole command (load, validate, map, build core images,
           run, write results).

The two simulators' repetitions alternate (Brian2, Spindle, Brian2, ...), so
that a change in the machine's load falls on both. CPU times of whole
processes are user + sys from getrusage of the children. The headline ratio
compares the run phases' CPU times; the wall-time ratio is printed too (on an
idle machine they agree). Every repetition, the medians and the ratios are
printed (target <= 0.5). Rates are printed too, so that both sides are seen
to do the same work (about 5.5 Hz).

Run: /usr/bin/python3 bench/cuba_vs_brian2.py --spindle build/host/host/spindle [--reps 5]
"""
import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")  # numpy/pythran deprecation noise

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CUBA = os.path.join(REPO, "examples", "networks", "cuba.textproto")
SUMMARY = re.compile(r"\(([0-9]+) ticks of .*, ([0-9]+) synapses, ([0-9.]+) s wall")


def children_cpu_s():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def brian2_standalone(workdir, reps):
    import numpy as np
    from brian2 import (NeuronGroup, Synapses, SpikeMonitor, device, defaultclock, prefs, run, seed,
                        set_device, ms, mV, nA, nF, second)

    set_device("cpp_standalone", build_on_run=False, directory=workdir)
    prefs.devices.cpp_standalone.openmp_threads = 0  # no OpenMP: one thread
    seed(1)
    defaultclock.dt = 0.1 * ms
    eqs = """
    dv/dt = (v_rest - v) / tau_m + (ie - ii) / c_m : volt (unless refractory)
    die/dt = -ie / tau_e : amp
    dii/dt = -ii / tau_i : amp
    """
    ns = dict(v_rest=-49 * mV, tau_m=20 * ms, c_m=0.2 * nF, tau_e=5 * ms, tau_i=10 * ms)
    g = NeuronGroup(4000, eqs, threshold="v >= -50*mV", reset="v = -60*mV", refractory=5 * ms,
                    method="exact", namespace=ns)
    g.v = "-60*mV + rand() * 10*mV"
    se = Synapses(g[:3200], g, on_pre="ie += 0.0162*nA", delay=0.2 * ms)
    se.connect(p=0.02)
    si = Synapses(g[3200:], g, on_pre="ii += 0.09*nA", delay=0.2 * ms)
    si.connect(p=0.02)
    mon = SpikeMonitor(g)
    run(1 * second)

    t0 = time.perf_counter()
    device.build(directory=workdir, compile=True, run=False, with_output=False)
    build_s = time.perf_counter() - t0

    def run_once():
        t0, c0 = time.perf_counter(), children_cpu_s()
        device.run(directory=workdir, with_output=False, run_args=[])
        process_s, cpu_s = time.perf_counter() - t0, children_cpu_s() - c0
        return device._last_run_time, process_s, cpu_s

    def rates():
        counts = np.bincount(np.asarray(mon.i), minlength=4000)
        return counts[:3200].mean(), counts[3200:].mean()

    return build_s, run_once, rates


def spindle_once(binary, outdir, duration_ms=1000):
    """One run: (run-phase CPU s, run-phase wall s, process wall s, process CPU s), rates."""
    t0, c0 = time.perf_counter(), children_cpu_s()
    p = subprocess.run([binary, "run", CUBA, "--threads", "1", "--duration", str(duration_ms), "--out", outdir],
                       capture_output=True, text=True, check=True)
    process_s, cpu_s = time.perf_counter() - t0, children_cpu_s() - c0
    m = SUMMARY.search(p.stdout)
    if not m:
        sys.exit(f"cuba_vs_brian2: no summary line in the output of {binary}:\n{p.stdout}")
    if int(m.group(1)) != duration_ms * 10:
        sys.exit(f"cuba_vs_brian2: expected {duration_ms * 10} ticks, got {m.group(1)}")
    with open(os.path.join(outdir, "provenance.json")) as f:
        prov = json.load(f)
    rates = tuple(float(x) for x in re.findall(r"^(?:exc|inh)\s+\d+\s+\d+\s+([0-9.]+)$", p.stdout, re.M))
    return (prov["cpu_seconds"], prov["wall_seconds"], process_s, cpu_s), rates


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spindle", default=os.path.join(REPO, "build", "host", "host", "spindle"),
                    help="the spindle binary (RelWithDebInfo or Release build)")
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    if not os.access(a.spindle, os.X_OK):
        sys.exit(f"cuba_vs_brian2: {a.spindle} is not an executable spindle binary (build target `spindle`)")

    work = tempfile.mkdtemp(prefix="cuba_vs_brian2_")
    try:
        build_s, brian2_once, brian2_rates = brian2_standalone(os.path.join(work, "brian2"), a.reps)
        b_runs, s_runs = [], []
        for _ in range(a.reps):  # alternating
            b_runs.append(brian2_once())
            r, s_rates = spindle_once(a.spindle, os.path.join(work, "spindle-out"))
            s_runs.append(r)
        b_rates = brian2_rates()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end")
    print(f"Brian2 cpp_standalone: code generation + compilation {build_s:.1f} s (once)")
    for i, r in enumerate(b_runs):
        print("  rep {}: run {:.4f} s CPU, process {:.3f} s wall, {:.3f} s CPU".format(i, *r))
    print(f"  rates: exc {b_rates[0]:.2f} Hz, inh {b_rates[1]:.2f} Hz")
    print("Spindle native engine, --threads 1:")
    for i, r in enumerate(s_runs):
        print("  rep {}: run {:.4f} s CPU, {:.4f} s wall, process {:.3f} s wall, {:.3f} s CPU".format(i, *r))
    print(f"  rates: exc {s_rates[0]:.2f} Hz, inh {s_rates[1]:.2f} Hz")
    b_run, b_proc, b_cpu = (statistics.median(r[k] for r in b_runs) for k in range(3))
    s_run, s_wall, s_proc, s_cpu = (statistics.median(r[k] for r in s_runs) for k in range(4))
    print(f"run phase, CPU:  Brian2 {b_run:.4f} s, Spindle {s_run:.4f} s, "
          f"ratio Spindle/Brian2 {s_run / b_run:.2f} (target <= 0.5)")
    print(f"run phase, Spindle wall {s_wall:.4f} s, ratio to Brian2's run {s_wall / b_run:.2f}")
    print(f"whole process:   Brian2 {b_proc:.3f} s wall, {b_cpu:.3f} s CPU; Spindle {s_proc:.3f} s wall, "
          f"{s_cpu:.3f} s CPU; CPU ratio {s_cpu / b_cpu:.2f}")


if __name__ == "__main__":
    main()

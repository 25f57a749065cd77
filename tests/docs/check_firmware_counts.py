#!/usr/bin/python3
"""The firmware instruction counts docs/performance.md quotes, against the
counting image's output.

  check_firmware_counts.py QEMU COUNTS_ELF REPO_DIR

Runs the counting image (bench/firmware_counts) under QEMU with -icount
shift=0 exactly as the document shows, then checks that the block after
"It prints:" is its output line for line, and that the table of figures at
the top of "Firmware instruction counts" and the tick figures quoted below
it give the same numbers. Exit 1 with the differences.
"""
import difflib
import re
import subprocess
import sys


def main(argv):
    qemu, elf, repo = argv[1:4]
    r = subprocess.run([qemu, "-M", "netduinoplus2", "-display", "none", "-monitor", "none", "-serial", "stdio",
                        "-semihosting-config", "enable=on,target=native", "-icount", "shift=0", "-kernel", elf],
                       capture_output=True, text=True, timeout=240, stdin=subprocess.DEVNULL)
    got = r.stdout.rstrip("\n").split("\n")
    if r.returncode != 0 or not got or got[-1] != "end 0":
        print(f"the counting image failed (exit {r.returncode}):\n{r.stdout}{r.stderr}")
        return 1
    with open(f"{repo}/docs/performance.md", encoding="utf-8") as f:
        doc = f.read()
    failed = 0
    m = re.search(r"It prints:\n\n```text\n(.*?)\n```", doc, re.S)
    if not m:
        print("docs/performance.md: no 'It prints:' block")
        return 1
    want = m.group(1).split("\n")
    if want != got:
        failed += 1
        print("docs/performance.md: the counts block differs (- document, + image):")
        sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(want, got, lineterm="", n=1))
    v = {}
    for line in got:
        parts = line.split()
        if len(parts) == 2 and re.fullmatch(r"[\d.]+", parts[1]):
            v[parts[0]] = parts[1]
        for k, val in re.findall(r"(\w+)=(\d+)", line):
            v[f"{parts[0]}.{parts[1]}.{k}"] = val
    tick256 = int(v["tick.neurons=256.instructions"])
    fixed = tick256 - round(256 * float(v["per_neuron_update"]))
    expected = [
        f"| per synaptic event (one more synapse in a row) | **{v['per_synaptic_event']}** |",
        f"| per incoming packet (receive + population-table look-up + row set-up) | {v['per_packet']} |",
        f"| **{v['per_neuron_update']}** |",
        f"the 256-neuron tick less 256 updates) | {fixed} |",
        f"includes the tick's fixed cost / 256) | {v['per_poisson_source_tick']} |",
        f"(interval draw, -ln(u), send, record) | {v['per_poisson_spike']} |",
        f"256 neurons costs {tick256:,} instructions",
        f"a 200 Hz source costs {v['per_poisson_source_tick']} + 0.2 x {v['per_poisson_spike']}",
        f"| per plastic synapse at a pre spike, no post spike in its window (pair STDP, additive, all-to-all) | **{v['per_plastic_synapse_0_post']}** |",
        f"| per plastic synapse at a pre spike, one post spike in its window (same rule) | **{v['per_plastic_synapse_1_post']}** |",
        f"| per synapse, 0 post spikes in the window | **{v['per_plastic_synapse_0_post']}** | "
        f"{v['per_plastic_synapse_0_post_multiplicative']} | {v['per_plastic_synapse_0_post_nearest_pair']} |",
        f"| per synapse, 1 post spike in the window | **{v['per_plastic_synapse_1_post']}** | "
        f"{v['per_plastic_synapse_1_post_multiplicative']} | {v['per_plastic_synapse_1_post_nearest_pair']} |",
        f"| per row (additive all-to-all) | {v['per_plastic_row_0_post']} |",
        f"| per neuromodulated synapse, no event in the window | {v['per_plastic_synapse_0_post_neuromodulated']} |",
        f"| per neuromodulated synapse, one post spike and one dopamine event in the window | "
        f"{v['per_plastic_synapse_1_post_neuromodulated']} |",
        f"| per segment update (one more segment of a neuron: its ring column read and cleared, window, test) | "
        f"{v['per_segment_update']} |",
        f"| per neuron with one segment (everything of IF_curr_exp_segments' step) | {v['per_segment_neuron_update']} |",
    ]
    for text in expected:
        if text in doc:
            print(f"ok: {text}")
        else:
            failed += 1
            print(f"FAIL: docs/performance.md does not say '{text}' (what the counting image prints)")
    print(f"check_firmware_counts: {failed} differences")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

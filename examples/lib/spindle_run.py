"""Runs a network file through the spindle CLI, for the experiments under
examples/ (they run with Debian's plain /usr/bin/python3).

    out = run_network(spindle, text, folder)   # folder/network.textproto, results in folder/out
"""
import os
import subprocess
import sys


def run_network(spindle, text, folder):
    """Writes `text` to folder/network.textproto, runs `spindle run` on it
    with results in folder/out and returns that folder; exits with spindle's
    error output when the run fails."""
    os.makedirs(folder, exist_ok=True)
    net = os.path.join(folder, "network.textproto")
    with open(net, "w") as f:
        f.write(text)
    out = os.path.join(folder, "out")
    r = subprocess.run([spindle, "run", net, "--out", out], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"spindle run {net} failed ({r.returncode}):\n{r.stderr}")
    return out

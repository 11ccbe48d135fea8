"""Start a small TensorFlow cluster on this machine: worker processes addressed at 127.0.0.1.

Introduced in the lesson "the loss under tf.distribute" (distributed.md), to run
``MultiWorkerMirroredStrategy`` with two workers without a second machine. Each worker
runs the same script with its own ``TF_CONFIG``; the run is bounded in time, and no
worker (nor anything a worker started) is left running: not when a worker fails, not on
a timeout, not on Ctrl-C, and not when the calling process itself is killed.

The workers reach each other at 127.0.0.1, but TensorFlow's servers listen on every
network interface while they run: use this on a trusted network or behind a firewall.
"""

from __future__ import annotations

import dataclasses
import json
import numbers
import operator
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["WorkerRun", "WorkerError", "run_local_workers", "tf_config"]


class WorkerError(RuntimeError):
    """A worker failed, or the workers did not finish in time; the message says which."""


@dataclasses.dataclass(frozen=True)
class WorkerRun:
    """What ``run_local_workers`` ran: each worker's ``TF_CONFIG``, what it printed
    (``outputs``, its stdout) and what it logged (``logs``, its stderr, where
    TensorFlow's and Keras' messages go), and how long the run took."""

    tf_configs: list[dict]
    outputs: list[str]
    logs: list[str]
    seconds: float


def tf_config(addresses, index: int) -> dict:
    """The ``TF_CONFIG`` of worker ``index`` of a cluster of workers at ``addresses``."""
    if isinstance(addresses, (str, bytes)):
        raise TypeError(f"tf_config: addresses must be a list of 'host:port' strings, got "
                        f"the single string {addresses!r}")
    addresses = [str(a) for a in addresses]
    if not addresses:
        raise ValueError("tf_config: the cluster needs at least one worker address")
    if len(set(addresses)) != len(addresses):
        raise ValueError(f"tf_config: the worker addresses must differ, got {addresses}")
    try:
        position = None if isinstance(index, bool) else operator.index(index)
    except TypeError:
        position = None
    if position is None or not 0 <= position < len(addresses):
        raise ValueError(f"tf_config: index must be a whole number from 0 to "
                         f"{len(addresses) - 1}, got {index!r}")
    return {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": position}}


def _free_ports(n: int) -> list[int]:
    """n ports free on 127.0.0.1 now (held open together, so they differ)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _stop(processes) -> None:
    """Kills every worker's process group, running or not (a worker that has exited may
    have left children behind), and reaps the workers."""
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for process in processes:
        process.wait()


# Each worker starts here: a thread kills the worker's whole process group as soon as
# the process that started it is gone (even killed with SIGKILL, when no clean-up of
# ours can run), then the script runs as ``python script args...`` would run it.
_LAUNCHER = """
import os, runpy, signal, sys, threading, time
parent = int(os.environ.pop("LOSSBOOK_WORKER_PARENT"))
def watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os.killpg(0, signal.SIGKILL)
threading.Thread(target=watch, daemon=True).start()
if os.getppid() != parent:
    os.killpg(0, signal.SIGKILL)
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _status(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def run_local_workers(script, n: int = 2, *, args=(), timeout: float = 60.0,
                      env=None) -> WorkerRun:
    """Runs ``python script *args`` as ``n`` TensorFlow workers addressed at 127.0.0.1.

    Worker ``i`` gets ``TF_CONFIG = tf_config(addresses, i)`` in its environment (the
    addresses are ports that were free on 127.0.0.1), so
    ``tf.distribute.MultiWorkerMirroredStrategy()`` in the script finds the cluster.
    ``env`` (default: this process's environment) is the workers' environment, with
    ``PYTHONUNBUFFERED=1`` added so that their output is kept up to a crash. Returns each
    worker's ``TF_CONFIG``, its stdout and its stderr, kept apart, once all have exited
    with status 0: TensorFlow logs to stderr from its own threads, at any time, even after
    the script's last ``print``, so what a worker prints for the caller is all of its
    stdout, and only that.

    Raises ``WorkerError`` when a worker fails, naming the one that failed first and
    showing the end of its stdout and stderr (with the state of the others), and when the workers
    are not all done after ``timeout`` seconds (a worker whose peer died waits for it;
    the timeout turns that into an error). Either way every worker's process group is
    killed and the workers reaped before the error is raised: nothing keeps running, and
    the ports are free again. If the calling process dies, the workers kill themselves
    within about a second.
    """
    script = Path(script)
    if not script.is_file():
        raise FileNotFoundError(f"run_local_workers: no script at {script}")
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 64:
        raise ValueError(f"run_local_workers: n must be a whole number from 1 to 64, got {n!r}")
    if (isinstance(timeout, bool) or not isinstance(timeout, numbers.Real)
            or not timeout > 0):
        raise ValueError(f"run_local_workers: timeout must be > 0 seconds, got {timeout!r}")
    if isinstance(args, (str, bytes)):
        raise TypeError(f"run_local_workers: args must be a list of arguments, got the single "
                        f"string {args!r}")
    args = [str(a) for a in args]
    addresses = [f"127.0.0.1:{port}" for port in _free_ports(n)]
    configs = [tf_config(addresses, i) for i in range(n)]
    base = {"PYTHONUNBUFFERED": "1", **(os.environ if env is None else env)}
    started = time.monotonic()
    processes, files, ended = [], [], {}  # ended: worker -> seconds when first seen done

    def read(i):
        texts = []
        for file in files[i]:
            file.seek(0)
            texts.append(file.read())
        return texts  # stdout, stderr

    def output(i, lines=15):
        stdout, stderr = (_tail(text, lines) for text in read(i))
        shown = [f"[stdout]\n{stdout}" if stdout else "",
                 f"[stderr]\n{stderr}" if stderr else ""]
        return "\n".join(part for part in shown if part) or "(it printed nothing)"

    def others(than):
        states = []
        for j, process in enumerate(processes):
            if j in than:
                continue
            if j in ended:
                states.append(f"worker {j} {_status(process.returncode)} after "
                              f"{ended[j]:.1f} s")
            else:
                states.append(f"worker {j} was still running")
        return "; ".join(states)

    try:
        for config in configs:
            stdout, stderr = (tempfile.TemporaryFile(mode="w+", encoding="utf-8",
                                                     errors="replace", newline="")
                              for _ in range(2))
            files.append((stdout, stderr))
            processes.append(subprocess.Popen(
                [sys.executable, "-c", _LAUNCHER, str(script), *args],
                env={**base, "TF_CONFIG": json.dumps(config),
                     "LOSSBOOK_WORKER_PARENT": str(os.getpid())},
                stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: killed as a whole
            ))
        deadline = started + timeout
        while True:
            now = time.monotonic() - started
            for i, process in enumerate(processes):
                if i not in ended and process.poll() is not None:
                    ended[i] = now
            failed = sorted((t, i) for i, t in ended.items() if processes[i].returncode)
            if failed:
                _, i = failed[0]
                raise WorkerError(
                    f"worker {i} of {n} ({addresses[i]}) {_status(processes[i].returncode)} "
                    f"after {ended[i]:.1f} s ({others({i}) or 'no other worker'}):\n"
                    f"{output(i)}")
            if len(ended) == n:
                break
            if time.monotonic() > deadline:
                running = [i for i in range(n) if i not in ended]
                tails = "\n".join(f"--- worker {i}:\n{output(i, 8)}" for i in running)
                done = others(set(running))
                raise WorkerError(
                    f"workers {running} of {n} still running after {timeout:g} s: stopped"
                    f"{' (' + done + ')' if done else ''}. A worker waits until all the "
                    "others have joined the cluster and until its peers finish each step: "
                    "check that each one can start and reach 127.0.0.1, or, if they were "
                    "still working, give them a larger timeout.\n" + tails)
            time.sleep(0.05)
        outputs, logs = zip(*(read(i) for i in range(n)), strict=True)
        return WorkerRun(configs, list(outputs), list(logs), time.monotonic() - started)
    finally:
        _stop(processes)
        for pair in files:
            for file in pair:
                file.close()

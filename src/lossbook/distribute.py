"""Start a small TensorFlow cluster on this machine: worker processes on 127.0.0.1.

Introduced in the lesson "the loss under tf.distribute" (distributed.md), to run
``MultiWorkerMirroredStrategy`` with two workers without a second machine. Each worker
runs the same script with its own ``TF_CONFIG``; the run is bounded in time, and no
process is left behind, whatever happens.
"""

from __future__ import annotations

import dataclasses
import json
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
    """What ``run_local_workers`` ran: each worker's ``TF_CONFIG`` and what it printed."""

    tf_configs: list[dict]
    outputs: list[str]
    seconds: float


def tf_config(addresses, index: int) -> dict:
    """The ``TF_CONFIG`` of worker ``index`` of a cluster of workers at ``addresses``."""
    addresses = [str(a) for a in addresses]
    if not addresses:
        raise ValueError("tf_config: the cluster needs at least one worker address")
    if not isinstance(index, int) or not 0 <= index < len(addresses):
        raise ValueError(f"tf_config: index must be 0 to {len(addresses) - 1}, got {index!r}")
    return {"cluster": {"worker": addresses}, "task": {"type": "worker", "index": index}}


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
    """Kills every worker still running (its whole process group) and reaps it."""
    for process in processes:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for process in processes:
        process.wait()


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def run_local_workers(script, n: int = 2, *, args=(), timeout: float = 60.0,
                      env=None) -> WorkerRun:
    """Runs ``python script *args`` as ``n`` TensorFlow workers on 127.0.0.1.

    Worker ``i`` gets ``TF_CONFIG = tf_config(addresses, i)`` in its environment (the
    addresses are free loopback ports), so ``tf.distribute.MultiWorkerMirroredStrategy()``
    in the script finds the cluster. Returns each worker's ``TF_CONFIG`` and its output
    (stdout and stderr together) once all have exited with status 0.

    Raises ``WorkerError`` naming the worker and showing the end of its output if one
    fails, and naming the ones still running if they are not all done after ``timeout``
    seconds (a worker whose peer died waits for it; the timeout turns that into an
    error). Either way every worker is killed and reaped before the error is raised:
    nothing keeps running, and the ports are free again.
    """
    script = Path(script)
    if not script.is_file():
        raise FileNotFoundError(f"run_local_workers: no script at {script}")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"run_local_workers: n must be a whole number >= 1, got {n!r}")
    if not timeout > 0:
        raise ValueError(f"run_local_workers: timeout must be > 0 seconds, got {timeout!r}")
    addresses = [f"127.0.0.1:{port}" for port in _free_ports(n)]
    configs = [tf_config(addresses, i) for i in range(n)]
    base = dict(os.environ if env is None else env)
    started = time.monotonic()
    processes, logs = [], []
    try:
        for config in configs:
            log = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
            logs.append(log)
            processes.append(subprocess.Popen(
                [sys.executable, str(script), *map(str, args)],
                env=dict(base, TF_CONFIG=json.dumps(config)),
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: killed as a whole
            ))
        deadline = started + timeout
        while any(p.poll() is None for p in processes):
            failed = [i for i, p in enumerate(processes) if p.poll() not in (None, 0)]
            if failed:
                i = failed[0]
                logs[i].seek(0)
                raise WorkerError(
                    f"worker {i} of {n} ({addresses[i]}) exited with status "
                    f"{processes[i].returncode}:\n{_tail(logs[i].read())}")
            if time.monotonic() > deadline:
                running = [i for i, p in enumerate(processes) if p.poll() is None]
                outputs = []
                for i in running:
                    logs[i].seek(0)
                    outputs.append(f"--- worker {i}:\n{_tail(logs[i].read(), 8)}")
                raise WorkerError(
                    f"workers {running} of {n} still running after {timeout:g} s: stopped. "
                    "A worker waits for all the others to join the cluster; check that "
                    "each one can start and reach 127.0.0.1.\n" + "\n".join(outputs))
            time.sleep(0.05)
        outputs = []
        for i, (process, log) in enumerate(zip(processes, logs, strict=True)):
            log.seek(0)
            text = log.read()
            if process.returncode != 0:
                raise WorkerError(f"worker {i} of {n} ({addresses[i]}) exited with status "
                                  f"{process.returncode}:\n{_tail(text)}")
            outputs.append(text)
        return WorkerRun(configs, outputs, time.monotonic() - started)
    finally:
        _stop(processes)
        for log in logs:
            log.close()

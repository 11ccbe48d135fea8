"""Runs a snippet section by section and records what each section printed and drew.

A snippet (``snippets/<name>.py``) is a script cut into sections by pymdownx.snippets
markers (``# --8<-- [start:train]`` ... ``# --8<-- [end:train]``); the pages include
those sections as code blocks. ``run_snippet`` executes the whole file in order, in one
namespace, as the script itself (``__name__ == "__main__"``), and writes into
``<out>/<name>/``:

- ``<section>.txt``: what the section printed, included under the code as its output;
- ``<section>.<lang>.svg`` (``<section>-<i>.<lang>.svg`` for several): each figure the
  section left open, drawn once per language by running the section again, and the same
  as ``.png`` for the notebooks;
- ``values.json``: the snippet's scalar results, for numbers quoted in the prose;
- ``meta.json``: the versions it ran with, the day, and how long it took.

Code outside sections runs too, but it must print nothing and draw nothing: everything
a page shows comes from code the page shows. A closing ``if __name__ == "__main__":
plt.show()`` runs too; with the Agg backend and every figure already saved and closed it
does nothing.

A snippet that prints timings carries the line ``# lossbook: run alone`` (outside its
sections): the build runs it after all the others have finished, one at a time, so that
its numbers are not those of a machine busy with other snippets.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import numbers
import os
import re
import sys
from pathlib import Path

SECTION_RE = re.compile(
    r"^\s*#\s*-{1,}8<-{1,}[ \t]+\[[ \t]*(?P<type>start|end)[ \t]*:[ \t]*"
    r"(?P<name>[a-z][-_0-9a-z]*)[ \t]*\][ \t]*$",
    re.IGNORECASE,
)
VALUES_FILE = "values.json"
META_FILE = "meta.json"
RUN_ALONE_RE = re.compile(r"^# lossbook: run alone\b", re.MULTILINE)


def runs_alone(path: Path) -> bool:
    """Whether the snippet asks to run alone (``# lossbook: run alone``): it times code."""
    return bool(RUN_ALONE_RE.search(Path(path).read_text(encoding="utf-8")))


def split_sections(text: str, filename: str = "<snippet>"):
    """Splits a snippet into ``[(section name or None, code)]`` chunks, in file order."""
    chunks, current, name, seen = [], [], None, set()
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        match = SECTION_RE.match(line)
        if not match:
            current.append(line)
            continue
        kind, label = match["type"].lower(), match["name"]
        if kind == "start":
            if name is not None:
                raise ValueError(f"{filename}:{number}: section {label!r} starts inside {name!r}")
            if label in seen:
                raise ValueError(f"{filename}:{number}: section {label!r} appears twice")
            seen.add(label)
        elif label != name:
            raise ValueError(f"{filename}:{number}: [end:{label}] does not close {name!r}")
        # Keep line numbers right in tracebacks: the marker becomes a blank line.
        chunks.append((name, "".join(current)))
        name = label if kind == "start" else None
        current = ["\n"] * number
    if name is not None:
        raise ValueError(f"{filename}: section {name!r} is never closed")
    chunks.append((None, "".join(current)))
    return [(label, code) for label, code in chunks if code.strip()]


def _json_value(value):
    import numpy as np

    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, numbers.Number) and not isinstance(value, complex):
        return float(value) if not isinstance(value, numbers.Integral) else int(value)
    if isinstance(value, np.generic) and value.dtype.kind in "fiub":
        return value.item()
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu" and value.size <= 64:
        return value.tolist()
    if isinstance(value, (list, tuple)) and 0 < len(value) <= 64:
        items = [_json_value(item) for item in value]
        return items if all(item is not None for item in items) else None
    if isinstance(value, dict) and 0 < len(value) <= 64 and all(isinstance(k, str) for k in value):
        # The data of an explorable figure (build.insert_widgets): kept whole or not at all.
        items = {key: _json_value(item) for key, item in value.items()}
        return items if all(item is not None for item in items.values()) else None
    return None


_LONG_DECIMAL_RE = re.compile(r"(\d\.\d\d)\d+")
_INDENT_RE = re.compile(r"\n[ \t]+")


def png_of(fig) -> bytes:
    """The figure as Jupyter's inline backend draws it (``bbox_inches="tight"``), in 256
    colours: a plot's few colours and their anti-aliasing fit, and the file is a third
    of the size (notebook pages load the figures near the top with the page)."""
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, format="PNG",
                                                                     optimize=True)
    return out.getvalue()


def slim_svg(svg: str) -> str:
    """Matplotlib's SVG with numbers cut to two decimals and no indentation.

    Coordinates are in points (1/72 inch) and glyph outlines in font units scaled far
    down: a hundredth changes no pixel, and the file (loaded with the page when it is
    near the top) is a tenth smaller.
    """
    return _INDENT_RE.sub("\n", _LONG_DECIMAL_RE.sub(r"\1", svg))


def run_snippet(path: Path, out_dir: Path, languages=("zh", "en")) -> dict:
    """Runs one snippet and writes its outputs under ``out_dir / path.stem``."""
    import time

    import matplotlib

    started = time.perf_counter()
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lossbook import plotting

    matplotlib.rcParams["svg.hashsalt"] = "lossbook"
    text = path.read_text(encoding="utf-8")
    target = out_dir / path.stem
    target.mkdir(parents=True, exist_ok=True)
    for old in target.iterdir():
        old.unlink()
    namespace = {"__name__": "__main__", "__file__": str(path)}
    written = []
    for section, code in split_sections(text, str(path)):
        compiled = compile(code, str(path), "exec")
        buffer = io.StringIO()
        with plotting.language(languages[0]), contextlib.redirect_stdout(buffer):
            exec(compiled, namespace)  # noqa: S102 - running our own snippets is the point
        figures = [plt.figure(n) for n in plt.get_fignums()]
        if section is None:
            if buffer.getvalue() or figures:
                raise RuntimeError(
                    f"{path}: code outside a section printed or drew something; "
                    "put it in a section so the page can show it"
                )
            continue
        (target / f"{section}.txt").write_text(buffer.getvalue(), encoding="utf-8")
        written.append(f"{section}.txt")
        if not figures:
            continue
        for lang in languages:
            if lang != languages[0]:
                plt.close("all")
                with plotting.language(lang), contextlib.redirect_stdout(io.StringIO()):
                    exec(compiled, namespace)  # noqa: S102
                figures = [plt.figure(n) for n in plt.get_fignums()]
            for i, fig in enumerate(figures):
                stem = section if len(figures) == 1 else f"{section}-{i + 1}"
                name = f"{stem}.{lang}.svg"
                svg = io.StringIO()
                fig.savefig(svg, format="svg", metadata={"Date": None})
                (target / name).write_text(slim_svg(svg.getvalue()), encoding="utf-8")
                # The notebooks' copy, drawn as Jupyter's inline backend draws it.
                (target / f"{stem}.{lang}.png").write_bytes(png_of(fig))
                written += [name, f"{stem}.{lang}.png"]
        plt.close("all")
    values = {}
    for key, value in namespace.items():
        if key.startswith("_"):
            continue
        converted = _json_value(value)
        if converted is not None:
            values[key] = converted
    (target / VALUES_FILE).write_text(
        json.dumps(values, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8"
    )
    meta = dict(run_metadata(), name=namespace["__name__"],
                seconds=round(time.perf_counter() - started, 2))
    (target / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return {"snippet": path.name, "files": written}


def run_metadata() -> dict:
    """What produced the outputs: the versions that matter, and the day of the run."""
    import datetime
    import platform

    import keras
    import numpy as np
    import tensorflow as tf

    return {
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "date": datetime.date.today().isoformat(),
    }


PRELOAD = ("tensorflow", "keras", "numpy", "matplotlib.pyplot", "lossbook.data",
           "lossbook.losses", "lossbook.plotting", "lossbook.train")


def _run_one(path: Path, out_dir: Path) -> dict:
    """Runs one snippet; never raises: the result says what went wrong."""
    import time
    import traceback

    started = time.perf_counter()
    try:
        run_snippet(path, out_dir)
        error = None
    except BaseException:  # noqa: BLE001 - reported to the parent, with the traceback
        error = traceback.format_exc()
    return {"snippet": path.name, "ok": error is None, "error": error,
            "seconds": round(time.perf_counter() - started, 2)}


def run_all(paths, out_dir: Path, jobs: int = 1, timeout: float = 600):
    """Runs each snippet in a process of its own, ``jobs`` at a time, yielding results;
    then the snippets that run alone (``runs_alone``), one at a time, after every other
    snippet has finished.

    On Linux the processes are forked from this one after it has imported the libraries
    (and run nothing): a fresh process for every snippet without paying TensorFlow's
    import each time. Elsewhere each snippet gets a new interpreter. A snippet still
    running after ``timeout`` seconds is stopped and reported.
    """
    import importlib
    import signal
    import subprocess
    import tempfile
    import time

    if not hasattr(os, "fork") or sys.platform != "linux":
        for path in paths:
            try:
                proc = subprocess.run([sys.executable, "-m", "lossbook._site.runner", "--out",
                                       str(out_dir), "--in-process", str(path)],
                                      capture_output=True, text=True, check=False,
                                      timeout=timeout)
            except subprocess.TimeoutExpired:
                yield {"snippet": path.name, "ok": False,
                       "error": f"still running after {timeout:g} s: stopped"}
                continue
            yield json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() \
                else {"snippet": path.name, "ok": False, "error": proc.stderr[-6000:]}
        return
    os.environ.setdefault("MPLBACKEND", "Agg")
    for module in PRELOAD:
        importlib.import_module(module)
    paths = list(paths)
    alone = [path for path in paths if runs_alone(path)]
    pending, running = [path for path in paths if path not in alone] + alone, {}
    with tempfile.TemporaryDirectory() as logs:
        while pending or running:
            # A snippet that runs alone starts only when nothing else runs, and then
            # nothing starts beside it.
            while pending and len(running) < jobs and not (
                    running and (runs_alone(pending[0])
                                 or any(entry[4] for entry in running.values()))):
                path = pending.pop(0)
                report = Path(logs) / f"{path.stem}.json"
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:  # the child: run, write the result, leave without clean-up
                    code = 1
                    try:
                        result = _run_one(path, out_dir)
                        report.write_text(json.dumps(result))
                        code = 0
                    finally:
                        sys.stdout.flush()
                        sys.stderr.flush()
                        os._exit(code)
                running[pid] = [path, report, time.monotonic() + timeout, False,
                                runs_alone(path)]
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:  # none finished: stop the ones past their time, then look again
                for child, entry in running.items():
                    if not entry[3] and time.monotonic() > entry[2]:
                        os.kill(child, signal.SIGKILL)
                        entry[3] = True
                time.sleep(0.02)
                continue
            path, report, _, stopped, _ = running.pop(pid)
            if stopped:
                yield {"snippet": path.name, "ok": False,
                       "error": f"still running after {timeout:g} s: stopped"}
            elif report.exists():
                yield json.loads(report.read_text())
            else:
                code = os.waitstatus_to_exitcode(status)
                yield {"snippet": path.name, "ok": False,
                       "error": f"the process died: exit status {code}"}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--jobs", type=int, default=1, help="snippets run at once")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per snippet")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("snippets", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.in_process:
        results = (_run_one(path, args.out) for path in args.snippets)
    else:
        results = run_all(args.snippets, args.out, args.jobs, args.timeout)
    failed = 0
    for result in results:  # one JSON line per snippet, for ensure_runs
        print(json.dumps(result), flush=True)
        failed += not result["ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.exit(main())

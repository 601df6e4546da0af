"""Draw charts in a child process, started before the simulation, so they cost the user no wait.

Why: on the 2-core machine a run spends about 0.4 s importing matplotlib and 0.3 s drawing,
while the simulation itself leaves the second core idle. A command that will write a chart
starts a :class:`ChartProcess` first; the child imports matplotlib while the parent imports
the model and simulates, then receives the chart's plain arrays (a pickle over its stdin),
draws them with the very function the parent would use, and exits. The parent waits for it
before its output folder is moved into place, so a failed chart fails the command (a Dutch
message with the child's error) and nothing half-written is left behind. Several charts are
drawn side by side in forks of the warmed-up child, and the child leaves without the
interpreter's teardown: together 0.4 s off `draai` and 0.5 s off `vergelijk` (interleaved A/B
runs, benchmarks/bench_run.py).

Only the drawing functions named in :data:`DRAWERS` can be asked for, and only by the parent
that started the child (its own pipe).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from importlib import import_module
from pathlib import Path

from jeugdstelsel.errors import OutputError

# name -> (module, function): what the child may draw
DRAWERS = {
    "run": ("jeugdstelsel.reports.run_chart", "draw"),
    "bands": ("jeugdstelsel.reports.charts", "draw_bands"),
    "flows": ("jeugdstelsel.reports.charts", "draw_flows"),
}
WAIT_S = 120  # a chart takes under a second; a child stuck this long is a bug


class ChartProcess:
    """A child Python that draws each chart submitted to it; :meth:`wait` waits for all."""

    def __init__(self, *expected: str) -> None:
        """``expected``: the drawers this command will ask for, warmed up while it simulates."""
        unknown = [n for n in expected if n not in DRAWERS]
        if unknown:
            raise ValueError(f"unknown drawers {unknown}")
        src = str(Path(__file__).resolve().parents[2])  # the folder holding jeugdstelsel
        path = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "jeugdstelsel.reports.chart_process", *expected],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path, "MPLBACKEND": "Agg"},
        )

    def submit(self, name: str, **kwargs) -> None:
        """Send one drawing (``DRAWERS[name](**kwargs)``): the child starts on it at once."""
        if name not in DRAWERS:
            raise ValueError(f"unknown drawer {name!r}")
        try:
            pickle.dump((name, kwargs), self._proc.stdin)
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError):  # the child died: wait() reports why
            pass

    def wait(self) -> None:
        """Wait until every drawing sent is written; raise (in Dutch) if one failed."""
        try:
            _, stderr = self._proc.communicate(timeout=WAIT_S)
        except (subprocess.TimeoutExpired, BrokenPipeError, OSError) as exc:
            self.close()
            raise OutputError(f"De grafiek kon niet worden getekend: {exc}.") from exc
        if self._proc.returncode:
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
            raise OutputError(f"De grafiek kon niet worden getekend: {tail[0]}")

    def close(self) -> None:
        """Stop the child if it still runs (the command failed before its charts)."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stderr):
            if stream and not stream.closed:
                stream.close()

    def __enter__(self) -> ChartProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _warm_up(names: list[str]) -> None:
    """Draw each expected chart once on made-up numbers while the parent still simulates: a
    process's first drawing loads fonts and sets up every kind of artist (0.2-0.4 s the user
    would otherwise wait for the real one). Each drawing module has a ``warm_up(name, file)``."""
    import io

    for name in names:
        module, _ = DRAWERS[name]
        import_module(module).warm_up(name, io.BytesIO())


def _draw(name: str, kwargs: dict) -> None:
    module, function = DRAWERS[name]
    getattr(import_module(module), function)(**kwargs)


def _child(expected: list[str]) -> int:
    """The child's side: import matplotlib now, then draw what the parent sends.

    Several charts (``vergelijk`` asks for three) are drawn side by side: each drawing runs in
    a fork of this warmed-up process (matplotlib imported, fonts loaded, nothing to import
    again), at most one per core, while this process reads the next request. The parent is
    idle by then, so the charts no longer queue behind each other on one core. A fork that
    fails writes its traceback to stderr and makes this process exit 1 (the parent reports it).
    """
    _warm_up(expected)
    stream = sys.stdin.buffer
    running: set[int] = set()
    failed = False
    while True:
        try:
            name, kwargs = pickle.load(stream)
        except EOFError:  # the parent closed the pipe: wait until everything is drawn
            break
        if not hasattr(os, "fork"):  # not on Linux or macOS: one after the other
            _draw(name, kwargs)
            continue
        while len(running) >= (os.cpu_count() or 1):
            failed |= _reap(running)
        pid = os.fork()
        if pid == 0:  # the fork: draw, then leave without the parent's teardown
            code = 0
            try:
                _draw(name, kwargs)
            except BaseException:  # reported through stderr and the exit code
                import traceback

                traceback.print_exc()
                code = 1
            sys.stderr.flush()
            os._exit(code)
        running.add(pid)
    while running:
        failed |= _reap(running)
    return 1 if failed else 0


def _reap(running: set[int]) -> bool:
    """Wait for one drawing fork; True if it failed."""
    pid, status = os.wait()
    running.discard(pid)
    return os.waitstatus_to_exitcode(status) != 0


if __name__ == "__main__":
    code = _child(sys.argv[1:])  # an exception exits 1 with its traceback on stderr, as usual
    # Every chart is written and closed. Skip the interpreter's teardown of matplotlib and its
    # fonts (0.1-0.15 s the parent would wait for, measured in benchmarks/bench_run.py).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

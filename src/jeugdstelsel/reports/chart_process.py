"""Draw charts in a child process, started before the simulation, so they cost the user no wait.

Why: on the 2-core machine a run spends about 0.4 s importing matplotlib and 0.3 s drawing,
while the simulation itself leaves the second core idle. A command that will write a chart
starts a :class:`ChartProcess` first; the child imports matplotlib while the parent imports
the model and simulates, then receives the chart's plain arrays (a pickle over its stdin),
draws them with the very function the parent would use, and exits. The parent waits for it
before its output folder is moved into place, so a failed chart fails the command (a Dutch
message with the child's error) and nothing half-written is left behind.

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


def _child(expected: list[str]) -> int:
    """The child's side: import matplotlib now, then draw what the parent sends."""
    _warm_up(expected)
    stream = sys.stdin.buffer
    while True:
        try:
            name, kwargs = pickle.load(stream)
        except EOFError:  # the parent closed the pipe: everything is drawn
            return 0
        module, function = DRAWERS[name]
        getattr(import_module(module), function)(**kwargs)


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1:]))

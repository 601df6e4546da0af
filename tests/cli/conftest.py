"""Run the installed ``jeugdstelsel`` console script the way a user does: a fresh process, a
fresh store (``JEUGDSTELSEL_HOME`` in a temporary folder), an 80-column terminal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def console_script() -> str:
    """The installed console script: next to this Python first, else on PATH."""
    here = Path(sys.executable).with_name("jeugdstelsel")
    found = str(here) if here.exists() else shutil.which("jeugdstelsel")
    if not found:
        pytest.fail("the jeugdstelsel console script is not installed (pip install -e .)")
    return found


@dataclass
class Done:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def explain(self) -> str:
        return (f"$ jeugdstelsel {' '.join(self.argv)}\nexit {self.returncode}\n"
                f"--- stdout\n{self.stdout[-4000:]}\n--- stderr\n{self.stderr[-4000:]}")


class Shell:
    """A working folder and a fresh store; ``run(*args)`` runs the console script there."""

    def __init__(self, tmp: Path, store: Path | None = None) -> None:
        self.cwd = tmp / "werkmap"
        self.cwd.mkdir()
        self.home = tmp / "opslag"
        if store is not None:  # a copy of a store made moments ago by the same tool
            shutil.copytree(store, self.home)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JEUGDSTELSEL_", "DJANGO_")) and k != "DATABASE_URL"}
        env.update({"JEUGDSTELSEL_HOME": str(self.home), "COLUMNS": "80", "LINES": "50",
                    "TERM": "dumb", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8",
                    "JEUGDSTELSEL_BEHEERDER_WACHTWOORD": "een-lang-testwachtwoord-42"})
        env.pop("FORCE_COLOR", None)
        self.env = env
        self.script = console_script()

    def run(self, *args: str, timeout: float = 540) -> Done:
        proc = subprocess.run([self.script, *args], cwd=self.cwd, env=self.env,
                              capture_output=True, text=True, encoding="utf-8",
                              timeout=timeout, check=False)
        return Done(list(args), proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def shell(tmp_path) -> Shell:
    """A fresh store that the first command creates (migrations, seed)."""
    return Shell(tmp_path)


@pytest.fixture(scope="session")
def new_store(tmp_path_factory) -> Path:
    """A store just created by the console script (``cbs tabellen`` on an empty home)."""
    maker = Shell(tmp_path_factory.mktemp("nieuwe-opslag"))
    done = maker.run("cbs", "tabellen")
    assert done.returncode == 0, done.explain()
    return maker.home


@pytest.fixture
def fresh(tmp_path, new_store) -> Shell:
    """Like ``shell``, with a copy of a just-created store (saves the migrations per test)."""
    return Shell(tmp_path, store=new_store)


def wide_lines(text: str, width: int = 80) -> list[str]:
    return [line for line in text.splitlines() if len(line.rstrip()) > width]

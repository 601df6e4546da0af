"""Safe output folders: checked before anything runs, written atomically, never a user's file lost.

Use::

    folder = prepare_output(out, overwrite=overwrite)   # before the simulation: refuses early
    ...                                                 # simulate
    with folder.writing() as tmp:                       # a staging folder inside ``out``
        write_something(tmp / "x.csv")
    folder.written                                      # the final paths, sorted

Rules (issue 13, item 4):

* ``out`` may be a folder that does not exist yet (it is created, with the user's umask), an
  empty folder, ``.``, a folder this tool wrote before, or any folder whose files do not clash
  with the names the tool writes. An existing *file*, a path below a file, or a folder that is
  not writable is refused with :class:`~jeugdstelsel.errors.OutputError` before anything runs.
* A file in ``out`` that this tool did not write is never deleted, and never overwritten unless
  ``overwrite=True`` (the CLI option ``--overschrijf``). What the tool wrote is listed in the
  manifest ``.jeugdstelsel-uitvoer.json`` (name, size, modification time); a rerun may replace
  exactly those files, as long as they are unchanged since. A file the user edited counts as
  the user's again.
* Files are written into a staging folder *inside* ``out`` and moved into place with
  :func:`os.replace` only when all of them are complete, so a failed run leaves nothing
  half-written; the staging folder is always removed (one left by a killed process is cleared
  by the next run into the same folder). Nothing is created with ``mkdtemp``/``mkstemp``, so
  folders and files get the permissions the umask gives (no 0700/0600).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from jeugdstelsel.errors import OutputError

MANIFEST = ".jeugdstelsel-uitvoer.json"
STAGING_PREFIX = ".jeugdstelsel-tmp-"

#: Every file name a command of this tool writes into an output folder. A user's file with one
#: of these names blocks a run (unless ``overwrite``); files with other names are left alone.
RUN_FILES = ("results.csv", "resultaten_excel.csv", "results.parquet", "grafiek.png",
             "scenario.toml", "meta.json")
COMPARE_FILES = ("verschillen_per_jaar.csv", "verschillen_raadsperiode.csv", "niveaus_per_jaar.csv",
                 "kosteneffectiviteit.csv", "trekkingen.parquet", "banden.png", "verschillen.png",
                 "stromen.png", "meta.json")
SENSITIVITY_FILES = ("tornado.csv", "sobol.csv", "tornado.png", "sobol.png")
REPORT_FILES = (*COMPARE_FILES, *SENSITIVITY_FILES, "rapport.xlsx", "rapport.pdf")
KNOWN_FILES = frozenset((*RUN_FILES, *REPORT_FILES))

_HELP = ("Kies een nieuwe of lege map, een map met eerdere uitvoer van jeugdstelsel, of geef "
         "--overschrijf om deze bestanden te vervangen")


def _manifest(folder: Path) -> dict[str, dict]:
    """The files this tool wrote into ``folder`` (name -> size, mtime_ns); {} if none/unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = data.get("bestanden", {})
        return {str(k): v for k, v in files.items() if isinstance(v, dict)}
    except (OSError, ValueError, AttributeError):
        return {}


def _unchanged(path: Path, entry: dict) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    return st.st_size == entry.get("grootte") and st.st_mtime_ns == entry.get("mtime_ns")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _clear_stale_staging(folder: Path) -> None:
    """Remove staging folders of runs that died (their process is gone); never anything else."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(STAGING_PREFIX) or not entry.is_dir():
            continue
        pid = entry.name[len(STAGING_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)


class OutputFolder:
    """A checked output folder; write into it with :meth:`writing` (see the module docstring)."""

    def __init__(self, path: Path, *, overwrite: bool, names: frozenset[str],
                 existed: bool) -> None:
        self.path = path
        self.overwrite = overwrite
        self.names = names
        self.existed = existed
        #: final paths of the files the last :meth:`writing` put in place, sorted
        self.written: list[Path] = []

    def __repr__(self) -> str:
        return f"OutputFolder({str(self.path)!r}, overwrite={self.overwrite})"

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def clashes(self, names: Iterable[str]) -> list[str]:
        """Of ``names``, those that exist in the folder and are not this tool's unchanged files."""
        if not self.path.is_dir():
            return []
        owned = _manifest(self.path)
        out = []
        for name in sorted(set(names) - {MANIFEST}):
            target = self.path / name
            if not (target.exists() or target.is_symlink()):
                continue
            if target.is_dir() and not target.is_symlink():
                out.append(name)  # a folder with a result's name is never replaced
            elif name not in owned or not _unchanged(target, owned[name]):
                out.append(name)
        return out

    def check(self, names: Iterable[str] | None = None) -> None:
        """Raise :class:`OutputError` if writing ``names`` would replace a file of the user's."""
        clashes = self.clashes(self.names if names is None else names)
        if self.path.is_dir():
            for name in clashes:
                if (self.path / name).is_dir():
                    raise OutputError(
                        f"uitvoermap {self.path}: '{name}' is een map; jeugdstelsel schrijft daar "
                        f"een bestand met die naam. Kies een andere uitvoermap.",
                        file=str(self.path / name))
        if clashes and not self.overwrite:
            shown = ", ".join(clashes[:6]) + (f" en {len(clashes) - 6} andere"
                                              if len(clashes) > 6 else "")
            raise OutputError(
                f"uitvoermap {self.path} bevat al bestanden die jeugdstelsel zou overschrijven "
                f"en die het niet zelf heeft geschreven (of die sindsdien zijn gewijzigd): "
                f"{shown}. {_HELP}.", file=str(self.path))

    @contextlib.contextmanager
    def writing(self) -> Iterator[Path]:
        """Yield a staging folder inside the output folder; on success move its files in place.

        On an exception nothing in the output folder changes, the staging folder is removed, and
        a folder that :func:`prepare_output` found missing is removed again if it stayed empty.
        """
        created = self._make_folder()
        staging = self.path / f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            os.mkdir(staging)  # mode 0o777 & ~umask, unlike mkdtemp's 0o700
        except OSError as exc:
            self._remove_created(created)
            raise OutputError(f"kan niet schrijven in uitvoermap {self.path}: {exc.strerror}",
                              file=str(self.path)) from exc
        try:
            yield staging
            self.written = self._commit(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            self._remove_created(created)
            raise
        shutil.rmtree(staging, ignore_errors=True)

    # -- internals -------------------------------------------------------------------------
    def _make_folder(self) -> list[Path]:
        """Create the folder (and missing parents) with the umask; returns what was created."""
        created = []
        p = self.path
        while not p.exists():
            created.append(p)
            p = p.parent
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"kan uitvoermap {self.path} niet maken: {exc.strerror}",
                              file=str(self.path)) from exc
        _clear_stale_staging(self.path)
        return created

    def _remove_created(self, created: list[Path]) -> None:
        for p in created:  # deepest first
            try:
                p.rmdir()  # only if empty
            except OSError:
                break

    def _commit(self, staging: Path) -> list[Path]:
        items = sorted(p.relative_to(staging) for p in staging.rglob("*")
                       if p.is_file() and p.name != MANIFEST)
        names = [p.as_posix() for p in items]
        self.check(names)  # again: the folder may have changed while the model ran
        old = _manifest(self.path)
        written = []
        entries = {}
        for rel in items:
            target = self.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / rel, target)
            st = target.stat()
            entries[rel.as_posix()] = {"grootte": st.st_size, "mtime_ns": st.st_mtime_ns}
            written.append(target)
        # files of earlier runs that are still there unchanged stay ours
        for name, entry in old.items():
            if name not in entries and _unchanged(self.path / name, entry):
                entries[name] = entry
        from jeugdstelsel.services.provenance import tool_version

        manifest = {
            "programma": "jeugdstelsel",
            "versie": tool_version(),
            "toelichting": "Bestanden die jeugdstelsel in deze map schreef; een nieuwe run mag "
                           "precies deze (ongewijzigde) bestanden vervangen.",
            "bijgewerkt": datetime.now(UTC).isoformat(timespec="seconds"),
            "bestanden": dict(sorted(entries.items())),
        }
        tmp = staging / MANIFEST
        tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path / MANIFEST)
        return written


def _nearest_existing(path: Path) -> Path:
    p = path
    while not (p.exists() or p.is_symlink()):
        if p.parent == p:
            break
        p = p.parent
    return p


def _writable(folder: Path) -> bool:
    """Whether files can be created in ``folder``: checked by creating and removing a folder."""
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    probe = folder / f"{STAGING_PREFIX}{os.getpid()}-probe-{secrets.token_hex(4)}"
    try:
        os.mkdir(probe)
    except OSError:
        return False
    with contextlib.suppress(OSError):
        os.rmdir(probe)
    return True


def prepare_output(path: str | os.PathLike[str], *, overwrite: bool = False,
                   names: Iterable[str] | None = None) -> OutputFolder:
    """Check an output folder before anything runs; see the module docstring for the rules.

    ``names`` are the files the command will write (default: every name any command of this
    tool writes, :data:`KNOWN_FILES`). Raises :class:`OutputError` (Dutch, naming the path)
    for an existing file, a path below a file, a folder that cannot be written, or a folder
    with files of the user's that would be overwritten (unless ``overwrite``). Creates
    nothing: a folder that does not exist yet is made when the results are written.
    """
    if isinstance(path, OutputFolder):
        return path
    target = Path(path).expanduser()
    if target.exists() and not target.is_dir():
        raise OutputError(
            f"uitvoer {target} is een bestand, geen map: jeugdstelsel schrijft zijn resultaten "
            f"in een map. Geef een map op (nieuw, leeg of eerdere uitvoer van jeugdstelsel).",
            file=str(target))
    existing = _nearest_existing(target.absolute())
    if existing.exists() and not existing.is_dir():
        raise OutputError(
            f"uitvoermap {target} kan niet worden gemaakt: {existing} is een bestand.",
            file=str(target))
    if not existing.exists():  # pragma: no cover - a dangling symlink at the root
        raise OutputError(f"uitvoermap {target} kan niet worden gemaakt.", file=str(target))
    if not _writable(existing):
        where = "" if existing == target.absolute() else f" (in {existing})"
        raise OutputError(
            f"uitvoermap {target} is niet schrijfbaar{where}: kies een map waarin u mag "
            f"schrijven.", file=str(target))
    folder = OutputFolder(target, overwrite=overwrite,
                          names=frozenset(KNOWN_FILES if names is None else names),
                          existed=target.is_dir())
    folder.check()
    return folder


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike[str] | OutputFolder, *, overwrite: bool = False
               ) -> Iterator[Path]:
    """Backwards-compatible: ``prepare_output(target)`` and then :meth:`OutputFolder.writing`.

    Unlike before, it no longer replaces the whole folder (which deleted the user's files):
    files are moved in one by one and other files stay. Prefer calling :func:`prepare_output`
    before the simulation, so a bad folder is refused before any time is spent.
    """
    folder = prepare_output(target, overwrite=overwrite)
    with folder.writing() as tmp:
        yield tmp

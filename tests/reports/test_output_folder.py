"""Output folders are safe (issue 13, item 4): checked before running, a user's file is never
deleted or overwritten without ``overwrite``, atomic writes, ``--out .``, the umask."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from jeugdstelsel.errors import OutputError
from jeugdstelsel.reports.files import MANIFEST, STAGING_PREFIX, atomic_dir, prepare_output


def _write(folder, files: dict[str, str]) -> list[Path]:
    with folder.writing() as tmp:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")
    return folder.written


def _staging_left(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.name.startswith(STAGING_PREFIX)]


def test_new_folder_is_created_only_when_writing(tmp_path):
    out = tmp_path / "a" / "b"
    folder = prepare_output(out)
    assert not out.exists()  # nothing is created before the results exist
    written = _write(folder, {"results.csv": "x\n", "meta.json": "{}"})
    assert written == [out / "meta.json", out / "results.csv"]
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["bestanden"]) == {"meta.json", "results.csv"}
    assert not _staging_left(tmp_path)


def test_a_users_file_is_refused_kept_and_only_replaced_with_overwrite(tmp_path):
    out = tmp_path / "uit"
    out.mkdir()
    (out / "results.csv").write_text("mijn eigen cijfers", encoding="utf-8")
    (out / "notities.txt").write_text("blijft", encoding="utf-8")
    with pytest.raises(OutputError) as exc:
        prepare_output(out)
    assert exc.value.code == "uitvoer_ongeldig"
    assert str(out) in str(exc.value) and "results.csv" in str(exc.value)
    assert "--overschrijf" in str(exc.value)
    assert (out / "results.csv").read_text(encoding="utf-8") == "mijn eigen cijfers"
    _write(prepare_output(out, overwrite=True), {"results.csv": "nieuw"})
    assert (out / "results.csv").read_text(encoding="utf-8") == "nieuw"
    assert (out / "notities.txt").read_text(encoding="utf-8") == "blijft"


def test_files_of_other_names_never_block_and_always_survive(tmp_path):
    (tmp_path / "rapport-2023.docx").write_text("van de gebruiker", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    _write(prepare_output(tmp_path), {"results.csv": "1"})
    _write(prepare_output(tmp_path), {"results.csv": "2"})  # rerun into our own output
    assert (tmp_path / "rapport-2023.docx").read_text(encoding="utf-8") == "van de gebruiker"
    assert (tmp_path / "sub").is_dir()
    assert (tmp_path / "results.csv").read_text(encoding="utf-8") == "2"


def test_rerun_replaces_own_files_but_not_ones_the_user_changed(tmp_path):
    out = tmp_path / "uit"
    _write(prepare_output(out), {"results.csv": "1", "grafiek.png": "png"})
    _write(prepare_output(out), {"results.csv": "2", "grafiek.png": "png2"})
    assert (out / "results.csv").read_text(encoding="utf-8") == "2"
    (out / "results.csv").write_text("door de gebruiker aangepast, langer", encoding="utf-8")
    with pytest.raises(OutputError, match=r"results\.csv"):
        prepare_output(out)
    assert "aangepast" in (out / "results.csv").read_text(encoding="utf-8")


def test_an_existing_file_as_output_is_refused(tmp_path):
    target = tmp_path / "resultaten.csv"
    target.write_text("van de gebruiker", encoding="utf-8")
    with pytest.raises(OutputError, match="is een bestand") as exc:
        prepare_output(target)
    assert str(target) in str(exc.value)
    with pytest.raises(OutputError, match="is een bestand"):
        prepare_output(target / "sub")
    assert target.read_text(encoding="utf-8") == "van de gebruiker"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_that_is_not_writable_is_refused(tmp_path):
    locked = tmp_path / "alleen-lezen"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="niet schrijfbaar"):
            prepare_output(locked)
        with pytest.raises(OutputError, match="niet schrijfbaar"):
            prepare_output(locked / "nieuw")
    finally:
        locked.chmod(0o755)


def test_dot_works_and_leaves_no_temporary_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    written = _write(prepare_output("."), {"results.csv": "1"})
    assert [p.name for p in written] == ["results.csv"]
    assert (tmp_path / "results.csv").exists()
    assert not _staging_left(tmp_path)


def test_a_failure_while_writing_changes_nothing(tmp_path):
    out = tmp_path / "uit"
    _write(prepare_output(out), {"results.csv": "oud"})
    folder = prepare_output(out)
    with pytest.raises(RuntimeError), folder.writing() as tmp:
        (tmp / "results.csv").write_text("half", encoding="utf-8")
        raise RuntimeError("crash")
    assert (out / "results.csv").read_text(encoding="utf-8") == "oud"
    assert not _staging_left(tmp_path)
    fresh = tmp_path / "nieuw" / "diep"
    with pytest.raises(RuntimeError), prepare_output(fresh).writing():
        raise RuntimeError("crash")
    assert not (tmp_path / "nieuw").exists()  # the folders it created are gone again


def test_staging_of_a_killed_run_is_cleared_next_time(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f"{STAGING_PREFIX}{dead}-abcd1234"
    stale.mkdir()
    (stale / "results.csv").write_text("half", encoding="utf-8")
    _write(prepare_output(tmp_path), {"results.csv": "heel"})
    assert not stale.exists()


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_permissions_follow_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        out = tmp_path / "uit"
        _write(prepare_output(out), {"results.csv": "1"})
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask
    for p in (out / "results.csv", out / MANIFEST):
        assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~umask


def test_atomic_dir_keeps_the_users_files(tmp_path):
    """The old helper no longer swaps the whole folder (which deleted what the user had)."""
    out = tmp_path / "rapport"
    out.mkdir()
    (out / "mijn.txt").write_text("blijft", encoding="utf-8")
    with atomic_dir(out) as tmp:
        (tmp / "banden.png").write_bytes(b"png")
    assert (out / "mijn.txt").read_text(encoding="utf-8") == "blijft"
    assert (out / "banden.png").exists()


def test_a_folder_with_a_results_name_is_refused(tmp_path):
    (tmp_path / "results.csv").mkdir()
    with pytest.raises(OutputError, match="is een map"):
        prepare_output(tmp_path, overwrite=True)

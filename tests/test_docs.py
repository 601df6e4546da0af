"""Generated documentation is up to date with the model declaration."""

from __future__ import annotations

from pathlib import Path

from jeugdstelsel.services.modeldoc import markdown

ROOT = Path(__file__).resolve().parents[1]


def test_model_markdown_is_generated_from_the_declaration():
    assert (ROOT / "docs" / "model.md").read_text(encoding="utf-8") == markdown(), (
        "docs/model.md is stale: run `jeugdstelsel model --markdown docs/model.md`"
    )

"""Where jeugdstelsel keeps its local files (database, CBS cache, calibrations).

``JEUGDSTELSEL_HOME`` overrides the default ``~/.jeugdstelsel``; the installed tool never reads
the development folder ``../shared``.
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """Return (and create) the folder for local state."""
    path = Path(os.environ.get("JEUGDSTELSEL_HOME", Path.home() / ".jeugdstelsel")).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path

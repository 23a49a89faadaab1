"""Apply migrations and load a folder of articles (default: seeds/). Thin wrapper over `aikb load`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.cli import main

if __name__ == "__main__":
    sys.exit(main(["load", *sys.argv[1:]]))

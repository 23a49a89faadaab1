"""Print the runtime part of requirements.lock: the pins the service needs, without the dev tools.

    python scripts/runtime_requirements.py [requirements.lock] > runtime.txt

requirements.lock pins the dev extra too (pytest, mypy, ruff, hadolint, ...), which an image does not
need. The lock's `# via` comments record who requires each package, so the runtime closure is every
package reachable from pyproject.toml's [project] dependencies: same pins, one lock to maintain.
Standard library only: the Dockerfile runs it before anything is installed.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==")
_VIA = re.compile(r"^\s+#\s+(?:via\s+)?([A-Za-z0-9][A-Za-z0-9._-]*)(?:\s|$)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_pins(lock: str, direct: list[str]) -> list[str]:
    """The lock's pin lines that the `direct` requirements need, in the lock's order."""
    pins: dict[str, str] = {}
    parents: dict[str, set[str]] = {}
    current: str | None = None
    for line in lock.splitlines():
        if match := _PIN.match(line):
            current = normalise(match.group(1))
            pins[current] = line.strip()
            parents[current] = set()
        elif current is not None and (requirer := _VIA.match(line)):
            parents[current].add(normalise(requirer.group(1)))
    needed = {normalise(re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0]) for requirement in direct}
    missing = needed - pins.keys()
    if missing:
        raise SystemExit(f"not pinned in the lock: {', '.join(sorted(missing))}; run `make lock`")
    grew = True
    while grew:
        grew = False
        for name, via in parents.items():
            if name not in needed and via & needed:
                needed.add(name)
                grew = True
    return [pin for name, pin in pins.items() if name in needed]


def main(argv: list[str]) -> int:
    lock = Path(argv[0]) if argv else ROOT / "requirements.lock"
    project = tomllib.loads((lock.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    print(f"# runtime pins of {lock.name} (scripts/runtime_requirements.py)")
    print("\n".join(runtime_pins(lock.read_text(encoding="utf-8"), project["dependencies"])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

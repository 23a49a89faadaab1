"""The extraction lexicon: the word lists every extractor shares, read once from data/lexicon.json.

Rules stay in code (regular expressions and the order they apply in); the words they are built from are
data, here, so that speech verbs, roles, non-names or unit words have one definition each. A section
holds either `words` (a list) or `values` (a mapping, e.g. scale word -> multiplier); `quantities` nests
the sections only the quantity reader uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["LEXICON_PATH", "alternation", "mapping", "sections", "words", "wordset"]

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "lexicon.json"


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(LEXICON_PATH.read_text(encoding="utf-8"))
    return data


def _section(name: str) -> dict[str, Any]:
    node: Any = _data()
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(f"lexicon has no section {name!r}")
        node = node[part]
    if not isinstance(node, dict):
        raise KeyError(f"lexicon entry {name!r} is not a section")
    return node


def sections() -> list[str]:
    """Every section name ('speech_verbs', 'quantities.months', …), for tests and documentation."""
    out: list[str] = []

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for key, value in node.items():
            if not isinstance(value, dict):
                continue
            if "words" in value or "values" in value:
                out.append(prefix + key)
            else:
                walk(f"{prefix}{key}.", value)

    walk("", _data())
    return out


def words(*names: str) -> tuple[str, ...]:
    """The entries of one or more word-list sections, in file order, without repeats."""
    out: dict[str, None] = {}
    for name in names:
        for word in _section(name)["words"]:
            out.setdefault(str(word), None)
    return tuple(out)


def wordset(*names: str) -> frozenset[str]:
    """The entries of word-list sections as a set (for look-ups of one word)."""
    return frozenset(words(*names))


def mapping(name: str) -> dict[str, Any]:
    """A `values` section: word -> value (a fresh copy)."""
    values = _section(name)["values"]
    assert isinstance(values, Mapping)
    return dict(values)


def alternation(*names: str, extra: Iterable[str] = ()) -> str:
    """A regex alternation (no group) of the entries, longest first so that phrases win over their words.

    An entry written in lower case also matches with a capital first letter ('president' finds
    'President'); other entries match as written ('CEO', 'Ministry')."""
    entries = sorted({*words(*names), *extra}, key=lambda w: (-len(w), w))
    parts = []
    for entry in entries:
        escaped = re.escape(entry)
        if entry[:1].islower():
            escaped = f"[{entry[0].upper()}{entry[0]}]{re.escape(entry[1:])}"
        parts.append(escaped)
    return "(?:" + "|".join(parts) + ")"

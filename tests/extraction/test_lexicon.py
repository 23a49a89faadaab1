"""The extraction lexicon: one definition of each word list, read by every extractor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.extraction import lexicon

EXTRACTION = Path(__file__).resolve().parents[2] / "app" / "extraction"


@pytest.mark.parametrize("name", lexicon.sections())
def test_every_section_says_why_and_holds_entries(name: str) -> None:
    section = lexicon._section(name)
    assert str(section.get("about", "")).strip(), f"{name} has no 'about'"
    entries = section.get("words") or section.get("values")
    assert entries, f"{name} is empty"
    if "words" in section:
        assert len(set(section["words"])) == len(section["words"]), f"{name} lists a word twice"


def test_alternation_takes_phrases_first_and_lets_lower_case_entries_start_capitalised() -> None:
    roles = re.compile(rf"^{lexicon.alternation('lead_roles')}$")
    assert roles.match("President") and roles.match("president") and roles.match("CEO")
    assert not roles.match("ceo")  # an entry in capitals matches as written
    longest = re.match(lexicon.alternation("lead_roles"), "chief executive officer Ma")
    assert longest is not None and longest.group() == "chief executive officer"


def test_an_unknown_section_is_an_error() -> None:
    with pytest.raises(KeyError):
        lexicon.words("no_such_list")


@pytest.mark.parametrize(
    "copy",
    [
        r"said\|says\|stated",  # speech verbs
        r"CEO\|(?:CFO|chief)",  # roles
        r'"January",',  # non-names
        r'"billion": 10',  # scale words
        r"Administration\|Ministry",  # organisation heads
    ],
)
def test_no_extractor_keeps_its_own_copy_of_a_lexicon_list(copy: str) -> None:
    offenders = [
        path.name for path in EXTRACTION.glob("*.py") if re.search(copy, path.read_text(encoding="utf-8"))
    ]
    assert offenders == []

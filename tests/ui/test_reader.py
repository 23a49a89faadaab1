"""The reader's markup: text content exactly the stored text, claims and mentions nested, ids escaped."""

from __future__ import annotations

import pytest

from app.ui.reader import annotate
from tests.ui.html_text import texts

TEXT = "Huawei & <b>SMIC</b> said\r\nthe Ascend 910B ships.\n\nNvidia's H20 is \"restricted\" 'again'."


def markup(text: str, claims: list[tuple[int, int, str]], mentions: list[tuple[int, int, str]]) -> str:
    html = annotate(
        text,
        claims,
        mentions,
        claim_open=lambda c: f'<a data-claim-id="{c}">',
        mention_open=lambda e: f'<span data-entity-id="{e}">',
    )
    return f"<div data-source-text>{html}</div>"


def claim_texts(html: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for claim_id, text in texts(html, "data-claim-id"):
        assert claim_id is not None
        found[claim_id] = found.get(claim_id, "") + text
    return found


def whole_text(html: str) -> str:
    ((_, text),) = texts(html, "data-source-text")
    return text


def test_text_content_is_the_stored_text_with_claims_and_mentions_marked() -> None:
    claims = [(0, TEXT.index("ships.") + 6, "c1"), (TEXT.index("Nvidia"), len(TEXT), "c2")]
    mentions = [(0, 6, "huawei"), (TEXT.index("SMIC"), TEXT.index("SMIC") + 4, "smic")]
    mentions += [
        (TEXT.index("Ascend"), TEXT.index("910B") + 4, "ascend-910b"),
        (TEXT.index("H20"), TEXT.index("H20") + 3, "h20"),
    ]
    html = markup(TEXT, claims, mentions)
    assert whole_text(html) == TEXT
    assert claim_texts(html) == {c: TEXT[s:e] for s, e, c in claims}
    assert {e: t for e, t in texts(html, "data-entity-id")} == {e: TEXT[s:x] for s, x, e in mentions}
    assert "<b>" not in html and "\r" not in html  # markup escaped; CR kept as a reference the parser keeps
    assert "&#13;" in html


@pytest.mark.parametrize(
    ("claims", "mentions"),
    [
        ([], []),
        ([(0, 10, "a")], [(5, 15, "crosses-the-claim-end")]),  # a mention cut in two by a claim boundary
        ([(5, 20, "a")], [(0, 8, "x"), (2, 6, "inside-x"), (6, 12, "overlaps-x")]),  # overlapping mentions
        ([(0, 20, "a"), (10, 30, "b")], []),  # overlapping claims (never produced): the later one is cut
        ([(-5, 10, "a"), (70, 500, "b"), (30, 30, "empty")], [(80, 400, "past-the-end")]),  # out of range
    ],
)
def test_any_spans_nest_and_keep_the_text_exact(
    claims: list[tuple[int, int, str]], mentions: list[tuple[int, int, str]]
) -> None:
    html = markup(TEXT, claims, mentions)
    assert whole_text(html) == TEXT
    shown = claim_texts(html)
    for start, end, claim_id in claims:
        if claim_id in shown:
            assert shown[claim_id] in TEXT[max(start, 0) : end]


def test_disjoint_claims_are_one_element_each() -> None:
    claims = [(0, 6, "a"), (7, 12, "b"), (12, 20, "c")]
    html = markup(TEXT, claims, [(3, 9, "m")])
    assert [c for c, _ in texts(html, "data-claim-id")] == ["a", "b", "c"]
    assert claim_texts(html) == {c: TEXT[s:e] for s, e, c in claims}

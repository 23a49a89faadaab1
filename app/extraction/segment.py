"""Segmentation: blocks (lines, bullet items) and sentences with exact offsets, and what is not a claim."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.extraction import lexicon

__all__ = ["Block", "Sentence", "segment"]

_BULLET = re.compile(r"(?:[-*•‣▪●◦■□–—](?=\s)|\d{1,2}[.)](?=\s)|📌|👉|✅|🔹|🔸|►|»)\s*")
# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = lexicon.wordset("abbreviations")
_SENTENCE_END = re.compile(r"[.!?]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9\u4e00-\u9fff])")
_FURNITURE = re.compile(
    r"investment advice|for information purposes only|subscribers? can read|subscribe (?:now|to|for)|"
    r"sign up (?:for|to)|newsletter|all rights reserved|click here|read more|related articles?|"
    r"cookie|advertisement|follow us|share this|^source:|^photo|^image:|getty images|"
    r"^copyright|^©|terms of (?:use|service)|privacy policy",
)  # matched against the lower-cased line: an IGNORECASE alternation costs several times more
_SIGNED = re.compile(
    r"^(?P<name>[A-Z][\w’'.-]+(?: [A-Z][\w’'.-]+){1,3}) (?:writes|responds|replies|says|wrote):$"
)
# A sentence may close with a bracketed attribution: "... export controls. (CSIS)".
_LAST_WORD = re.compile(r"([\w.]+)[.!?]*$")
_CITATION = re.compile(r"\s*\([^()]{1,60}\)\s*(?:$|\n)")
_TERMINAL = re.compile(r"(?:[.!?][\"”’')\]]*|[\"”])(?:\s*\([^()]{1,60}\))?$")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    block: int  # index of the block (line / bullet item) it belongs to


@dataclass(frozen=True, slots=True)
class Block:
    start: int
    end: int
    kind: str  # "text", "heading", "furniture", "byline"
    bullet: bool
    author: str | None = None  # for "Name writes:" bylines


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _classify(line: str, bullet: bool) -> tuple[str, str | None]:
    signed = _SIGNED.match(line)
    if signed:
        return "byline", signed.group("name")
    if _FURNITURE.search(line.lower()):
        return "furniture", None
    words = line.split()
    if len(words) <= 6:
        letters = [c for c in line if c.isalpha()]
        if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8:
            return "heading", None
    # A bullet item states something without a full stop ("Training cost: about $535K"); a chart legend
    # ("■ China ■ United States") does not.
    listed = bullet and (len(words) >= 6 or any(c.isdigit() for c in line))
    if not listed and not _TERMINAL.search(line, max(0, len(line) - 80)) and len(words) <= 16:
        return "heading", None
    if line.endswith("?") and len(words) <= 16:
        return "heading", None
    return "text", None


def segment(text: str) -> tuple[list[Block], list[Sentence]]:
    """Split the text into blocks (one per line) and the sentences of its prose blocks."""
    blocks: list[Block] = []
    sentences: list[Sentence] = []
    offset = 0
    for raw_line in text.splitlines(keepends=True):
        line_start, line_end = _trim(text, offset, offset + len(raw_line))
        offset += len(raw_line)
        if line_start >= line_end:
            continue
        bullet = _BULLET.match(text, line_start, line_end)
        body_start = bullet.end() if bullet else line_start
        body_start, body_end = _trim(text, body_start, line_end)
        if body_start >= body_end:
            continue
        body = text[body_start:body_end]
        kind, author = _classify(body, bullet is not None)
        blocks.append(Block(body_start, body_end, kind, bullet is not None, author))
        if kind != "text":
            continue
        index = len(blocks) - 1
        cursor = body_start
        for match in _SENTENCE_END.finditer(text, body_start, body_end):
            if _CITATION.match(text, match.end(), body_end):
                continue  # "... export controls. (CSIS)": the citation belongs to the sentence before
            word = _LAST_WORD.search(text, max(cursor, match.start() - 24), match.start() + 1)
            if word and word.group(1).rstrip(".").lower() in _ABBREVIATIONS and match.group().startswith("."):
                continue
            if word and re.fullmatch(r"[A-Z]", word.group(1).rstrip(".")):
                continue  # an initial, as in "C. Wei"
            s, e = _trim(text, cursor, match.end())
            if s < e:
                sentences.append(Sentence(s, e, index))
            cursor = match.end()
        s, e = _trim(text, cursor, body_end)
        if s < e:
            sentences.append(Sentence(s, e, index))
    return blocks, sentences

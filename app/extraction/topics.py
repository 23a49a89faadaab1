"""Lexicon-based multi-label topic classifier for claims.

The lexicon lives in ``data/topics.json`` (data, not code). Each topic has weighted cues; a claim's score
for a topic is the sum of the weights of the distinct cues found in it, plus weak evidence from the types of
the entities it mentions, plus co-occurrence rules (e.g. the US and China named together hint at
geopolitics). Topics whose score reaches the threshold are assigned (at most ``max_topics``, the highest);
when none does, the best-scoring topic is returned if its score exceeds ``fallback_min``.

Cue syntax (lowercase, matched case-insensitively at word boundaries):

* ``export control``: a word or phrase. Words may be joined by spaces, hyphens or nothing ("open source",
  "open-source", "opensource"); the last word takes simple inflections ("chip" -> "chips",
  "ban" -> "banned", "strategy" -> "strategies", "release" -> "released").
* ``subsid*``: a prefix; any word starting with it matches.
* ``re:<regex>``: a raw regular expression without capturing groups (e.g. ``re:\\d+ ?nm``).
* ``cs:<cue>``: a case-sensitive cue, matched against the original text ("cs:US" is not "us").

All cues are compiled once, at import, into two regexes (case-folded and case-sensitive). The cues are laid
out as a trie, so shared prefixes are tested once and a sentence is scanned in time proportional to its
length, not to the size of the lexicon; each cue ends in an empty marker group that identifies it. Longer
cues win over their prefixes, so a phrase ("export control") is counted instead of its words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["TOPICS", "classify_topics", "topic_definitions", "topic_scores"]

_LEXICON_PATH = Path(__file__).resolve().parent / "data" / "topics.json"

_SEP = "\x00"  # marks a word separator inside a cue's literal path
_SEP_REGEX = r"[\s\-\u2010\u2011]?"
_VOWELS = frozenset("aeiou")
_EPSILON = 1e-9  # weights are decimals: 0.7 + 0.3 must reach a threshold of 1.0


def _inflect(word: str) -> tuple[str, str]:
    """Split the last word of a cue into (literal stem, regex of the endings it may take)."""
    if not word.isalpha() or len(word) < 3:
        return word, r"(?:s|es)?"
    if word.endswith("y") and word[-2] not in _VOWELS:
        return word[:-1], r"(?:y|ies|ied|ying)"
    if word.endswith("e"):
        return word[:-1], r"(?:e|es|ed|ing)"
    doubled = re.escape(word[-1]) + r"(?:ed|ing)|" if word[-1] not in _VOWELS else ""
    return word, r"(?:" + doubled + r"s|es|ed|ing)?"


def _cue_path(cue: str) -> tuple[str, str]:
    """A plain or prefix cue as (literal path with _SEP between words, regex for what may follow it)."""
    if cue.endswith("*"):
        words = re.split(r"[\s\-]+", cue[:-1].strip())
        return _SEP.join(words), r"[\w\-]*"
    words = re.split(r"[\s\-]+", cue.strip())
    stem, endings = _inflect(words[-1])
    return _SEP.join([*words[:-1], stem]), endings


class _TrieNode:
    __slots__ = ("children", "ends")

    def __init__(self) -> None:
        self.children: dict[str, _TrieNode] = {}
        self.ends: list[tuple[str, int]] = []  # (endings regex, cue number)


def _trie_regex(node: _TrieNode, markers: list[int]) -> str:
    """Regex for a trie: shared prefixes are factored out, so matching cost grows with the text, not with
    the number of cues. Each cue ends in an empty capturing group, its marker; ``markers`` receives the
    cue numbers in group order. Children come before ends, so longer cues win over their prefixes."""
    branches: list[str] = []
    for key in sorted(node.children):
        head = _SEP_REGEX if key == _SEP else re.escape(key)
        branches.append(head + _trie_regex(node.children[key], markers))
    for endings, cue_number in node.ends:
        markers.append(cue_number)
        branches.append(endings + r"(?!\w)()")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def _compile_cues(cues: list[str]) -> tuple[re.Pattern[str], list[int]]:
    """One regex for all cues (matched against lowercased text) and, per marker group, its cue number."""
    root = _TrieNode()
    raw_regexes: list[tuple[str, int]] = []
    for number, cue in enumerate(cues):
        if cue.startswith("re:"):
            body = cue[3:]
            if re.compile(body).groups:
                raise ValueError(f"regex cue {cue!r} must not use capturing groups")
            raw_regexes.append((body, number))
            continue
        path, endings = _cue_path(cue)
        node = root
        for char in path:
            node = node.children.setdefault(char, _TrieNode())
        node.ends.append((endings, number))
    markers: list[int] = []
    alternatives = [_trie_regex(root, markers)] if root.children else []
    for body, number in raw_regexes:
        markers.append(number)
        alternatives.append(r"(?:" + body + r")(?!\w)()")
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")")
    return pattern, markers


@dataclass(frozen=True, slots=True)
class _CuePattern:
    pattern: re.Pattern[str]
    weights: tuple[tuple[tuple[int, float], ...], ...]  # marker group -> ((topic index, weight), ...)
    groups: tuple[int, ...]  # marker group -> bit mask of the cue groups the cue belongs to


@dataclass(frozen=True, slots=True)
class _Lexicon:
    topics: tuple[str, ...]
    definitions: dict[str, dict[str, str]]
    folded: _CuePattern | None  # cues matched against the lowercased text
    exact: _CuePattern | None  # "cs:" cues, matched case-sensitively against the original text
    co_occurrence: tuple[tuple[int, int, float], ...]  # (required group mask, topic index, weight)
    entity_weights: dict[str, tuple[tuple[int, float], ...]]
    threshold: float
    fallback_min: float
    max_topics: int


def _cue_pattern(cues: dict[str, dict[int, float]], masks: dict[str, int]) -> _CuePattern | None:
    if not cues:
        return None
    ordered = sorted(cues)
    pattern, markers = _compile_cues(ordered)
    weights: list[tuple[tuple[int, float], ...]] = [()]  # group 0 is the whole match
    groups = [0]
    for number in markers:
        cue = ordered[number]
        weights.append(tuple(sorted(cues[cue].items())))
        groups.append(masks.get(cue, 0))
    return _CuePattern(pattern=pattern, weights=tuple(weights), groups=tuple(groups))


def _load_lexicon(path: Path = _LEXICON_PATH) -> _Lexicon:
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    topics: list[str] = []
    definitions: dict[str, dict[str, str]] = {}
    cues: dict[str, dict[int, float]] = {}
    for index, entry in enumerate(raw["topics"]):
        topic_id = str(entry["id"])
        topics.append(topic_id)
        definitions[topic_id] = {"label": str(entry["label"]), "definition": str(entry["definition"])}
        for cue, weight in dict(entry["cues"]).items():
            cues.setdefault(_normalise_cue(str(cue)), {})[index] = float(weight)
    index_of = {t: i for i, t in enumerate(topics)}

    # Cue groups (e.g. words naming the US, words naming China) only matter through co-occurrence rules.
    group_bit = {str(name): 1 << bit for bit, name in enumerate(raw.get("cue_groups", {}))}
    masks: dict[str, int] = {}
    for name, members in dict(raw.get("cue_groups", {})).items():
        for cue in members:
            key = _normalise_cue(str(cue))
            cues.setdefault(key, {})
            masks[key] = masks.get(key, 0) | group_bit[str(name)]
    co_occurrence = tuple(
        (
            sum(group_bit[str(g)] for g in rule["groups"]),
            index_of[str(rule["topic"])],
            float(rule["weight"]),
        )
        for rule in raw.get("co_occurrence", [])
    )

    folded = {c: w for c, w in cues.items() if not c.startswith("cs:")}
    exact = {c[3:]: w for c, w in cues.items() if c.startswith("cs:")}
    exact_masks = {c[3:]: m for c, m in masks.items() if c.startswith("cs:")}

    entity_weights: dict[str, tuple[tuple[int, float], ...]] = {}
    for etype, mapping in dict(raw.get("entity_weights", {})).items():
        entity_weights[str(etype)] = tuple((index_of[str(t)], float(w)) for t, w in dict(mapping).items())
    return _Lexicon(
        topics=tuple(topics),
        definitions=definitions,
        folded=_cue_pattern(folded, masks),
        exact=_cue_pattern(exact, exact_masks),
        co_occurrence=co_occurrence,
        entity_weights=entity_weights,
        threshold=float(raw.get("threshold", 1.0)),
        fallback_min=float(raw.get("fallback_min", 0.0)),
        max_topics=int(raw.get("max_topics", 4)),
    )


def _normalise_cue(cue: str) -> str:
    """Lowercase a cue unless it is a case-sensitive ("cs:") one."""
    cue = cue.strip()
    return cue if cue.startswith("cs:") else cue.lower()


_LEX = _load_lexicon()

TOPICS: tuple[str, ...] = _LEX.topics


def topic_definitions() -> dict[str, dict[str, str]]:
    """Topic id -> {"label": ..., "definition": ...}, in TOPICS order (a fresh copy)."""
    return {t: dict(d) for t, d in _LEX.definitions.items()}


def _scan(cues: _CuePattern, text: str, scores: list[float]) -> int:
    """Add the weights of the distinct cues found in text to scores; return the mask of cue groups seen."""
    seen: set[int] = set()
    groups = 0
    for match in cues.pattern.finditer(text):
        marker = match.lastindex
        if marker is None or marker in seen:
            continue
        seen.add(marker)
        groups |= cues.groups[marker]
        for topic_index, weight in cues.weights[marker]:
            scores[topic_index] += weight
    return groups


def _scores(text: str, entity_types: Collection[str]) -> list[float]:
    lex = _LEX
    scores = [0.0] * len(lex.topics)
    groups = 0
    if lex.folded is not None:
        groups |= _scan(lex.folded, text.lower(), scores)
    if lex.exact is not None:
        groups |= _scan(lex.exact, text, scores)
    for required, topic_index, weight in lex.co_occurrence:
        if groups & required == required:
            scores[topic_index] += weight
    for etype in set(entity_types):
        for topic_index, weight in lex.entity_weights.get(etype, ()):
            scores[topic_index] += weight
    return scores


def topic_scores(text: str, entity_types: Collection[str] = ()) -> dict[str, float]:
    """Raw evidence score per topic (for debugging and tuning)."""
    return dict(zip(_LEX.topics, _scores(text, entity_types), strict=True))


def classify_topics(text: str, entity_types: Collection[str] = ()) -> list[str]:
    """Topics of one claim, in TOPICS order. entity_types: the types of entities mentioned in the claim
    ("chip", "model", "policy", "company", "person", "organization", "country")."""
    if not text or text.isspace():
        return []
    lex = _LEX
    scores = _scores(text, entity_types)
    chosen = [i for i, s in enumerate(scores) if s >= lex.threshold - _EPSILON]
    if len(chosen) > lex.max_topics:
        chosen = sorted(sorted(chosen, key=lambda i: -scores[i])[: lex.max_topics])
    if not chosen:
        best = max(range(len(scores)), key=lambda i: scores[i])
        if scores[best] > lex.fallback_min:
            chosen = [best]
    return [lex.topics[i] for i in chosen]

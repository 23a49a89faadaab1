"""Entity recognition: catalog aliases (spaCy PhraseMatcher), discovery rules, and name resolution."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from app.extraction.catalog import Catalog, CatalogEntity, normalise_alias, slugify
from app.extraction.records import EntityRecord, MentionRecord

__all__ = ["EntityRecognizer"]

CAP = r"(?:[A-Z][\w&’'.-]*[\w.]|[A-Z])"
NAME_WORDS = rf"{CAP}(?:\s+(?:(?:and|&|of|for|on)\s+)?{CAP})*?"
ORG_HEADS = (
    "Administration|Ministry|Department|Commission|Council|Bureau|Agency|Institute|University|Academy|"
    "Association|Authority|Office|Committee|Foundation|Center|Centre|Laboratory|Laboratories|Federation|"
    "Society|Alliance|Consortium|Forum|Parliament|Court|Party|School|College"
)
COMPANY_SUFFIXES = (
    r"Inc\.?|Corp\.?|Corporation|Co\.,? Ltd\.?|Ltd\.?|Limited|LLC|PLC|plc|AG|GmbH|Technologies|Technology|"
    r"Holdings|Semiconductor|Semiconductors|Electronics|Robotics|Motors|Labs|Intelligence Technology"
)
INVESTOR_SUFFIXES = r"Capital|Ventures|Partners|Research|Securities|Investments|Invest|Advisors|Advisers"
_ORG_FORWARD = re.compile(rf"(?<![\w-])(?P<name>{NAME_WORDS}\s+(?:{ORG_HEADS})(?:\s+(?:of|for|on)\s+(?:the\s+)?{NAME_WORDS})?)(?![\w-])")
_ORG_HEAD_FIRST = re.compile(rf"(?<![\w-])(?P<name>(?:{ORG_HEADS})\s+(?:of|for|on)\s+(?:the\s+)?{CAP}(?:\s+(?:and\s+)?{CAP})*)")
_COMPANY = re.compile(rf"(?<![\w-])(?P<name>{CAP}(?:\s+{CAP}){{0,3}}\s+(?:{COMPANY_SUFFIXES}))(?![\w-])")
_INVESTOR = re.compile(rf"(?<![\w-])(?P<name>{CAP}(?:\s+{CAP}){{0,2}}\s+(?:{INVESTOR_SUFFIXES}))(?![\w-])")

PERSON_NAME = r"(?P<name>[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?(?:\s+[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?){1,2})"
ROLES = (
    r"CEO|CFO|CTO|COO|CIO|chief executive(?: officer)?|chief [a-z]+ officer|co-?founder|founder|chairman|"
    r"chairwoman|[Pp]resident|[Vv]ice [Pp]resident|[Pp]remier|[Pp]rofessor|Prof\.|[Aa]nalyst|researcher|"
    r"scientist|economist|[Dd]irector|spokes(?:person|man|woman)|[Mm]inister|[Ss]ecretary|[Ss]enator|Sen\.|"
    r"Rep\.|[Rr]epresentative|[Cc]ommissioner|[Aa]mbassador|[Gg]overnor|investor|author|partner|engineer|"
    r"executive|lawmaker|official|expert|head|leader|strategist|fellow|[Cc]hair"
)
_ROLE_BEFORE = re.compile(rf"(?<![\w-])(?P<role>{ROLES})\s+{PERSON_NAME}(?![\w-])")
_APPOSITIVE = re.compile(
    rf"(?<![\w-]){PERSON_NAME},\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,4}}?(?P<role>{ROLES})\b"
)
SPEECH_VERBS = (
    r"said|says|stated|states|told|tells|added|adds|noted|notes|warned|warns|commented|comments|wrote|"
    r"writes|argued|argues|explained|explains|believes|predicted|predicts|emphasi[sz]ed|stressed|asserted|"
    r"claimed|claims|observed|remarked|cautioned|insisted|acknowledged|announced|responded|replied"
)
_SPEAKS = re.compile(rf"(?<![\w-]){PERSON_NAME}(?:,[^,]{{3,80}},)?\s+(?:{SPEECH_VERBS})\b")
_SAID_NAME = re.compile(rf"\b(?:said|says|according to|told)\s+{PERSON_NAME}(?![\w-])")
_BYLINE = re.compile(rf"(?m)^{PERSON_NAME}\s+(?:writes|responds|replies|wrote|reports)\s*:\s*$")
_NAME_PAREN = re.compile(rf"(?<![\w-]){PERSON_NAME}\s+\((?=[^)]*\b(?:{ORG_HEADS}|University)\b)")

VERSION = (
    r"(?:[-\s]?(?:[vV]\d+(?:\.\d+)*|\d+(?:\.\d+)*[a-zA-Z]?|[A-Z]{1,2}\d+(?:\.\d+)?[A-Za-z]?))"
    r"(?:[-\s](?:Max|Pro|Plus|Turbo|Ultra|Mini|mini|Lite|Flash|Air|Omni|Coder|Instruct|Chat|Exp|Preview|"
    r"Thinking|VL|Vision|Large|Base|Reasoner|Sonnet|Opus|Haiku|Nano|Next|\d+(?:\.\d+)?[BbMK]|[A-Z]\d+[A-Z]?)(?![\w]))*"
)
# Capitalised words that start sentences or name months and places, never people or organisations.
_NOT_NAME = set(
    "The A An In On At By For From With According Meanwhile While When Where What Why How This That These "
    "Those It Its He She They We I You But And Or Yet So If As After Before Since During Despite Although "
    "Speaking Earlier Later Last Next New Its Chinese American US U.S. China America January February March "
    "April May June July August September October November December Monday Tuesday Wednesday Thursday "
    "Friday Saturday Sunday AI Tech Global National State Western Eastern Read More Our Their His Her "
    "Today Tomorrow Yesterday Now Then Also However Still Even Such Many Most Some Other Several Both "
    "Each Every All No Not One Two Three First Second Third Key Big Top".split()
)


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    entity_id: str | None  # a catalog id, or None for a discovered record
    record: EntityRecord | None
    priority: int


class EntityRecognizer:
    """Finds entity mentions in a text: catalog first, then rules for entities the catalog lacks."""

    def __init__(self, nlp: Language, catalog: Catalog) -> None:
        self.nlp = nlp
        self.catalog = catalog
        self.matcher = PhraseMatcher(nlp.vocab)
        self.by_alias: dict[str, str] = {}
        for entity in catalog.entities.values():
            variants: set[str] = set()
            for alias in entity.aliases:
                self.by_alias[normalise_alias(alias)] = entity.id
                variants.add(alias)
                letters = sum(c.isalpha() for c in alias)
                if letters >= 4:
                    variants.add(alias.upper())
            self.matcher.add(entity.id, list(nlp.tokenizer.pipe(sorted(variants))))
        self.families = self._families()
        prefixes = sorted(self.families, key=len, reverse=True)
        self.version_re = (
            re.compile(rf"(?<![\w-])(?P<family>{'|'.join(map(re.escape, prefixes))})(?P<version>{VERSION})(?![\w-])")
            if prefixes
            else None
        )

    def _families(self) -> dict[str, CatalogEntity]:
        """Alias -> the model/chip family (or developer company) whose versions it names."""
        entities = self.catalog.entities
        families: dict[str, CatalogEntity] = {}
        for entity in entities.values():
            if entity.type not in ("model", "chip"):
                continue
            family_id = entity.attributes.get("family")
            if entity.attributes.get("is_family"):
                family_id = entity.id
            family = entities.get(family_id) if isinstance(family_id, str) else None
            if family is not None:
                for alias in family.aliases:
                    if len(alias) >= 2 and not alias.endswith((" series", " models", " model")):
                        families.setdefault(alias, family)
            owner_id = entity.attributes.get("developer") or entity.attributes.get("maker")
            owner = entities.get(owner_id) if isinstance(owner_id, str) else None
            if owner is not None and entity.name.startswith(owner.name):
                families.setdefault(owner.name, entity if family is None else family)
        return families

    def recognise(self, doc: Doc) -> tuple[list[MentionRecord], dict[str, EntityRecord]]:
        """Mentions in the text, and the records of every entity they refer to."""
        text = doc.text
        candidates: list[_Candidate] = []
        strings = self.nlp.vocab.strings
        for match_id, start, end in self.matcher(doc):
            span = doc[start:end]
            candidates.append(_Candidate(span.start_char, span.end_char, strings[match_id], None, 3))
        candidates += self._discover(text)
        chosen = _resolve_overlaps(candidates)
        records: dict[str, EntityRecord] = {}
        mentions: list[MentionRecord] = []
        for cand in chosen:
            entity_id = cand.entity_id
            if entity_id is None:
                assert cand.record is not None
                entity_id = cand.record.id
                records.setdefault(entity_id, cand.record)
            else:
                records.setdefault(entity_id, self._record(self.catalog.entities[entity_id]))
            mentions.append(MentionRecord(entity_id, cand.start, cand.end, text[cand.start : cand.end]))
        mentions += self._name_parts(text, mentions, records)
        mentions.sort(key=lambda m: m.start)
        return mentions, records

    @staticmethod
    def _record(entity: CatalogEntity) -> EntityRecord:
        return EntityRecord(
            id=entity.id,
            name=entity.name,
            type=entity.type,
            origin="catalog",
            description=entity.description,
            aliases=entity.aliases,
            attributes=entity.attributes,
        )

    def _known(self, name: str) -> str | None:
        return self.by_alias.get(normalise_alias(name))

    def _discovered(self, name: str, etype: str, attributes: dict[str, Any]) -> _Candidate | None:
        known = self._known(name)
        if known is not None:
            return None
        slug = slugify(name)
        if not slug:
            return None
        if slug in self.catalog.entities:
            slug = f"{slug}-{etype}"
        record = EntityRecord(
            id=slug, name=name, type=etype, origin="discovered", aliases=(name,), attributes=attributes
        )
        return _Candidate(0, 0, None, record, 1)

    def _discover(self, text: str) -> list[_Candidate]:
        found: list[_Candidate] = []

        def add(start: int, end: int, name: str, etype: str, attributes: dict[str, Any], priority: int) -> None:
            name = name.strip()
            known = self._known(name)
            if known is not None:
                found.append(_Candidate(start, end, known, None, priority))
                return
            cand = self._discovered(name, etype, attributes)
            if cand is not None:
                found.append(_Candidate(start, end, None, cand.record, priority))

        if self.version_re is not None:
            for m in self.version_re.finditer(text):
                version = m.group("version").strip(" -")
                if re.fullmatch(r"(?:19|20)\d\d", version):
                    continue
                family = self.families[m.group("family")]
                attributes: dict[str, Any] = {"family": family.id}
                if family.type == "chip":
                    attributes["maker"] = family.attributes.get("maker")
                else:
                    attributes["developer"] = family.attributes.get("developer")
                add(m.start(), m.end(), m.group(0), family.type, attributes, 4)
        for pattern, etype in (
            (_ORG_FORWARD, "organization"),
            (_ORG_HEAD_FIRST, "organization"),
            (_COMPANY, "company"),
            (_INVESTOR, "organization"),
        ):
            for m in pattern.finditer(text):
                start, name = _strip_leading(m.start("name"), m.group("name"))
                if len(name.split()) < 2:
                    continue
                add(start, start + len(name), name, etype, {}, 2)
        for pattern in (_ROLE_BEFORE, _APPOSITIVE, _SPEAKS, _SAID_NAME, _NAME_PAREN, _BYLINE):
            for m in pattern.finditer(text):
                name = m.group("name")
                words = name.split()
                if any(w in _NOT_NAME for w in words) or any(self._known(w) for w in words):
                    continue
                role = m.groupdict().get("role")
                add(m.start("name"), m.end("name"), name, "person", {"role": role} if role else {}, 2)
        return found

    def _name_parts(
        self, text: str, mentions: list[MentionRecord], records: dict[str, EntityRecord]
    ) -> list[MentionRecord]:
        """'Huang' or 'Caiwei' alone refers to the person whose full name the article gives."""
        owners: dict[str, set[str]] = {}
        for record in records.values():
            if record.type != "person":
                continue
            for alias in (record.name, *record.aliases):
                parts = alias.split()
                if len(parts) < 2:
                    continue
                for part in (parts[0], parts[-1]):
                    if len(part) >= 2 and part[0].isupper() and part not in _NOT_NAME:
                        owners.setdefault(part, set()).add(record.id)
        if not owners:
            return []
        taken = [(m.start, m.end) for m in mentions]
        pattern = re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, owners))})(?![\w-])")
        extra: list[MentionRecord] = []
        for m in pattern.finditer(text):
            ids = owners[m.group(0)]
            if len(ids) != 1 or any(s < m.end() and m.start() < e for s, e in taken):
                continue
            extra.append(MentionRecord(next(iter(ids)), m.start(), m.end(), m.group(0)))
        return extra


def _strip_leading(start: int, name: str) -> tuple[int, str]:
    """Drop sentence-initial words ('According', 'The') that the capitalised-run patterns swallow."""
    words = name.split(" ")
    while words and (words[0] in _NOT_NAME or words[0].lower() in ("the", "of", "and", "for", "on")):
        start += len(words[0]) + 1
        words = words[1:]
    return start, " ".join(words)


def _resolve_overlaps(candidates: Iterable[_Candidate]) -> list[_Candidate]:
    """Longest span wins; on equal length the higher priority (catalog) wins."""
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), -c.priority, c.start))
    chosen: list[_Candidate] = []
    occupied: list[tuple[int, int]] = []
    for cand in ordered:
        if cand.end <= cand.start:
            continue
        if any(cand.start < e and s < cand.end for s, e in occupied):
            continue
        chosen.append(cand)
        occupied.append((cand.start, cand.end))
    chosen.sort(key=lambda c: c.start)
    return chosen

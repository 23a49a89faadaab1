"""Entity recognition: catalog aliases (spaCy PhraseMatcher), discovery rules, and name resolution."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from app.extraction import lexicon
from app.extraction.catalog import Catalog, CatalogEntity, normalise_alias, slugify
from app.extraction.records import EntityRecord, MentionRecord

__all__ = ["EntityRecognizer"]

CAP = r"(?:[A-Z]\.(?:[A-Z]\.)+|[A-Z][\w&’'-]*\w|[A-Z])"
SP = r"[ \t\u00a0]+"  # a name never runs across a line break
NAME_WORDS = rf"{CAP}(?:{SP}(?:(?:and|&|of|for|on){SP})?{CAP})*?"
ORG_HEADS = lexicon.alternation("organization_heads")
COMPANY_SUFFIXES = lexicon.alternation("company_suffixes")
RESEARCH_SUFFIXES = lexicon.alternation("research_suffixes")
POLICY_HEADS = lexicon.alternation("policy_heads")
_ORG_FORWARD = re.compile(
    rf"(?<![\w-])(?P<name>{NAME_WORDS}{SP}(?:{ORG_HEADS})(?:{SP}(?:of|for|on){SP}(?:the{SP})?{NAME_WORDS})?)(?![\w-])"
)
_ORG_HEAD_FIRST = re.compile(
    rf"(?<![\w-])(?P<name>(?:{ORG_HEADS}){SP}(?:of|for|on){SP}(?:the{SP})?{CAP}(?:{SP}(?:and{SP})?{CAP})*)"
)
_COMPANY = re.compile(rf"(?<![\w-])(?P<name>{CAP}(?:{SP}{CAP}){{0,3}}{SP}(?:{COMPANY_SUFFIXES}))(?![\w-])")
_RESEARCH = re.compile(rf"(?<![\w-])(?P<name>{CAP}(?:{SP}{CAP}){{0,2}}{SP}(?:{RESEARCH_SUFFIXES}))(?![\w-])")
# "… export controls. (CSIS)": a bracketed source at the end of a line or sentence.
_CITATION = re.compile(rf"(?<=[.!?”\"] )\((?P<name>{CAP}(?:{SP}{CAP}){{0,4}})\)(?=[ \t]*(?:$|\n))", re.M)
# Descriptive policy phrases; entities inside them stay mentions of their own.
_POLICY_NAME = re.compile(
    rf"(?<![\w-])(?P<name>(?:(?:19|20)\d\d{SP})?(?:{CAP}{SP}){{1,6}}{POLICY_HEADS}(?:{SP}(?:for|on|of){SP}(?:the{SP})?{CAP}(?:{SP}{CAP}){{0,5}})?)(?![\w-])"
)
_POLICY_PHRASE = re.compile(
    r"(?<![\w-])(?P<name>(?:[\w-]+[ \t])?(?:export|import|chip|investment|visa)[ \t](?:controls|restrictions|limits|bans?|curbs)"
    r"|(?:sanctions|tariffs|restrictions|curbs|bans?)[ \t](?:on|against)[ \t]"
    r"(?:[A-Z][\w-]*(?:[ \t][A-Z][\w-]*)?(?:[ \t][a-z-]+s\b)?|(?:[a-z-]+[ \t]){0,2}[a-z-]+s)"
    r"|ban(?:ning|ned|s)?[ \t](?:on[ \t])?(?:the[ \t])?(?:import|export|use|sale|purchase)s?[ \t]of[ \t]"
    r"(?:(?!(?:to|and|in|for|from|by|with|as|over)\b)[\w.-]+[ \t]){0,3}(?!(?:to|and|in|for)\b)[\w-]+"
    r"|(?:(?:19|20)\d\d[ \t])?GDP[ \t]growth[ \t]target"
    r"|(?:[a-z-]+[ \t]and[ \t])?(?:monetary|fiscal|economic)[ \t]stimulus(?:[ \t](?:measures|package))?"
    r"|(?:\w+-[\w-]+[ \t])?(?:regional|national|state|government|provincial)[ \t](?:[a-z-]+[ \t]){0,2}(?:funds?|subsidies)"
    r"(?:[ \t]for[ \t](?:[a-z-]+[ \t]){0,2}[a-z-]+)?"
    r"|(?:(?:global|international|national)[ \t])?AI[ \t](?:governance[ \t])?standards)(?![\w-])"
)

PERSON_NAME = r"(?P<name>[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?(?:\s+[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?){1,2})"
ROLES = lexicon.alternation("lead_roles", "staff_roles", "public_roles", "descriptive_roles")
# "CFO Colette Kress", "vice president of government affairs, Ned Finkle"
_ROLE_BEFORE = re.compile(
    rf"(?<![\w-])(?P<role>{ROLES})(?:\s+(?:of|for)\s+(?:[a-z]+\s+){{0,3}}[a-z]+,)?\s+{PERSON_NAME}(?![\w-])"
)
_APPOSITIVE = re.compile(
    rf"(?<![\w-]){PERSON_NAME},\s+(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){{0,4}}?(?P<role>{ROLES})\b"
)
SPEECH_VERBS = lexicon.alternation("speech_verbs")
_SPEAKS = re.compile(rf"(?<![\w-]){PERSON_NAME}(?:,[^,]{{3,80}},)?\s+(?:{SPEECH_VERBS})\b")
_SAID_NAME = re.compile(rf"\b(?:said|says|according to|told)\s+{PERSON_NAME}(?![\w-])")
_CREDIT = re.compile(
    rf"(?:(?:\b[Bb]y|\b(?:Photo|Image|Credit|Photograph)(?: by)?:?)[ \t]+|(?:Reuters|AFP|AP|Getty Images)/[ \t]*)"
    rf"{PERSON_NAME}(?![\w-])"
)
_NAME_TRIGGER = re.compile(r"[A-Z][a-z]+(?:-[A-Za-z][a-z]+)?[ \t\u00a0]+[A-Z][a-z]+")
_ORG_TRIGGER = re.compile(rf"\b(?:{ORG_HEADS}|{COMPANY_SUFFIXES}|{RESEARCH_SUFFIXES}|{POLICY_HEADS})\b")
_POLICY_TRIGGER = re.compile(
    r"\b(?:controls|restrictions|limits|bans?|banning|banned|curbs|sanctions|tariffs|GDP|stimulus|funds?|"
    r"subsidies|standards)\b"
)
_BYLINE = re.compile(rf"(?m)^{PERSON_NAME}\s+(?:writes|responds|replies|wrote|reports)\s*:\s*$")
_NAME_PAREN = re.compile(rf"(?<![\w-]){PERSON_NAME}\s+\((?=[^)]*\b(?:{ORG_HEADS}|University)\b)")

TIERS = lexicon.alternation("model_tiers")
VERSION = (
    r"(?:(?:[-\s]?(?:[vV]\d+(?:\.\d+)*|\d+(?:\.\d+)*[a-zA-Z]?|[A-Z]{1,2}\d+(?:\.\d+)?[A-Za-z]?))|-(?:"
    + TIERS
    + r"))"
    r"(?:[- ]?(?:" + TIERS + r")(?![\w])|[- ](?:\d+(?:\.\d+)?[BbMK]|[A-Z]\d+[A-Z]?)(?![\w]))*"
)
# Capitalised words that start sentences or name months and places, never people or organisations; and
# of those, the ones that cannot begin a name either (they are stripped from the front of a match).
_NOT_NAME = lexicon.wordset("non_names")
_LEADING_STOP = _NOT_NAME - lexicon.wordset("name_modifiers")


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    entity_id: str | None  # a catalog id, or None for a discovered record
    record: EntityRecord | None
    priority: int
    nested: bool = False  # a descriptive phrase: the mentions inside it stand as well


LEGAL_SUFFIX = re.compile(rf"[ ,]+{lexicon.alternation('legal_suffixes')}$")
ROLE_IN_NAME = re.compile(rf"\b(?:{ROLES}|Mr|Mrs|Ms|Dr)\b")
LEADING_QUALIFIER = re.compile(r"^(?:the\s+|(?:19|20)\d\d\s+)+", re.I)
ROLE_PREFIX = re.compile(rf"^(?:(?:{ROLES}|{lexicon.alternation('honorifics')})\s+)+")
NOT_PERSON_LAST = lexicon.wordset("not_person_last")


class EntityRecognizer:
    """Finds entity mentions in a text: catalog first, then rules for entities the catalog lacks."""

    def __init__(self, nlp: Language, catalog: Catalog) -> None:
        self.nlp = nlp
        self.catalog = catalog
        # Single words match as written (and in capitals): "Meta" is not "meta", "US" is not "us".
        # Phrases match in any case: "AI Diffusion rule" is the "AI Diffusion Rule".
        self.exact = PhraseMatcher(nlp.vocab)
        self.caseless = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.by_alias: dict[str, str] = {}
        self.owner_prefix: dict[str, str] = {}
        self.capitalised: dict[str, bool] = {}  # phrase alias (lower-cased) -> always written capitalised
        for entity in catalog.entities.values():
            exact: set[str] = set()
            caseless: set[str] = set()
            for alias in (*entity.aliases, *self._derived_aliases(entity)):
                self.by_alias.setdefault(normalise_alias(alias), entity.id)
                if entity.type == "person" and ROLE_IN_NAME.search(alias):
                    continue  # "Chinese President Xi Jinping": the rules read the role, the country and the name
                if " " in alias.strip():
                    caseless.add(alias)
                    self.capitalised[alias.lower()] = (
                        self.capitalised.get(alias.lower(), True) and alias[0].isupper()
                    )
                else:
                    exact.add(alias)
                    if sum(c.isalpha() for c in alias) >= 4:
                        exact.add(alias.upper())
            if exact:
                self.exact.add(entity.id, [nlp.make_doc(a) for a in sorted(exact)])
            if caseless:
                self.caseless.add(entity.id, [nlp.make_doc(a) for a in sorted(caseless)])
        country_aliases = sorted(
            {a for e in catalog.entities.values() if e.type == "country" for a in e.aliases if " " not in a},
            key=len,
            reverse=True,
        )
        self.country_prefix = re.compile(
            rf"(?P<country>{'|'.join(map(re.escape, country_aliases)) or 'x^'})(?:[’']s)?\s"
        )
        self.families = self._families()
        prefixes = sorted(self.families, key=len, reverse=True)
        self.version_re = (
            re.compile(
                rf"(?<![\w-])(?P<family>{'|'.join(map(re.escape, prefixes))})(?P<version>{VERSION})(?![\w-])"
            )
            if prefixes
            else None
        )

    def _derived_aliases(self, entity: CatalogEntity) -> list[str]:
        """'OpenAI o3' for o3: news often prefixes a model or chip with its maker's name."""
        if entity.type not in ("model", "chip"):
            return []
        owner_id = entity.attributes.get("developer") or entity.attributes.get("maker")
        owner = self.catalog.entities.get(owner_id) if isinstance(owner_id, str) else None
        if owner is None:
            return []
        derived = []
        for alias in entity.aliases:
            if not alias.startswith(owner.name) and " " not in alias[:3]:
                derived.append(f"{owner.name} {alias}")
                self.owner_prefix[f"{owner.name} {alias}".lower()] = owner.id
        return derived

    def _families(self) -> dict[str, CatalogEntity]:
        """Alias -> the model/chip family whose versions it names ('Qwen' -> qwen, 'Ascend' -> ascend)."""
        entities = self.catalog.entities
        families: dict[str, CatalogEntity] = {}
        for entity in entities.values():
            if entity.type not in ("model", "chip"):
                continue
            family_id = entity.id if entity.attributes.get("is_family") else entity.attributes.get("family")
            family = entities.get(family_id) if isinstance(family_id, str) else None
            if family is None:
                continue
            owner_id = family.attributes.get("developer") or family.attributes.get("maker")
            owner = entities.get(owner_id) if isinstance(owner_id, str) else None
            for alias in family.aliases:
                if owner is not None and alias.startswith(owner.name + " "):
                    # "iFlytek Spark": "Spark" alone is too common a word, but "Spark V3.5" names a version.
                    alias = alias[len(owner.name) + 1 :]
                if len(alias) >= 2 and " " not in alias and not alias.endswith(("series", "models", "model")):
                    families.setdefault(alias, family)
        return families

    def recognise(self, doc: Doc, text: str) -> tuple[list[MentionRecord], dict[str, EntityRecord]]:
        """Mentions in the text (the doc's own text: `doc.text` would rebuild it token by token)."""
        candidates: list[_Candidate] = []
        strings = self.nlp.vocab.strings
        # Character offsets of the tokens, read once: building a Span per match costs more than matching.
        starts = [token.idx for token in doc]
        ends = [i + len(token) for i, token in zip(starts, doc, strict=True)]
        for matcher in (self.exact, self.caseless):
            for match_id, start, end in matcher(doc):
                start_char, end_char = starts[start], ends[end - 1]
                if (
                    matcher is self.caseless
                    and text[start_char].islower()
                    and self.capitalised.get(text[start_char:end_char].lower())
                ):
                    continue  # a phrase alias in any case, but "open AI models" is not "Open AI"
                candidates.append(_Candidate(start_char, end_char, strings[match_id], None, 3))
        candidates += self._discover(text, candidates)
        chosen = _resolve_overlaps([c for c in candidates if not c.nested])
        policies = [(c.start, c.end) for c in chosen if self._type_of(c) == "policy"]
        chosen += _resolve_overlaps([c for c in candidates if c.nested], blocked=policies)
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
            surface = text[cand.start : cand.end]
            mentions.append(MentionRecord(entity_id, cand.start, cand.end, surface))
            prefix = self._prefix_entity(surface, entity_id, records)
            if prefix is not None:  # "OpenAI o3" also mentions OpenAI; "U.S. export controls", the US
                prefix_id, length = prefix
                records.setdefault(prefix_id, self._record(self.catalog.entities[prefix_id]))
                mentions.append(MentionRecord(prefix_id, cand.start, cand.start + length, surface[:length]))
        mentions += self._name_parts(text, mentions, records)
        mentions.sort(key=lambda m: (m.start, -m.end))
        return mentions, records

    def _prefix_entity(
        self, surface: str, entity_id: str, records: dict[str, EntityRecord]
    ) -> tuple[str, int] | None:
        """The maker or country a longer name begins with, as (entity id, length of its name)."""
        owner = self.owner_prefix.get(surface.lower())
        if owner is not None:
            return owner, len(self.catalog.entities[owner].name)
        if records[entity_id].type == "person":
            return None  # "Jordan Schneider" says nothing about Jordan
        m = self.country_prefix.match(surface)
        if m is None or " " not in surface[m.end() - 1 :]:
            return None
        country = self.by_alias.get(normalise_alias(m.group("country")))
        if country is None or country == entity_id:
            return None
        return country, len(m.group("country"))

    def _type_of(self, candidate: _Candidate) -> str:
        if candidate.record is not None:
            return candidate.record.type
        return self.catalog.entities[candidate.entity_id or ""].type

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
        """The catalog entity a discovered name denotes, if any (legal suffixes aside)."""
        found = self.by_alias.get(normalise_alias(name))
        if found is None:
            bare = LEADING_QUALIFIER.sub("", LEGAL_SUFFIX.sub("", name))
            if bare != name:
                found = self.by_alias.get(normalise_alias(bare))
        return found

    def _new_record(self, name: str, etype: str, attributes: dict[str, Any]) -> EntityRecord | None:
        slug = slugify(name)
        if not slug:
            return None
        if slug in self.catalog.entities:
            slug = f"{slug}-{etype}"
        return EntityRecord(
            id=slug, name=name, type=etype, origin="discovered", aliases=(name,), attributes=attributes
        )

    def _discover(self, text: str, catalog_hits: list[_Candidate]) -> list[_Candidate]:
        found: list[_Candidate] = []
        hit_starts = sorted(
            c.start for c in catalog_hits if self.catalog.entities[c.entity_id or ""].type != "country"
        )

        def add(
            start: int, end: int, etype: str, attributes: dict[str, Any], priority: int, nested: bool = False
        ) -> None:
            # A discovered name stops where a catalog entity (other than a country) begins inside it:
            # "Department of Commerce Entity List" is the department, then the Entity List.
            known = self._known(text[start:end])
            if known is not None:
                found.append(_Candidate(start, end, known, None, priority))
                return
            if not nested:
                i = bisect_right(hit_starts, start)
                if i < len(hit_starts) and hit_starts[i] < end:
                    end = hit_starts[i]
            name = text[start:end].rstrip(" ,;:-–")
            end = start + len(name)
            if not name:
                return
            known = self._known(name)
            if known is not None:
                found.append(_Candidate(start, end, known, None, priority))
                return
            if etype in ("organization", "company", "policy") and not nested:
                start, name = _strip_leading(start, name, self._known)
                end = start + len(name)
                if len(name.split()) < 2:
                    return
                known = self._known(name)
                if known is not None:
                    found.append(_Candidate(start, end, known, None, priority))
                    return
            record = self._new_record(name, etype, attributes)
            if record is not None:
                found.append(_Candidate(start, end, None, record, priority, nested))

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
                add(m.start(), m.end(), family.type, attributes, 4)
        # The name patterns are costly to try everywhere; each needs a trigger (a head word such as
        # "Institute", or two capitalised words in a row), so they only run in windows around one.
        covered = bytearray(len(text))  # characters inside catalog names: nothing left to discover there
        for hit in catalog_hits:
            covered[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
        # Organisation and policy names may extend a catalog name ("2023 Interim Measures for …"), so their
        # triggers count inside catalog names too; people the catalog knows need no discovery.
        org_windows = _windows(text, _ORG_TRIGGER, before=160, after=120)
        for pattern, etype in (
            (_ORG_FORWARD, "organization"),
            (_ORG_HEAD_FIRST, "organization"),
            (_COMPANY, "company"),
            (_RESEARCH, "organization"),
            (_POLICY_NAME, "policy"),
        ):
            for lo, hi in org_windows:
                for m in pattern.finditer(text, lo, hi):
                    add(m.start("name"), m.end("name"), etype, {}, 2)
        for m in _CITATION.finditer(text):
            add(m.start("name"), m.end("name"), "organization", {}, 2)
        for lo, hi in _windows(text, _POLICY_TRIGGER, before=60, after=80):
            for m in _POLICY_PHRASE.finditer(text, lo, hi):
                add(m.start("name"), m.end("name"), "policy", {}, 1, nested=True)
        person_windows = _windows(text, _NAME_TRIGGER, before=100, after=140, known=covered)
        person_matches = {
            (m.start("name"), m.end("name")): m
            for pattern in (_ROLE_BEFORE, _APPOSITIVE, _SPEAKS, _SAID_NAME, _NAME_PAREN, _BYLINE, _CREDIT)
            for lo, hi in person_windows
            for m in pattern.finditer(text, lo, hi)
        }
        for m in person_matches.values():
            start, name = m.start("name"), m.group("name")
            prefix = ROLE_PREFIX.match(name)
            if prefix:
                start, name = start + prefix.end(), name[prefix.end() :]
            words = name.split()
            while len(words) > 2 and words[-1] in _NOT_NAME:  # "By Valentina Pasquali January 22"
                words.pop()
            name = " ".join(words)
            if (
                len(words) < 2
                or any(w in _NOT_NAME for w in words)
                or any(self._known(w) for w in words)
                or ROLE_IN_NAME.search(name)
            ):
                continue
            if words[-1] in NOT_PERSON_LAST:
                add(start, start + len(name), "organization", {}, 2)
                continue
            role = m.groupdict().get("role")
            add(start, start + len(name), "person", {"role": role} if role else {}, 2)
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
                    if (
                        len(part) >= 2
                        and part[0].isupper()
                        and part not in _NOT_NAME
                        and not self._known(part)
                    ):
                        owners.setdefault(part, set()).add(record.id)
        if not owners:
            return []
        taken = bytearray(len(text))
        for mention in mentions:
            taken[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
        extra: list[MentionRecord] = []
        for m in _name_part_pattern(tuple(sorted(owners))).finditer(text):
            ids = owners[m.group(0)]
            if len(ids) != 1 or taken.find(1, m.start(), m.end()) >= 0:
                continue
            extra.append(MentionRecord(next(iter(ids)), m.start(), m.end(), m.group(0)))
        return extra


@lru_cache(maxsize=1024)
def _name_part_pattern(parts: tuple[str, ...]) -> re.Pattern[str]:
    """Compiled once per set of names: articles about the same people reuse it."""
    return re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, parts))})(?![\w-])")


def _windows(
    text: str, trigger: re.Pattern[str], *, before: int, after: int, known: bytearray | None = None
) -> list[tuple[int, int]]:
    """Merged character windows around each trigger match; a trigger inside a known name is no trigger."""
    windows: list[tuple[int, int]] = []
    for m in trigger.finditer(text):
        if known is not None and known.find(0, m.start(), m.end()) < 0:
            continue
        if m.group(0).split(None, 1)[0] in _NOT_NAME:
            continue  # "The Commerce …", "In March …": a sentence opening, not a name
        lo, hi = max(0, m.start() - before), min(len(text), m.end() + after)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
        else:
            windows.append((lo, hi))
    return windows


def _strip_leading(start: int, name: str, known: Callable[[str], str | None]) -> tuple[int, str]:
    """Drop words the capitalised-run patterns swallow: 'According', 'The', 'US-based', 'Chinese'."""
    words = name.split(" ")
    while len(words) > 1 and (
        words[0] in _LEADING_STOP
        or words[0].endswith("-based")
        or (known(words[0]) and not known(" ".join(words)))
    ):
        start += len(words[0]) + 1
        words = words[1:]
    return start, " ".join(words)


def _resolve_overlaps(
    candidates: Iterable[_Candidate], blocked: Iterable[tuple[int, int]] = ()
) -> list[_Candidate]:
    """Longest span wins; on equal length the higher priority (catalog) wins. `blocked` spans of policies
    keep phrases off them."""
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), -c.priority, c.start))
    chosen: list[_Candidate] = []
    size = max([c.end for c in ordered] + [e for _, e in blocked] + [0])
    occupied = bytearray(size)  # one byte per character: taken or free
    for s, e in blocked:
        occupied[s:e] = b"\x01" * (e - s)
    for cand in ordered:
        if cand.end <= cand.start or occupied.find(1, cand.start, cand.end) >= 0:
            continue
        chosen.append(cand)
        occupied[cand.start : cand.end] = b"\x01" * (cand.end - cand.start)
    chosen.sort(key=lambda c: c.start)
    return chosen

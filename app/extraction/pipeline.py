"""The extraction pipeline, built once: text in, an Extraction of plain records out."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from functools import lru_cache
from pathlib import Path

import spacy

from app.extraction.catalog import Catalog, load_catalog
from app.extraction.claims import ClaimContext, claim_kind, is_claim, time_scope
from app.extraction.entities import EntityRecognizer
from app.extraction.quantities import find_quantities
from app.extraction.records import (
    ClaimRecord,
    EntityRecord,
    Extraction,
    MentionRecord,
    QuantityRecord,
    RelationRecord,
)
from app.extraction.relations import RelationKnowledge, RelationReader
from app.extraction.segment import segment
from app.extraction.topics import classify_topics

__all__ = ["EXTRACTOR_VERSION", "Pipeline", "get_pipeline"]

# Bump when extraction output changes: sources ingested by an older version are re-extracted on load.
EXTRACTOR_VERSION = "1.1.0"
VOCAB_LIMIT = 300_000


class Pipeline:
    """Segmentation -> entities (catalog + discovery) -> quantities -> claims -> relations."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.relation_knowledge = RelationKnowledge.from_catalog(catalog)
        self._build()

    def _build(self) -> None:
        # The vocabulary keeps every new word it meets (numbers, names), so a long-running process
        # starts afresh past VOCAB_LIMIT (about a second); spaCy's memory zones cost ~5 ms per article.
        self.nlp = spacy.blank("en")
        self.recognizer = EntityRecognizer(self.nlp, self.catalog)

    def extract(self, text: str) -> Extraction:
        """Run every step over the exact text; spans in the result index into it."""
        if len(self.nlp.vocab) > VOCAB_LIMIT:
            self._build()
        mentions, records = self.recognizer.recognise(self.nlp.make_doc(text), text)
        blocks, sentences = segment(text)
        quantities = find_quantities(text)
        q_starts = [q.start for q in quantities]
        context = ClaimContext(text, blocks, mentions, records)
        focus = _focus_country(mentions, records)
        reader = RelationReader(text, records, self.relation_knowledge, focus)
        claims: list[ClaimRecord] = []
        relations: list[RelationRecord] = []
        previous_subject: str | None = None
        for sentence in sentences:
            context.advance_to(sentence)
            start, end = sentence.start, sentence.end
            sentence_text = text[start:end]
            in_sentence = context.in_range(start, end)
            i = bisect_left(q_starts, start)
            sentence_quantities = []
            while i < len(quantities) and quantities[i].start < end:
                if quantities[i].end <= end:
                    sentence_quantities.append(quantities[i])
                i += 1
            speaker, cited = context.speaker_and_cited(sentence, in_sentence)
            stated = reader.read(start, end, in_sentence)
            types = [records[m.entity_id].type for m in in_sentence]
            topics = classify_topics(sentence_text, types)
            if not is_claim(sentence_text, bool(in_sentence), bool(sentence_quantities), bool(topics)):
                relations += stated
                continue
            if context.duplicate(sentence_text):
                continue
            relations += stated
            region = context.quote_of(start, end)
            objects = {r.object_id for r in stated}
            roles: dict[str, str] = {}
            # "It accounted for …" / "the country's …": the entity the text is about, though not named here.
            if previous_subject and _PRONOUN_SUBJECT.match(sentence_text):
                roles[previous_subject] = "subject"
            for n, m in enumerate(in_sentence):
                role = (
                    "subject" if n == 0 and not roles else "object" if m.entity_id in objects else "mention"
                )
                roles.setdefault(m.entity_id, role)
            # The country an article is about is implied by "the country", "domestic", "provinces" …,
            # and by its policies: a claim about a policy in an article about China involves China.
            if (
                focus
                and focus not in roles
                and (_COUNTRY_ANAPHORA.search(sentence_text) or "policy" in types)
            ):
                roles[focus] = "mention"
            # "He added, …" / "I have been assured …": the speaker is referred to in the claim itself.
            if speaker and speaker not in roles and records[speaker].type == "person":
                pronoun = _FIRST_PERSON if region is not None else _THIRD_PERSON
                if pronoun.search(sentence_text):
                    roles[speaker] = "mention"
            subjects = [e for e, role in roles.items() if role == "subject"]
            if subjects and records[subjects[0]].type in ("country", "company", "organization"):
                previous_subject = subjects[0]
            claims.append(
                ClaimRecord(
                    start=start,
                    end=end,
                    text=sentence_text,
                    kind=claim_kind(sentence_text, sentence_quantities, region is not None),
                    topics=topics,
                    entities=list(roles.items()),
                    quantities=[
                        QuantityRecord(q.value, q.unit, q.text, q.start, q.end) for q in sentence_quantities
                    ],
                    speaker_id=speaker,
                    cited_id=cited,
                    time_scope=time_scope(sentence_text, sentence_quantities),
                )
            )
            relations += reader.cites(start, end, speaker, cited, context.author)
        used = {m.entity_id for m in mentions}
        return Extraction(
            entities={k: v for k, v in records.items() if k in used},
            mentions=mentions,
            claims=claims,
            relations=_unique(relations),
        )


_FIRST_PERSON = re.compile(r"\b(?:I|I’m|I'm|I’ve|I've|me|my|[Ww]e|[Ww]e’ve|[Ww]e've|[Uu]s|[Oo]ur)\b")
_THIRD_PERSON = re.compile(r"\b(?:[Hh]e|[Ss]he|[Hh]is|[Hh]er)\b")
_PRONOUN_SUBJECT = re.compile(
    r"(?:[A-Z][^,]{0,30},\s*)?(?:[Ii]ts?|[Tt]he company|[Tt]he firm|[Tt]he country|[Tt]he nation)\b(?![’'-])"
)
_COUNTRY_ANAPHORA = re.compile(
    r"\b(?:the (?:country|nation)|nationwide|domestic|provinces?|provincial|[Gg]overnment-backed|population|"
    r"state-backed|"
    r"central government|[Nn]ational)\b|^(?:Government|Provincial|Domestic)\b"
)


def _focus_country(mentions: list[MentionRecord], records: dict[str, EntityRecord]) -> str | None:
    """The country an article is mainly about: the one it mentions most (at least three times)."""
    counts = Counter(m.entity_id for m in mentions if records[m.entity_id].type == "country")
    if not counts:
        return None
    entity_id, n = counts.most_common(1)[0]
    return entity_id if n >= 3 and entity_id not in ("the-west", "europe", "asia", "africa") else None


def _unique(relations: list[RelationRecord]) -> list[RelationRecord]:
    """One relation per sentence for each (subject, predicate, object): the most confident reading."""
    best: dict[tuple[str, str, str, int], RelationRecord] = {}
    for r in relations:
        key = (r.subject_id, r.predicate, r.object_id, r.sentence_start)
        if key not in best or r.confidence > best[key].confidence:
            best[key] = r
    return list(best.values())


@lru_cache(maxsize=4)
def get_pipeline(catalog_dir: Path | None = None) -> Pipeline:
    """The pipeline over the catalog (built once per process: the matcher takes a moment to compile)."""
    return Pipeline(load_catalog(catalog_dir))

"""The extraction pipeline, built once: text in, an Extraction of plain records out."""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache
from pathlib import Path

import spacy

from app.extraction.catalog import Catalog, load_catalog
from app.extraction.claims import ClaimContext, claim_kind, is_claim, time_scope
from app.extraction.entities import EntityRecognizer
from app.extraction.quantities import find_quantities
from app.extraction.records import ClaimRecord, Extraction, QuantityRecord, RelationRecord
from app.extraction.relations import stated_relations
from app.extraction.segment import segment
from app.extraction.topics import classify_topics

__all__ = ["EXTRACTOR_VERSION", "Pipeline", "get_pipeline"]

# Bump when extraction output changes: sources ingested by an older version are re-extracted on load.
EXTRACTOR_VERSION = "1.0.0"


class Pipeline:
    """Segmentation -> entities (catalog + discovery) -> quantities -> claims -> relations."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.nlp = spacy.blank("en")
        self.recognizer = EntityRecognizer(self.nlp, catalog)

    def extract(self, text: str) -> Extraction:
        """Run every step over the exact text; spans in the result index into it."""
        doc = self.nlp.make_doc(text)
        mentions, records = self.recognizer.recognise(doc)
        blocks, sentences = segment(text)
        quantities = find_quantities(text)
        q_starts = [q.start for q in quantities]
        context = ClaimContext(text, blocks, mentions, records)
        claims: list[ClaimRecord] = []
        relations: list[RelationRecord] = []
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
            previous_company = context.last_company
            speaker, cited = context.speaker_and_cited(sentence, in_sentence)
            stated = stated_relations(text, start, end, in_sentence, records, previous_company)
            types = [records[m.entity_id].type for m in in_sentence]
            topics = classify_topics(sentence_text, types)
            if not is_claim(sentence_text, bool(in_sentence), bool(sentence_quantities), bool(topics)):
                relations += stated
                continue
            if context.duplicate(sentence_text):
                continue
            relations += stated
            objects = {r.object_id for r in stated}
            roles: dict[str, str] = {}
            for n, m in enumerate(in_sentence):
                role = "subject" if n == 0 else "object" if m.entity_id in objects else "mention"
                roles.setdefault(m.entity_id, role)
            region = context.quote_of(start, end)
            claims.append(
                ClaimRecord(
                    start=start,
                    end=end,
                    text=sentence_text,
                    kind=claim_kind(sentence_text, sentence_quantities, region is not None),
                    topics=topics,
                    entities=list(roles.items()),
                    quantities=[QuantityRecord(q.value, q.unit, q.text, q.start, q.end) for q in sentence_quantities],
                    speaker_id=speaker,
                    cited_id=cited,
                    time_scope=time_scope(sentence_text, sentence_quantities),
                )
            )
            if speaker and cited and speaker != cited:
                relations.append(RelationRecord(speaker, "cites", cited, start, end))
        used = {m.entity_id for m in mentions}
        return Extraction(
            entities={k: v for k, v in records.items() if k in used},
            mentions=mentions,
            claims=claims,
            relations=_unique(relations),
        )


def _unique(relations: list[RelationRecord]) -> list[RelationRecord]:
    seen: set[tuple[str, str, str, int]] = set()
    out: list[RelationRecord] = []
    for r in relations:
        key = (r.subject_id, r.predicate, r.object_id, r.start)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


@lru_cache(maxsize=4)
def get_pipeline(catalog_dir: Path | None = None) -> Pipeline:
    """The pipeline over the catalog (built once per process: the matcher takes a moment to compile)."""
    return Pipeline(load_catalog(catalog_dir))

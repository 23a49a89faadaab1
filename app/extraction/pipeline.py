"""The extraction pipeline, built once: text in, an Extraction of plain records out."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import spacy

from app.extraction.catalog import Catalog, load_catalog
from app.extraction.claims import Article, assemble_claims, focus_country
from app.extraction.entities import EntityRecognizer
from app.extraction.quantities import find_quantities
from app.extraction.records import Extraction, MentionRecord, RelationRecord
from app.extraction.relations import stated_relations
from app.extraction.segment import segment

__all__ = ["EXTRACTOR_VERSION", "Pipeline", "get_pipeline"]

# Bump when extraction output changes: sources ingested by an older version are re-extracted on load.
EXTRACTOR_VERSION = "1.0.0"
VOCAB_LIMIT = 300_000


class Pipeline:
    """Segmentation -> entities (catalog + discovery) -> quantities -> claims -> relations."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
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
        focus = focus_country(mentions, records)

        def relate(
            start: int, end: int, in_sentence: list[MentionRecord], company: str | None
        ) -> list[RelationRecord]:
            return stated_relations(text, start, end, in_sentence, records, company, focus)

        article = Article(text, blocks, mentions, records, focus)
        claims, relations = assemble_claims(article, sentences, find_quantities(text), relate)
        used = {m.entity_id for m in mentions}
        return Extraction(
            entities={k: v for k, v in records.items() if k in used},
            mentions=mentions,
            claims=claims,
            relations=relations,
        )


@lru_cache(maxsize=4)
def get_pipeline(catalog_dir: Path | None = None) -> Pipeline:
    """The pipeline over the catalog (built once per process: the matcher takes a moment to compile)."""
    return Pipeline(load_catalog(catalog_dir))

"""The pipeline end to end on short articles written for these tests (not seen when the catalog was built)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.extraction.pipeline import Pipeline
from app.extraction.records import Extraction

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "articles"


@pytest.fixture(scope="module")
def extracted(pipeline: Pipeline) -> dict[str, tuple[str, Extraction]]:
    out = {}
    for name in ("chips_export", "kimi_release", "gulf_investment"):
        text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
        out[name] = (text, pipeline.extract(text))
    return out


def entity_ids(extraction: Extraction) -> set[str]:
    return {m.entity_id for m in extraction.mentions}


def quantities(extraction: Extraction) -> set[tuple[str, float]]:
    return {(q.unit, q.value) for c in extraction.claims for q in c.quantities}


def relations(extraction: Extraction) -> set[tuple[str, str, str]]:
    return {(r.subject_id, r.predicate, r.object_id) for r in extraction.relations}


def claim_with(extraction: Extraction, fragment: str) -> object:
    matches = [c for c in extraction.claims if fragment in c.text]
    assert len(matches) == 1, f"{fragment!r} in {[c.text for c in extraction.claims]}"
    return matches[0]


def test_spans_index_into_the_exact_text(extracted: dict[str, tuple[str, Extraction]]) -> None:
    for text, extraction in extracted.values():
        for m in extraction.mentions:
            assert text[m.start : m.end] == m.text
        for c in extraction.claims:
            assert text[c.start : c.end] == c.text
            for q in c.quantities:
                assert text[q.start : q.end] == q.text


def test_export_controls_article(extracted: dict[str, tuple[str, Extraction]]) -> None:
    _text, x = extracted["chips_export"]
    assert {"united-states", "nvidia", "jensen-huang", "huawei", "entity-list", "trendforce"} <= entity_ids(x)
    ascend = next(e for e in x.entities.values() if e.name == "Ascend 910C")
    assert ascend.type == "chip"
    assert {("count", 12.0), ("%", 38.0), ("USD", 2.7e9), ("year", 2026.0)} <= quantities(x)
    assert ("nvidia", "leads", "jensen-huang") in relations(x)
    assert ("huawei", "makes", ascend.id) in relations(x)
    quote = claim_with(x, "Export controls have already cost us")
    assert quote.speaker_id == "jensen-huang"  # type: ignore[attr-defined]
    assert "policy" in quote.topics  # type: ignore[attr-defined]
    shipping = claim_with(x, "is now shipping in volume")
    assert "chips" in shipping.topics  # type: ignore[attr-defined]
    assert shipping.cited_id == "trendforce"  # type: ignore[attr-defined]
    assert "US widens chip curbs" not in {c.text for c in x.claims}  # a headline is not a claim


def test_model_release_discovers_a_version_the_catalog_lacks(
    extracted: dict[str, tuple[str, Extraction]],
) -> None:
    _, x = extracted["kimi_release"]
    model = next(e for e in x.entities.values() if e.name == "Kimi K9-Preview")
    assert (model.type, model.origin) == ("model", "discovered")
    assert ("moonshot-ai", "develops", model.id) in relations(x)
    assert {("parameters", 1.5e12), ("count", 4096.0)} <= quantities(x)
    release = claim_with(x, "Moonshot AI released")
    assert {"models", "open_source"} <= set(release.topics)  # type: ignore[attr-defined]
    professor = next(e for e in x.entities.values() if e.name == "Zhou Minghao")
    assert (professor.type, professor.origin) == ("person", "discovered")
    assert ("tsinghua-university", "employs", professor.id) in relations(x)
    assert claim_with(x, "Open source is how").speaker_id == professor.id  # type: ignore[attr-defined]


def test_investment_article(extracted: dict[str, tuple[str, Extraction]]) -> None:
    _, x = extracted["gulf_investment"]
    assert {"saudi-arabia", "pif", "openai", "softbank", "microsoft"} <= entity_ids(x)
    assert {("USD", 4e10), ("multiple", 5.0), ("year", 2023.0), ("USD", 1.5e9)} <= quantities(x)
    ministry = next(e for e in x.entities.values() if e.name.startswith("Ministry of Digital Economy"))
    assert (ministry.type, ministry.origin) == ("organization", "discovered")
    pledge = claim_with(x, "pledged $40 billion")
    assert {"investment", "infrastructure"} <= set(pledge.topics)  # type: ignore[attr-defined]
    assert pledge.kind == "statistic"  # type: ignore[attr-defined]
    cfo = next(m.entity_id for m in x.mentions if m.text == "Sarah Friar")
    assert ("openai", "employs", cfo) in relations(x)


def test_pipeline_starts_afresh_when_its_vocabulary_outgrows_the_limit(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.extraction.pipeline as module

    text = (FIXTURES / "chips_export.txt").read_text(encoding="utf-8")
    before = {(m.entity_id, m.start, m.end) for m in pipeline.extract(text).mentions}
    fresh = module.Pipeline(pipeline.catalog)
    monkeypatch.setattr(module, "VOCAB_LIMIT", len(fresh.nlp.vocab) + 10)
    fresh.extract(" ".join(f"Zorblax{i} grew by {i * 7919}%." for i in range(40)))
    grown, first = len(fresh.nlp.vocab), fresh.nlp
    after = {(m.entity_id, m.start, m.end) for m in fresh.extract(text).mentions}
    assert fresh.nlp is not first and len(fresh.nlp.vocab) < grown  # rebuilt, not grown without bound
    assert after == before


def test_the_package_states_its_public_api_and_loads_spacy_only_for_the_pipeline() -> None:
    import subprocess
    import sys

    script = (
        "import sys, app.extraction as x; "
        "assert 'spacy' not in sys.modules; "
        "assert all(hasattr(x, name) for name in x.__all__); "
        "assert 'spacy' in sys.modules; "
        "assert x.get_pipeline().extract('Nvidia said so.').mentions"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=FIXTURES.parents[2])

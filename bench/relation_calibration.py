"""Relation quality and confidence calibration against annotated articles, without a server.

    python bench/relation_calibration.py --seeds seeds --seeds-gold ../shared/gold/seeds_gold.json \
        --dev DEV_FOLDER --dev-gold ../shared/devset/gold [--verbose]

Runs the extraction pipeline over each annotated article and scores the relations it reads from that
article the way the referee (`shared/eval/kb_eval.py`) does: a relation is right when the annotation of
that article holds the same predicate between entities whose names or aliases match, with the types it
gives (on the development set `partners_with` counts in either direction). Prints precision and recall per
set, then the calibration table: for each confidence band, how many relations fall in it and how many of
them are right, and the same for every relation at or above 0.8. Not a test: the figures go in
docs/EVALUATION.md. Article texts are read from the folders given; nothing is written.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import itertools

from app.extraction.pipeline import get_pipeline
from app.extraction.records import Extraction, RelationRecord

BANDS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def norm(text: str) -> str:
    """The referee's name normalisation."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"'s\b", "", text)
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]+", "", text)


def gold_names(entity: dict[str, Any]) -> set[str]:
    names = {norm(entity.get("name", ""))}
    names |= {norm(a) for a in entity.get("aliases", []) + entity.get("aliases_in_text", [])}
    names.discard("")
    return names


@dataclass
class Scored:
    set_name: str
    article: str
    relation: RelationRecord
    right: bool
    text: str


class Article:
    """One annotated article: its text, what the pipeline read, and its gold entities and relations."""

    def __init__(
        self, article_id: str, text: str, entities: list[dict[str, Any]], relations: list[dict[str, Any]]
    ):
        self.id = article_id
        self.text = text
        self.gold_entities = {e["name"]: e for e in entities}
        self.gold_relations = relations
        self.extraction: Extraction = get_pipeline().extract(text)
        learned: dict[str, set[str]] = defaultdict(set)
        for m in self.extraction.mentions:
            learned[m.entity_id].add(norm(m.text))
        self.names = {
            entity_id: {norm(record.name)} | {norm(a) for a in record.aliases} | learned[entity_id]
            for entity_id, record in self.extraction.entities.items()
        }

    def record(self, entity_id: str) -> Any:
        """The entity as read, else as the catalog has it (a country a relation names without a mention)."""
        return self.extraction.entities.get(entity_id) or get_pipeline().catalog.entities.get(entity_id)

    def matches(self, entity_id: str, gold_name: str) -> bool:
        gold = self.gold_entities.get(gold_name)
        record = self.record(entity_id)
        if gold is None or record is None:
            return False
        names = self.names.get(entity_id) or {norm(record.name)} | {norm(a) for a in record.aliases}
        return record.type in {gold["type"], *gold.get("alt_types", [])} and bool(names & gold_names(gold))

    def hit(self, r: RelationRecord, g: dict[str, Any], either_way: bool) -> bool:
        if r.predicate != g["predicate"]:
            return False
        if self.matches(r.subject_id, g["subject"]) and self.matches(r.object_id, g["object"]):
            return True
        return (
            either_way
            and g["predicate"] == "partners_with"
            and (self.matches(r.object_id, g["subject"]) and self.matches(r.subject_id, g["object"]))
        )


def load_seeds(folder: Path, gold_file: Path) -> list[tuple[Article, list[dict[str, Any]]]]:
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    out = []
    for entry in json.loads((folder / "sources.json").read_text(encoding="utf-8")):
        name = Path(entry["file"]).name
        relations = [r for r in gold["relations"] if name in r["articles"]]
        article = Article(
            name, (folder / entry["file"]).read_text(encoding="utf-8"), gold["entities"], relations
        )
        out.append((article, relations))
    return out


def load_dev(folder: Path, gold_dir: Path) -> list[tuple[Article, list[dict[str, Any]]]]:
    out = []
    for path in sorted(gold_dir.glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        text_path = folder / f"{gold['id']}.txt"
        if not text_path.exists() or "relations" not in gold:
            continue
        article = Article(
            gold["id"], text_path.read_text(encoding="utf-8"), gold["entities"], gold["relations"]
        )
        out.append((article, gold["relations"]))
    return out


def score(
    set_name: str,
    articles: list[tuple[Article, list[dict[str, Any]]]],
    *,
    stated_only: bool,
    either_way: bool,
) -> tuple[list[Scored], list[str], int]:
    """Every relation read (right or not), the gold relations missed, and how many gold relations count.
    A gold relation annotated in several articles (the seeds) counts once, found when any of them states
    it."""
    scored: list[Scored] = []
    found: dict[str, bool] = {}
    for article, gold in articles:
        for g in gold:
            if stated_only and not g.get("as_stated", True):
                continue
            key = f"{g['subject']} {g['predicate']} {g['object']}"
            if set_name != "seeds":
                key = f"{article.id}: {key}"
            hit = any(article.hit(r, g, either_way) for r in article.extraction.relations)
            found[key] = found.get(key, False) or hit
        for r in article.extraction.relations:
            right = any(article.hit(r, g, either_way) for g in gold)
            scored.append(Scored(set_name, article.id, r, right, article.text[r.start : r.end]))
    missed = [key for key, hit in found.items() if not hit]
    return scored, missed, len(found)


def table(scored: list[Scored]) -> list[str]:
    lines = ["| confidence | relations | right | precision |", "|---|---:|---:|---:|"]
    for low, high in itertools.pairwise(BANDS):
        band = [s for s in scored if low <= s.relation.confidence < high]
        label = f"{low:.1f}–{min(high, 1.0):.1f}" if high <= 1.0 else f"{low:.1f}–1.0"
        lines.append(f"| {label} | {len(band)} | {sum(s.right for s in band)} | {_ratio(band)} |")
    top = [s for s in scored if s.relation.confidence >= 0.8]
    lines.append(f"| **≥ 0.8** | {len(top)} | {sum(s.right for s in top)} | **{_ratio(top)}** |")
    lines.append(f"| all | {len(scored)} | {sum(s.right for s in scored)} | {_ratio(scored)} |")
    return lines


def _ratio(items: list[Scored]) -> str:
    return f"{sum(s.right for s in items) / len(items):.3f}" if items else "–"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=Path, help="folder with sources.json and the seed articles")
    parser.add_argument("--seeds-gold", type=Path, help="seeds_gold.json")
    parser.add_argument("--dev", type=Path, help="folder with the development articles dNN.txt")
    parser.add_argument("--dev-gold", type=Path, help="folder of the development gold files")
    parser.add_argument("--verbose", action="store_true", help="list missed and wrong relations, and rules")
    args = parser.parse_args()
    everything: list[Scored] = []
    sets = []
    if args.seeds and args.seeds_gold:
        sets.append(("seeds", load_seeds(args.seeds, args.seeds_gold), True, False))
    if args.dev and args.dev_gold:
        sets.append(("dev", load_dev(args.dev, args.dev_gold), False, True))
    for name, articles, stated_only, either_way in sets:
        scored, missed, n_gold = score(name, articles, stated_only=stated_only, either_way=either_way)
        everything += scored
        found = n_gold - len(missed)
        precision = sum(s.right for s in scored) / len(scored) if scored else 1.0
        print(
            f"{name}: precision {precision:.3f} ({sum(s.right for s in scored)}/{len(scored)}), "
            f"recall {found / n_gold if n_gold else 1.0:.3f} ({found}/{n_gold})"
        )
        if args.verbose:
            for line in missed:
                print("  missed", line)
            for s in scored:
                if not s.right:
                    r = s.relation
                    print(
                        f"  wrong  {s.article}: {r.subject_id} {r.predicate} {r.object_id} "
                        f"[{r.confidence} {r.rule}] {s.text!r}"
                    )
        print()
        print("\n".join(table(scored)))
        print()
    if len(sets) > 1:
        print("both sets:")
        print("\n".join(table(everything)))
    if args.verbose:
        by_rule: dict[str, list[Scored]] = defaultdict(list)
        for s in everything:
            by_rule[s.relation.rule].append(s)
        print("\n| rule | relations | right |\n|---|---:|---:|")
        for rule, items in sorted(by_rule.items(), key=lambda kv: -len(kv[1])):
            print(f"| {rule} | {len(items)} | {sum(s.right for s in items)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A realistic synthetic knowledge base for the query benchmark (bench/load_test.py).

    python bench/build_kb.py /tmp/kb1m.db [--force]                      # SQLite file (the default use)
    python bench/build_kb.py postgresql+psycopg://postgres@127.0.0.1:5432/kb1m   # an EMPTY database

Defaults: 1,000,000 claims in 10,000 sources, 5,000 entities (the 1,444 of seeds/catalog, then invented
"discovered" ones), ~3 entity links per claim with Zipf-like popularity (s=0.8), the 11 topics (1-3 per
claim), quantities on ~25% of claims, speakers on ~20%, published dates over 2019-2026 (a few null).
Seeded: the same arguments give the same database, row for row.

The schema is the app's own: the database is created by `app.migrate.upgrade`, so indexes, the SQLite FTS5
triggers and the PostgreSQL tsvector column are exactly what the app runs on. Catalog entities, aliases,
catalog relations and topics go through `app.ingest.sync_catalog`; everything else is bulk-inserted with
DBAPI `executemany` in batches, a few large transactions in all. Ids follow the app's scheme
(`source_id_for`, `claim_id`). Claims are written source by source, as the loader does, and every claim's
text is `source.text[start:end]`.

SQLite is loaded with journal_mode=OFF and synchronous=OFF (then set back to WAL, the app's mode). No
ANALYZE is run unless --analyze is given, because the app never runs it: the benchmark sees the planner as
a deployment built by the loader would.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import itertools
import json
import random
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, make_url
from sqlmodel import Session

from app.db import engine_for
from app.extraction.catalog import load_catalog, normalise_alias, slugify
from app.extraction.topics import topic_definitions
from app.ingest import claim_id, source_id_for, sync_catalog
from app.migrate import upgrade
from app.models import NO_DAY, Entity, EntityAlias
from app.projection import (
    ClaimRow,
    ClaimRows,
    QuantityRow,
    apply_facet_deltas,
    claim_date,
    documents,
    facet_deltas,
)
from app.sql import Db

EXTRACTOR_VERSION = "1.0.0"  # app.extraction.pipeline.EXTRACTOR_VERSION (not imported: it loads spaCy)
FIRST_DAY, LAST_DAY = date(2019, 1, 1), date(2026, 11, 24)
ZIPF_S = 0.8

# --- vocabulary -----------------------------------------------------------------------------------------

# Relative weight of each topic; with 1-3 topics per claim, "chips" lands on ~13% of claims.
TOPIC_WEIGHTS = {
    "models": 1.6, "policy": 1.35, "geopolitics": 1.2, "market": 1.1, "investment": 1.0, "chips": 0.85,
    "infrastructure": 0.9, "applications": 0.9, "research": 0.7, "open_source": 0.55, "talent": 0.5,
}  # fmt: skip
TOPIC_COUNT_WEIGHTS = (0.5, 0.35, 0.15)  # 1, 2 or 3 topics


def _words(text: str) -> list[str]:
    return text.split()


def _phrases(spec: str) -> list[tuple[str, float]]:
    """'phrase:weight; phrase:weight' -> [(phrase, weight)]."""
    items = [item.rsplit(":", 1) for item in spec.split(";") if item.strip()]
    return [(phrase.strip(), float(weight)) for phrase, weight in items]


# Noun phrases per topic, weighted. The phrases the benchmark searches for ("export controls", "data
# centers", "open-source model") carry weights tuned to land on a few per cent of claims each.
PHRASES: dict[str, list[tuple[str, float]]] = {
    topic: _phrases(spec)
    for topic, spec in {
        "chips": "advanced AI chips:3; export controls on advanced chips:0.35; high-bandwidth memory:2; "
        "GPU supply:2; domestic chip production:3; 7-nanometer processors:1.5; AI accelerators:3; "
        "chipmaking equipment:2; lithography machines:1.5; China-specific GPUs:1.5; inference chips:2; "
        "wafer capacity:1.5; chip smuggling:0.7; semiconductor self-sufficiency:1.5",
        "policy": "export controls:0.45; new export controls:0.2; the Entity List:1.5; AI safety rules:2; "
        "licensing requirements:2; a national AI plan:2; state subsidies:2; generative AI regulations:2; "
        "outbound investment rules:1.2; visa restrictions for researchers:1; data security laws:1.5; "
        "algorithm registration rules:1; the AI Action Plan:1",
        "geopolitics": "the US-China tech rivalry:3; export controls:0.4; retaliatory sanctions:2; "
        "technology decoupling:2; AI diplomacy:1.5; global AI standards:1.5; allies in Europe and Asia:1.5; "
        "the trade war:2; rare earth restrictions:1.2; the Global South:1; national security concerns:2",
        "infrastructure": "data centers:0.7; new data centers:0.35; compute clusters:2; cloud capacity:2; "
        "power for data centers:0.25; GPU clusters:2; the national computing network:1; "
        "electricity demand:1.5; undersea cables:0.7; intelligent computing centers:1.2",
        "open_source": "an open-source model:0.5; open-weight releases:2; downloads on Hugging Face:2; "
        "the developer community:2; open-source licensing:1; open-source model releases:0.3; "
        "freely available weights:1.5; community fine-tunes:1",
        "models": "large language models:3; reasoning models:2.5; a new open-source model:0.25; "
        "benchmark scores:2; multimodal models:2; training costs:2; frontier models:2; model releases:2; "
        "agentic AI systems:1.5; mixture-of-experts architectures:1; coding assistants:1.2; "
        "inference prices:1.5",
        "talent": "AI researchers:3; top engineering talent:2; PhD graduates:1.5; returning scientists:1; "
        "hiring of AI engineers:1.5; university AI programs:1.2; researcher salaries:1",
        "research": "AI research papers:2; patent filings:2; citations at top conferences:1.5; "
        "frontier research:1.5; R&D spending:2; basic research funding:1; joint research labs:1",
        "investment": "venture funding:2; capital spending on AI:2; a state-backed fund:1.5; AI startups:2; "
        "a funding round:2; investment in AI infrastructure:1.5; sovereign wealth funds:1; "
        "valuations of AI companies:1.2",
        "applications": "AI assistants:2; autonomous driving:2; smart manufacturing:1.5; "
        "AI-powered e-commerce:1.5; humanoid robots:1.5; enterprise AI adoption:2; AI in healthcare:1.2; "
        "smart city projects:1; AI features in smartphones:1.2",
        "market": "market share:2.5; quarterly revenue:2; sales in China:2; cloud revenue:1.5; "
        "smartphone shipments:1; the domestic market:1.5; price cuts:1.5; profit margins:1.2; "
        "stock market valuations:1",
    }.items()
}
CONNECTORS = [
    "amid", "as part of a push on", "while pressing ahead with", "following a review of",
    "in a sign of growing focus on", "as rivals race on", "despite concerns over", "alongside",
    "with an eye on", "after months of debate over", "in response to pressure over",
]  # fmt: skip
TAILS = [
    "according to people familiar with the matter", "the company said in a statement",
    "according to a filing", "officials said on Tuesday", "analysts said", "according to state media",
    "people briefed on the plans said", "according to the report",
]  # fmt: skip
STOP_TAIL = {"a", "an", "the", "of", "on", "in", "for", "with", "as", "to", "and", "over", "at", "by", "from"}
EVENT_VERBS = {
    "company": ["unveiled", "announced", "launched", "expanded work on", "signed a deal on", "scaled back"],
    "organization": ["announced", "launched a review of", "published guidance on", "proposed", "approved"],
    "country": ["tightened rules on", "announced support for", "expanded", "launched a program on"],
    "person": ["announced", "called for", "unveiled plans for", "pushed for", "warned about"],
    "model": ["was updated with", "topped rankings on", "was adopted for", "drew attention to"],
    "chip": ["entered mass production for", "was cleared for", "shipped in volume for", "was redesigned for"],
    "policy": ["took effect, covering", "was expanded to cover", "was tightened to include", "reshaped"],
}
ASSESS = [
    "is gaining ground in", "remains behind rivals in", "has an edge in", "faces mounting pressure over",
    "is well placed to lead in", "is struggling with", "is quietly reshaping",
]  # fmt: skip
FORECAST = ["to accelerate", "to slow", "to double", "to recover", "to shift toward China", "to consolidate"]
QUOTE_VPS = [
    "will only speed up China's own industry", "are moving faster than anyone expected",
    "will decide who leads the next decade", "cannot be ignored any longer",
    "are a priority for us this year", "have changed the way we compete",
    "need clear rules and patient capital",
]  # fmt: skip
COUNT_NOUNS = ["GPUs", "servers", "researchers", "engineers", "companies", "patents", "users", "data centers"]
PUBLISHERS = [
    ("Reuters", "reuters.com"), ("Bloomberg", "bloomberg.com"), ("Financial Times", "ft.com"),
    ("South China Morning Post", "scmp.com"), ("The Wall Street Journal", "wsj.com"),
    ("The New York Times", "nytimes.com"), ("Caixin Global", "caixinglobal.com"),
    ("Nikkei Asia", "asia.nikkei.com"), ("The Information", "theinformation.com"),
    ("TechCrunch", "techcrunch.com"), ("The Verge", "theverge.com"), ("Wired", "wired.com"),
    ("MIT Technology Review", "technologyreview.com"), ("Rest of World", "restofworld.org"),
    ("The Economist", "economist.com"), ("CNBC", "cnbc.com"), ("Politico", "politico.com"),
    ("Axios", "axios.com"), ("Semafor", "semafor.com"), ("Tom's Hardware", "tomshardware.com"),
    ("DigiTimes", "digitimes.com"), ("Xinhua", "english.news.cn"), ("China Daily", "chinadaily.com.cn"),
    ("Global Times", "globaltimes.cn"), ("Yicai Global", "yicaiglobal.com"), ("36Kr", "36kr.com"),
    ("Sixth Tone", "sixthtone.com"), ("The Diplomat", "thediplomat.com"),
    ("Foreign Policy", "foreignpolicy.com"), ("CSIS", "csis.org"),
]  # fmt: skip
FIRST_NAMES = _words("Wei Li Min Jun Ying Hao Lei Xin Anna David Sarah Michael Emily James Laura Daniel")
FIRST_NAMES += _words("Grace Kevin Mei Chen Yuki Ravi")
LAST_NAMES = _words("Zhang Wang Liu Chen Yang Zhao Huang Zhou Wu Xu Sun Ma Smith Johnson Lee Brown Miller")
LAST_NAMES += _words("Davis Kim Nakamura Patel Garcia")
CN_SYLLABLES = _words("Zhi Yuan Hai Xin Tian Hua Long Feng Kun Lan Ming Rui Shen Tong Wei Xing Yun Zhong Bo")
CN_SYLLABLES += _words("Chuang Jing Qi Heng Ruan")
EN_BRANDS = _words("Vector Cortex Lattice Quanta Apex Nimbus Helix Axon Photon Tensor Vertex Northwind")
EN_BRANDS += _words("Bluepeak Ironwood Silverline Orbit Cinder Solace")
COMPANY_KINDS = _words("AI Technology Semiconductor Robotics Intelligence Computing Labs Microelectronics")
COMPANY_KINDS += _words("Cloud Networks Data Systems")
ORG_PLACES = _words("Shenzhen Shanghai Beijing Hangzhou Hefei Wuhan California Texas Seoul Singapore Tokyo")
ORG_PLACES += _words("Guangdong Jiangsu Chengdu Nanjing Brussels London")
ORG_KINDS = ["AI Industry Alliance", "Institute of Computing", "Academy of AI", "Semiconductor Association"]
ORG_KINDS += ["Innovation Center", "Computing Power Bureau", "Research Institute", "AI Safety Institute"]
POLICY_KINDS = ["Compute Subsidy Measures", "AI Development Plan", "Data Export Rules", "Chip Security Act"]
POLICY_KINDS += ["Algorithm Filing Rules", "Talent Visa Program", "AI Procurement Guidelines"]
SYNTHETIC_TYPES = [
    ("company", 0.32), ("person", 0.26), ("organization", 0.16), ("model", 0.14), ("chip", 0.06),
    ("policy", 0.06),
]  # fmt: skip
KINDS = [("event", 0.34), ("assessment", 0.24), ("statistic", 0.20), ("quote", 0.12), ("forecast", 0.10)]
UNITS = [("USD", 0.35), ("%", 0.30), ("count", 0.25), ("year", 0.10)]
SOURCE_COLUMNS = (
    *("id", "key", "url", "title", "publisher", "authors", "published", "published_not_before"),
    *("language", "note", "text", "content_hash", "extractor_version", "ingested_at", "updated_at"),
)
CLAIM_COLUMNS = (
    *("id", "source_id", "start", "end", "text", "kind"),
    *("speaker_id", "cited_id", "time_scope", "published", "day", "doc"),
)
PREDICATES = ["develops", "partners_with", "invests_in", "makes", "restricts", "employs"]
# The most-linked entities first; the rest of the catalog follows in a seeded shuffle, then the invented ones.
HEAD = [
    "china", "united-states", "nvidia", "huawei", "alibaba", "deepseek", "openai", "baidu", "tencent",
    "bytedance", "smic", "tsmc", "google", "microsoft", "qwen", "us-department-of-commerce", "bis",
    "moonshot-ai", "zhipu-ai", "jensen-huang", "donald-trump", "xi-jinping", "joe-biden", "meta", "amd",
    "intel", "h20", "h100", "ascend-910b", "deepseek-r1",
]  # fmt: skip


# --- helpers --------------------------------------------------------------------------------------------


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def zipf_cum(n: int, s: float) -> list[float]:
    return cumulative([1.0 / (r**s) for r in range(1, n + 1)])


class Picker:
    """Weighted choice by bisection over cumulative weights (random.choices without its per-call setup)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = cumulative(weights)
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect(self.cum, rng.random() * self.total)]


def money_text(value: float) -> tuple[float, str]:
    """A plausible USD amount as written, and the value the text states."""
    for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= scale:
            shown = round(value / scale, 1)
            return shown * scale, f"${shown:g} {word}"
    shown = round(value, -3)
    return shown, f"${shown:,.0f}"


class Entities:
    """Ids, names, types and popularity ranks of every entity in the KB."""

    def __init__(self, ids: list[str], names: dict[str, str], types: dict[str, str]) -> None:
        self.ids, self.names, self.types = ids, names, types
        self.zipf = Picker(ids, [1.0 / (r**ZIPF_S) for r in range(1, len(ids) + 1)])
        persons = [e for e in ids if types[e] == "person"]
        self.speakers = Picker(persons, [1.0 / r for r in range(1, len(persons) + 1)])
        citable = [e for e in ids if types[e] in ("organization", "company")]
        self.cited = Picker(citable, [1.0 / r for r in range(1, len(citable) + 1)])


def invent_entities(
    rng: random.Random, count: int, taken_ids: set[str], taken_aliases: set[str]
) -> list[dict[str, Any]]:
    """Plausible "discovered" entities: companies, people, organizations, models, chips, policies."""
    kind = Picker([t for t, _ in SYNTHETIC_TYPES], [w for _, w in SYNTHETIC_TYPES])
    makers: dict[str, Callable[[], str]] = {
        "company": lambda: (
            f"{rng.choice(CN_SYLLABLES)}{rng.choice(CN_SYLLABLES).lower()} {rng.choice(COMPANY_KINDS)}"
            if rng.random() < 0.6
            else f"{rng.choice(EN_BRANDS)} {rng.choice(COMPANY_KINDS)}"
        ),
        "person": lambda: (
            f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            + (f" {rng.choice('ABCDEFGHJKLMNPRSTW')}." if rng.random() < 0.3 else "")
        ),
        "organization": lambda: f"{rng.choice(ORG_PLACES)} {rng.choice(ORG_KINDS)}",
        "model": lambda: (
            f"{rng.choice(CN_SYLLABLES)}{rng.choice(CN_SYLLABLES).lower()}-{rng.randint(1, 5)}"
            f"{rng.choice(['', '.5', '-Pro', '-Max', '-Turbo', '-72B', '-Flash'])}"
        ),
        "chip": lambda: (
            f"{rng.choice(EN_BRANDS + CN_SYLLABLES)} {rng.choice('AXNKTM')}{rng.randint(2, 99) * 10}"
        ),
        "policy": lambda: f"{rng.choice(ORG_PLACES)} {rng.choice(POLICY_KINDS)} {rng.randint(2019, 2026)}",
    }
    out: list[dict[str, Any]] = []
    while len(out) < count:
        etype = kind(rng)
        name = makers[etype]()
        slug, key = slugify(name), normalise_alias(name)
        if not slug or slug in taken_ids or key in taken_aliases:
            continue
        taken_ids.add(slug)
        taken_aliases.add(key)
        attributes = {"country": rng.choice(["china", "china", "united-states", "taiwan", "south-korea"])}
        out.append(
            {
                "id": slug,
                "name": name,
                "type": etype,
                "description": f"A {etype} named in news coverage of the AI industry.",
                "attributes": attributes,
                "origin": "discovered",
            }
        )
    return out


# --- claims ---------------------------------------------------------------------------------------------


class ClaimMaker:
    """One claim at a time: kind, topics, entity links, quantities, speaker and a 150-250 character text."""

    def __init__(self, rng: random.Random, entities: Entities) -> None:
        self.rng = rng
        self.e = entities
        self.topic = Picker(list(TOPIC_WEIGHTS), list(TOPIC_WEIGHTS.values()))
        self.topic_count = Picker([1, 2, 3], TOPIC_COUNT_WEIGHTS)
        self.kind = Picker([k for k, _ in KINDS], [w for _, w in KINDS])
        self.unit = Picker([u for u, _ in UNITS], [w for _, w in UNITS])
        self.phrase = {t: Picker([p for p, _ in ps], [w for _, w in ps]) for t, ps in PHRASES.items()}

    def topics(self) -> list[str]:
        k = self.topic_count(self.rng)
        chosen: dict[str, None] = {}
        while len(chosen) < k:
            chosen[self.topic(self.rng)] = None
        return list(chosen)

    def quantity(self, unit: str) -> tuple[float, str]:
        rng = self.rng
        if unit == "USD":
            return money_text(10 ** rng.uniform(6, 11.8))
        if unit == "%":
            value = round(rng.uniform(0.5, 95), rng.choice((0, 1)))
            return value, f"{value:g}%"
        if unit == "count":
            n = int(10 ** rng.uniform(1, 6.3))
            n = n if n < 1000 else round(n, -2)
            return float(n), f"{n:,}"
        year = rng.randint(2019, 2032)
        return float(year), str(year)

    def make(self) -> dict[str, Any]:
        rng, e = self.rng, self.e
        kind = self.kind(rng)
        topics = self.topics()
        links: dict[str, str] = {}
        for ent in (e.zipf(rng) for _ in range(rng.randint(1, 5))):
            links.setdefault(ent, "subject" if not links else "mention")
        ids = list(links)
        if len(ids) > 1 and kind in ("event", "statistic") and rng.random() < 0.4:
            links[ids[1]] = "object"
        speaker = cited = None
        if (
            kind == "quote"
            or (kind == "assessment" and rng.random() < 0.2)
            or (kind == "forecast" and rng.random() < 0.3)
        ):
            speaker = e.speakers(rng)
            links.setdefault(speaker, "mention")
        if kind in ("event", "statistic") and rng.random() < 0.15:
            cited = e.cited(rng)
        want_quantity = kind == "statistic" or rng.random() < (0.3 if kind == "forecast" else 0.03)
        subject = e.names[ids[0]]
        other = e.names[ids[1]] if len(ids) > 1 else None

        def np() -> str:
            return self.phrase[rng.choice(topics)](rng)

        quantities: list[tuple[int, float, str, str]] = []  # (offset in text, value, unit, text)
        parts: list[str] = []

        def add(text: str) -> None:
            parts.append(text)

        def add_quantity(unit: str) -> None:
            value, qtext = self.quantity(unit)
            quantities.append((sum(map(len, parts)), value, unit, qtext))
            parts.append(qtext)

        if kind == "quote":
            phrase, who = np(), e.names[speaker or ids[0]]
            add(f"“{phrase[:1].upper()}{phrase[1:]} {rng.choice(QUOTE_VPS)},” said {who}")
            if want_quantity:
                add(", who expects a change by ")
                add_quantity("year")
        elif kind == "statistic" or want_quantity:
            unit = self.unit(rng)
            if unit == "USD":
                add(f"{subject} {rng.choice(['plans to invest', 'raised', 'reported spending', 'earned'])} ")
                add_quantity(unit)
                add(f" in {np()}")
            elif unit == "%":
                add(f"{subject}'s {np()} {rng.choice(['rose', 'fell', 'grew', 'jumped', 'dropped'])} ")
                add_quantity(unit)
                add(" from a year earlier")
            elif unit == "count":
                add(f"{subject} {rng.choice(['has deployed', 'counts', 'added', 'lost'])} ")
                add_quantity(unit)
                add(f" {rng.choice(COUNT_NOUNS)} tied to {np()}")
            else:
                add(f"{subject} {rng.choice(['expects', 'plans', 'aims'])} to lead in {np()} by ")
                add_quantity(unit)
            if kind == "statistic" and rng.random() < 0.15 and unit in ("USD", "%"):
                add(", up from ")
                add_quantity(unit)
        elif kind == "forecast":
            lead = f"{e.names[speaker]} expects" if speaker else f"{subject} expects"
            add(f"{lead} {np()} {rng.choice(FORECAST)} over the next {rng.randint(2, 5)} years")
        elif kind == "assessment":
            lead = f"{e.names[speaker]} said" if speaker else rng.choice(["Analysts say", "Critics argue"])
            add(f"{lead} {subject} {rng.choice(ASSESS)} {np()}")
        else:
            add(f"{subject} {rng.choice(EVENT_VERBS[e.types[ids[0]]])} {np()}")
        if other and other not in parts[0] and rng.random() < 0.8:
            add(f", referring to {other}" if kind == "quote" else f" with {other}")
        if cited:
            add(f", according to {e.names[cited]}")
        text = "".join(parts)
        protected = len(text)
        target = rng.randint(150, 250)
        while len(text) < target:
            if rng.random() < 0.25:
                text += f", {rng.choice(TAILS)}"
            else:
                text += f" {rng.choice(CONNECTORS)} {np()}"
        if len(text) > 249:
            cut = text.rfind(" ", protected, 249)
            if cut > 0:
                text = text[:cut]
        words = text.rstrip(",").split(" ")
        while len(" ".join(words)) > protected and words[-1].lower() in STOP_TAIL:
            words.pop()
        text = " ".join(words).rstrip(",") + "."
        time_scope = next((str(int(v)) for _, v, u, _ in quantities if u == "year"), None)
        return {
            "text": text,
            "kind": kind,
            "topics": topics,
            "links": links,
            "speaker": speaker,
            "cited": cited,
            "quantities": quantities,
            "time_scope": time_scope,
        }


# --- writing --------------------------------------------------------------------------------------------


class Writer:
    """Bulk inserts through the DBAPI: executemany of plain tuples, a commit every `commit_every` claims."""

    def __init__(self, url: str) -> None:
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self.conn: Any = sqlite3.connect(make_url(url).database or "", isolation_level=None)
            for pragma in (
                "journal_mode=OFF",
                "synchronous=OFF",
                "cache_size=-1048576",  # 1 GiB: every index of the claim tables stays in memory
                "temp_store=MEMORY",
                "foreign_keys=OFF",  # rows are consistent by construction; --check verifies
            ):
                self.conn.execute(f"PRAGMA {pragma}")
            self.conn.execute("BEGIN")
        else:
            import psycopg

            conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            self.conn = psycopg.connect(conninfo)
        self.mark = "?" if self.sqlite else "%s"

    def insert(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join(self.mark for _ in columns)
        cur = self.conn.cursor()
        cur.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        cur.close()

    def commit(self) -> None:
        if self.sqlite:
            self.conn.execute("COMMIT")
            self.conn.execute("BEGIN")
        else:
            self.conn.commit()

    def facet_counts(self, deltas: Counter[tuple[str, str, str]]) -> None:
        """Add counts (app.projection's), in the open transaction."""
        apply_facet_deltas(Db(self.conn, "sqlite" if self.sqlite else "postgresql"), deltas)

    def finish(self, analyze: bool, check: bool) -> None:
        if self.sqlite:
            self.conn.execute("COMMIT")
            if check:
                bad = self.conn.execute("PRAGMA foreign_key_check").fetchmany(5)
                if bad:
                    raise SystemExit(f"foreign key violations, e.g. {bad}")
                print("  foreign_key_check: ok", flush=True)
            if analyze:
                self.conn.execute("ANALYZE")
            self.conn.execute("PRAGMA journal_mode=WAL")  # the app's mode (app/db.py)
        else:
            self.conn.commit()
            if analyze:
                self.conn.execute("ANALYZE")
                self.conn.commit()
        self.conn.close()


def day_of(rng: random.Random) -> date:
    """Publication days skewed toward recent years, as news about AI has been."""
    span = (LAST_DAY - FIRST_DAY).days
    return LAST_DAY - timedelta(days=int(span * (rng.random() ** 1.6)))


def source_sizes(rng: random.Random, sources: int, claims: int) -> list[int]:
    """Claims per source: log-normal, at least 1, summing exactly to `claims`."""
    raw = [rng.lognormvariate(0.0, 0.6) for _ in range(sources)]
    scale = claims / sum(raw)
    sizes = [max(1, int(r * scale)) for r in raw]
    i = 0
    while sum(sizes) != claims:
        step = 1 if sum(sizes) < claims else -1
        if sizes[i % sources] + step >= 1:
            sizes[i % sources] += step
        i += 1
    return sizes


def batched_rows(
    rng: random.Random, maker: ClaimMaker, sources: list[dict[str, Any]], sizes: list[int]
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each source with its claims; the source's text is its claims, in paragraphs."""
    for src, n in zip(sources, sizes, strict=True):
        yield src, [maker.make() for _ in range(n)]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("target", help="SQLite file path, or a SQLAlchemy URL (sqlite:///… or postgresql…)")
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--entities", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--batch", type=int, default=50_000, help="claims per executemany batch")
    parser.add_argument("--commit-every", type=int, default=250_000, help="claims per transaction")
    parser.add_argument("--force", action="store_true", help="replace an existing SQLite file")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE at the end (the app never does)")
    parser.add_argument("--check", action="store_true", help="SQLite: PRAGMA foreign_key_check at the end")
    args = parser.parse_args()

    url = args.target if "://" in args.target else f"sqlite:///{Path(args.target).resolve()}"
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        if path.exists():
            if not args.force:
                parser.error(f"{path} exists (use --force to replace it)")
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    phases: dict[str, float] = {}

    def phase(name: str, since: float) -> float:
        now = time.perf_counter()
        phases[name] = now - since
        print(f"  {name}: {now - since:.1f} s", flush=True)
        return now

    # 1. schema through the app's migrations; catalog entities, aliases, relations and topics via the app.
    upgrade(url)
    engine = engine_for(url)
    catalog = load_catalog()
    with Session(engine) as session, session.begin():
        sync_catalog(session, catalog=catalog)
        assert set(topic_definitions()) == set(TOPIC_WEIGHTS), "topics changed: update TOPIC_WEIGHTS"
    t = phase("migrations + catalog", t0)

    rng = random.Random(args.seed)
    head = [e for e in HEAD if e in catalog.entities]
    rest = [e for e in catalog.entities if e not in set(head)]
    rng.shuffle(rest)
    taken_aliases = {normalise_alias(a) for ce in catalog.entities.values() for a in (ce.name, *ce.aliases)}
    invented = invent_entities(
        rng, max(0, args.entities - len(catalog.entities)), set(catalog.entities), taken_aliases
    )
    ranked_invented = [r["id"] for r in invented]
    rng.shuffle(ranked_invented)
    ids = (head + rest + ranked_invented)[: args.entities]
    names = {eid: ce.name for eid, ce in catalog.entities.items()} | {r["id"]: r["name"] for r in invented}
    types = {eid: ce.type for eid, ce in catalog.entities.items()} | {r["id"]: r["type"] for r in invented}
    entities = Entities(ids, names, types)
    refs = {e: {"id": e, "name": names[e], "type": types[e]} for e in ids}

    # 2. sources (metadata in chronological order, as a crawler would load them) through SQLAlchemy Core,
    # so dates, datetimes and JSON are stored exactly as the app stores them.
    sizes = source_sizes(rng, args.sources, args.claims)
    sources: list[dict[str, Any]] = []
    days = sorted(day_of(rng) for _ in range(args.sources))
    for i, day in enumerate(days):
        publisher, domain = rng.choice(PUBLISHERS)
        key = f"https://www.{domain}/{day:%Y/%m/%d}/ai-{i:05d}-{rng.getrandbits(32):08x}"
        roll = rng.random()
        published = None if roll < 0.05 else day
        not_before = max(FIRST_DAY, day - timedelta(days=rng.randint(0, 30))) if 0.03 <= roll < 0.05 else None
        sources.append(
            {
                "id": source_id_for(key),
                "key": key,
                "url": key,
                "publisher": publisher,
                "authors": [
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(rng.randint(0, 2))
                ],
                "published": published,
                "published_not_before": not_before,
            }
        )
    maker = ClaimMaker(rng, entities)
    with engine.begin() as conn:
        conn.execute(insert(Entity.__table__), invented)  # type: ignore[attr-defined]
        conn.execute(
            insert(EntityAlias.__table__),  # type: ignore[attr-defined]
            [
                {"entity_id": r["id"], "alias": r["name"], "normalised": normalise_alias(r["name"])}
                for r in invented
            ],
        )
    engine.dispose()
    writer = Writer(url)  # after dispose: SQLite can leave WAL mode only with no other connection open
    t = phase("entities + source metadata", t)

    # 3. claims, source by source; sources are written with their text once their claims are built.
    sqlite = writer.sqlite
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    # SQLite: the text SQLAlchemy stores for a date / DateTime(timezone=True); PostgreSQL: the objects.
    stamp: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now

    def day_param(value: date | None) -> Any:
        return value.isoformat() if sqlite and value else value

    counts: Counter[str] = Counter()
    phrase_hits: Counter[str] = Counter()
    lengths: list[int] = []
    buf: dict[str, list[tuple[Any, ...]]] = {k: [] for k in ("c", "ct", "ce", "q", "m", "r")}
    source_rows: list[dict[str, Any]] = []
    done = since_commit = 0

    def flush(final: bool = False) -> None:
        nonlocal since_commit
        if source_rows:
            writer.insert(
                "source",
                SOURCE_COLUMNS,
                [
                    (r["id"], r["key"], r["url"], r["title"], r["publisher"], json.dumps(r["authors"]),
                     day_param(r["published"]), day_param(r["published_not_before"]), "en", None, r["text"],
                     r["content_hash"], EXTRACTOR_VERSION, stamp, stamp)
                    for r in source_rows
                ],
            )  # fmt: skip
            source_rows.clear()
        writer.insert(
            "claim",
            CLAIM_COLUMNS,
            buf["c"],
        )
        writer.insert("claim_topic", ("claim_id", "topic_id", "day"), buf["ct"])
        writer.insert("claim_entity", ("claim_id", "entity_id", "role", "day"), buf["ce"])
        writer.insert("quantity", ("claim_id", "value", "unit", "text", "start", "end"), buf["q"])
        writer.insert("mention", ("source_id", "entity_id", "start", "end"), buf["m"])
        writer.insert(
            "relation",
            ("id", "subject_id", "predicate", "object_id", "origin", "source_id", "claim_id", "start", "end"),
            buf["r"],
        )
        for rows_ in buf.values():
            rows_.clear()
        if final or since_commit >= args.commit_every:
            writer.commit()
            since_commit = 0

    pending = 0
    facets: Counter[tuple[str, str, str]] = Counter()
    for src, claims in batched_rows(rng, maker, sources, sizes):
        sid = src["id"]
        day, basis = claim_date(src["published"], src["published_not_before"])
        day_value = day_param(day)
        sort_day = day_param(day or NO_DAY)
        pieces: list[str] = []
        offset = 0
        rows = ClaimRows()
        for n, c in enumerate(claims):
            if n:
                sep = "\n\n" if n % 4 == 0 else " "
                pieces.append(sep)
                offset += len(sep)
            text = c["text"]
            start, end = offset, offset + len(text)
            pieces.append(text)
            offset = end
            cid = claim_id(sid, start, end)
            said = (c["kind"], c["speaker"], c["cited"], c["time_scope"])
            rows.claims.append(ClaimRow(cid, sid, start, end, text, *said, day, basis))
            rows.topics += [(cid, t) for t in c["topics"]]
            rows.links += [(cid, ent, role) for ent, role in c["links"].items()]
            rows.quantities += [
                QuantityRow(cid, v, u, qt, start + o, start + o + len(qt))
                for o, v, u, qt in sorted(c["quantities"])
            ]
            buf["ct"] += [(cid, t, sort_day) for t in c["topics"]]
            buf["ce"] += [(cid, ent, role, sort_day) for ent, role in c["links"].items()]
            buf["q"] += rows.quantities[len(rows.quantities) - len(c["quantities"]) :]
            for ent in c["links"]:
                at = text.find(names[ent])
                if at >= 0:
                    buf["m"].append((sid, ent, start + at, start + at + len(names[ent])))
            objects = [ent for ent, role in c["links"].items() if role == "object"]
            if objects and rng.random() < 0.25:
                subj = next(iter(c["links"]))
                pred = rng.choice(PREDICATES)
                digest = hashlib.sha256(f"{subj}|{pred}|{objects[0]}|{sid}|{start}".encode()).hexdigest()
                rid = f"r_{sid.removeprefix('src_')[:8]}{digest[:8]}"
                buf["r"].append((rid, subj, pred, objects[0], "article", sid, cid, start, end))
            counts["speaker"] += c["speaker"] is not None
            counts["quantity"] += bool(c["quantities"])
            counts["chips"] += "chips" in c["topics"]
            counts["links"] += len(c["links"])
            low = text.lower()
            for p in ("export controls", "data centers", "open-source model"):
                phrase_hits[p] += p in low
            lengths.append(len(text))
        # The documents and facet counts the app writes at ingest, by its own projection (app.projection).
        docs = documents(rows, refs)
        buf["c"] += [(*r[:9], day_value, sort_day, docs[r.id]) for r in rows.claims]
        facets.update(facet_deltas(rows))
        if len(facets) > 500_000:  # bounded memory: add what has been counted so far
            writer.facet_counts(facets)
            facets.clear()
        body = "".join(pieces) + "\n"
        title = claims[0]["text"].split(",")[0].rstrip(".")[:120]
        source_rows.append(
            {
                **src,
                "title": title,
                "text": body,
                "content_hash": hashlib.sha256(body.encode("utf-8")).hexdigest(),
            }
        )
        done += len(claims)
        since_commit += len(claims)
        pending += len(claims)
        if pending >= args.batch:
            flush()
            pending = 0
            print(f"  {done:>9,} claims  {time.perf_counter() - t0:6.1f} s", flush=True)
    flush(final=True)
    t = phase("claims (generate + insert)", t)
    writer.facet_counts(facets)
    t = phase("facet counts (app.projection.facet_deltas)", t)
    writer.finish(args.analyze, args.check)
    t = phase("finish (commit, journal mode" + (", ANALYZE" if args.analyze else "") + ")", t)

    total = time.perf_counter() - t0
    n = args.claims
    lengths.sort()
    print(f"\nbuilt {url} in {total:.0f} s ({', '.join(f'{k} {v:.0f} s' for k, v in phases.items())})")
    print(
        f"claims {n:,}; sources {args.sources:,}; entities {len(ids):,} ({len(invented):,} invented); "
        f"links/claim {counts['links'] / n:.2f}; "
        f"chips {counts['chips']:,} ({100 * counts['chips'] / n:.1f}%); "
        f"quantities on {100 * counts['quantity'] / n:.1f}%; speakers on {100 * counts['speaker'] / n:.1f}%"
    )
    print(
        f"text length min/median/max {lengths[0]}/{lengths[n // 2]}/{lengths[-1]}; phrases: "
        + ", ".join(f'"{p}" {100 * h / n:.1f}%' for p, h in phrase_hits.items())
    )
    if url.startswith("sqlite"):
        print(f"file size {Path(make_url(url).database or '').stat().st_size / 1e6:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

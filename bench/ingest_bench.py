"""Ingest speed: generated ~1,000-word articles through extraction alone, then extraction + writing.

    python bench/ingest_bench.py [--articles 200] [--batch 16] [--database-url sqlite:////tmp/bench.db]

Not a test: it prints figures for docs/PERFORMANCE.md. Run it pinned to one core for the per-core figure:
    taskset -c 1 python bench/ingest_bench.py
Besides wall time it reports the process's CPU time (SQLite runs in the process, and the commits' writes
to the page cache are CPU too), which a busy neighbour on a shared machine does not inflate.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session

from app.db import engine_for
from app.extraction.pipeline import get_pipeline
from app.extraction.relations import RelationReader
from app.ingest import BATCH_ARTICLES, Article, ArticleIn, load_articles, sync_catalog
from app.migrate import upgrade

COMPANIES = [
    "Nvidia",
    "Huawei",
    "Alibaba",
    "Baidu",
    "Tencent",
    "ByteDance",
    "DeepSeek",
    "OpenAI",
    "SMIC",
    "Cambricon",
    "Moonshot AI",
    "Zhipu AI",
    "Microsoft",
    "Google",
    "AMD",
    "Intel",
    "TSMC",
    "MiniMax",
]
MODELS = ["Qwen3", "DeepSeek-V3", "ERNIE 4.5", "Kimi K2", "GLM-4.5", "GPT-4o", "Llama 3", "Hunyuan-A13B"]
CHIPS = ["H20", "H100", "Ascend 910B", "Ascend 910C", "MI300X", "A100", "H800"]
PEOPLE = ["Jensen Huang", "Lisa Su", "Sam Altman", "Liang Wenfeng", "Robin Li", "Eddie Wu"]
TEMPLATES = [
    "{company} said its quarterly revenue rose {pct}% year on year to ${money} billion.",
    "{company} released {model}, a model with {params} billion parameters trained on {count:,} GPUs.",
    "According to Reuters, {company} plans to invest ${money} billion in data centres by {year}.",
    "{person} said, “Export controls on chips like the {chip} will only speed up China’s own industry.”",
    "The Commerce Department added {count} Chinese firms to the Entity List in {year}.",
    "Analysts expect {company}’s {chip} shipments to grow {mult}-fold as cloud providers expand.",
    "China accounted for {pct}% of AI patents filed in {year}, compared with {pct2}% from the United States.",
    "{company} and {company2} announced a partnership to deploy {model} in cars and smartphones.",
    "Open-weight releases such as {model} were downloaded {count:,} times on Hugging Face last month.",
    "Beijing is expected to spend nearly ${money} billion on AI infrastructure in {year}.",
]


def make_article(rng: random.Random, words: int = 1000) -> str:
    paragraphs: list[str] = []
    total = 0
    while total < words:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            sentence = rng.choice(TEMPLATES).format(
                company=rng.choice(COMPANIES),
                company2=rng.choice(COMPANIES),
                model=rng.choice(MODELS),
                chip=rng.choice(CHIPS),
                person=rng.choice(PEOPLE),
                pct=rng.randint(2, 90),
                pct2=rng.randint(2, 90),
                money=round(rng.uniform(1, 120), 1),
                params=rng.choice([7, 32, 236, 671]),
                count=rng.randint(100, 90000),
                year=rng.randint(2019, 2030),
                mult=rng.randint(2, 14),
            )
            sentences.append(sentence)
            total += len(sentence.split())
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument(
        "--database-url", default=None, help="an EMPTY database to write into (default: temporary SQLite)"
    )
    parser.add_argument("--catalog", type=Path, default=None, help="catalog folder (default: seeds/catalog)")
    parser.add_argument(
        "--batch",
        type=int,
        default=BATCH_ARTICLES,
        help="articles per transaction (as the loader)",
    )
    args = parser.parse_args()
    rng = random.Random(20261124)
    texts = [make_article(rng) for _ in range(args.articles)]
    words = sum(len(t.split()) for t in texts) / len(texts)
    pipeline = get_pipeline(args.catalog)
    pipeline.extract(texts[0])  # warm-up

    # The share of extraction spent reading relations: a ratio holds on a busy machine, where times do not.
    reading = [0.0]
    read = RelationReader.read

    def timed_read(self: RelationReader, *args: Any) -> Any:
        begin = time.perf_counter()
        try:
            return read(self, *args)
        finally:
            reading[0] += time.perf_counter() - begin

    RelationReader.read = timed_read  # type: ignore[method-assign]
    start, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        pipeline.extract(text)
    extract_s, extract_cpu = time.perf_counter() - start, time.process_time() - cpu
    RelationReader.read = read  # type: ignore[method-assign]

    tmp = tempfile.mkdtemp()
    url = args.database_url or f"sqlite:///{tmp}/bench.db"
    upgrade(url)
    engine = engine_for(url)
    with Session(engine) as session, session.begin():
        sync_catalog(session, catalog=pipeline.catalog)
    articles = [Article(f"bench:{n}", ArticleIn(text=text)) for n, text in enumerate(texts)]
    start, cpu = time.perf_counter(), time.process_time()
    summary = load_articles(articles, engine=engine, pipeline=pipeline, batch=args.batch)
    ingest_s, ingest_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert summary.new == len(texts), summary.failed
    engine.dispose()

    print(
        f"articles: {len(texts)} of {words:.0f} words on average; backend: {url.split(':')[0]}; "
        f"{args.batch} per transaction; cpu affinity: {sorted(os.sched_getaffinity(0))}"
    )
    # CPU time is this process's own (SQLite runs in it): on a shared machine it is the steadier figure.
    for label, seconds, cpu_s in (
        ("extraction only", extract_s, extract_cpu),
        ("extraction + writing", ingest_s, ingest_cpu),
    ):
        rate, each, cpu_each = len(texts) / seconds, 1000 * seconds / len(texts), 1000 * cpu_s / len(texts)
        print(
            f"{label + ':':24}{rate:7.1f} articles/s ({each:.1f} ms each; CPU {cpu_each:.1f} ms, "
            f"{1000 / cpu_each:.1f} articles per CPU-second)"
        )
    print(f"writing alone: {1000 * (ingest_cpu - extract_cpu) / len(texts):.1f} ms of CPU per article")
    share, each = 100 * reading[0] / extract_s, 1000 * reading[0] / len(texts)
    print(f"relations: {share:.1f} % of extraction ({each:.1f} ms each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

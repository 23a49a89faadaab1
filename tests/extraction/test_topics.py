"""The lexicon topic classifier: table-driven checks on short, realistic claims."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.extraction.topics import TOPICS, classify_topics, topic_definitions

LEXICON = Path(__file__).resolve().parents[2] / "app" / "extraction" / "data" / "topics.json"

EXPECTED_IDS = (
    "chips",
    "models",
    "policy",
    "talent",
    "research",
    "investment",
    "infrastructure",
    "open_source",
    "applications",
    "geopolitics",
    "market",
)

# (claim, entity types, exact expected topics)
EXACT: list[tuple[str, tuple[str, ...], set[str]]] = [
    (
        "The Commerce Department added 140 Chinese firms to the Entity List.",
        ("organization", "country", "policy"),
        {"policy", "geopolitics"},
    ),
    (
        "Baidu released ERNIE 4.5 as open weights on Hugging Face.",
        ("company", "model"),
        {"models", "open_source"},
    ),
    (
        "Moonshot AI released an open-weight model with one trillion parameters.",
        ("company",),
        {"models", "open_source"},
    ),
    (
        "SMIC is producing 7nm processors despite lacking EUV lithography machines.",
        ("company",),
        {"chips"},
    ),
    (
        "Zhipu AI raised $400 million in a new funding round led by state-backed investors.",
        ("company",),
        {"investment", "policy"},
    ),
    (
        "Chinese universities now graduate more AI PhDs than American ones, and fewer of them move abroad.",
        ("country",),
        {"talent"},
    ),
    (
        "China filed more than 38,000 generative AI patents over the past decade.",
        ("country",),
        {"research"},
    ),
    (
        "The new reasoning model beats GPT-4o on math and coding benchmarks.",
        ("model",),
        {"models"},
    ),
    (
        "Nvidia's data-center revenue rose 78% year on year to $35 billion in the quarter.",
        ("company",),
        {"chips", "infrastructure", "market"},
    ),
    (
        "Tencent plans to spend $10 billion on new data centres and cloud capacity this year.",
        ("company",),
        {"investment", "infrastructure"},
    ),
    (
        "Beijing retaliated against the chip sanctions by restricting exports of gallium and germanium.",
        ("country",),
        {"chips", "policy", "geopolitics"},
    ),
    (
        "Alibaba's e-commerce platform Taobao uses AI to write product descriptions for merchants.",
        ("company",),
        {"applications"},
    ),
    (
        "Xpeng is fitting its self-driving software to every new car it sells in China.",
        ("company", "country"),
        {"applications", "market"},
    ),
    (
        "The Ministry of Industry and Information Technology issued rules on labelling AI-generated content.",
        ("organization",),
        {"policy"},
    ),
    (
        "China's economy grew 5.2% last year as consumption recovered and exports stayed strong.",
        ("country",),
        {"market"},
    ),
    (
        "Qwen is the most downloaded open-source model family, with 100,000 derivatives built by developers.",
        ("model",),
        {"models", "open_source"},
    ),
]

# (claim, entity types, topics that must be present, topics that must be absent)
REQUIRED_FORBIDDEN: list[tuple[str, tuple[str, ...], set[str], set[str]]] = [
    (
        "Huawei's Ascend 910C ships in volume to Chinese cloud providers.",
        ("company", "chip"),
        {"chips"},
        {"talent", "research", "open_source", "policy"},
    ),
    (
        "The H-1B visa overhaul could push Chinese-born AI researchers to leave US labs.",
        ("policy", "country"),
        {"policy", "talent"},
        {"chips", "market", "open_source"},
    ),
    (
        "The US and China are locked in an AI race for global technological dominance.",
        ("country",),
        {"geopolitics"},
        {"chips", "talent", "open_source", "investment"},
    ),
    (
        "Moonshot AI's Kimi chatbot reached 36 million monthly active users.",
        ("company", "model"),
        {"models"},
        {"chips", "policy", "talent"},
    ),
    (
        "Shares of Cambricon jumped 20% after it posted its first quarterly profit.",
        ("company",),
        {"market"},
        {"talent", "open_source", "policy"},
    ),
    (
        "Washington's export controls bar Nvidia from selling its most advanced GPUs to China.",
        ("country", "company", "policy"),
        {"chips", "policy"},
        {"talent", "open_source", "applications"},
    ),
    (
        "UBTech's humanoid robots are being tested on factory floors at BYD and Zeekr plants.",
        ("company",),
        {"applications"},
        {"policy", "talent", "open_source"},
    ),
    (
        "The State Council's AI Plus plan sets targets for embedding AI across manufacturing and healthcare.",
        ("organization", "policy"),
        {"policy", "applications"},
        {"chips", "talent", "open_source"},
    ),
    (
        "China is building computing hubs in its western provinces, powered by cheap renewable electricity.",
        ("country",),
        {"infrastructure"},
        {"talent", "open_source", "models"},
    ),
    (
        "DeepSeek trained its model for a fraction of the cost of American rivals, using fewer Nvidia chips.",
        ("company", "country"),
        {"models", "chips"},
        {"talent", "policy", "open_source"},
    ),
    (
        "Researchers at Tsinghua published the most cited paper on efficient attention at NeurIPS.",
        ("organization",),
        {"research"},
        {"chips", "policy", "market", "investment"},
    ),
    (
        "Saudi Arabia and the UAE are courting both Washington and Beijing with sovereign AI funds.",
        ("country",),
        {"geopolitics", "investment"},
        {"chips", "talent", "open_source"},
    ),
]


def test_topics_are_the_eleven_ids_in_order() -> None:
    assert TOPICS == EXPECTED_IDS


def test_every_topic_has_a_label_and_definition() -> None:
    definitions = topic_definitions()
    assert tuple(definitions) == TOPICS
    for topic_id in TOPICS:
        info = definitions[topic_id]
        assert set(info) == {"label", "definition"}
        assert info["label"].strip()
        assert len(info["definition"]) > 20


def test_definitions_are_a_copy() -> None:
    topic_definitions()["chips"]["label"] = "changed"
    assert topic_definitions()["chips"]["label"] != "changed"


def test_lexicon_is_data_with_lowercase_weighted_cues() -> None:
    raw = json.loads(LEXICON.read_text(encoding="utf-8"))
    assert [t["id"] for t in raw["topics"]] == list(TOPICS)
    for topic in raw["topics"]:
        assert len(topic["cues"]) >= 20
        for cue, weight in topic["cues"].items():
            assert isinstance(weight, int | float) and 0 < weight <= 2, cue
            if not cue.startswith(("cs:", "re:")):
                assert cue == cue.lower(), cue


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_text_has_no_topics(text: str) -> None:
    assert classify_topics(text) == []
    assert classify_topics(text, ("chip", "policy")) == []


def test_text_without_evidence_has_no_topics() -> None:
    assert classify_topics("He said so on Tuesday afternoon.") == []


@pytest.mark.parametrize(("text", "entity_types", "expected"), EXACT, ids=[c[0][:40] for c in EXACT])
def test_exact_topics(text: str, entity_types: tuple[str, ...], expected: set[str]) -> None:
    assert set(classify_topics(text, entity_types)) == expected


@pytest.mark.parametrize(
    ("text", "entity_types", "required", "forbidden"),
    REQUIRED_FORBIDDEN,
    ids=[c[0][:40] for c in REQUIRED_FORBIDDEN],
)
def test_required_and_forbidden_topics(
    text: str, entity_types: tuple[str, ...], required: set[str], forbidden: set[str]
) -> None:
    topics = set(classify_topics(text, entity_types))
    assert required <= topics
    assert not topics & forbidden


@pytest.mark.parametrize("text", [c[0] for c in EXACT] + [c[0] for c in REQUIRED_FORBIDDEN])
def test_output_is_in_topics_order_without_duplicates(text: str) -> None:
    topics = classify_topics(text)
    assert topics == [t for t in TOPICS if t in topics]
    assert 1 <= len(topics) <= 4


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Nvidia sells the chip in China.", "chips"),
        ("Nvidia sells its chips in China.", "chips"),
        ("The rule tightens export controls.", "policy"),
        ("The rule tightens export-control enforcement.", "policy"),
        ("The country banned the app last year.", "policy"),
        ("National AI strategies multiplied in 2024.", "policy"),
        ("The company open-sourced the weights.", "open_source"),
        ("Beijing is subsidising domestic chipmakers.", "policy"),
        ("It runs in Microsoft's data centers.", "infrastructure"),
    ],
)
def test_inflections_and_separators(text: str, topic: str) -> None:
    assert topic in classify_topics(text)


def test_phrase_wins_over_its_words() -> None:
    # "patent applications" is research output, not deployment of AI ("applications").
    assert classify_topics("Tencent filed 2,000 patent applications.") == ["research"]


def test_entity_types_add_weak_evidence() -> None:
    text = "The H20 remains popular with buyers."
    assert "chips" in classify_topics(text, ("chip",))
    assert "policy" not in classify_topics("The measure took effect in May.")
    assert "policy" in classify_topics("The measure took effect in May.", ("policy",))


def test_case_sensitive_cues_only_match_their_case() -> None:
    assert "geopolitics" in classify_topics("The US and China are rivals in AI.")
    # "us" the pronoun is not the United States.
    assert classify_topics("Let us look at how China feels about it.") == []


def test_typical_claims_get_few_topics() -> None:
    claims = [c[0] for c in EXACT] + [c[0] for c in REQUIRED_FORBIDDEN]
    sizes = [len(classify_topics(c)) for c in claims]
    assert max(sizes) <= 4
    assert sum(sizes) / len(sizes) <= 3

"""Relations read from the wording, through `Pipeline.extract`, on sentences written for these tests.

One case per kind of wording (possessives, appositions, verb frames, lists under one frame, titles,
nationality, rules and their targets), and the readings that must not come out (a product named as a
rival, a country as the issuer of another country's rule, a country leading a CEO…).
"""

from __future__ import annotations

import pytest

from app.extraction.catalog import SIGNATURES
from app.extraction.pipeline import Pipeline
from app.extraction.records import Extraction

Triple = tuple[str, str, str]


def triples(extraction: Extraction) -> set[Triple]:
    return {(r.subject_id, r.predicate, r.object_id) for r in extraction.relations}


STATED: list[tuple[str, set[Triple]]] = [
    # possessives and "whose"
    (
        "OpenAI's GPT-4o beat Anthropic's Claude on the coding test.",
        {("openai", "develops", "gpt-4o"), ("anthropic", "develops", "claude")},
    ),
    (
        "Cambricon, whose Siyuan 590 competes with the A100, reported a profit.",
        {("cambricon", "makes", "mlu590")},
    ),
    # verb frames, active and passive, and a participle in front
    ("Tencent launched Hunyuan-T1 in March.", {("tencent", "develops", "hunyuan-t1")}),
    ("Llama, released by Meta, is the most downloaded open model.", {("meta", "develops", "llama")}),
    (
        "Developed by the Chinese lab DeepSeek, DeepSeek-V3 is cheap to run.",
        {("deepseek", "develops", "deepseek-v3"), ("deepseek", "headquartered_in", "china")},
    ),
    ("ChatGPT maker OpenAI raised more money.", {("openai", "develops", "chatgpt")}),
    (
        "Baidu (ERNIE 4.5 Turbo) and Tencent (Hunyuan) lead the ranking.",
        {("baidu", "develops", "ernie-4-5-turbo"), ("tencent", "develops", "hunyuan")},
    ),
    # chip makers and foundries
    (
        "Huawei's Ascend 910B processors, manufactured by SMIC, power the new clusters.",
        {("huawei", "makes", "ascend-910b"), ("smic", "makes", "ascend-910b")},
    ),
    ("SMIC-produced Ascend 910C chips are shipping.", {("smic", "makes", "ascend-910c")}),
    (
        "Major producers of HBM include Samsung Electronics and SK Hynix of South Korea, along with US-based "
        "Micron Technology.",
        {
            ("samsung", "makes", "hbm"),
            ("sk-hynix", "makes", "hbm"),
            ("micron", "makes", "hbm"),
            ("samsung", "headquartered_in", "south-korea"),
            ("sk-hynix", "headquartered_in", "south-korea"),
            ("micron", "headquartered_in", "united-states"),
        },
    ),
    (
        "Nvidia responded by designing the H800 and A800 for the Chinese market.",
        {("nvidia", "makes", "h800"), ("nvidia", "makes", "a800")},
    ),
    # backers and owners
    ("Alibaba-backed Moonshot AI opened an office.", {("alibaba", "invests_in", "moonshot-ai")}),
    (
        "MiniMax, a Shanghai startup backed by Tencent and Alibaba, opened an office in Singapore.",
        {("tencent", "invests_in", "minimax"), ("alibaba", "invests_in", "minimax")},
    ),
    ("Microsoft invested in G42 in 2024.", {("microsoft", "invests_in", "g42")}),
    (
        "Japan's SoftBank and US companies OpenAI and Oracle have committed $500 billion to Stargate.",
        {
            ("softbank", "invests_in", "stargate"),
            ("openai", "invests_in", "stargate"),
            ("oracle", "invests_in", "stargate"),
            ("softbank", "headquartered_in", "japan"),
            ("openai", "headquartered_in", "united-states"),
            ("oracle", "headquartered_in", "united-states"),
        },
    ),
    ("Arm, owned by SoftBank, licenses its designs widely.", {("softbank", "owns", "arm")}),
    ("ByteDance, TikTok's parent, buys many GPUs.", {("bytedance", "owns", "tiktok")}),
    # who issued a rule and whom it restricts
    (
        "The Commerce Department added Biren Technology and Moore Threads to the Entity List in October.",
        {
            ("entity-list", "issued_by", "us-department-of-commerce"),
            ("entity-list", "restricts", "biren"),
            ("entity-list", "restricts", "moore-threads"),
        },
    ),
    ("Huawei was added to the Entity List in 2019.", {("entity-list", "restricts", "huawei")}),
    ("Huawei, which is on the US Entity List, sells phones.", {("entity-list", "restricts", "huawei")}),
    ("The Entity List, which includes SMIC, keeps growing.", {("entity-list", "restricts", "smic")}),
    ("Huawei's rotating chairman Eric Xu spoke.", {("eric-xu", "leads", "huawei")}),
    (
        "The US export controls restrict sales of the H20 to China.",
        {
            ("us-export-controls-2022", "issued_by", "united-states"),
            ("us-export-controls-2022", "restricts", "h20"),
            ("us-export-controls-2022", "restricts", "china"),
        },
    ),
    # who leads and employs whom: a title in apposition to a name
    ("Nvidia CEO Jensen Huang spoke first.", {("jensen-huang", "leads", "nvidia")}),
    ("Lisa Su, the chief executive of AMD, spoke next.", {("lisa-su", "leads", "amd")}),
    ("Sam Altman, OpenAI's chief executive, said so.", {("sam-altman", "leads", "openai")}),
    ("In February, Chinese President Xi Jinping met entrepreneurs.", {("xi-jinping", "leads", "china")}),
    ("Nvidia CFO Colette Kress said sales fell.", {("nvidia", "employs", "colette-kress")}),
    # nationality the text states, on lists too
    (
        "Chinese chipmakers such as Cambricon and Hygon have gained share.",
        {("cambricon", "headquartered_in", "china"), ("hygon", "headquartered_in", "china")},
    ),
    (
        "US makers like Nvidia and AMD have lost sales.",
        {("nvidia", "headquartered_in", "united-states"), ("amd", "headquartered_in", "united-states")},
    ),
    (
        "Tokyo Electron, a Japanese equipment maker, expects less.",
        {("tokyo-electron", "headquartered_in", "japan")},
    ),
    (
        "BYD is China's largest carmaker. China's car market is crowded, and China's buyers are fickle. It "
        "said it would add DeepSeek, following domestic peers such as Geely and Leapmotor.",
        {
            ("byd", "headquartered_in", "china"),
            ("geely", "headquartered_in", "china"),
            ("leapmotor", "headquartered_in", "china"),
        },
    ),
    ("Meta's chief AI scientist Yann LeCun praised open models.", {("meta", "employs", "yann-lecun")}),
    ("Shanghai hosted a summit. President Xi Jinping spoke.", {("xi-jinping", "leads", "china")}),
    (
        "Xiaomi shares rose. The company's chairman Lei Jun spoke.",
        {("lei-jun", "leads", "xiaomi")},
    ),
    (
        "The AI Diffusion Rule, which the Biden administration issued in January, was rescinded.",
        {("ai-diffusion-rule", "issued_by", "biden-administration")},
    ),
    # partners
    ("Tencent has partnered with BYD on in-car assistants.", {("tencent", "partners_with", "byd")}),
    ("OpenAI, Microsoft's partner, blocked access.", {("microsoft", "partners_with", "openai")}),
    (
        "Customers can migrate to Microsoft's Chinese partner 21Vianet.",
        {("microsoft", "partners_with", "21vianet"), ("21vianet", "headquartered_in", "china")},
    ),
]

NOT_STATED: list[tuple[str, set[Triple]]] = [
    # a product named as a rival, a benchmark or a modifier is not the maker's
    (
        "DeepSeek released a model that rivals GPT-5 at a fraction of the cost.",
        {("deepseek", "develops", "gpt-5")},
    ),
    ("DeepSeek's answer to GPT-5 arrived in January.", {("deepseek", "develops", "gpt-5")}),
    ("Zhipu AI promised free tokens for its GPT-4 competitor GLM-4.", {("zhipu-ai", "develops", "gpt-4")}),
    (
        "Baidu introduced its ChatGPT-like chatbot, Ernie Bot, to the public.",
        {("baidu", "develops", "chatgpt")},
    ),
    (
        "Apple has also partnered with Alibaba for AI, which will help the Cupertino-based company bring its "
        "“Apple Intelligence” features to China.",
        {("alibaba", "develops", "apple-intelligence")},
    ),
    # a country named in the sentence is not the issuer or the target of another country's rule
    (
        "Export restrictions have spurred China’s innovation and scale.",
        {("us-export-controls-2022", "issued_by", "china")},
    ),
    (
        "Notably, the US export ban hit Alibaba’s business, and in November 2023, it scrapped the planned "
        "IPO of its cloud segment, blaming the US chip control restrictions for the decision.",
        {
            ("us-export-controls-2022", "restricts", "united-states"),
            ("us-export-controls-2022", "issued_by", "china"),
        },
    ),
    (
        "Following Washington’s ban, Beijing retaliated by banning the import of US Micron chips and "
        "increasing investment in Cambricon Technologies, an AI chip company.",
        {("united-states", "invests_in", "cambricon"), ("micron", "invests_in", "cambricon")},
    ),
    # a company noted for something does not cite the source the sentence gives
    (
        "These systems perform well on benchmarks, with DeepSeek noted for its reasoning. (SCMP)",
        {("deepseek", "cites", "south-china-morning-post")},
    ),
    # a country does not lead a CEO, nor the CEO a country
    ("Taiwan-born Nvidia CEO Jensen Huang said the market was large.", {("jensen-huang", "leads", "taiwan")}),
    # a destination is not a nationality
    (
        "Other rules hinder exports to China from companies such as Applied Materials and KLA.",
        {("applied-materials", "headquartered_in", "china"), ("kla", "headquartered_in", "china")},
    ),
    (
        "Japan's SoftBank and US companies OpenAI and Oracle signed up.",
        {("openai", "headquartered_in", "japan")},
    ),
    (
        "Chinese and American firms such as Baidu and Google compete.",
        {("baidu", "headquartered_in", "united-states")},
    ),
    # someone linked to a company is not the company
    (
        "Not every facility linked to Huawei was included on the trade blacklist.",
        {("entity-list", "restricts", "huawei")},
    ),
    ("Tencent said it had bought Nvidia's H20 in large numbers.", {("tencent", "owns", "nvidia")}),
    # a company named to qualify another, or a unit of it, is not the one meant
    (
        "Tencent, which has a stake in Moonshot AI rival MiniMax, spoke.",
        {("tencent", "invests_in", "moonshot-ai")},
    ),
    (
        "Kai-Fu Lee, founder of 01.AI and former head of Google China, spoke.",
        {("kai-fu-lee", "leads", "google")},
    ),
    # a rule's enforcer is not its issuer
    (
        "Everyone else must abide by the new AI Diffusion rule set to be enforced by the Commerce "
        "Department.",
        {("ai-diffusion-rule", "issued_by", "us-department-of-commerce")},
    ),
]


@pytest.mark.parametrize(("text", "expected"), STATED, ids=[t[:40] for t, _ in STATED])
def test_the_wording_states_these_relations(pipeline: Pipeline, text: str, expected: set[Triple]) -> None:
    assert expected <= triples(pipeline.extract(text))


@pytest.mark.parametrize(("text", "wrong"), NOT_STATED, ids=[t[:40] for t, _ in NOT_STATED])
def test_these_readings_do_not_come_out(pipeline: Pipeline, text: str, wrong: set[Triple]) -> None:
    assert not wrong & triples(pipeline.extract(text))


def test_the_right_company_is_meant(pipeline: Pipeline) -> None:
    """The rival or the modifier does not take the product; the one the text names does."""
    found = triples(
        pipeline.extract(
            "Baidu introduced its ChatGPT-like chatbot, Ernie Bot, to the public. Zhipu AI promised free "
            "tokens for its GPT-4 competitor GLM-4. Apple has also partnered with Alibaba for AI, which will "
            "help the Cupertino-based company bring its “Apple Intelligence” features to China."
        )
    )
    assert {
        ("baidu", "develops", "ernie-bot"),
        ("zhipu-ai", "develops", "glm-4"),
        ("apple", "develops", "apple-intelligence"),
        ("apple", "partners_with", "alibaba"),
    } <= found


def test_a_pronoun_stands_for_the_company_the_text_is_about(pipeline: Pipeline) -> None:
    text = "In March, Alibaba debuted Qwen2.5-Omni-7B. In April, it launched its Qwen3 series."
    assert {("alibaba", "develops", "qwen2-5-omni-7b"), ("alibaba", "develops", "qwen3")} <= triples(
        pipeline.extract(text)
    )


def test_the_retaliating_country_issued_the_ban_and_invests(pipeline: Pipeline) -> None:
    x = pipeline.extract(
        "Following Washington’s ban, Beijing retaliated by banning the import of US Micron chips and "
        "increasing investment in Cambricon Technologies, an AI chip company."
    )
    found = triples(x)
    bans = {r.subject_id for r in x.relations if r.predicate == "issued_by"}
    assert bans and {(ban, "issued_by", "china") for ban in bans} <= found
    assert not {(ban, "issued_by", "united-states") for ban in bans} & found
    assert {("china", "invests_in", "cambricon"), ("micron", "headquartered_in", "united-states")} <= found
    assert any(r.predicate == "restricts" and r.object_id == "micron" for r in x.relations)


def test_evidence_is_the_wording_inside_the_sentence(pipeline: Pipeline) -> None:
    text = (
        "Shares rose on Monday. MiniMax, a Shanghai startup backed by Tencent and Alibaba, said on Tuesday "
        "that it would open an office in Singapore next year, its first outside China."
    )
    x = pipeline.extract(text)
    relation = next(r for r in x.relations if r.predicate == "invests_in" and r.subject_id == "alibaba")
    assert text[relation.start : relation.end] == "MiniMax, a Shanghai startup backed by Tencent and Alibaba"
    assert relation.sentence_start == text.index("MiniMax") and relation.sentence_end == len(text)


def test_every_relation_fits_its_predicate_and_is_scored(pipeline: Pipeline) -> None:
    text = " ".join(t for t, _ in STATED + NOT_STATED)
    x = pipeline.extract(text)
    assert x.relations
    types = {
        **{e.id: e.type for e in pipeline.catalog.entities.values()},
        **{k: v.type for k, v in x.entities.items()},
    }
    for r in x.relations:
        subjects, objects = SIGNATURES[r.predicate]
        assert types[r.subject_id] in subjects and types[r.object_id] in objects, r
        assert 0.5 <= r.confidence <= 1.0, r
        assert r.sentence_start <= r.start < r.end <= r.sentence_end, r
        assert text[r.start : r.end].strip() == text[r.start : r.end], r

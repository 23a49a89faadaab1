"""Relations an article states, read off the text between two entity mentions of one sentence."""

from __future__ import annotations

import re
from collections.abc import Callable

from app.extraction import lexicon
from app.extraction.records import EntityRecord, MentionRecord, RelationRecord

__all__ = ["stated_relations"]

LEAD_ROLES = lexicon.alternation("lead_roles")
OTHER_ROLES = lexicon.alternation("staff_roles")
_POSSESSIVE = re.compile(
    r"^[’']s?\s+(?:(?:new|latest|flagship|own|popular|open-source|AI|chatbot|reasoning|large language)\s+){0,3}$"
)
_POSSESSIVE_ROLE = re.compile(rf"^[’']s\s+(?:(?:[a-z-]+)\s+){{0,2}}(?P<role>{LEAD_ROLES}|{OTHER_ROLES})\s+$")
_ROLE_BETWEEN = re.compile(rf"^\s+(?:[a-z-]+\s+)?(?P<role>{LEAD_ROLES}|{OTHER_ROLES})\s+$")
_APPOSITIVE_ROLE = re.compile(
    rf"^,?\s+(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){{0,3}}?(?P<role>{LEAD_ROLES}|{OTHER_ROLES})\s+(?:of|at|from|with)\s+(?:the\s+)?$"
)
_PAREN_AFFILIATION = re.compile(r"^\s+\($")
_PAREN_LIST = re.compile(r"^\s*\((?:[^()]*?(?:&|,|and)\s*)?$")
_DEVELOP_VERB = re.compile(
    r"\b(?:launched|launches|launch|introduced|introduces|released|releases|unveiled|unveils|debuted|debuts|"
    r"developed|develops|rolled out|rolls out|open-sourced|open-sources|built|builds|trained|trains|"
    r"announced|announces|upgraded|updated|showcased)\b"
)
_MAKE_VERB = re.compile(
    r"\b(?:makes|made|produces|produced|designs|designed|manufactures|manufactured|ships|shipped|sells|sold|to sell|unveiled|launched|launches|released|developed)\b"
)
_HQ_BETWEEN = re.compile(
    r"^\s+(?:(?:[a-z-]+|AI)\s+){0,3}(?:startup|start-up|company|companies|firm|firms|giant|giants|maker|makers|"
    r"chipmaker|chipmakers|group|lab|champion|rival|player|developer|unicorn)s?(?:,?\s+(?:including|such as|like))?\s+$"
)
_HQ_APPOSITIVE = re.compile(r"^\s*[–—,-]\s+(?:an?|the)\s+(?:[a-z-]+\s+){0,2}$")
_HQ_APPOSITIVE_TAIL = re.compile(
    r"^\s+(?:(?:[a-z-]+|AI)\s+){0,2}(?:startup|start-up|company|firm|giant|chipmaker|lab)\b"
)
_ISSUE_VERB = re.compile(
    r"\b(?:announced|announces|imposed|imposes|issued|issues|introduced|introduces|passed|passes|unveiled|"
    r"adopted|enacted|retaliated|launched|approved|published|released|set)\b"
)
_RESTRICT_VERB = re.compile(
    r"\b(?:hit|hits|restricts?|restricted|restricting|blocks?|blocked|bans?|banned|banning|targets?|targeted|"
    r"curbs?|curbed|bars?|barred|throttled|limits?|limited|cut off|cuts off|blacklisted|added)\b"
)
_INVEST = re.compile(
    r"\b(?:invest|invests|invested|investing|investment|investments|stake|backing|backs|backed)\s+(?:heavily\s+)?in\b|\b(?:investment|stake)\s+in\s+$"
)
_PARTNER = re.compile(
    r"\b(?:partnership|partnered|partners|alliance|tie-up|collaboration|deal|agreement)\s+with\b"
)


_GOVERNMENT = re.compile(
    r"\b(?:government|state|national|provinc\w*|central|regulators?|authorities|[Bb]eijing|the country)\b",
    re.I,
)


# The (earlier, later) mention types some rule below relates; other pairs are skipped unread.
_RELATED_TYPES = {
    ("company", "model"),
    ("company", "chip"),
    ("company", "company"),
    ("company", "person"),
    ("organization", "person"),
    ("country", "person"),
    ("person", "company"),
    ("person", "organization"),
    ("country", "company"),
    ("company", "country"),
    ("country", "policy"),
    ("organization", "policy"),
    ("policy", "company"),
    ("policy", "country"),
    ("policy", "chip"),
    ("organization", "company"),
}


def _role_predicate(role: str) -> str:
    return "leads" if re.fullmatch(LEAD_ROLES, role) else "employs"


def stated_relations(
    text: str,
    start: int,
    end: int,
    mentions: list[MentionRecord],
    records: dict[str, EntityRecord],
    subject_company: str | None,
    focus_country: str | None = None,
) -> list[RelationRecord]:
    """Relations stated by the sentence text[start:end]; `subject_company` resolves 'it'/'its'."""
    out: list[RelationRecord] = []
    if not mentions:
        return out
    seen: set[tuple[str, str, str]] = set()

    def add(subject: str, predicate: str, obj: str) -> None:
        if subject == obj or (subject, predicate, obj) in seen:
            return
        seen.add((subject, predicate, obj))
        out.append(RelationRecord(subject, predicate, obj, start, end))

    type_of: Callable[[str], str] = lambda entity_id: records[entity_id].type  # noqa: E731
    types = [type_of(m.entity_id) for m in mentions]
    for i, a in enumerate(mentions):
        ta = types[i]
        for j in range(i + 1, len(mentions)):
            b, tb = mentions[j], types[j]
            if b.start - a.end > 160:
                break
            if (ta, tb) not in _RELATED_TYPES:
                continue
            between = text[a.end : b.start]
            # Possessive: "Alibaba’s Qwen models", "Huawei’s Ascend 910B", "Alibaba’s co-founder Jack Ma".
            if ta == "company" and _POSSESSIVE.match(between):
                if tb == "model":
                    add(a.entity_id, "develops", b.entity_id)
                elif tb == "chip":
                    add(a.entity_id, "makes", b.entity_id)
                elif tb == "company":
                    tail = text[b.end : b.end + 20]
                    alliance = re.match(r"\s+(?:alliance|partnership|tie-up|deal|collaboration)\b", tail)
                    add(a.entity_id, "partners_with" if alliance else "owns", b.entity_id)
                elif tb == "person":
                    add(a.entity_id, "employs", b.entity_id)
            if tb == "person" and ta in ("company", "organization", "country"):
                role = _POSSESSIVE_ROLE.match(between) or _ROLE_BETWEEN.match(between)
                if role:
                    add(a.entity_id, _role_predicate(role.group("role")), b.entity_id)
            if ta == "person" and tb in ("company", "organization"):
                role = _APPOSITIVE_ROLE.match(between)
                if role:
                    add(b.entity_id, _role_predicate(role.group("role")), a.entity_id)
                elif _PAREN_AFFILIATION.match(between):
                    add(b.entity_id, "employs", a.entity_id)
            # "Alibaba (Qwen & DeepSeek)", "Baidu (ERNIE 4.5 Turbo)".
            if ta == "company" and tb in ("model", "company", "chip") and _PAREN_LIST.match(between):
                add(a.entity_id, "makes" if tb == "chip" else "develops", b.entity_id)
            if (
                ta == "company"
                and tb == "model"
                and _DEVELOP_VERB.search(between)
                and not _other_company(mentions, a, b, records)
            ):
                add(a.entity_id, "develops", b.entity_id)
            if (
                ta == "company"
                and tb == "chip"
                and _MAKE_VERB.search(between)
                and not _other_company(mentions, a, b, records)
            ):
                add(a.entity_id, "makes", b.entity_id)
            # "Chinese tech giant Huawei", "US Micron chips", "DeepSeek – an emerging Chinese startup".
            if ta == "country" and tb == "company" and (_HQ_BETWEEN.match(between) or between == " "):
                add(b.entity_id, "headquartered_in", a.entity_id)
            if (
                ta == "company"
                and tb == "country"
                and _HQ_APPOSITIVE.match(between)
                and _HQ_APPOSITIVE_TAIL.match(text[b.end : b.end + 40])
            ):
                add(a.entity_id, "headquartered_in", b.entity_id)
            if (
                ta in ("country", "organization")
                and tb == "policy"
                and (between.strip() in ("", "’s", "'s") or _ISSUE_VERB.search(between))
            ):
                add(b.entity_id, "issued_by", a.entity_id)
            if ta == "policy" and tb in ("company", "country", "chip") and _RESTRICT_VERB.search(between):
                add(a.entity_id, "restricts", b.entity_id)
            if ta in ("country", "company", "organization") and tb == "company" and _INVEST.search(between):
                add(a.entity_id, "invests_in", b.entity_id)
            if ta == "company" and tb == "company" and _PARTNER.search(between):
                add(a.entity_id, "partners_with", b.entity_id)
    # A policy whose issuer the sentence does not name with a verb: the one country it names, or the
    # country the article is about when the sentence speaks of its government.
    issued = {r.subject_id for r in out if r.predicate == "issued_by"}
    countries = {m.entity_id for m in mentions if type_of(m.entity_id) == "country"}
    for m in mentions:
        if type_of(m.entity_id) != "policy" or m.entity_id in issued:
            continue
        if len(countries) == 1:
            add(m.entity_id, "issued_by", next(iter(countries)))
        elif (
            not countries
            and focus_country
            and (records[m.entity_id].origin == "discovered" or _GOVERNMENT.search(text[start:end]))
        ):
            # An unattributed policy the catalog does not know, in an article about one country: that
            # country's (an inference, kept as this article's statement with its span).
            add(m.entity_id, "issued_by", focus_country)
    # "it launched its Qwen3 series": the pronoun stands for the company the text is about.
    if subject_company is not None:
        for m in mentions:
            tm = type_of(m.entity_id)
            if tm not in ("model", "chip"):
                continue
            lead = text[max(start, m.start - 60) : m.start]
            if re.search(r"\b(?:its|their)\s+(?:[\w“”\"-]+\s+){0,2}[“\"]?$", lead):
                owner = _nearest_company_before(mentions, m, records) or subject_company
                add(owner, "develops" if tm == "model" else "makes", m.entity_id)
    return out


def _other_company(
    mentions: list[MentionRecord], a: MentionRecord, b: MentionRecord, records: dict[str, EntityRecord]
) -> bool:
    """Another company, or an earlier product, stands between: 'X released A, which rivals B'."""
    return any(
        a.start < m.start < b.start
        and m.entity_id not in (a.entity_id, b.entity_id)
        and records[m.entity_id].type in ("company", records[b.entity_id].type)
        for m in mentions
    )


def _nearest_company_before(
    mentions: list[MentionRecord], target: MentionRecord, records: dict[str, EntityRecord]
) -> str | None:
    best: str | None = None
    for m in mentions:
        if m.start >= target.start:
            break
        if records[m.entity_id].type == "company":
            best = m.entity_id
    return best

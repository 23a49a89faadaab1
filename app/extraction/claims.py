"""Claims: which sentences assert something, their kind, speaker, cited source and time scope."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from app.extraction import lexicon
from app.extraction.records import ClaimRecord, EntityRecord, MentionRecord, QuantityRecord, RelationRecord
from app.extraction.segment import Block, Sentence
from app.extraction.topics import classify_topics

__all__ = [
    "Article",
    "ClaimContext",
    "QuoteRegion",
    "Relate",
    "assemble_claims",
    "claim_kind",
    "focus_country",
    "is_claim",
    "quote_regions",
    "time_scope",
]

# Verbs that attribute a sentence to the name before or after them.
SPEECH = lexicon.alternation("speech_verbs", "attribution_verbs")
_SPEECH_AFTER = re.compile(rf"^\s*(?:,\s*)?(?:has |have |had |also |recently |once )*(?:{SPEECH})\b")
_SPEECH_BEFORE = re.compile(rf"\b(?:{SPEECH})(?:\s+that)?\s*[:,]?\s*$")
_ACCORDING = re.compile(
    r"\b(?:according to|as|per|a (?:report|study|survey|analysis) (?:from|by))\s+(?:the\s+)?$", re.I
)
_PRONOUN_SPEECH = re.compile(rf"(?:^|[,;:]\s*|\b)(?:[Hh]e|[Ss]he)\s+(?:(?:has|had|also)\s+)?(?:{SPEECH})\b")
_IT_SAYS = re.compile(
    r"\b(?:it|the company|the firm)\s+(?:says|said|reported|vowed|warned|pointed to)\b", re.I
)
_IN_BY = re.compile(r"\b(?:in|by)\s+$")
_REPORTS = re.compile(
    r"\s*(?:reports?|found|finds|shows?|describes?|notes?|estimates?|calls?|analysis|said|says)\b"
)
_SAYS = re.compile(r"\s*(?:notes?|says?|said|warns?)\b")
_SAID_BEFORE = re.compile(r"\b(?:said|says|according to)\s+$")
_FORECAST = re.compile(
    r"\b(?:will|won't|is expected to|are expected to|expected to|is likely to|likely to|going to|set to|"
    r"poised to|forecasts?|predicts?|projected to|on track to|may well|may yet|matter of time|could prove|"
    r"would|in the coming|next year|by 20[3-9]\d)\b",
    re.I,
)
_EVENT = re.compile(
    r"\b(?:launched|released|announced|introduced|unveiled|debuted|signed|approved|banned|imposed|added|"
    r"blocked|acquired|invested|raised|met|partnered|scrapped|received|rolled out|opened|filed|listed|sold|"
    r"cut|retaliated|pointed to|vowed|praised|delivered|require|requires|took effect|went public|"
    r"has (?:been )?(?:launched|released|announced|praised|vowed|received)|stunned|shocked)\b",
    re.I,
)
_WORD = re.compile(r"\w+")
_QUESTION_OR_LEAD = re.compile(r"(?:\?|:)[\"”’')\]]*$")
_OPEN = '“"'
_CLOSE = '”"'


@dataclass(frozen=True, slots=True)
class QuoteRegion:
    start: int
    end: int
    block: int


def quote_regions(text: str, blocks: list[Block]) -> list[QuoteRegion]:
    """Spans inside quotation marks; an unclosed quote runs to the end of its block."""
    regions: list[QuoteRegion] = []
    for index, block in enumerate(blocks):
        if block.kind != "text":
            continue
        pos = block.start
        while pos < block.end:
            opening = _next_of(text, '“"', pos, block.end)
            if opening < 0:
                break
            closing = _next_of(text, '”"', opening + 1, block.end)
            end = block.end if closing < 0 else closing + 1
            # Very short quoted phrases ("world-class") are scare quotes, not speech.
            if end - opening > 40:
                regions.append(QuoteRegion(opening, end, index))
            pos = end
    return regions


def _next_of(text: str, chars: str, start: int, end: int) -> int:
    found = [i for i in (text.find(c, start, end) for c in chars) if i >= 0]
    return min(found) if found else -1


def is_claim(text: str, has_entity: bool, has_quantity: bool, has_topic: bool) -> bool:
    """A sentence is a claim when it asserts something about the domain (not a question or a lead-in)."""
    words = text.split()
    if len(words) < 5 or _QUESTION_OR_LEAD.search(text):
        return False
    return has_entity or has_quantity or has_topic


def claim_kind(text: str, quantities: list[QuantityRecord], in_quote: bool) -> str:
    """statistic, forecast, quote, event or assessment (the first rule that applies)."""
    has_number = any(q.unit != "year" for q in quantities)
    forecast = bool(_FORECAST.search(text))
    if in_quote:
        return "forecast" if forecast else "statistic" if has_number else "quote"
    if has_number:
        return "statistic"
    if forecast:
        return "forecast"
    if _EVENT.search(text):
        return "event"
    return "assessment"


def time_scope(text: str, quantities: list[QuantityRecord]) -> str | None:
    """The year the claim is about, when it states one ('as of 2023' keeps its qualifier)."""
    for q in quantities:
        if q.unit == "year":
            before = text[: max(0, text.find(q.text))].lower()
            if re.search(r"\bas of\s*$", before):
                return f"as of {int(q.value)}"
            return str(int(q.value))
    return None


class ClaimContext:
    """Tracks who is speaking as the article goes on: bylines, quotes, pronouns."""

    def __init__(
        self,
        text: str,
        blocks: list[Block],
        mentions: list[MentionRecord],
        records: dict[str, EntityRecord],
    ) -> None:
        self.text = text
        self.blocks = blocks
        self.mentions = mentions
        self.starts = [m.start for m in mentions]
        self.records = records
        self.quotes = quote_regions(text, blocks)
        self.quote_speaker: dict[int, str | None] = {}
        self.author: str | None = None
        self.last_person: str | None = None
        self.last_company: str | None = None
        self.seen_block = -1
        self.seen_words: list[frozenset[str]] = []
        self.word_index: dict[str, list[int]] = {}

    def in_range(self, start: int, end: int) -> list[MentionRecord]:
        i = bisect_left(self.starts, start)
        out: list[MentionRecord] = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            out.append(self.mentions[i])
            i += 1
        return out

    def _type(self, entity_id: str) -> str:
        return self.records[entity_id].type

    def advance_to(self, sentence: Sentence) -> None:
        """Apply bylines between the previous sentence and this one."""
        for index in range(self.seen_block + 1, sentence.block + 1):
            block = self.blocks[index]
            if block.kind == "byline":
                people = [
                    m for m in self.in_range(block.start, block.end) if self._type(m.entity_id) == "person"
                ]
                if people:
                    self.author = people[0].entity_id
        self.seen_block = sentence.block

    def duplicate(self, text: str) -> bool:
        """A repeat of an earlier claim (summaries restate claims): same words, give or take a clause."""
        words = frozenset(_WORD.findall(text.lower()))
        if len(words) < 8:
            return False
        # Only earlier claims sharing one of this one's rarest (longest) words can be repeats of it.
        keys = sorted(words, key=len, reverse=True)[:3]
        candidates = {i for key in keys for i in self.word_index.get(key, ())}
        for i in candidates:
            seen = self.seen_words[i]
            if len(words & seen) >= 0.85 * min(len(words), len(seen)):
                return True
        for key in keys:
            self.word_index.setdefault(key, []).append(len(self.seen_words))
        self.seen_words.append(words)
        return False

    def quote_of(self, start: int, end: int) -> QuoteRegion | None:
        for region in self.quotes:
            inside = min(end, region.end) - max(start, region.start)
            if inside > 0.5 * (end - start):
                return region
        return None

    def _attribution(self, region: QuoteRegion) -> str | None:
        """Who speaks a quote: 'X said, “…' before it, '…,” X said.' after it, or the previous quote's speaker."""
        block = self.blocks[region.block]
        lead_start = max(block.start, self.text.rfind(". ", block.start, region.start) + 1)
        lead = self.text[lead_start : region.start]
        after = self.text[region.end : block.end]
        speakers = [
            m
            for m in self.in_range(lead_start, region.start)
            if self._type(m.entity_id) in ("person", "company", "organization")
        ]
        if speakers and (_SPEECH_BEFORE.search(lead) or lead.rstrip().endswith((":", ","))):
            people = [m for m in speakers if self._type(m.entity_id) == "person"]
            return (people or speakers)[0].entity_id
        if re.search(r"\b(?:[Hh]e|[Ss]he|[Hh]is|[Hh]er)\b", lead) and lead.rstrip().endswith((":", ",")):
            return self.last_person
        for m in self.in_range(region.end, block.end)[:2]:
            gap = self.text[region.end : m.start]
            if len(gap) < 8 and _SPEECH_AFTER.match(self.text[m.end : m.end + 40]):
                return m.entity_id
            if re.search(rf"(?:{SPEECH})\s*$", gap) and self._type(m.entity_id) == "person":
                return m.entity_id
        if re.match(rf"\s*,?\s*(?:he|she)\s+(?:also\s+)?(?:{SPEECH})\b", after):
            return self.last_person
        previous = [r for r in self.quotes if r.end <= region.start and region.block - r.block <= 1]
        if previous:
            return self.quote_speaker.get(previous[-1].start)
        return None

    def speaker_and_cited(
        self, sentence: Sentence, mentions: list[MentionRecord]
    ) -> tuple[str | None, str | None]:
        text = self.text
        start, end = sentence.start, sentence.end
        speaker: str | None = None
        cited: str | None = None
        for m in mentions:
            etype = self._type(m.entity_id)
            before = text[max(start, m.start - 40) : m.start]
            after = text[m.end : min(end, m.end + 40)]
            if etype == "organization" and (
                _ACCORDING.search(before)
                or _IN_BY.search(before)
                or _REPORTS.match(after)
                or (text[m.end : m.end + 1] == ")" and text[m.start - 1 : m.start] == "(")
            ):
                cited = cited or m.entity_id
                if _SAYS.match(after):
                    speaker = speaker or m.entity_id
                continue
            if etype in ("person", "company") and (_SPEECH_AFTER.match(after) or _SAID_BEFORE.search(before)):
                speaker = speaker or m.entity_id
        region = self.quote_of(start, end)
        if region is not None:
            if region.start not in self.quote_speaker:
                self.quote_speaker[region.start] = speaker or self._attribution(region)
            speaker = speaker or self.quote_speaker[region.start]
        lowered = text[start:end].lower()
        if speaker is None and ("he " in lowered[:60]) and _PRONOUN_SPEECH.search(text[start:end][:60]):
            speaker = self.last_person  # "he " also finds "she "
        if speaker is None and (" it " in lowered or "the " in lowered) and _IT_SAYS.search(lowered):
            speaker = self.last_company
        if speaker is None and mentions:
            first = mentions[0]
            lead = text[start : first.start]
            if self._type(first.entity_id) == "person" and len(lead) < 40 and "," not in lead.rstrip(", "):
                speaker = first.entity_id
        if speaker is None:
            speaker = self.author
        for m in mentions:
            etype = self._type(m.entity_id)
            if etype == "person":
                self.last_person = m.entity_id
            elif (etype == "company" and self.last_company is None) or (
                etype == "company" and m is mentions[0]
            ):
                self.last_company = m.entity_id
        if mentions and self._type(mentions[0].entity_id) == "company":
            self.last_company = mentions[0].entity_id
        return speaker, cited


# --- assembly: sentences -> claim records ---------------------------------------------------------------

# The relations one sentence states: (start, end, its mentions, the company 'it' stands for) -> records.
Relate = Callable[[int, int, list[MentionRecord], str | None], list[RelationRecord]]


@dataclass(frozen=True, slots=True)
class Article:
    """What claim assembly reads of one article: its text, blocks, entity mentions and focus country."""

    text: str
    blocks: list[Block]
    mentions: list[MentionRecord]
    records: dict[str, EntityRecord]
    focus: str | None  # the country the article is mainly about (focus_country)


def assemble_claims(
    article: Article, sentences: list[Sentence], quantities: list[QuantityRecord], relate: Relate
) -> tuple[list[ClaimRecord], list[RelationRecord]]:
    """The claims of an article, in reading order, and the relations its sentences state."""
    text, records, focus = article.text, article.records, article.focus
    q_starts = [q.start for q in quantities]
    context = ClaimContext(text, article.blocks, article.mentions, records)
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
        previous_company = context.last_company
        speaker, cited = context.speaker_and_cited(sentence, in_sentence)
        stated = relate(start, end, in_sentence, previous_company)
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
            role = "subject" if n == 0 and not roles else "object" if m.entity_id in objects else "mention"
            roles.setdefault(m.entity_id, role)
        # The country an article is about is implied by "the country", "domestic", "provinces" …,
        # and by its policies: a claim about a policy in an article about China involves China.
        if focus and focus not in roles and (_COUNTRY_ANAPHORA.search(sentence_text) or "policy" in types):
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
                quantities=sentence_quantities,
                speaker_id=speaker,
                cited_id=cited,
                time_scope=time_scope(sentence_text, sentence_quantities),
            )
        )
        if speaker and cited and speaker != cited:
            relations.append(RelationRecord(speaker, "cites", cited, start, end))
        author = context.author
        if author and speaker and speaker != author and records[speaker].type == "person":
            relations.append(RelationRecord(author, "cites", speaker, start, end))
    return claims, _unique(relations)


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


def focus_country(mentions: list[MentionRecord], records: dict[str, EntityRecord]) -> str | None:
    """The country an article is mainly about: the one it mentions most (at least three times)."""
    counts = Counter(m.entity_id for m in mentions if records[m.entity_id].type == "country")
    if not counts:
        return None
    entity_id, n = counts.most_common(1)[0]
    return entity_id if n >= 3 and entity_id not in ("the-west", "europe", "asia", "africa") else None


def _unique(relations: list[RelationRecord]) -> list[RelationRecord]:
    seen: set[tuple[str, str, str, int]] = set()
    out: list[RelationRecord] = []
    for r in relations:
        key = (r.subject_id, r.predicate, r.object_id, r.start)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out

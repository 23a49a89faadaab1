"""Quantities in article text: percentages, money, years, multiples, parameter/token counts and counts.

`find_quantities` returns every quantity in a text, in order and non-overlapping, with its value
normalised ("$109.1 billion" -> 109100000000.0, unit "USD").  Units:

* ``"%"``            "50%", "70 percent", "nearly 70 per cent", "5 percentage points"
* ISO 4217 codes     "USD", "CNY", "EUR", "JPY", "KRW", "GBP", "HKD", "TWD" (and a few more)
* ``"year"``         calendar years ("In 2017", "Q4 2025", "10/18/2025", "2024's", "mid-2025")
* ``"multiple"``     "14-fold", "fivefold", "10x", "nearly 12 times China's"
* ``"parameters"``   "671 billion parameters", "7B-parameter", "a 70B model"
* ``"tokens"``       "1 million input tokens", "1M-token context", "128K context window"
* ``"count"``        other counts of things: "40 of the world's ...", "16,000 GPUs", "nine of the top ten",
                     "IBM (601), Alibaba (571)" in an enumeration

Deliberately not encoded: durations ("three years"), measurements ("7 nm", "5 GW"), ranges ("25-30%",
"between 10 and 20", "5 to 6 companies"), vague amounts ("hundreds of millions"), ordinals and ranks,
versions and sizes inside names ("GPT-4", "Qwen 2.5", "Ascend 910B", "RTX 4090"), benchmark scores,
numbers inside URLs, day/month parts of dates, fiscal quarter labels without a year and clock times.

Implementation: a character-class scan finds digit/currency candidates, each expanded by one anchored regex
(currency prefix, number, scale); a second scan over the lower-cased text finds number words.  Each number is
then classified by anchored regexes and small word look-ups around it, and a last pass over neighbouring
numbers removes ranges and resolves dates.  Patterns are compiled at import; no per-character Python loops.
Standard library only.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from app.extraction import lexicon
from app.extraction.records import QuantityRecord

__all__ = ["find_quantities"]


# --------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------


_SP: Final = "[ \u00a0\u2007\u2009\u202f]"  # a space inside a quantity: plain, no-break, figure, thin
_HY: Final = "[-\u2010\u2011]"  # hyphens that join words ("14-fold", "1M-token")
_DASHES: Final = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"


def _words(name: str) -> frozenset[str]:
    return lexicon.wordset(f"quantities.{name}")


# The word lists live in the lexicon (data/lexicon.json, section "quantities"), each with why it exists.
_UNIT_WORDS: Final[dict[str, int]] = lexicon.mapping("quantities.unit_words")
_TENS_WORDS: Final[dict[str, int]] = lexicon.mapping("quantities.tens_words")
_FOLD_WORDS: Final[dict[str, int]] = {
    **{w: v for w, v in _UNIT_WORDS.items() if v > 1},
    **_TENS_WORDS,
    "hundred": 100,
    "thousand": 1000,
}
_SCALES: Final[dict[str, int]] = lexicon.mapping("quantities.scales")
_PREFIX_CURRENCIES: Final[dict[str, str]] = lexicon.mapping("quantities.prefix_currencies")
_SUFFIX_SYMBOLS: Final[dict[str, str]] = lexicon.mapping("quantities.suffix_symbols")
_MONTHS: Final = _words("months")
_NOT_NAMES: Final = _words("free_before_number")
_LABEL_WORDS: Final = _words("label_words")
_PRODUCT_WORDS: Final = _words("product_words")
_YEAR_CONTEXT: Final = _words("year_context")
_YEAR_DETERMINERS: Final = _words("year_determiners")
_COUNT_PRECEDERS: Final = _words("count_preceders")
_COUNTABLE_NOUNS: Final = _words("countable_nouns")
_NUMBER_WORD_DETERMINERS: Final = _words("number_word_determiners")
_STOPPERS: Final = _words("stoppers")
_NOT_PLURAL: Final = _words("not_plural")
_APPROX_WORDS: Final = _words("approx_words")
_COMPARATIVES: Final = _words("comparatives")
_ER_NOT_COMPARATIVE: Final = _words("er_not_comparative")
_FREQUENCY_WORDS: Final = _words("frequency_words")
_HYPHEN_PREFIXES: Final = _words("hyphen_prefixes")
_BENCHMARKS: Final = lexicon.words("quantities.benchmarks")

# --------------------------------------------------------------------------------------------------
# Patterns (compiled once)
# --------------------------------------------------------------------------------------------------

_DIGITS: Final = r"\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?"
_CURRENCY_PREFIX: Final = (
    r"\bU\.?S\.?" + _SP + r"?\$|\b(?:HK|NT|S|A|C)\$|\$|€|£|¥|￥|₩|₹"
    r"|\b(?:USD|RMB|Rmb|CNY|EUR|GBP|JPY|KRW|HKD|TWD|NTD|INR|SGD|AUD|CAD)(?=[\d \u00a0\u2007\u2009\u202f])"
)
_NUMBER_WORDS: Final = (
    "(?:"
    + "|".join(_TENS_WORDS)
    + ")(?:"
    + _HY
    + "|"
    + _SP
    + ")(?:"
    + "|".join(w for w, v in _UNIT_WORDS.items() if v < 10)
    + r")\b|"
    + "|".join(sorted([*_UNIT_WORDS, *_TENS_WORDS], key=len, reverse=True))
)

_SCALE: Final = (
    r"(?:" + _SP + r"*" + _HY + r"?(?P<wscale>(?i:hundred(?:" + _SP + r"+(?:thousand|million|billion"
    r"|trillion))?|thousand|million|billion|trillion|mln|bln|mn|bn|tn)\b)"
    r"|(?P<lscale>MM|mln|mn|bln|bn|trn|tn|[KkMmBbTt])(?=USD|EUR|RMB|CNY|[$€]|(?![A-Za-z])))?"
)
# Numbers written with digits, with an optional currency prefix and scale.  Matched only at candidate
# positions found by _CANDIDATE_RE (a cheap character-class scan), which keeps the pass fast.
_NUMBER_RE: Final = re.compile(
    r"(?:"
    r"(?P<cur>" + _CURRENCY_PREFIX + r")" + _SP + r"?(?P<cnum>" + _DIGITS + r")"
    r"|(?P<fy>\bFY" + _SP + r"?)(?P<fynum>(?:19|20)\d\d)(?!\d)"
    r"|(?<![\w.,])(?P<num>" + _DIGITS + r")"
    r")" + _SCALE
)
_CANDIDATE_RE: Final = re.compile(r"[\d$€£¥￥₩₹]")
_DIGIT_RUN_RE: Final = re.compile(r"[\d,.]*")
_BACK_PREFIX_RE: Final = re.compile(
    r"(?:\bU\.?S\.?" + _SP + r"?|\b(?:HK|NT|S|A|C)"
    r"|\b(?:USD|RMB|Rmb|CNY|EUR|GBP|JPY|KRW|HKD|TWD|NTD|INR|SGD|AUD|CAD)" + _SP + r"?|\bFY" + _SP + r"?)\Z"
)
_SCALE_RE: Final = re.compile(_SCALE)
# Number words, searched in the lower-cased text (much faster than a case-insensitive scan).
_WORD_SRC: Final = (
    r"(?<![a-z])(?:(?P<fold>" + "|".join(_FOLD_WORDS) + r")" + _HY + r"?fold"
    r"|(?P<word>" + _NUMBER_WORDS + r"))(?![a-z])"
)
_WORD_RE: Final = re.compile(_WORD_SRC)
_WORD_RE_ANYCASE: Final = re.compile(_WORD_SRC.replace("a-z", "A-Za-z"), re.IGNORECASE)

_PCT_RE: Final = re.compile(
    _SP + r"?(?:%|％|(?i:percentage" + _SP + r"points?|percent|per" + _SP + r"?cent|pct)\b)"
)
_CUR_SUFFIX_RE: Final = re.compile(
    r"(?:" + _SP + r"?(?P<code>USD|EUR|RMB|CNY|JPY|KRW|GBP|HKD|TWD|NTD|INR|SGD|AUD|CAD)(?![A-Za-z])"
    r"|(?P<sym>[$€£¥￥₩])"
    r"|" + _SP + r"+(?P<word>(?i:(?:US|U\.S\.|American|Hong" + _SP + r"Kong|HK|New" + _SP + r"Taiwan|NT"
    r"|Taiwan(?:ese)?|Singapore|Australian|Canadian)" + _SP + r"dollars?|dollars?|yuan|renminbi|euros?|yen"
    r"|won|pounds?" + _SP + r"sterling|British" + _SP + r"pounds?|rupees?)\b)"
    r"|" + _HY + r"(?P<hword>(?i:dollar|yuan|euro))\b"
    r")"
)
_FOLD_RE: Final = re.compile(r"(?:" + _HY + "|" + _SP + r")?(?i:fold)\b")
_X_RE: Final = re.compile(r"[x×](?!\w)")
_TIMES_RE: Final = re.compile(_SP + r"+(?i:times)\b")
_SEP: Final = r"(?:" + _HY + "|" + _SP + r"+)"
_PARAM_RE: Final = re.compile(
    _SEP
    + r"(?:(?i:active|activated|total|trainable|learnable|model|neural|network|dense|sparse)"
    + _SEP
    + r"){0,2}(?i:param(?:eter)?s?)\b"
)
_TOKEN_RE: Final = re.compile(
    _SEP + r"(?:(?i:input|output|free|training|pre-?training|context|text|high-quality|unique"
    r"|reasoning|cached|prompt|completion|generated|synthetic|multilingual|English|Chinese|code|web"
    r"|data|new|more|additional)" + _SEP + r"){0,2}(?i:tokens?)\b"
)
_CONTEXT_RE: Final = re.compile(_SEP + r"(?i:context)(?:" + _SEP + r"?(?i:window|length))?\b")
_MODEL_RE: Final = re.compile(_SEP + r"(?i:models?|LLMs?|variants?|checkpoints?)\b")
_DURATION_RE: Final = re.compile(
    _SEP + r"(?:(?i:more|additional|consecutive|straight|full|long|whole|entire|short|extra)" + _SEP + r")?"
    r"(?i:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|quarters?|years?|yrs?|decades?"
    r"|centur(?:y|ies)|millenni(?:um|a))\b"
)
_MEASURE_RE: Final = re.compile(
    _SP + r"*(?:nm|nanomet(?:er|re)s?|mm|cm|km|kg|lbs?|[KMGTPE]B|[GMT]bps|[GMk]?Hz|[kMGT]Wh?|W|kV|TOPS"
    r"|[TPEG]?FLOP(?:S|/s)|(?i:flops|exaflops|petaflops|teraflops|watts?|kilowatts?|megawatts?|gigawatts?"
    r"|terawatts?|kilowatt-hours?|degrees?|miles?|kilomet(?:er|re)s?|met(?:er|re)s?|feet|foot|ft"
    r"|inch(?:es)?|tons?|tonnes?|bits?|bytes?|terabytes?|gigabytes?|petabytes?|points?|pts|bps|basis"
    + _SP
    + r"points?|mph)|°[CF]?)(?![A-Za-z])"
)
_CLOCK_RE: Final = re.compile(_SP + r"*(?i:a\.m\.|p\.m\.|am|pm|gmt|utc|est|edt|pst|pdt|cet|bst)(?![A-Za-z])")
_OF_RE: Final = re.compile(_SP + r"+(?:(?i:out)" + _SP + r"+)?(?i:of)\b")
_VERSUS_RE: Final = re.compile(_SP + r"+(?i:versus|vs)\b")
_BENCH_RE: Final = re.compile(
    _SP + r"+(?:(?i:on|in)" + _SP + r"+(?:the" + _SP + r"+)?(?:" + "|".join(_BENCHMARKS) + r")"
    r"|(?i:accuracy|pass@\d+|score))"
)
_PREV_WORD_RE: Final = re.compile(r"(?<![\w.&'’#/-])([A-Za-z0-9#~≈][\w.&'’#/-]*)" + _SP + r"+\Z")
_NEXT_WORD_RE: Final = re.compile(_SP + r"+([A-Za-z][\w'’&-]*)")
_POSSESSIVE_RE: Final = re.compile(r"['’]s\b")
_LEFT_WORD_RE: Final = re.compile(r"(?<![\w.,])[\w.,]+\Z")
_URL_RE: Final = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+")
_DOMAIN_PATH_RE: Final = re.compile(r"\.(?:com|org|net|gov|edu|cn|io|ai|uk|int|info)/[^\s<>\"')\]]*")
_URL_HEAD_RE: Final = re.compile(r"[^\s<>\"'(\[]*\Z")
_JOIN_RE: Final = re.compile(_SP + r"?[" + _DASHES + r"]" + _SP + r"?|/|:")
_RANGE_WORD_RE: Final = re.compile(_SP + r"+(?P<w>to|or|and)" + _SP + r"+")
_BETWEEN_RE: Final = re.compile(r"\b(?i:between)" + _SP + r"+\Z")
_FROM_RE: Final = re.compile(r"\b(?i:from)" + _SP + r"+\Z")
_SENTENCE_BREAK_RE: Final = re.compile(r"[.!?][\"”’')\]]*\s|\n")
_LETTER_RE: Final = re.compile(r"[A-Za-z]")
_PAREN_TAIL_RE: Final = re.compile(r"\)(?:[,;:.]|" + _SP + r"+(?i:and|or|&)" + _SP + r"|[ \t]*(?:\n|\Z))")
# An item of a parenthesised enumeration: "Baidu (1,234 inventions)", "IBM (601)".
_PAREN_ITEM_RE: Final = re.compile(r"[\w.'’)]" + _SP + r"\(\d[\d,]*(?:" + _SP + r"[A-Za-z]+){0,2}\)")
_PAREN_BARE_RE: Final = re.compile(r"\((\d[\d,]*)\)")
_SCORE_CONTEXT_RE: Final = re.compile(
    r"\b(?i:scores?|scored|scoring|elo|ratings?|rated|benchmarks?|leaderboards?|points|pts)\b"
)
_JAPAN_RE: Final = re.compile(r"\b(?:Japan|Japanese|Tokyo|yen|JPY)\b")
_CHINA_RE: Final = re.compile(r"\b(?:China|Chinese|Beijing|Shanghai|Shenzhen|yuan|RMB|CNY|renminbi)\b")


# --------------------------------------------------------------------------------------------------
# Token classification
# --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Token:
    """One scanned number and, once classified, the quantity it yields (if any)."""

    start: int
    end: int  # end of number + scale
    digits: str | None  # the digit string, when the number is written with digits
    number: Decimal  # the number before scaling
    scaled: bool
    unit: str | None = None  # None: not a quantity (yet)
    q_start: int = 0
    q_end: int = 0
    value: float = 0.0
    inherit: bool = False  # a bare scaled number that may inherit "parameters"/"tokens"
    fallback: str | None = None  # its unit when there is nothing to inherit

    @property
    def gap_end(self) -> int:
        return self.q_end if self.unit is not None else self.end

    @property
    def year_like(self) -> bool:
        d = self.digits
        return d is not None and len(d) == 4 and d.isdigit() and not self.scaled and 1900 <= int(d) <= 2100


def _prev_word(text: str, start: int) -> str | None:
    m = _PREV_WORD_RE.search(text, max(0, start - 40), start)
    return m.group(1) if m else None


def _next_word(text: str, pos: int) -> str | None:
    m = _NEXT_WORD_RE.match(text, pos)
    return m.group(1) if m else None


def _is_month(word: str) -> bool:
    return word[:1].isupper() and word.rstrip(".").lower() in _MONTHS


def _is_plural(word: str) -> bool:
    if len(word) < 3 or not word.endswith("s") or word.lower() in _NOT_PLURAL:
        return False
    return not (word.endswith(("ss", "us", "is")) or _POSSESSIVE_RE.search(word))


def _plural_follows(text: str, pos: int, max_words: int = 4) -> bool:
    """A plural noun within the next few words, before any function word or punctuation."""
    for _ in range(max_words):
        m = _NEXT_WORD_RE.match(text, pos)
        if m is None:
            return False
        word = m.group(1)
        if word.lower() in _STOPPERS:
            return False
        if _is_plural(word):
            return True
        pos = m.end()
    return False


def _looks_like_name(word: str) -> bool:
    """Whether `word`, standing right before a number, makes the number part of a name or code."""
    low = word.rstrip(".").lower()
    if low in _LABEL_WORDS or _is_month(word):
        return True
    if _POSSESSIVE_RE.search(word) or low in _NOT_NAMES:
        return False
    return word[0].isupper() or any(c.isdigit() for c in word) or any(c.isupper() for c in word[1:])


def _scaled_value(number: Decimal, multiplier: int) -> float:
    return float(number * multiplier)


def _currency_from_prefix(cur: str, text: str, pos: int) -> str:
    key = re.sub(r"[\s.\u00a0\u2007\u2009\u202f]", "", cur)
    code = _PREFIX_CURRENCIES.get(key, "USD")
    if key in ("¥", "￥"):
        window = text[max(0, pos - 200) : pos + 200]
        if _JAPAN_RE.search(window) and not _CHINA_RE.search(window):
            return "JPY"
    return code


def _currency_from_word(word: str) -> str:
    w = word.lower()
    if "dollar" in w:
        for marker, code in (("hong", "HKD"), ("hk", "HKD"), ("taiwan", "TWD"), ("nt", "TWD")):
            if w.startswith(marker):
                return code
        for marker, code in (("singapore", "SGD"), ("australian", "AUD"), ("canadian", "CAD")):
            if w.startswith(marker):
                return code
        return "USD"
    if w in ("yuan", "renminbi"):
        return "CNY"
    if w.startswith("euro"):
        return "EUR"
    if w == "yen":
        return "JPY"
    if w == "won":
        return "KRW"
    if "pound" in w or "sterling" in w:
        return "GBP"
    if w.startswith("rupee"):
        return "INR"
    return "USD"


def _set(tok: _Token, unit: str, end: int, start: int | None = None, value: float | None = None) -> None:
    tok.unit = unit
    tok.q_start = tok.start if start is None else start
    tok.q_end = end
    if value is not None:
        tok.value = value


def _times_is_multiplier(text: str, tok: _Token, after_times: int) -> bool:
    prev = _prev_word(text, tok.start)
    approx = prev is not None and prev.lower() in _APPROX_WORDS
    if not approx and tok.start > 0 and text[tok.start - 1] in "~≈":
        approx = True
    nxt = _next_word(text, after_times)
    if nxt is None:
        return approx
    low = nxt.lower()
    if low in _FREQUENCY_WORDS:
        return False
    if low in _COMPARATIVES or (low.endswith("er") and low not in _ER_NOT_COMPARATIVE):
        return True
    if _POSSESSIVE_RE.search(nxt) or nxt[0].isupper():
        return True
    return approx


@dataclass(slots=True)
class _Raw:
    """A number as found by the scanners, before classification."""

    start: int
    end: int  # end of number + scale
    kind: str  # "cur" | "fy" | "num" | "word" | "fold"
    number: str  # digits or words, as written
    cur: str | None = None
    wscale: str | None = None
    lscale: str | None = None


def _scan(text: str) -> list[_Raw]:
    """All numbers in the text, in order: digits (with currency and scale) and number words."""
    out: list[_Raw] = []
    pos = 0
    n = len(text)
    while pos < n:
        c = _CANDIDATE_RE.search(text, pos)
        if c is None:
            break
        i = c.start()
        start = i
        back = _BACK_PREFIX_RE.search(text, max(0, i - 6), i)
        if back is not None:
            start = back.start()
        m = _NUMBER_RE.match(text, start)
        if m is None and start != i:
            m = _NUMBER_RE.match(text, i)
        if m is None:
            run = _DIGIT_RUN_RE.match(text, i + 1) if text[i].isdigit() else None
            pos = run.end() if run is not None else i + 1
            continue
        pos = m.end()
        if m["fynum"] is not None:
            out.append(_Raw(m.start("fynum"), m.end("fynum"), "fy", m["fynum"]))
        elif m["cnum"] is not None:
            out.append(_Raw(m.start(), pos, "cur", m["cnum"], m["cur"], m["wscale"], m["lscale"]))
        else:
            out.append(_Raw(m.start(), pos, "num", m["num"], None, m["wscale"], m["lscale"]))

    lowered = text.lower()
    words = _WORD_RE.finditer(lowered) if len(lowered) == n else _WORD_RE_ANYCASE.finditer(text)
    word_raws: list[_Raw] = []
    for w in words:
        if w.group("fold") is not None:
            word_raws.append(_Raw(w.start(), w.end(), "fold", text[w.start() : w.end()]))
            continue
        number = text[w.start() : w.end()]
        sm = _SCALE_RE.match(text, w.end())
        if sm is None:  # cannot happen: the scale is optional
            word_raws.append(_Raw(w.start(), w.end(), "word", number))
        else:
            word_raws.append(_Raw(w.start(), sm.end(), "word", number, None, sm["wscale"], sm["lscale"]))
    if word_raws:
        out = sorted([*out, *word_raws], key=lambda r: r.start)
    return out


def _classify(text: str, raw: _Raw) -> _Token:
    """Turn one scanned number into a token; `unit` stays None when it is no quantity by itself.

    Each unit family has its own reader, tried in this order; the first that decides wins: a word form
    ("fivefold", "FY2025"), a currency before the number, a unit written after it (percent, currency,
    multiple, parameters and tokens, or a unit that is deliberately not encoded), a bare number that is
    a marker or part of a name, a calendar year, and last a count."""
    if raw.kind == "fold":
        return _fold_word(raw)
    if raw.kind == "fy":
        return _fiscal_year(raw)
    multiplier = _multiplier(raw)
    if raw.kind == "cur":
        return _money_before(text, raw, multiplier)
    tok = _number_token(raw, multiplier)
    value = _scaled_value(tok.number, multiplier)
    if _glued_to_name(text, tok.start):
        return tok
    if _unit_after(text, raw, tok, value):
        return tok
    if _bare_marker(text, raw, tok):
        return tok
    if tok.year_like:
        _year_or_count(text, tok, value)
        return tok
    _count(text, raw, tok, value)
    return tok


def _fold_word(raw: _Raw) -> _Token:
    """ "fivefold", "ten-fold": a multiple."""
    stem = re.sub(r"[-\u2010\u2011]?fold$", "", raw.number.lower())
    value = _FOLD_WORDS[stem]
    tok = _Token(raw.start, raw.end, None, Decimal(value), False)
    _set(tok, "multiple", raw.end, value=float(value))
    return tok


def _fiscal_year(raw: _Raw) -> _Token:
    """ "FY2025": a year."""
    tok = _Token(raw.start, raw.end, raw.number, Decimal(raw.number), False)
    _set(tok, "year", raw.end, value=float(int(raw.number)))
    return tok


def _multiplier(raw: _Raw) -> int:
    """The scale written after the number: "billion" -> 10**9, "bn", "B", "K" …; 1 without one."""
    if raw.wscale is not None:
        multiplier = 1
        for part in raw.wscale.lower().split():
            multiplier *= _SCALES[part]
        return multiplier
    if raw.lscale is not None:
        return _SCALES[raw.lscale.lower()]
    return 1


def _money_before(text: str, raw: _Raw, multiplier: int) -> _Token:
    """ "$109.1 billion", "US$ 9.3 billion", "RMB 100 million": money (not "$10x", a multiple)."""
    tok = _Token(raw.start, raw.end, raw.number, Decimal(raw.number.replace(",", "")), multiplier != 1)
    code = _currency_from_prefix(raw.cur or "$", text, raw.start)
    if _X_RE.match(text, raw.end) is None:
        _set(tok, code, raw.end, value=_scaled_value(tok.number, multiplier))
    return tok


def _number_token(raw: _Raw, multiplier: int) -> _Token:
    """The token of a number written in digits or in words ("seventy-five"), before its unit is known."""
    if raw.kind == "num":
        return _Token(raw.start, raw.end, raw.number, Decimal(raw.number.replace(",", "")), multiplier != 1)
    parts = re.split(r"[-\u2010\u2011 \u00a0\u2007\u2009\u202f]+", raw.number.lower())
    value = sum(_UNIT_WORDS.get(p, 0) + _TENS_WORDS.get(p, 0) for p in parts)
    return _Token(raw.start, raw.end, None, Decimal(value), multiplier != 1)


def _glued_to_name(text: str, start: int) -> bool:
    """Glued to a word on the left ("GPT-4", "H-1B", "Qwen-3", "R1-0528"): part of a name or code, unless
    "mid-2025", "top-10". Digits on both sides ("2025-10-18", "25-30") are left to _resolve_neighbours."""
    if start >= 2 and text[start - 1] in _DASHES[:3] and text[start - 2].isalnum():
        left = _LEFT_WORD_RE.search(text, max(0, start - 24), start - 1)
        return left is None or (not left.group().isdigit() and left.group().lower() not in _HYPHEN_PREFIXES)
    return False


def _unit_after(text: str, raw: _Raw, tok: _Token, value: float) -> bool:
    """A unit written after the number decides it (True), whether or not it yields a quantity."""
    end = raw.end
    return (
        _percent(text, tok, end, value)
        or (raw.kind == "num" and _currency_after(text, tok, end, value))
        or _multiple_after(text, raw, tok, end, value)
        or _model_size(text, raw, tok, end, value)
        or _not_encoded(text, tok, end)
    )


def _percent(text: str, tok: _Token, end: int, value: float) -> bool:
    """ "50%", "70 percent", "5 percentage points"; a benchmark score in percent is no quantity."""
    pct = _PCT_RE.match(text, end)
    if pct is None:
        return False
    prev = _prev_word(text, tok.start)
    if _BENCH_RE.match(text, pct.end()) is None and not (
        prev is not None and prev.lower() in ("scored", "scoring", "scores", "score")
    ):
        _set(tok, "%", pct.end(), value=value)
    return True


def _currency_after(text: str, tok: _Token, end: int, value: float) -> bool:
    """ "100 million yuan", "5.5 USD", "100€", "a 10-dollar fee"."""
    cs = _CUR_SUFFIX_RE.match(text, end)
    if cs is None:
        return False
    if cs.group("code"):
        code = _PREFIX_CURRENCIES.get(cs.group("code"), cs.group("code"))
    elif cs.group("sym"):
        code = _SUFFIX_SYMBOLS[cs.group("sym")]
    else:
        code = _currency_from_word(cs.group("word") or cs.group("hword") or "")
    _set(tok, code, cs.end(), value=value)
    return True


def _multiple_after(text: str, raw: _Raw, tok: _Token, end: int, value: float) -> bool:
    """ "14-fold", "10x", "nearly 12 times China's" (but not "three times a year")."""
    fold = _FOLD_RE.match(text, end)
    if fold is not None:
        _set(tok, "multiple", fold.end(), value=value)
        return True
    if raw.kind == "num" and not tok.scaled and _X_RE.match(text, end):
        _set(tok, "multiple", end + 1, value=value)
        return True
    times = _TIMES_RE.match(text, end)
    if times is None:
        return False
    if _times_is_multiplier(text, tok, times.end()):
        _set(tok, "multiple", times.end(), value=value)
    return True


def _model_size(text: str, raw: _Raw, tok: _Token, end: int, value: float) -> bool:
    """ "671 billion parameters", "1M-token context", "128K context window", "a 70B model"."""
    param = _PARAM_RE.match(text, end)
    if param is not None:
        _set(tok, "parameters", param.end(), value=value)
        return True
    tokens = _TOKEN_RE.match(text, end)
    if tokens is None and tok.scaled:
        tokens = _CONTEXT_RE.match(text, end)
    if tokens is not None:
        _set(tok, "tokens", tokens.end(), value=value)
        return True
    if raw.lscale is not None and raw.lscale in "BMT" and _MODEL_RE.match(text, end) is not None:
        _set(tok, "parameters", end, value=value)
        return True
    return False


def _not_encoded(text: str, tok: _Token, end: int) -> bool:
    """Durations ("three years"), measurements ("7 nm", "5 GW") and clock times are no quantity here."""
    duration = _DURATION_RE.match(text, end)
    if duration is not None and not (tok.year_like and not duration.group().endswith(("s", "S"))):
        return True  # but a year before a singular unit is a year ("its 2024 full-year level")
    return _MEASURE_RE.match(text, end) is not None or _CLOCK_RE.match(text, end) is not None


def _bare_marker(text: str, raw: _Raw, tok: _Token) -> bool:
    """A bare number that is a version ("3.1.2"), a compound ("two-thirds"), a footnote or list marker."""
    start, end = tok.start, raw.end
    nxt_char = text[end : end + 1]
    if nxt_char and (nxt_char.isalnum() or nxt_char in "_°"):
        return True
    if nxt_char in ".," and text[end + 1 : end + 2].isdigit():
        return True
    if nxt_char and nxt_char in _DASHES[:3] and text[end + 1 : end + 2].isalpha():
        return True
    prev_char = text[start - 1 : start]
    if prev_char in ("+", "#", "@", "§", "№", "°", "^", "*", "±"):
        return True
    if prev_char == "[" and nxt_char == "]":
        return True  # citation marker
    if (
        prev_char == "("
        and nxt_char == ")"
        and not tok.year_like
        and (raw.kind != "num" or tok.scaled or not _in_paren_enumeration(text, start, end))
    ):
        return True  # list marker "(3)"; but "IBM (601), Alibaba (571)" are counts
    return nxt_char in ".)" and text[end + 1 : end + 2] in (" ", "\t", "") and _at_line_start(text, start)


def _year_or_count(text: str, tok: _Token, value: float) -> None:
    """A four-digit number: a calendar year ("in 2025", "2024's"), a count ("2048 GPUs"), or a name."""
    end = tok.end
    prev = _prev_word(text, tok.start)
    nxt = _next_word(text, end)
    year = int(tok.digits or "0")
    low_prev = prev.rstrip(".").lower() if prev else ""
    possessive = _POSSESSIVE_RE.match(text, end) is not None
    in_context = low_prev in _YEAR_CONTEXT or (prev is not None and _is_month(prev)) or possessive
    if not (1990 <= year <= 2049 or in_context):
        if nxt is not None and _is_plural(nxt):
            _set(tok, "count", end, value=value)
        return
    if low_prev in _PRODUCT_WORDS:
        return
    if (
        nxt is not None
        and not possessive
        and _is_plural(nxt)
        and (
            low_prev in _COUNT_PRECEDERS
            or (
                nxt.lower() in _COUNTABLE_NOUNS
                and low_prev not in _YEAR_DETERMINERS
                and not (prev is not None and _POSSESSIVE_RE.search(prev))
            )
        )
    ):
        _set(tok, "count", end, value=value)
    else:
        _set(tok, "year", end, value=float(year))


def _count(text: str, raw: _Raw, tok: _Token, value: float) -> None:
    """Any other number: a count of things ("16,000 GPUs", "nine of the top ten"), unless it names,
    dates or scores something. A scaled number with nothing after it may inherit the unit of the
    quantity before it ("671 billion parameters, 37 billion active")."""
    start, end = tok.start, raw.end
    if raw.kind == "num" and "." in raw.number and not tok.scaled:
        return  # a bare decimal is a version or a score, not a count
    prev = _prev_word(text, start)
    nxt = _next_word(text, end)
    if prev is not None and _looks_like_name(prev):
        return
    if nxt is not None and _is_month(nxt):
        return
    if _BENCH_RE.match(text, end):
        return
    if raw.kind == "word":
        low_prev = prev.lower() if prev else ""
        if tok.number == 1 and not tok.scaled:
            return
        if low_prev in _NUMBER_WORD_DETERMINERS:
            return
        if not (
            tok.scaled
            or low_prev == "top"
            or _OF_RE.match(text, end)
            or _VERSUS_RE.match(text, end)
            or _plural_follows(text, end)
        ):
            return
    if tok.scaled:
        if _plural_follows(text, end, 3):
            _set(tok, "count", end, value=value)
        else:
            tok.inherit = True
            tok.fallback = "count" if raw.wscale is not None else None
            tok.value = value
            tok.q_start, tok.q_end = start, end
        return
    _set(tok, "count", end, value=value)


def _in_paren_enumeration(text: str, start: int, end: int) -> bool:
    """'IBM (601), Alibaba (571) and Baidu (377)': a number in parentheses right after a name, closing an
    item of a sentence that lists at least two such items, is the item's count (not a marker or footnote)."""
    if _PAREN_TAIL_RE.match(text, end) is None:
        return False
    name = _prev_word(text, start - 1)
    if name is None or name.isdigit() or name.rstrip(".").lower() in _LABEL_WORDS | _STOPPERS:
        return False
    lo = max(0, start - 400)
    for br in _SENTENCE_BREAK_RE.finditer(text, lo, start):
        lo = br.end()
    br_after = _SENTENCE_BREAK_RE.search(text, end, end + 400)
    hi = br_after.start() if br_after is not None else min(len(text), end + 400)
    if _SCORE_CONTEXT_RE.search(text, lo, hi):
        return False  # "Elo scores: Gemini (1470), GPT-5 (1440)"
    if len(_PAREN_ITEM_RE.findall(text, lo, hi)) < 2:
        return False
    bare = [int(v.replace(",", "")) for v in _PAREN_BARE_RE.findall(text, lo, hi)]
    return not (len(bare) >= 2 and bare == list(range(1, len(bare) + 1)))  # ranks "GPT-5 (1), Gemini (2)"


def _at_line_start(text: str, start: int) -> bool:
    seg = text[max(0, start - 8) : start]
    nl = seg.rfind("\n")
    if nl >= 0:
        seg = seg[nl + 1 :]
    elif start > 8:
        return False
    return seg.strip(" \t-*•") == ""


# --------------------------------------------------------------------------------------------------
# Neighbours: ranges, dates, "between ... and ..."
# --------------------------------------------------------------------------------------------------


def _force_year(tok: _Token) -> None:
    year = int(tok.digits or "0")
    tok.inherit = False
    _set(tok, "year", tok.end, value=float(year))


def _drop(tok: _Token) -> None:
    tok.unit = None
    tok.inherit = False


def _resolve_chain(chain: list[_Token], seps: list[str]) -> None:
    """Numbers joined by dashes, slashes or colons: year ranges and dates keep their years; the rest go."""
    kinds = {"/" if s == "/" else ":" if s == ":" else "-" for s in seps}
    years = [t.year_like for t in chain]
    small = [t.digits is not None and t.digits.isdigit() and len(t.digits) <= 2 for t in chain]
    keep: list[_Token] = []
    if kinds == {"-"}:
        if len(chain) == 2 and all(years):
            keep = chain
        elif years[0] and all(small[1:]) and len(chain) <= 3:
            keep = [chain[0]]  # "2023-24", ISO date "2025-10-18"
    elif kinds == {"/"}:
        if len(chain) == 3 and years[2] and small[0] and small[1]:
            keep = [chain[2]]  # "10/18/2025"
        elif len(chain) == 3 and years[0] and small[1] and small[2]:
            keep = [chain[0]]
        elif len(chain) == 2 and years[0] and small[1]:
            keep = [chain[0]]  # "2023/24"
        elif len(chain) == 2 and years[1] and small[0]:
            keep = [chain[1]]  # "10/2025"
    for t in chain:
        if t in keep:
            _force_year(t)
        else:
            _drop(t)


def _dash_joins(text: str, a: _Token, b: _Token, sep: str) -> bool:
    """Whether a separator between two numbers joins them into a range or date (slashes and colons always do).

    Number words never form dash ranges ("1M tokens - eight times ..."), and a dash after a number that
    carries a unit written in words is parenthetical when spaced or long ("80,000 tokens — 8 times")."""
    core = sep.strip(" \u00a0\u2007\u2009\u202f")
    if core not in _DASHES:
        return True
    if a.digits is None or b.digits is None:
        return False
    worded = a.unit is not None and _LETTER_RE.search(text, a.end, a.q_end) is not None
    return not (worded and (core != sep or core in "\u2014\u2015"))


def _resolve_neighbours(text: str, toks: list[_Token]) -> None:
    n = len(toks)
    i = 0
    while i < n:
        # Chains joined by dashes, slashes and colons.
        j = i
        seps: list[str] = []
        while j + 1 < n:
            gap_start, gap_end = toks[j].gap_end, toks[j + 1].start
            if gap_end - gap_start > 3 or gap_end < gap_start:
                break
            jm = _JOIN_RE.fullmatch(text, gap_start, gap_end)
            if jm is None or not _dash_joins(text, toks[j], toks[j + 1], jm.group()):
                break
            seps.append(jm.group().strip(" \u00a0\u2007\u2009\u202f"))
            j += 1
        if j > i:
            _resolve_chain(toks[i : j + 1], [s if s in "/:" else "-" for s in seps])
            i = j + 1
            continue
        if i + 1 < n:
            a, b = toks[i], toks[i + 1]
            rw = _RANGE_WORD_RE.fullmatch(text, a.gap_end, b.start) if b.start > a.gap_end else None
            if rw is not None and not (a.unit == "year" and b.unit == "year"):
                a_bare = a.unit in (None, "count") or a.inherit
                b_explicit = b.unit not in (None, "count", "year") and not b.inherit
                word = rw.group("w")
                lo = max(0, a.start - 12)
                if word == "and":
                    if _BETWEEN_RE.search(text, lo, a.start):
                        _drop(a)  # "between 10 and 20"
                        _drop(b)
                        i += 2
                        continue
                elif a_bare and word == "to" and _FROM_RE.search(text, lo, a.start):
                    if b_explicit:
                        _drop(a)  # "from 5 to 10%": keep only the written quantity
                elif a_bare:
                    _drop(a)  # "5 to 10 companies", "25 to 30 percent", "two or three"
                    _drop(b)
                    i += 2
                    continue
        i += 1


# --------------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------------


def _url_spans(text: str) -> tuple[list[int], list[int]]:
    """Sorted, merged spans of URLs ("https://...", "www...", "example.com/path")."""
    spans = [(m.start(), m.end()) for m in _URL_RE.finditer(text)]
    for m in _DOMAIN_PATH_RE.finditer(text):
        head = _URL_HEAD_RE.search(text, max(0, m.start() - 100), m.start())
        spans.append((head.start() if head is not None else m.start(), m.end()))
    spans.sort()
    starts: list[int] = []
    ends: list[int] = []
    for a, b in spans:
        if ends and a <= ends[-1]:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


def find_quantities(text: str) -> list[QuantityRecord]:
    """Every quantity in the text, in order, non-overlapping."""
    if not text:
        return []
    url_starts, url_ends = _url_spans(text)
    toks: list[_Token] = []
    for raw in _scan(text):
        if url_starts:
            k = bisect_right(url_starts, raw.start) - 1
            if k >= 0 and raw.start < url_ends[k]:
                continue
        toks.append(_classify(text, raw))

    _resolve_neighbours(text, toks)

    out: list[QuantityRecord] = []
    last_end = 0
    inherit_unit: str | None = None
    inherit_end = -1
    for tok in toks:
        if tok.inherit:
            unit = tok.fallback
            if inherit_unit is not None and _SENTENCE_BREAK_RE.search(text, inherit_end, tok.start) is None:
                unit = inherit_unit
            if unit is None:
                continue
            tok.unit = unit
        if tok.unit is None or tok.q_start < last_end:
            continue
        if tok.unit in ("parameters", "tokens"):
            inherit_unit, inherit_end = tok.unit, tok.q_end
        out.append(QuantityRecord(tok.value, tok.unit, text[tok.q_start : tok.q_end], tok.q_start, tok.q_end))
        last_end = tok.q_end
    return out

"""Relations an article states, read from the wording that links two mentions of one sentence.

A sentence is rewritten with each entity mention replaced by a typed slot (``⟦C3⟧``: mention 3, a company),
and a few pronouns ("its", "the company", "these firms", "the country") by the slot of what they stand for.
Frames are regular expressions over that rewritten text: an apposition or possessive ("NVIDIA CEO ⟦P⟧",
"⟦C⟧’s ⟦M⟧"), a verb frame ("⟦C⟧ released ⟦M⟧", "⟦L⟧ restricts ⟦C⟧"), a list under one frame ("backed by
⟦C⟧, ⟦C⟧ and ⟦C⟧"). Each frame names its predicate, which group is the subject, and a base confidence; a
relation is kept only when its ends fit the predicate's type signature, and its evidence is the span of the
wording that matched, not the whole sentence. Confidence is then moved by what the catalog knows (the
same relation, or a contradiction such as another maker for the product) and by pronoun resolution; the
figures are calibrated against the seed and development annotations (bench/relation_calibration.py).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from app.extraction import lexicon
from app.extraction.catalog import SIGNATURES, Catalog
from app.extraction.records import EntityRecord, MentionRecord, RelationRecord

__all__ = ["FRAMES", "MIN_CONFIDENCE", "RelationKnowledge", "RelationReader"]

# Relations below this confidence are not kept at all: the calibration shows them wrong as often as right.
MIN_CONFIDENCE = 0.5

_CODE = {
    "company": "C",
    "organization": "O",
    "country": "N",
    "person": "P",
    "policy": "L",
    "model": "M",
    "chip": "H",
}
_TYPE = {code: entity_type for entity_type, code in _CODE.items()}


def _words(words: Iterable[str]) -> str:
    """An alternation of the words as a trie ("t(?:ech(?:nolog(?:y|ies))?|op)"): a word list is tried at
    many positions, and a trie fails at its first letter where a flat alternation tries every word."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        if "" in node:
            return f"(?:{body})?"
        return body

    return f"(?:{emit(tree)})"


# --- word lists (data/lexicon.json, section "relations"; general wording, not any article's) -----------

_DESCRIPTORS = lexicon.words("relations.descriptors")
_GROUP = lexicon.words("relations.kinds")
_PRODUCT_NOUNS = lexicon.words("relations.product_nouns")
_STOP = lexicon.words("relations.phrase_enders")
_ALLOWED_ING = lexicon.words("relations.adjectival_ing")
_MONTHS = tuple(w for m in lexicon.words("quantities.months") for w in (m, m.capitalize()))
_AUX = lexicon.words("relations.auxiliaries") + _MONTHS
# Titles: those that head what they name lead it; the rest are employment. Public offices ("Commerce
# Secretary") are titles too; descriptions without an employer ("investor", "author") are not.
_LEAD_WORDS = lexicon.words("lead_roles", "relations.lead_titles")
_TITLE = (
    f"(?:{lexicon.alternation('lead_roles', 'staff_roles', 'public_roles', 'relations.lead_titles', 'relations.staff_titles')}"
    r"|chief(?: [A-Za-z]+){0,2} (?:officer|scientist|economist|strategist|architect|engineer))"
)
# Words one of which a title frame needs (the sentence is lower-cased): a cheap test before the frame.
_TITLE_CUE = tuple(
    {
        word.lower()
        for word in lexicon.words(
            "lead_roles", "staff_roles", "public_roles", "relations.lead_titles", "relations.staff_titles"
        )
    }
    | {"chief"}
)
_LEAD_TITLE = re.compile(f"(?:{'|'.join(map(re.escape, _LEAD_WORDS))})", re.I)
# Only these lead a country; "Chinese CEO X" says nothing of the kind.
_STATE_TITLE = re.compile(f"(?:{'|'.join(map(re.escape, lexicon.words('relations.state_titles')))})", re.I)
_TITLE_RE = re.compile(_TITLE, re.I)
_STATE_TITLES = lexicon.alternation("relations.state_titles")  # "President", "Prime Minister"
_HEADS_WHEN_OF = re.compile(r"(?:director|head)", re.I)  # "director of the X Center": leads it

# --- slots ----------------------------------------------------------------------------------------------

_SLOT = re.compile(r"⟦([A-Z])(\d+)⟧")
# A slot that qualifies the next one in a list ("and US companies ⟦C⟧", "⟦C⟧’s ⟦M⟧") is not a member.
_MODIFIER_SLOT = re.compile(r"(?:[’']s|-based)?\s+(?!(?:and|or|as|along|plus|of)\b)(?:[\w-]+\s+){0,3}?⟦")
_SEP = r"(?:\s*,\s*(?:and\s+|or\s+|as\s+well\s+as\s+|along\s+with\s+|plus\s+)?|\s+(?:and|or|as\s+well\s+as|along\s+with|plus)\s+|\s*[&/]\s*)"
_PAREN = r"(?:\s*\((?:[^()]|\([^()]*\))*\))"


_DESC_WORDS = _words(_DESCRIPTORS)
# What the members of a list are called when the text says so ("and US companies X", "and rival lab Y").
_LIST_KINDS = _words(lexicon.words("relations.list_kinds"))
_GROUP_CUE = _GROUP
_GROUP_WORDS = _words(_GROUP)


def _slot(codes: str) -> str:
    return rf"⟦[{codes}]\d+⟧"


def _list(codes: str, *, nationalities: bool = True) -> str:
    """One slot of the codes or several joined as a list ("A, B and C", "A and US-based B"); a
    parenthesis after an item ("Alibaba (Qwen)") and a country after it ("B of South Korea") ride along.
    Without `nationalities`, an item with a country of its own ("and US companies B") ends the list."""
    item = rf"{_slot(codes)}(?:\s+of\s+⟦N\d+⟧)?{_PAREN}?"
    country = r"(?:⟦N\d+⟧(?:[’']s|-based)?\s+)?" if nationalities else ""
    # Kept small (a list is written out wherever a frame uses one): one word may qualify the kind.
    qualifier = r"(?!(?:that|which|who|whose|to|of|for|with|by|from|and|or|than|as|in|on|at)\b)[a-z][\w-]*\s+"
    prefix = rf"(?:(?:the|its|their|fellow|rival|other)\s+)?{country}(?:(?:{qualifier})?{_LIST_KINDS}\s+)?"
    return rf"{prefix}{item}(?:{_SEP}{prefix}{item})*"


_MACROS = {
    "%DESC%": rf"(?:[A-Z][A-Z0-9&]{{1,5}}s?|(?i:{_DESC_WORDS})|\d{{4}})",
    "%GROUP%": _GROUP_WORDS,
    "%MOD%": rf"(?:{_words(_ALLOWED_ING)}\b|(?!{_words(_STOP)}\b)(?![a-z]+ing\b)[\w.+-]+|⟦N\d+⟧(?:[’']s|-based)?)",
    "%PRODUCT%": _words(_PRODUCT_NOUNS),
    "%AUX%": rf"(?:{_words(_AUX)}|20\d\d)\b",
    "%TITLE%": _TITLE,
    "%POSS%": r"[’']s",
    # A company named only to qualify the next one ("Moonshot AI rival ⟦C⟧", "⟦C⟧’s unit") is not the object.
    "%NOTMOD%": r"(?!%POSS%|-|\s+(?:rival|rivals|competitor|competitors|peer|peers|counterpart|partner|partners|"
    r"unit|subsidiary|affiliate|backer|backers|investor|investors|spin-?off)\b)",
    "%WHICH%": r"(?:\s*,\s*(?:which|who|that)(?=\s))?",
    "%Q%": r"[“\"‘']?",
    # The slot that follows is not the object of a preposition ("facility linked to ⟦C⟧ was …").
    "%SUBJ%": r"(?<!\bto )(?<!\bof )(?<!\bwith )(?<!\bfor )(?<!\bby )(?<!\bfrom )(?<!\bin )(?<!\bon )(?<!\bat )"
    r"(?<!\bthan )(?<!\bover )(?<!\blike )",
}


def _compile(pattern: str) -> re.Pattern[str]:
    # «*CO»: a list of company/organization slots; «CO»: one such slot; %NAME%: a word list above.
    pattern = re.sub(r"«\*([A-Z]+)»", lambda m: _list(m.group(1)), pattern)
    pattern = re.sub(r"«\+([A-Z]+)»", lambda m: _list(m.group(1), nationalities=False), pattern)
    pattern = re.sub(r"«([A-Z]+)»", lambda m: _slot(m.group(1)), pattern)
    for name, value in _MACROS.items():
        pattern = pattern.replace(name, value)
    pattern = pattern.replace("%POSS%", _MACROS["%POSS%"])  # macros may use this one
    return re.compile(pattern)


@dataclass(frozen=True, slots=True)
class Frame:
    """One kind of wording: the relation between the slots of groups `s` (subject) and `o` (object).
    Predicate "ROLE" reads leads/employs from the title in group `role` (person in `p`, organisation in
    `org`). `needs` lists slot codes the sentence must hold (one of each string); `cues` are lower-case
    words one of which it must contain, so that most frames are never run on most sentences."""

    id: str
    predicate: str
    pattern: re.Pattern[str]
    confidence: float
    needs: tuple[frozenset[str], ...]
    cues: Cues | None = None  # one of these words must be in the lower-cased sentence
    # Where a match can begin: a slot, or (`starts`) the words a frame opens with. A frame is tried only
    # there, not at every character, where its word lists would be tried over and over.
    starts: re.Pattern[str] | None = None
    first: frozenset[str] = frozenset()  # codes of the slots a match can begin with (empty: any)


def _first_codes(pattern: str) -> frozenset[str]:
    """The slot codes each branch of a frame's pattern begins with (a list may open with a country:
    "US companies ⟦C⟧ and ⟦C⟧"); empty when a branch begins otherwise."""
    codes: set[str] = set()
    depth = 0
    branches = [""]
    for char in pattern:
        if char == "|" and depth == 0:
            branches.append("")
            continue
        depth += (char == "(") - (char == ")")
        branches[-1] += char
    for branch in branches:
        head = re.match(r"(?:%SUBJ%)?(?:\(\?P<\w+>)?«([*+]?)([A-Z]+)»", branch)
        if head is None:
            return frozenset()
        codes |= set(head.group(2)) | ({"N"} if head.group(1) == "*" else set())
    return frozenset(codes)


@dataclass(frozen=True, slots=True)
class Cues:
    """Words one of which a sentence must hold for some frames to be tried. Most are looked up by the
    first three letters of the sentence's words (a set operation) before the search that confirms them;
    the others (punctuation, phrases, "’s") by a substring test."""

    pattern: re.Pattern[str]
    heads: frozenset[str]
    others: tuple[str, ...]

    def found(self, lowered: str, heads: set[str]) -> bool:
        if not self.heads.isdisjoint(heads) and self.pattern.search(lowered) is not None:
            return True
        return any(other in lowered for other in self.others)


_WORD_HEAD = re.compile(r"\b[a-z]{3}")


@cache
def _cue_pattern(cues: tuple[str, ...]) -> Cues | None:
    """One set of cues per distinct cue list: frames sharing a list share the answer."""
    if not cues:
        return None
    words = [cue.lower() for cue in cues]
    plain = [w for w in words if re.fullmatch(r"[a-z][a-z-]{2,}", w)]
    return Cues(
        re.compile(_words(plain)) if plain else re.compile(r"(?!)"),
        frozenset(w[:3] for w in plain),
        tuple(w for w in words if w not in plain),
    )


def _frame(
    id: str,
    predicate: str,
    pattern: str,
    confidence: float,
    needs: Iterable[str],
    cues: Iterable[str] = (),
    *,
    starts: str | None = None,
) -> Frame:
    """A frame; `cues` are words (or parts of words) the lower-cased sentence must hold for it to be tried."""
    return Frame(
        id,
        predicate,
        _compile(pattern),
        confidence,
        tuple(frozenset(need) for need in needs),
        _cue_pattern(tuple(cues)),
        re.compile(starts) if starts else None,
        frozenset() if starts else _first_codes(pattern),
    )


_OBJECT_NP = (
    # determiners and modifiers, a product used as a modifier ("its ChatGPT-like chatbot", "its GPT-4
    # rival"), a product noun, then the product itself ("chatbot, Ernie Bot", "model called X").
    r"(?:(?:the|a|an|its|their|«CO»%POSS%)\s+)?(?:%MOD%\s+){0,3}?"
    r"(?:«MH»(?:-like|-style|\s+(?:rival|competitor|challenger|alternative|killer)s?)\s+(?:%MOD%\s+){0,2}?)?"
    r"(?:%PRODUCT%\s*,?\s*(?:(?:called|named|dubbed)\s+)?)?%Q%"
)
_NOT_MODIFIER = r"(?![\w-]|%Q%\s+(?:rival|competitor|challenger|alternative|killer)s?\b|\s*-like)"
_DEVELOP_VERBS = _words(lexicon.words("relations.develop_verbs"))
_MAKE_VERBS = _words(lexicon.words("relations.make_verbs"))
_INSERT = r"(?:\s*,\s+[^,;]{1,90}+,|\s+\([^()]{1,60}+\))?"
_RESTRICT_VERBS = (
    rf"{_words(lexicon.words('relations.restrict_verbs'))}|cuts?\s+off|appl(?:y|ies)\s+to|extend(?:s|ed)?\s+to|"
    r"(?:was|were|is|are)\s+(?:designed|meant|intended|aimed)\s+to\s+(?:slow|curb|limit|restrict|contain|"
    r"hobble|hinder|block|cut\s+off|stop|hold\s+back|starve)"
)
_RESTRICT_CUE = (
    *lexicon.words("relations.restrict_verbs"),
    "cut",
    "appl",
    "extend",
    "design",
    "meant",
    "intend",
    "aim",
)
_ISSUE_VERBS = _words(lexicon.words("relations.issue_verbs"))
_ISSUED = _words(lexicon.words("relations.issued_participles"))

# "a professor at X", "director of the X Center", "former director of AI at X" (a field: employment).
_ROLE_PHRASE = (
    r"(?:(?:a|an|the)\s+)?(?:(?:former|then|current|new|longtime|deputy|senior|acting|interim)\s+)?"
    r"(?:%DESC%\s+){{0,2}}?(?P<role{n}>%TITLE%)(?P<field{n}>\s+of\s+(?!(?:the\s+)?⟦)(?:[\w&-]+\s+){{1,4}}?)?\s*"
    r"(?P<prep{n}>of|at|for|with|from)\s+(?:the\s+)?(?P<org{n}>«CON»)(?!\s+⟦N)"
)

FRAMES: tuple[Frame, ...] = (
    # --- makers of models and chips -------------------------------------------------------------------
    _frame(
        "possessive_product",
        "MAKER",
        rf"(?P<s>«CO»)(?:%POSS%|\s*,\s*whose)\s+{_OBJECT_NP}(?P<o>«*MH»){_NOT_MODIFIER}",
        0.9,
        ("CO", "MH"),
        ("’s", "'s", "whose"),
    ),
    _frame(
        "parenthesis_products",
        "MAKER",
        r"(?P<s>«C»)\s*\((?P<o>«MH»(?:\s*(?:,|&|and|/)\s*«MHC»)*)(?:\s+(?:series|family|models?|chips?))?\)",
        0.85,
        ("C", "MH"),
        ("(",),
    ),
    _frame(
        "maker_of_product",
        "MAKER",
        r"(?P<o>«*MH»)%Q%(?:-|\s+)(?:maker|developer|creator|designer|makers|developers|creators)\s+(?P<s>«CO»)"
        r"|(?P<s2>«CO»)\s*,?\s+(?:the|a|an)\s+(?:%DESC%\s+){0,3}?(?:(?:maker|developer|creator|designer|"
        r"manufacturer|producer)s?\s+of|(?:company|firm|startup|start-up|lab|team|group)\s+behind)\s+(?:the\s+)?"
        r"(?:%MOD%\s+){0,2}?%Q%(?P<o2>«*MH»)",
        0.9,
        ("CO", "MH"),
        ("maker", "developer", "creator", "designer", "behind", "manufacturer", "producer"),
    ),
    _frame(
        "made_by",
        "MAKER",
        rf"(?P<o>«*MH»)%Q%(?:\s*,?\s*(?:(?:which|that)\s+(?:is|was|were|are|has\s+been|have\s+been)\s+|"
        rf"(?:is|was|were|are)\s+(?:an?\s+|the\s+)?(?:[\w.-]+\s+){{0,6}}?)?)?(?:(?:first|jointly|originally)\s+)?"
        rf"(?:{_DEVELOP_VERBS}|{_MAKE_VERBS})\s+(?:[^⟦⟧,;]{{0,50}}?\s)?by\s+(?:the\s+)?(?:%MOD%\s+){{0,4}}?"
        rf"(?P<s>«*CO»)(?!%POSS%)"
        rf"|(?P<o2>«MH»)%Q%\s*,\s*(?:which|that)\s+(?P<s2>«CO»)\s+(?:%AUX%\s+){{0,2}}(?:{_DEVELOP_VERBS}|{_MAKE_VERBS})\b",
        0.85,
        ("CO", "MH"),
        (" by ", "which", "that"),
    ),
    _frame(
        "fronted_made_by",
        "MAKER",
        r"\b(?:Developed|Built|Released|Created|Made|Trained|Launched|Designed|Produced|Unveiled)\s+by\s+"
        r"(?:the\s+)?(?:%MOD%\s+){0,4}?(?P<s>«CO»)\s*,\s*(?:the\s+|its\s+)?(?:%MOD%\s+){0,2}?%Q%(?P<o>«*MH»)",
        0.85,
        ("CO", "MH"),
        (" by ",),
        starts=r"\b(?:Developed|Built|Released|Created|Made|Trained|Launched|Designed|Produced|Unveiled)\b",
    ),
    _frame(
        "product_from",
        "MAKER",
        r"(?P<o>«*MH»)%Q%\s+(?:%PRODUCT%\s+)?from\s+(?:the\s+)?(?:%MOD%\s+){0,3}?(?P<s>«C»)(?!%POSS%|-)",
        0.8,
        ("C", "MH"),
        ("from",),
    ),
    _frame(
        "agent_develops",
        "MAKER",
        rf"%SUBJ%(?P<s>«*CO»)%WHICH%{_INSERT}\s+(?:%AUX%\s+){{0,3}}(?P<v>(?:responded|reacted|answered)\s+by\s+"
        rf"(?:designing|developing|launching|releasing|building|training|introducing|unveiling)|{_DEVELOP_VERBS})\s+{_OBJECT_NP}(?P<o>«*MH»){_NOT_MODIFIER}",
        0.85,
        ("CO", "MH"),
        (
            "launch",
            "releas",
            "introduc",
            "unveil",
            "debut",
            "develop",
            "buil",
            "train",
            "rolled out",
            "rolls out",
            "open-sourc",
            "publish",
            "announc",
            "upgrad",
            "updated",
            "showcas",
            "creat",
            "design",
            "unleash",
        ),
    ),
    _frame(
        "agent_makes_chip",
        "makes",
        rf"%SUBJ%(?P<s>«*C»){_INSERT}\s+(?:%AUX%\s+){{0,3}}(?P<v>{_MAKE_VERBS})\s+{_OBJECT_NP}(?P<o>«*H»){_NOT_MODIFIER}",
        0.85,
        ("C", "H"),
        ("make", "made", "produc", "manufactur", "fabricat", "ship", "sell", "sold"),
    ),
    _frame(
        "hyphen_made",
        "MAKER",
        r"(?P<s>«C»)-(?:made|produced|designed|built|manufactured|fabricated|developed|trained)\s+"
        r"(?:%MOD%\s+){0,2}?(?P<o>«*MH»)",
        0.85,
        ("C", "MH"),
        (
            "-made",
            "-produced",
            "-designed",
            "-built",
            "-manufactured",
            "-fabricated",
            "-developed",
            "-trained",
        ),
    ),
    _frame(
        "foundry",
        "makes",
        r"(?P<o>«*H»)[^⟦⟧;]{0,60}?\b(?:built|made|manufactured|fabricated|produced|printed)\s+"
        r"(?:on|using|with|at|in|by)\s+(?:the\s+)?(?P<s>«C»)(?:%POSS%)?",
        0.8,
        ("C", "H"),
        ("built", "made", "manufactured", "fabricated", "produced", "printed"),
    ),
    _frame(
        "producers_of",
        "MAKER",
        r"(?:producers?|makers?|manufacturers?|suppliers?|designers?|developers?|vendors?)\s+of\s+(?:%MOD%\s+){0,2}?"
        r"(?P<o>«*MH»)(?:\s+(?:chips|memory|processors|GPUs))?\s*,?\s+(?:include|includes|including|are|such\s+as|"
        r"like)\s+(?P<s>«*C»)"
        r"|(?P<o2>«*MH»)\s+(?:producers|makers|manufacturers|suppliers|designers|developers|vendors)\s*,?\s*"
        r"(?:such\s+as|including|like)\s+(?P<s2>«*C»)",
        0.85,
        ("C", "MH"),
        ("producer", "maker", "manufacturer", "supplier", "designer", "developer", "vendor"),
        starts=r"\b(?:producers?|makers?|manufacturers?|suppliers?|designers?|developers?|vendors?)\b|⟦",
    ),
    # --- backers and owners ------------------------------------------------------------------------------
    _frame(
        "hyphen_backed",
        "invests_in",
        r"(?P<s>«*CONP»)-(?:backed|funded|financed|supported)\s+(?:%MOD%\s+){0,3}?(?P<o>«*CO»)",
        0.85,
        ("CONP", "CO"),
        ("-backed", "-funded", "-financed", "-supported"),
    ),
    _frame(
        "backed_by",
        "invests_in",
        r"(?P<o>«CO»)(?:\s*,\s*(?:an?|the|which\s+is|which\s+was)\s+[^,;⟦⟧]{0,60}?|\s+(?:is|was|has\s+been|are|were)"
        r"(?:\s+also)?(?:\s+(?:largely|partly|mainly|heavily))?)?\s+(?:backed|funded|financed|bankrolled|supported)"
        r"\s+(?:in\s+part\s+|partly\s+|mainly\s+|largely\s+)?by\s+(?:the\s+)?(?:%MOD%\s+){0,2}?(?P<s>«*CONPL»)",
        0.85,
        ("CO", "CONPL"),
        ("backed", "funded", "financed", "bankrolled", "supported"),
    ),
    _frame(
        "agent_invests",
        "invests_in",
        r"%SUBJ%(?P<s>«*CONPL»)(?:%POSS%|%WHICH%)\s+(?:%AUX%\s+){0,3}(?:(?:led|joined|took\s+part\s+in|participated\s+in)\s+"
        r"(?:a|an|the)\s+[^⟦⟧;,]{0,40}?(?:round|investment|financing|funding)\s+(?:in|for|of)|(?:took|takes|holds|"
        r"acquired|bought|has|owns)\s+(?:a|an)\s+[^⟦⟧;,]{0,30}?stake\s+in|invested|invests|invest|investing|"
        r"(?:investment|investments|stake|stakes)\s+in|(?:backs|backed|is\s+backing|funds|funded|financed)|"
        r"(?:an\s+)?(?:early\s+)?(?:investor|shareholder|backer)s?\s+(?:in|of))\s+(?:heavily\s+)?(?:in\s+|into\s+)?"
        r"(?:[$€¥£][\d.,]+\s*(?:billion|million|bn|m|b)?\s+(?:in\s+|into\s+))?(?:the\s+)?(?:%MOD%\s+){0,2}?"
        r"(?P<o>«*CO»)%NOTMOD%",
        0.8,
        ("CONPL", "CO"),
        ("invest", "stake", "back", "fund", "financed", "shareholder", "round"),
    ),
    _frame(
        "commits_money",
        "invests_in",
        r"%SUBJ%(?P<s>«*CONP»)\s+(?:%AUX%\s+){0,3}(?:committed|commits|pledged|pledges|poured|pours|put|puts|pumped|"
        r"injected|invested|invests|will\s+invest)\s+(?:(?:a|an|another|up\s+to|about|around|nearly|more\s+than|"
        r"over)\s+)*[$€¥£][\d.,]+\s*(?:billion|million|trillion|bn|m|b)?[^⟦⟧;]{0,40}?\s(?:to|in|into)\s+"
        r"(?:the\s+)?(?P<o>«*CO»)%NOTMOD%",
        0.8,
        ("CONP", "CO"),
        ("commit", "pledg", "pour", "put", "pump", "inject", "invest"),
    ),
    _frame(
        "agent_by_investing",
        "invests_in",
        r"%SUBJ%(?P<s>«NOC»)\s+(?:%AUX%\s+){0,2}[a-z]+ed\s+by\s+[^;]{0,100}?\band\s+(?:increasing|raising|boosting|"
        r"expanding|stepping\s+up|ramping\s+up|pouring|doubling)\s+(?:its\s+|their\s+)?(?:investment|investments|"
        r"funding|spending|support|stakes?)\s+(?:in|into|for)\s+(?P<o>«*CO»)",
        0.7,
        ("NOC", "CO"),
        ("investment", "funding", "spending", "support", "stake"),
    ),
    _frame(
        "owner",
        "owns",
        r"(?P<s>«CO»)%POSS%\s+(?:%DESC%\s+){0,2}?(?:subsidiary|unit|arm|division|affiliate|spin-?off)\s+(?P<o>«*CO»)"
        r"|(?P<o2>«CO»)%POSS%\s+(?:%DESC%\s+){0,2}?(?:parent|owner)(?:\s+(?:company|group|firm))?\s*,?\s+(?P<s2>«CO»)"
        r"|(?P<s3>«CO»)\s*,\s*(?:the\s+)?(?P<o3>«CO»)%POSS%\s+(?:%DESC%\s+){0,2}?(?:parent|owner)\b"
        r"|(?P<o4>«CO»)\s*,\s*(?:the\s+)?(?P<s4>«CO»)%POSS%\s+(?:%DESC%\s+){0,2}?(?:subsidiary|unit|arm|division|"
        r"affiliate|spin-?off)\b"
        r"|(?P<o5>«CO»)\s*,\s*(?:a|an|the)\s+(?:%DESC%\s+){0,3}?(?:subsidiary|unit|arm|division|affiliate|"
        r"spin-?off)\s+of\s+(?:the\s+)?(?P<s5>«CO»)"
        r"|(?P<s6>«CO»)-(?:owned|controlled)\s+(?:%MOD%\s+){0,2}?(?P<o6>«CO»)"
        r"|(?P<o7>«CO»)\s*,?\s+(?:which\s+is\s+|is\s+|was\s+)?(?:wholly\s+|majority\s+|partly\s+)?(?:owned|"
        r"controlled)\s+by\s+(?P<s7>«*CONP»)"
        r"|%SUBJ%(?P<s8>«CONP»)\s+(?:%AUX%\s+){0,2}(?:acquired|acquires|bought|buys|owns|took\s+over|takes\s+over)\s+"
        r"(?:the\s+)?(?P<o8>«*CO»)%NOTMOD%",
        0.85,
        ("CONP", "CO"),
        (
            "subsidiary",
            "unit",
            "arm",
            "division",
            "affiliate",
            "spin",
            "parent",
            "owner",
            "owned",
            "controlled",
            "acquire",
            "bought",
            "buys",
            "owns",
            "took over",
            "takes over",
        ),
    ),
    _frame(
        "founded_by",
        "leads",
        r"(?P<o>«CO»)\s*,?\s+(?:which\s+|that\s+)?(?:was\s+|is\s+)?(?:co-?founded|founded|started|set\s+up|led|headed|"
        r"run)\s+(?:in\s+\d{4}\s+)?by\s+(?:(?:[\w-]+|⟦C\d+⟧)\s+){0,4}?(?P<s>«*P»)",
        0.8,
        ("CO", "P"),
        ("founded", "started", "set up", "led by", "headed", "run by"),
    ),
    _frame(
        "possessive_company",
        "owns",
        r"(?P<s>«C»)%POSS%\s+(?P<o>«C»)(?!%POSS%|[\w-]|\s+(?:alliance|partnership|tie-up|collaboration|deal|deals|rival|"
        r"rivals|competitor|peer|counterpart|and|investment|investments|stake|stakes|bet|backing|rivalry|contract|"
        r"contracts|venture|agreement|acquisition|takeover|bid|offer|shares|stock|merger|talks|relationship|ties|"
        r"dispute|lawsuit|chips?|models?|orders?|sales|purchases?|customers?)\b)",
        0.7,
        ("C", "C"),
        ("’s", "'s"),
    ),
    _frame(
        "unit_of",
        "owns",
        r"(?P<o>«O»)\s+(?:at|of|within)\s+(?:the\s+)?(?P<s>«O»)"
        r"|(?P<s2>«O»)%POSS%\s+(?P<o2>«O»)"
        r"|(?<=\()(?P<o3>«O»)\s*,\s*(?P<s3>«O»)\)",
        0.75,
        ("O", "O"),
        (" at ", " of ", " within ", "’s", "'s", "("),
    ),
    # --- partners -----------------------------------------------------------------------------------------
    _frame(
        "partnered_with",
        "partners_with",
        r"%SUBJ%(?P<s>«CON»)(?:%POSS%|%WHICH%)?\s+(?:%AUX%\s+){0,3}(?:partnered|partners|partnering|teamed\s+up|"
        r"teams\s+up|allied|collaborated|collaborates|(?:(?:announced|formed|struck|signed|expanded|expand|"
        r"deepened|entered(?:\s+into)?|has|have|had)\s+(?:a|an|its|their|the)\s+)?(?:(?:[\w-]+|⟦[A-Z]\d+⟧)\s+){0,2}?"
        r"(?:partnership|alliance|collaboration|tie-up|joint\s+venture|deal|agreement|pact)s?)\s+with\s+"
        r"(?:the\s+)?(?P<o>«*CON»)%NOTMOD%",
        0.85,
        ("CON", "CON"),
        (
            "partner",
            "teamed",
            "teams up",
            "allied",
            "alliance",
            "collaboration",
            "tie-up",
            "joint venture",
            "deal",
            "agreement",
            "pact",
        ),
    ),
    _frame(
        "partners_pair",
        "partners_with",
        r"(?P<s>«C»)\s+and\s+(?P<o>«C»)\s+(?:%AUX%\s+){0,2}(?:announced|signed|formed|struck|agreed|unveiled|"
        r"launched)\s+(?:a|an)\s+[^⟦⟧;]{0,30}?(?:partnership|alliance|deal|agreement|collaboration|joint\s+venture|"
        r"pact)"
        r"|(?:partnership|alliance|collaboration|joint\s+venture|deal|tie-up)\s+between\s+(?P<s2>«CON»)\s+and\s+"
        r"(?P<o2>«CON»)",
        0.85,
        ("C", "C"),
        ("partnership", "alliance", "deal", "agreement", "collaboration", "joint venture", "pact", "tie-up"),
        starts=r"⟦|\b(?:partnership|alliance|collaboration|joint venture|deal|tie-up)\b",
    ),
    _frame(
        "possessive_partner",
        "partners_with",
        r"(?P<s>«CO»)%POSS%\s+(?:%MOD%\s+){0,3}?(?:partner|ally|joint-venture\s+partner)\s+(?P<o>«*CO»)"
        r"|(?P<s2>«C»)%POSS%\s+(?P<o2>«C»)\s+(?:alliance|partnership|tie-up|collaboration|deal)"
        r"|(?P<o3>«CO»)\s*,\s*(?:the\s+)?(?P<s3>«CO»)%POSS%\s+(?:%MOD%\s+){0,2}?(?:partner|ally)\b",
        0.8,
        ("CO", "CO"),
        ("partner", "ally", "alliance", "tie-up", "collaboration", "deal"),
    ),
    # --- who leads and employs whom ----------------------------------------------------------------------
    _frame(
        "organisation_title_person",
        "ROLE",
        r"(?P<org>«CON»)(?:%POSS%)?\s+(?:(?:former|then|current|new|outgoing|incoming|acting|interim|longtime|"
        r"deputy|senior|rotating|founding)\s+)?(?P<role>%TITLE%)\s*,?\s+(?P<p>«P»)",
        0.9,
        ("CON", "P"),
        _TITLE_CUE,
    ),
    _frame(
        "of_organisation_title_person",
        "ROLE",
        r"(?:(?<=\bof )|(?<=\bat )|(?<=\bAt )|(?<=\bof the )|(?<=\bat the ))(?P<org>«CO»)\s*,\s+(?P<role>(?:[A-Z][a-z]+[- ])?[A-Z][a-z]+|[A-Z]{2,4})\s+"
        r"(?P<p>«P»)",
        0.7,
        ("CO", "P"),
        _TITLE_CUE,
    ),
    _frame(
        "organisation_title_comma_person",
        "ROLE",
        r"(?P<org>«CO»)%POSS%\s+(?:(?:former|current|new)\s+)?(?P<role>%TITLE%)(?P<field>\s+of\s+(?!(?:the\s+)?⟦)[\w&-]+(?:\s+[\w&-]+){0,3}?)?"
        r"\s*,\s*(?P<p>«P»)",
        0.85,
        ("CO", "P"),
        ("’s", "'s"),
    ),
    _frame(
        "person_organisation_title",
        "ROLE",
        r"(?P<p>«P»)\s*,\s+(?:(?:the|a|an)\s+)?(?:(?:former|current|new|longtime|senior)\s+)?(?P<org>«CON»)(?:%POSS%)?\s+"
        r"(?:(?:former|current|new|longtime)\s+)?(?:%DESC%\s+){0,2}?(?P<role>%TITLE%)\b(?!\s+⟦P)",
        0.85,
        ("CON", "P"),
        _TITLE_CUE,
    ),
    _frame(
        "person_founded",
        "leads",
        r"%SUBJ%(?P<s>«P»)\s*,?\s+(?:who\s+)?(?:%AUX%\s+){0,2}(?:co-?founded|founded|heads|headed|leads|runs|ran|chairs|"
        r"chaired)\s+(?:the\s+)?(?:%DESC%\s+){0,2}?(?P<o>«CO»)",
        0.8,
        ("P", "CO"),
        ("founded", "heads", "headed", "leads", "runs", "ran", "chairs", "chaired"),
    ),
    _frame(
        "person_joined",
        "employs",
        r"%SUBJ%(?P<o>«P»)\s*,?\s+(?:who\s+)?(?:%AUX%\s+){0,2}(?:joined|works\s+(?:at|for)|worked\s+(?:at|for))\s+"
        r"(?:the\s+)?(?P<s>«CO»)",
        0.7,
        ("P", "CO"),
        ("joined", "works", "worked"),
    ),
    _frame(
        "person_title_of_organisation",
        "ROLE",
        rf"(?P<p>«P»)\s*,\s+{_ROLE_PHRASE.format(n='')}(?:\s*(?:,\s*|\s+)and\s+{_ROLE_PHRASE.format(n='2')})?",
        0.85,
        ("P", "CON"),
        _TITLE_CUE,
    ),
    _frame(
        "affiliation_parenthesis",
        "employs",
        r"(?P<o>«P»)\s+\((?:[^()⟦⟧]{0,30}?,\s*)?(?P<s>«CO»)",
        0.75,
        ("P", "CO"),
        ("(",),
    ),
    _frame(
        "photo_credit",
        "employs",
        r"(?P<s>«CO»)\s*/\s*(?P<o>«P»)|(?P<o2>«P»)\s*/\s*(?P<s2>«CO»)",
        0.75,
        ("P", "CO"),
        ("/",),
    ),
    _frame(
        "head_of_state",
        "STATE",
        rf"\b(?P<role>{_STATE_TITLES})\s+(?P<p>«P»)",
        0.7,
        ("P",),
        ("president", "premier", "prime minister", "chancellor"),
        starts=rf"\b{_STATE_TITLES}\b",
    ),
    # --- where a company is from -------------------------------------------------------------------------
    _frame(
        "nationality_kind",
        "headquartered_in",
        r"(?<!N\d⟧ and )(?<!N\d\d⟧ and )(?<!N\d⟧ or )(?P<o>«N»)(?!\s+(?:and|or)\s+⟦N)(?:%POSS%|-based|-headquartered)?\s+(?:%DESC%\s+){0,3}?(?:%GROUP%)(?:\s*,?\s*(?:such\s+as|"
        r"including|like|e\.g\.|notably|namely|especially)\s+|\s*:\s*|\s+)(?:the\s+)?(?P<s>«+CO»)",
        0.9,
        ("N", "CO"),
        _GROUP_CUE,
    ),
    _frame(
        "based_nationality",
        "headquartered_in",
        r"(?P<o>«N»)-(?:based|headquartered)\s+(?:%DESC%\s+){0,3}?(?:(?:%GROUP%)\s+)?(?P<s>«+CO»)"
        r"|(?P<s2>«+CO»)\s*,?\s+(?:which\s+is\s+|is\s+|are\s+|was\s+)?(?:based|headquartered|located)\s+in\s+"
        r"(?:[A-Z][\w]+\s*,\s+)?(?P<o2>«N»)",
        0.9,
        ("N", "CO"),
        ("based", "headquartered", "located"),
    ),
    _frame(
        "nationality_possessive",
        "headquartered_in",
        r"(?P<o>«N»)%POSS%\s+(?:%DESC%\s+){0,3}?(?:(?:%GROUP%)\s*,?\s*(?:(?:such\s+as|including|like)\s+)?)?(?P<s>«+CO»)",
        0.85,
        ("N", "CO"),
        ("’s", "'s"),
    ),
    _frame(
        "company_described_national",
        "headquartered_in",
        r"(?P<s>«CO»)\s*(?:,|–|—|-|\(|\s(?:is|was|remains|became))\s*(?:(?:billed|described|known|seen|touted|hailed)\s+as\s+)?(?:(?:an?|the|one\s+of)"
        r"\s+)?(?:(?:%DESC%|emerging|ambitious)\s+){0,3}?(?P<o>«N»)(?:%POSS%|-based|-headquartered)?\s+(?:%DESC%\s+){0,3}?"
        r"(?:%GROUP%)\b",
        0.9,
        ("N", "CO"),
        _GROUP_CUE,
    ),
    _frame(
        "company_of_country",
        "headquartered_in",
        r"(?P<s>«*C»)\s+of\s+(?P<o>«N»)(?!%POSS%)",
        0.8,
        ("N", "C"),
        (" of ",),
    ),
    _frame(
        "one_of_countrys",
        "headquartered_in",
        r"(?P<s>«*C»)(?:\s+(?:is|are|was|were)\s+(?:grouped|listed|ranked|counted|named)\s+(?:with|alongside)\s+"
        r"(?P<sx>«*C»))?\s*,?\s+(?:(?:is|are|was|were|remains|as|,)\s+)?(?:one\s+of|among|part\s+of)\s+(?P<o>«N»)%POSS%",
        0.85,
        ("N", "C"),
        ("one of", "among", "part of"),
    ),
    _frame(
        "country_ecosystem_players",
        "headquartered_in",
        r"(?P<o>«N»)%POSS%\s+(?:%DESC%\s+){0,2}(?:ecosystem|industry|sector|market|landscape|scene)\b[^⟦⟧;]{0,60}?"
        r"\b(?:%GROUP%)\s*(?:[–—:-]|,?\s*(?:such\s+as|including|like|e\.g\.))\s*(?P<s>«*CO»)"
        r"(?:[^⟦⟧;.]{0,50}?\b(?:%GROUP%)\s*,?\s*(?:such\s+as|including|like)\s+(?P<sx>«*CO»))?",
        0.8,
        ("N", "CO"),
        ("ecosystem", "industry", "sector", "market", "landscape", "scene"),
    ),
    _frame(
        "adjective_nationality",
        "headquartered_in",
        r"(?P<o>«N»)\s+(?P<s>«C»)",
        0.75,
        ("N", "C"),
    ),
    _frame(
        "domestic_kind",
        "DOMESTIC",
        r"\b[Dd]omestic\s+(?:%DESC%\s+){0,3}?(?:%GROUP%|production|industry|sector|champions?|alternatives?)"
        r"(?:\s*,?\s*\(?\s*(?:such\s+as|including|like|e\.g\.,?|notably)\s+|\s+)(?P<s>«+CO»)"
        r"|(?P<s2>«CO»)[^⟦⟧;]{0,50}?\bas\s+(?:a|an|the)\s+(?:%DESC%\s+){0,2}?domestic\s+(?:%DESC%\s+){0,2}?(?:%GROUP%)\b",
        0.75,
        ("CO",),
        ("domestic",),
        starts=r"\b[Dd]omestic\b|⟦",
    ),
    # --- policies: who issued them and whom they restrict ------------------------------------------------
    _frame(
        "issuer_before_policy",
        "issued_by",
        r"(?P<o>«NO»)(?:%POSS%)?\s+(?:(?:new|latest|proposed|planned|sweeping|updated|recent|expanded|tightened|"
        r"controversial|so-called|outgoing|own|first|landmark|\d{4})\s+){0,2}%Q%(?P<s>«*L»)",
        0.85,
        ("NO", "L"),
    ),
    _frame(
        "agent_issues_policy",
        "issued_by",
        rf"%SUBJ%(?P<o>«*NO»){_INSERT}\s+(?:%AUX%\s+){{0,3}}(?:{_ISSUE_VERBS})\s+(?:(?:the|a|an|its|their|«NO»%POSS%)\s+)?"
        rf"(?:%MOD%\s+){{0,3}}?%Q%(?P<s>«*L»)",
        0.85,
        ("NO", "L"),
        (
            "announc",
            "impos",
            "issue",
            "introduc",
            "pass",
            "unveil",
            "adopt",
            "enact",
            "approv",
            "publish",
            "release",
            "set",
            "launch",
            "implement",
            "propos",
            "draft",
            "rolled out",
            "finali",
            "tighten",
            "expand",
            "updated",
            "extended",
            "signed",
            "unleash",
            "put in place",
        ),
    ),
    _frame(
        "agent_policy_act",
        "issued_by",
        r"%SUBJ%(?P<o>«*NO»)\s+(?:%AUX%\s+){0,3}(?P<s>«L»)",
        0.75,
        ("NO", "L"),
    ),
    _frame(
        "agent_retaliates_with_policy",
        "issued_by",
        r"%SUBJ%(?P<o>«NO»)\s+(?:%AUX%\s+){0,2}(?:retaliated|responded|reacted|hit\s+back|struck\s+back|countered)\s+"
        r"(?:[^⟦⟧;]{0,30}?\s)?(?:by|with)\s+(?P<s>«*L»)",
        0.8,
        ("NO", "L"),
        ("retaliat", "respond", "react", "hit back", "struck back", "counter"),
    ),
    _frame(
        "introduction_of_policy",
        "issued_by",
        r"(?P<o>«NO»)%POSS%\s+(?:introduction|adoption|imposition|announcement|passage|enactment|rollout|release|"
        r"issuance|tightening|expansion)\s+of\s+(?:the\s+)?(?:%MOD%\s+){0,3}?(?P<s>«*L»)",
        0.85,
        ("NO", "L"),
        (
            "introduction",
            "adoption",
            "imposition",
            "announcement",
            "passage",
            "enactment",
            "rollout",
            "release",
            "issuance",
            "tightening",
            "expansion",
        ),
    ),
    _frame(
        "policy_issued_by",
        "issued_by",
        rf"(?P<s>«*L»)%Q%\s*,?\s*(?:(?:which|that)\s+(?:was|were|is|are|has\s+been|have\s+been)\s+|(?:was|were|is|are)"
        rf"\s+(?:(?:first|recently|originally|jointly)\s+)?)?(?:{_ISSUED})\s+(?:(?!to\b|be\b|enforced\b|administered\b)[\w.]+\s+){{0,3}}?by\s+"
        rf"(?:the\s+)?(?:%MOD%\s+){{0,2}}?(?P<o>«*NO»)"
        r"|(?P<s2>«L»)\s+by\s+(?:(?:several|many|some|other|multiple|a\s+number\s+of)\s+(?:countries|nations|"
        r"governments)\s*,?\s*(?:including|such\s+as|like|notably)\s+)?(?:the\s+)?(?P<o2>«*NO»)"
        rf"|(?P<s3>«L»)%Q%\s*,\s*(?:which|that)\s+(?:the\s+)?(?P<o3>«NO»)\s+(?:%AUX%\s+){{0,2}}(?:{_ISSUE_VERBS})\b",
        0.8,
        ("NO", "L"),
        (" by ", "which", "that"),
    ),
    _frame(
        "national_measures_list",
        "issued_by",
        r"(?P<o>«NO»)(?:%POSS%)?\s+(?:%DESC%\s+){0,2}?(?:counter-?measures|measures|policies|rules|regulations|"
        r"restrictions|sanctions|controls|curbs|tariffs|bans|responses|retaliation|initiatives|programs|"
        r"programmes|plans|steps|actions|subsidies|incentives)\s*(?:[–—:-]|,?\s*(?:such\s+as|including|like|"
        r"e\.g\.,?))\s*(?:from\s+)?(?P<s>«L»)(?:\s+(?:to|and|,)\s+(?P<sx>«*L»))?",
        0.75,
        ("NO", "L"),
        (
            "measures",
            "policies",
            "rules",
            "regulations",
            "restrictions",
            "sanctions",
            "controls",
            "curbs",
            "tariffs",
            "bans",
            "responses",
            "retaliation",
            "initiatives",
            "programs",
            "programmes",
            "plans",
            "steps",
            "actions",
            "subsidies",
            "incentives",
        ),
    ),
    _frame(
        "policy_restricts",
        "restricts",
        rf"(?P<s>«L»)%Q%%WHICH%\s+(?:%AUX%\s+){{0,3}}(?:{_RESTRICT_VERBS})\s+(?:the\s+)?(?:(?:sale|sales|export|exports|"
        rf"shipment|shipments|supply|access|use|development|growth)\s+(?:of|to)\s+)?(?:%MOD%\s+){{0,3}}?"
        rf"(?P<o>«*CHNMOP»)",
        0.85,
        ("L", "CHNMOP"),
        _RESTRICT_CUE,
    ),
    _frame(
        "policy_prevents_supply",
        "restricts",
        r"(?P<s>«L»)(?:[^;⟦]|⟦[CNMOP]\d+⟧){0,80}?\b(?:supplying|selling|exporting|shipping|buying|obtaining|"
        r"accessing|acquiring|importing|sale|sales|export|exports|shipments?|supply|access\s+to|purchases?)\s+"
        r"(?:of\s+)?(?:(?:their|its|the|any)\s+)?(?:%MOD%\s+){0,3}?(?P<o>«*H»)",
        0.75,
        ("L", "H"),
        ("suppl", "sell", "export", "ship", "buy", "obtain", "access", "acquir", "import", "sale", "purchas"),
    ),
    _frame(
        "policy_destination",
        "restricts",
        r"(?P<s>«L»)(?:(?!\b(?:but|while|whereas|although)\b)[^;⟦]|⟦[CHMO]\d+⟧){0,60}?\b(?:export|exports|exporting|"
        r"sale|sales|selling|sell|ship|shipping|shipments|supplying|supply|access)\b(?:(?!\b(?:but|while|whereas|"
        r"although)\b)[^;⟦]|⟦[CHMO]\d+⟧){0,80}?\b(?:to|for|into)\s+(?:the\s+)?(?P<o>«N»)(?!-)",
        0.75,
        ("L", "N"),
        ("export", "sale", "sell", "ship", "suppl", "access"),
    ),
    _frame(
        "added_to_list",
        "restricts",
        r"(?:(?P<issuer>«*NO»)\s+(?:%AUX%\s+){0,3})?(?:added|adds|add|put|puts|placed|places|blacklisted)\s+"
        r"(?:(?:another|more\s+than|over|about|nearly|some)\s+)?(?:[\d,]+\s+)?(?:more\s+|other\s+)?"
        r"(?:(?P<ox>«N»)\s+(?:%DESC%\s+){0,2}?(?:companies|firms|entities|organizations|organisations|groups|"
        r"institutions|universities|labs|chipmakers|businesses)|(?P<o>«*CO»))(?P<incl>[^⟦⟧;]{0,40}?\bincluding\s+"
        r"(?:the\s+)?(?:%MOD%\s+){0,3}?(?P<ox2>«*CO»))?[^⟦⟧;]{0,40}?\b(?:to|on)\s+(?:the\s+)?(?:(?:%MOD%|«NO»)\s+){0,2}?"
        r"(?P<s>«L»)(?:[^⟦⟧;]{0,40}?\bincluding\s+(?:the\s+)?(?:%MOD%\s+){0,3}?(?P<ox3>«*CO»))?",
        0.85,
        ("L",),
        ("add", "put", "placed", "places", "blacklisted"),
        starts=r"⟦|\b(?:added|adds|add|put|puts|placed|places|blacklisted)\b",
    ),
    _frame(
        "was_added_to_list",
        "restricts",
        rf"%SUBJ%(?P<o>«*CHO»)(?:\s*,\s*(?:which|that)\s+|{_INSERT}\s+)(?:%AUX%\s+){{0,3}}(?:was|were|is|are|has\s+been|have\s+been|had\s+been|being|got|get)\s+"
        r"(?:(?:also|previously|already|recently|first|later|still)\s+)?(?:(?:added|put|placed|included|listed|"
        r"blacklisted)\s+(?:to|on|in)|on)\s+(?:the\s+)?(?:(?:%MOD%|«NO»)\s+){0,3}?(?P<s>«L»)",
        0.85,
        ("CHO", "L"),
        ("added", "put", "placed", "included", "listed", "blacklisted", "on the"),
    ),
    _frame(
        "restricted_by_policy",
        "restricts",
        r"%SUBJ%(?P<o>«*CHNMO»)\s+(?:%AUX%\s+){0,3}(?:was|were|is|are|has\s+been|have\s+been|had\s+been|being|remains?)\s+"
        r"(?:(?:also|still|already|heavily|severely|largely)\s+)?(?:restricted|banned|barred|blocked|sanctioned|"
        r"targeted|hit|affected|constrained|hampered|blacklisted|limited|covered)\s+by\s+(?:the\s+)?"
        r"(?:%MOD%\s+){0,3}?(?P<s>«L»)",
        0.85,
        ("CHNMO", "L"),
        (" by ",),
    ),
    _frame(
        "must_abide",
        "restricts",
        r"%SUBJ%(?P<o>«*CNO»)\s*,?\s+(?:must|will|would|has\s+to|have\s+to|is|are|will\s+have\s+to|needs?\s+to)\s+"
        r"(?:also\s+)?(?:abide\s+by|comply\s+with|be\s+subject\s+to|subject\s+to|be\s+covered\s+by|follow)\s+"
        r"(?:the\s+)?(?:%MOD%\s+){0,3}?%Q%(?P<s>«L»)",
        0.8,
        ("CNO", "L"),
        ("abide", "comply", "subject to", "covered by", "follow"),
    ),
    _frame(
        "target_of_policy",
        "restricts",
        r"%SUBJ%(?P<o>«CNO»)\s+(?:is|was|remains|has\s+been|became)\s+(?:at\s+)?(?:the\s+)?(?:main|primary|chief|key|"
        r"biggest|latest)?\s*(?:target|focus|center|centre)\s+of\s+(?:the\s+)?(?:%MOD%\s+){0,2}?(?P<s>«L»)",
        0.8,
        ("CNO", "L"),
        ("target", "focus", "center", "centre"),
    ),
    _frame(
        "policy_on",
        "restricts",
        r"(?P<s>«L»)%Q%\s+(?:on|against|targeting|aimed\s+at)\s+(?:the\s+)?(?:%MOD%\s+){0,2}?(?P<o>«*CHNMO»)",
        0.8,
        ("L", "CHNMO"),
        (" on ", "against", "targeting", "aimed at"),
    ),
    _frame(
        "banned_in_policy_sentence",
        "restricts",
        r"(?P<s>«L»)[^;]{0,120}?\b(?:banned|blacklisted|sanctioned|restricted)\s+(?P<o>«CH»)",
        0.65,
        ("L", "CH"),
        ("banned", "blacklisted", "sanctioned", "restricted"),
    ),
)


@cache
def _groups(
    pattern: re.Pattern[str],
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...], bool, bool]:
    """A frame pattern's group pairs (s/o, s2/o2 …), extra subject and object groups, and whether it
    names its verb (`v`) and an issuer (`issuer`): read once per pattern, not per match."""
    names = pattern.groupindex
    pairs = (("s", "o"), *((f"s{n}", f"o{n}") for n in range(2, 10) if f"s{n}" in names))
    extra_subjects = tuple(name for name in names if name.startswith("sx"))
    extra_objects = tuple(name for name in names if name.startswith("ox"))
    return pairs, extra_subjects, extra_objects, "v" in names, "issuer" in names


@lru_cache(maxsize=256)
def _frames_for(
    counts: tuple[tuple[str, int], ...],
) -> tuple[tuple[Cues | None, tuple[Frame, ...]], ...]:
    """The frames whose slot types a sentence has, given how many slots of each code it has (capped at 2;
    few distinct combinations occur), grouped by their cue words so that one look settles a group. A
    need given twice ("C", "C") wants two such slots."""
    have = dict(counts)
    groups: dict[Cues | None, list[Frame]] = {}
    for frame in FRAMES:
        if all(sum(have.get(code, 0) for code in need) >= frame.needs.count(need) for need in frame.needs):
            groups.setdefault(frame.cues, []).append(frame)
    return tuple((cues, tuple(frames)) for cues, frames in groups.items())


# Inside a descriptive policy name ("tariffs on Chinese exports", "banning the import of US Micron chips"):
# what it is on or against, and who issued it when the name begins with them ("US chip ban").
_INNER_FRAMES: tuple[Frame, ...] = (
    _frame(
        "policy_name_target",
        "restricts",
        r"\b(?:on|against|targeting|of|to|from)\s+(?:the\s+)?(?:(?:⟦N\d+⟧|%MOD%)\s+){0,2}?(?P<o>«*CHNMO»)(?!\s*⟦)",
        0.75,
        ("CHNMO",),
        starts=r"\b(?:on|against|targeting|of|to|from)\b",
    ),
    _frame("policy_name_issuer", "issued_by", r"^(?P<o>«NO»)(?:%POSS%)?\s", 0.85, ("NO",)),
    _frame("adjective_nationality", "headquartered_in", r"(?P<o>«N»)\s+(?P<s>«C»)", 0.75, ("N", "C")),
)

# A country named as an adjective ("US Micron chips", "Chinese Huawei"), not as a place ("China Huawei").
_ADJECTIVAL_COUNTRY = re.compile(r"[A-Z]\.?[A-Z]\.?(?:[A-Z]\.?)?|.*(?:ese|ian|ean|can|ish|i|ch|man)")
# An organisation that is part of another: "the Wadhwani AI Center at CSIS", "the Commerce Department's BIS".
_UNIT_NAME = re.compile(
    r"\b(?:Center|Centre|Institute|Lab|Laboratory|Bureau|School|Office|Division|Unit|Program|Programme|"
    r"Initiative|Academy|College|Agency|Administration|Service|Council|Commission)\b"
)
_GOVERNMENT = re.compile(
    r"\b(?:government|state|national|provinc\w*|central|regulators?|authorities|ministry|the country)\b", re.I
)
_SPEECH = re.compile(
    rf"[“”\"]|\b(?:{lexicon.alternation('speech_verbs', 'attribution_verbs')}|according to|points? out|thinks)\b"
)

# --- pronouns -----------------------------------------------------------------------------------------

_PRONOUN = re.compile(
    r"\b(?:(?P<its>[Ii]ts)|(?P<it>[Ii]t)(?=\s+(?:\w+ly\s+)?(?:has|had|have|is|was|will|would|also|[a-z]+ed|"
    r"[a-z]+s)\b)|(?P<company>[Tt]he\s+(?:[\w-]+-based\s+|AI\s+|tech\s+|chip\s+)?(?:company|firm|startup|"
    r"start-up|chipmaker|group|lab))|(?P<country>[Tt]he\s+(?:country|nation)(?=[’']s))|(?P<plural>(?:[Tt]hese|"
    r"[Tt]hose)\s+(?:\w+\s+)?(?:companies|firms|makers|chipmakers|producers|suppliers)))\b(?!\s+(?:such\s+as|"
    r"like|including))"
)
# Wording between a country and a policy that makes the country its target, not its author.
_NOT_ISSUING = re.compile(
    r"\b(?:by|despite|amid|against|under|from|facing|faces|faced|hit|restricted|constrained|targeted|affected|"
    r"blocked|banned|sanction\w*|curb\w*|limit\w*|lobb\w*|criticis\w*|criticiz\w*|oppos\w*|challeng\w*)\b"
)
_ONE_SLOT_FRAMES = re.compile(rf"\b(?:[Dd]omestic|{_STATE_TITLES})\b")
_ACT = re.compile(r"[a-z]+(?:ed|ing)\b")
_MODIFIES = _compile(r"(?:[’']s|-[a-z]+)?(?:\s+(?:%DESC%|%GROUP%))*\s+")
_CLAUSE_BREAK = re.compile(r";|,\s+(?:while|but|whereas|although|though|and)\s|\s[–—]\s|:\s")
# An opening phrase before the subject: "In March, ", "Following Washington's ban, ", "Meanwhile, ".
_OPENER = re.compile(
    r"\s*(?:(?:In|On|At|During|After|Following|Since|Before|Despite|Amid|Under|With|Without|For|From|By|"
    r"Through|Unlike|Like|As|While|When|Once|Earlier|Later|Previously|Meanwhile|However|Notably|Still|Yet|"
    r"Also|Instead|Today|Now|Then|Last|This|Speaking|According|Separately|Similarly|Moreover|Besides|"
    r"Overall|Recently|Already|Indeed|Yesterday)\b[^,;]{0,80},\s*)"
)
_TITLE_IN_NAME = re.compile(
    r"(?:(?:Chinese|US|U\.S\.|American)\s+)?(?:President|Premier|Prime Minister|Chairman|CEO)\s+"
)


@dataclass(slots=True)
class _Slot:
    entity_id: str
    type: str
    start: int
    end: int
    text: str
    pronoun: bool = False


@dataclass(slots=True)
class _Encoded:
    text: str
    slots: list[_Slot]
    codes: set[str]
    counts: tuple[tuple[str, int], ...]  # slots per code, capped at 2, sorted
    # Pieces of the encoded text in order: (encoded start, original start, original end, is a slot token).
    pieces: list[tuple[int, int, int, bool]]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the encoded span [start, end): a slot token maps to its whole mention."""
        keys = [piece[0] for piece in self.pieces]  # a handful of pieces, and only for a match
        first = self.pieces[bisect_right(keys, start) - 1]
        last = self.pieces[bisect_right(keys, end - 1) - 1]
        a = first[1] if first[3] else first[1] + start - first[0]
        b = last[2] if last[3] else last[1] + end - last[0]
        return a, b


def _encode(text: str, start: int, end: int, slots: list[_Slot]) -> _Encoded:
    """text[start:end] with each slot's span replaced by its token; slots sharing one span (a plural
    pronoun standing for several companies) become a list, "⟦C1⟧ and ⟦C2⟧"."""
    out: list[str] = []
    pieces: list[tuple[int, int, int, bool]] = []
    used: list[_Slot] = []
    codes: set[str] = set()
    pos = start
    length = 0
    n = 0
    while n < len(slots):
        slot = slots[n]
        group = [slot]
        while n + len(group) < len(slots) and slots[n + len(group)].start == slot.start:
            group.append(slots[n + len(group)])
        n += len(group)
        if slot.start < pos:
            continue
        head = slot.start
        if slot.type == "person" and not slot.pronoun:
            # A title the name carries ("President Xi Jinping") is wording, not the name.
            title = _TITLE_IN_NAME.match(slot.text)
            if title and title.end() < len(slot.text):
                head = slot.start + title.end()
        if head > pos:
            pieces.append((length, pos, head, False))
            out.append(text[pos:head])
            length += head - pos
        tokens = []
        for member in group:
            tokens.append(f"⟦{_CODE[member.type]}{len(used)}⟧")
            used.append(member)
            codes.add(_CODE[member.type])
        token = " and ".join(tokens)
        if slot.pronoun and slot.text.lower() == "its":
            token += "’s"  # "its" is a possessive: "⟦C3⟧’s"
        pieces.append((length, head, slot.end, True))
        out.append(token)
        length += len(token)
        pos = slot.end
    pieces.append((length, pos, end, False))
    out.append(text[pos:end])
    tally: dict[str, int] = {}
    for member in used:
        code = _CODE[member.type]
        tally[code] = min(2, tally.get(code, 0) + 1)
    return _Encoded("".join(out), used, codes, tuple(sorted(tally.items())), pieces)


@dataclass(frozen=True, slots=True)
class RelationKnowledge:
    """What the catalog knows that bears on a stated relation: the relations it holds, each product's maker,
    each entity's country, parents, a policy's issuer and a person's role."""

    known: frozenset[tuple[str, str, str]]
    maker: dict[str, str]
    country: dict[str, str]
    parents: dict[str, frozenset[str]]
    issuer: dict[str, str]
    role: dict[str, str]

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> RelationKnowledge:
        """Built once per pipeline from the catalog's relations and entity attributes."""
        known = frozenset((r.subject, r.predicate, r.object) for r in catalog.relations)
        maker: dict[str, str] = {}
        country: dict[str, str] = {}
        issuer: dict[str, str] = {}
        role: dict[str, str] = {}
        parents: dict[str, set[str]] = {}
        for s, p, o in known:
            if p in ("develops", "makes"):
                maker.setdefault(o, s)
            elif p == "owns":
                parents.setdefault(o, set()).add(s)
            elif p == "headquartered_in":
                country.setdefault(s, o)
            elif p == "issued_by":
                issuer.setdefault(s, o)
        for e in catalog.entities.values():
            attributes = e.attributes
            for key in ("developer", "maker"):
                if isinstance(attributes.get(key), str):
                    maker[e.id] = attributes[key]
            for key, table in (("country", country), ("issuer", issuer), ("role", role)):
                if isinstance(attributes.get(key), str):
                    table[e.id] = attributes[key]
            if isinstance(attributes.get("parent"), str):
                parents.setdefault(e.id, set()).add(attributes["parent"])
        return cls(known, maker, country, {k: frozenset(v) for k, v in parents.items()}, issuer, role)

    def related(self, a: str, b: str) -> bool:
        """One owns the other, or both belong to the same parent (Alibaba, Alibaba Cloud)."""
        pa, pb = self.parents.get(a, frozenset()), self.parents.get(b, frozenset())
        return a in pb or b in pa or bool(pa & pb)


_NO_KNOWLEDGE = RelationKnowledge(frozenset(), {}, {}, {}, {}, {})
Found = dict[tuple[str, str, str], RelationRecord]


class RelationReader:
    """Reads the relations one article states, sentence by sentence, remembering what its pronouns can
    refer to: the company and the country recent sentences were about, the companies just named."""

    def __init__(
        self,
        text: str,
        records: dict[str, EntityRecord],
        knowledge: RelationKnowledge | None = None,
        focus_country: str | None = None,
    ) -> None:
        self.text = text
        self.records = records
        self.knowledge = knowledge or _NO_KNOWLEDGE
        self.focus_country = focus_country
        self.topic_company: str | None = None
        self.topic_country: str | None = focus_country
        self.previous_companies: list[str] = []
        self._start = 0

    def read(self, start: int, end: int, mentions: list[MentionRecord]) -> list[RelationRecord]:
        """Relations stated by the sentence text[start:end], given its entity mentions."""
        self._start = start
        slots = self._top_level(mentions)
        found: Found = {}
        if slots:
            every = self._with_pronouns(start, end, slots)
            # One slot is enough for "domestic peers such as X" and "President X" (the other end is known).
            if len(every) >= 2 or _ONE_SLOT_FRAMES.search(self.text, start, end):
                self._run(_encode(self.text, start, end, every), end, found)
            if len(mentions) > len(slots):  # a name inside another: a descriptive policy name
                self._inside_policies(end, mentions, found)
            self._unattributed_policies(start, end, slots, found)
        self._advance(start, slots)
        if len(found) < 2:
            return list(found.values())
        return sorted(found.values(), key=lambda r: (r.start, r.subject_id, r.predicate, r.object_id))

    def cites(
        self, start: int, end: int, speaker: str | None, cited: str | None, author: str | None
    ) -> list[RelationRecord]:
        """A claim's speaker cites the source it names; the article's author cites a person it quotes or
        reports speaking. The evidence is the sentence: attribution is read from the whole claim."""
        found: Found = {}
        if speaker and cited and speaker != cited:
            self._add(
                found, self._ref(speaker), "cites", self._ref(cited), 0.8, start, end, end, "speaker_cites"
            )
        if (
            author
            and speaker
            and speaker != author
            and self.records[speaker].type == "person"
            and _SPEECH.search(self.text, start, end)
        ):
            self._add(
                found, self._ref(author), "cites", self._ref(speaker), 0.8, start, end, end, "author_cites"
            )
        return list(found.values())

    # --- slots ------------------------------------------------------------------------------------------

    def _ref(self, entity_id: str) -> _Slot:
        return _Slot(entity_id, self.records[entity_id].type, 0, 0, "")

    def _top_level(self, mentions: list[MentionRecord]) -> list[_Slot]:
        """Mentions not inside another one; a name split in two ("President" "Xi Jinping") joined."""
        out: list[_Slot] = []
        for m in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
            record = self.records.get(m.entity_id)
            if record is None or record.type not in _CODE:
                continue
            if out and m.start < out[-1].end:
                continue  # inside (or overlapping) the previous mention
            if out and out[-1].entity_id == m.entity_id and not self.text[out[-1].end : m.start].strip():
                out[-1].end, out[-1].text = m.end, self.text[out[-1].start : m.end]
                continue
            out.append(_Slot(m.entity_id, record.type, m.start, m.end, m.text))
        return out

    def _with_pronouns(self, start: int, end: int, slots: list[_Slot]) -> list[_Slot]:
        """The slots, with this sentence's pronouns as slots of what they stand for ("these companies": one
        slot per company the previous sentence named)."""
        extra: list[_Slot] = []
        for m in _PRONOUN.finditer(self.text, start, end):
            a, b = m.start(), m.end()
            if any(s.start <= a < s.end for s in slots):
                continue
            kind = m.lastgroup or ""
            if kind == "plural":
                if len(self.previous_companies) >= 2:
                    extra += [_Slot(c, "company", a, b, m.group(0), True) for c in self.previous_companies]
                continue
            if kind == "country":
                if self.topic_country:
                    extra.append(_Slot(self.topic_country, "country", a, b, m.group(0), True))
                continue
            target = self._referent(kind, a, slots)
            if target:
                extra.append(_Slot(target, self.records[target].type, a, b, m.group(0), True))
        if not extra:
            return slots
        return sorted(slots + extra, key=lambda s: s.start)

    def _referent(self, kind: str, at: int, slots: list[_Slot]) -> str | None:
        """What "its", "it" or "the company" at offset `at` stands for: a product named after a company of
        the sentence belongs to it ("its Apple Intelligence"); else the subject of the pronoun's clause or
        sentence, else the only candidate before it, else (none before it) the company recent sentences
        are about."""
        agents = ("company", "organization") if kind == "company" else ("company", "organization", "country")
        if kind == "its":
            following = next((s for s in slots if s.start > at), None)
            if following is not None and following.type in ("model", "chip"):
                maker = self.knowledge.maker.get(following.entity_id)
                for s in slots:
                    if s.type == "company" and (
                        following.text.lower().startswith(s.text.lower() + " ") or s.entity_id == maker
                    ):
                        return s.entity_id
        before = [s for s in self._heads(slots) if s.end <= at and s.type in agents]
        if not before:
            return self.topic_company if self.topic_company in self.records else None
        clause_start = self._start
        for m in _CLAUSE_BREAK.finditer(self.text, self._start, at):
            clause_start = m.end()
        for begin in (clause_start, self._start):
            subject = self._subject_of(begin, [s for s in before if s.start >= begin])
            if subject is not None:
                return subject.entity_id
        return before[0].entity_id if len(before) == 1 else None

    def _heads(self, slots: list[_Slot]) -> list[_Slot]:
        """The slots that are not modifiers of the next one ("Alibaba-backed ⟦Moonshot AI⟧", "Chinese AI
        lab ⟦DeepSeek⟧", "Japan’s ⟦SoftBank⟧")."""
        out = []
        for n, slot in enumerate(slots):
            following = slots[n + 1] if n + 1 < len(slots) else None
            if following is not None and _MODIFIES.fullmatch(self.text, slot.end, following.start):
                continue
            out.append(slot)
        return out

    def _subject_of(self, begin: int, slots: list[_Slot]) -> _Slot | None:
        """The first head slot when it opens the clause at `begin` (after an opening phrase like "In
        March,"): "Alibaba-backed Moonshot AI said …" is about Moonshot AI."""
        first = None
        for n, slot in enumerate(slots):
            following = slots[n + 1] if n + 1 < len(slots) else None
            if following is None or not _MODIFIES.fullmatch(self.text, slot.end, following.start):
                first = slot
                break
        if first is None:
            return None
        lead = self.text[begin : slots[0].start]
        if lead and not lead.isspace():
            opener = _OPENER.match(self.text, begin)
            if opener and opener.end() <= slots[0].start:
                lead = self.text[opener.end() : slots[0].start]
        return first if len(lead.split()) <= 1 and "," not in lead else None

    def _advance(self, start: int, slots: list[_Slot]) -> None:
        """The sentence's subject becomes what "it", "the company" or "the country" refer to next."""
        self.previous_companies = list(dict.fromkeys(s.entity_id for s in slots if s.type == "company"))
        subject = self._subject_of(start, slots)
        if subject is not None and subject.type == "company":
            self.topic_company = subject.entity_id
        elif subject is not None and subject.type == "country":
            self.topic_country = subject.entity_id
        if self.topic_company is None:
            # Until a sentence opens with a company, "the company" is the first one named.
            heads = [s for s in self._heads(slots) if s.type == "company"]
            self.topic_company = heads[0].entity_id if heads else None

    # --- frames ---------------------------------------------------------------------------------------------

    def _run(self, encoded: _Encoded, end: int, found: Found) -> None:
        text = encoded.text
        lowered = text.lower()
        heads = set(_WORD_HEAD.findall(lowered))  # a word's first three letters ("launched": "lau")
        slot_starts = [(m.start(), m.group(1)) for m in _SLOT.finditer(text)]
        for cues, frames in _frames_for(encoded.counts):
            if cues is not None and not cues.found(lowered, heads):
                continue  # none of these frames' words is in the sentence
            for frame in frames:
                if frame.starts is not None:
                    positions = [m.start() for m in frame.starts.finditer(text)]
                elif frame.first:
                    positions = [pos for pos, code in slot_starts if code in frame.first]
                else:
                    positions = [pos for pos, _ in slot_starts]
                for pos in positions:
                    match = frame.pattern.match(text, pos)
                    if match is None:
                        continue
                    a, b = encoded.original(match.start(), match.end())
                    for subject, predicate, obj in self._relations_of(frame, match, encoded):
                        self._add(found, subject, predicate, obj, frame.confidence, a, b, end, frame.id)

    def _slots_in(self, encoded: _Encoded, match: re.Match[str], group: str) -> list[_Slot]:
        """The slots a group captured, leaving out those in parentheses ("Alibaba (Qwen)" lists Alibaba)
        and those that qualify the next one ("US companies ⟦C⟧")."""
        try:
            text = match.group(group)
        except IndexError:  # the frame has no such group
            return []
        if not text:
            return []
        single = _SLOT.fullmatch(text)
        if single is not None:  # most groups hold one slot
            return [encoded.slots[int(single.group(2))]]
        out: list[_Slot] = []
        depth = 0
        pos = 0
        for slot_match in _SLOT.finditer(text):
            depth += text.count("(", pos, slot_match.start()) - text.count(")", pos, slot_match.start())
            pos = slot_match.start()
            if depth <= 0 and not _MODIFIER_SLOT.match(text, slot_match.end()):
                out.append(encoded.slots[int(slot_match.group(2))])
        return out

    def _relations_of(
        self, frame: Frame, match: re.Match[str], encoded: _Encoded
    ) -> list[tuple[_Slot, str, _Slot]]:
        """(subject, predicate, object) for each pair of slots the match's groups join. Groups `s`/`o` pair
        up, as do `s2`/`o2`…; `sx…`/`ox…` add to `s`/`o`; `issuer` issued the policies in `s`."""
        if frame.predicate == "ROLE":
            return self._roles(match, encoded)
        if frame.predicate == "STATE":
            return self._head_of_state(match, encoded)
        if frame.predicate == "DOMESTIC":
            # "domestic peers such as X": the country of an article about one country.
            if not self.focus_country:
                return []
            country = _Slot(self.focus_country, "country", 0, 0, "")
            members = self._slots_in(encoded, match, "s") + self._slots_in(encoded, match, "s2")
            return [(member, "headquartered_in", country) for member in members]
        pairs, extra_subjects, extra_objects, has_verb, has_issuer = _groups(match.re)
        out: list[tuple[_Slot, str, _Slot]] = []
        for s_group, o_group in pairs:
            subjects = self._slots_in(encoded, match, s_group)
            objects = self._slots_in(encoded, match, o_group)
            if s_group == "s":
                for name in extra_subjects:
                    subjects += self._slots_in(encoded, match, name)
                for name in extra_objects:
                    objects += self._slots_in(encoded, match, name)
            if has_verb and any(
                slot.type in ("company", "organization")
                and slot.entity_id not in {s.entity_id for s in subjects}
                for slot in self._slots_between(encoded, match.end("v"), match.start(o_group))
            ):
                continue  # "X sold Nvidia's H100": another company's product
            for subject in subjects:
                for obj in objects:
                    predicate = frame.predicate
                    if predicate == "MAKER":
                        predicate = "makes" if obj.type == "chip" else "develops"
                    if frame.id == "adjective_nationality" and not _ADJECTIVAL_COUNTRY.fullmatch(obj.text):
                        continue
                    if frame.id == "unit_of" and not _UNIT_NAME.search(self.records[obj.entity_id].name):
                        continue
                    if frame.id == "agent_policy_act" and not _ACT.match(subject.text):
                        continue  # "X banned sales of the H20": a policy named by the act of making it
                    out.append((subject, predicate, obj))
        if has_issuer:
            for issuer in self._slots_in(encoded, match, "issuer"):
                for policy in self._slots_in(encoded, match, "s"):
                    out.append((policy, "issued_by", issuer))
        return out

    def _slots_between(self, encoded: _Encoded, start: int, end: int) -> list[_Slot]:
        return [encoded.slots[int(m.group(2))] for m in _SLOT.finditer(encoded.text, start, end)]

    def _roles(self, match: re.Match[str], encoded: _Encoded) -> list[tuple[_Slot, str, _Slot]]:
        """leads or employs from a title: "NVIDIA CEO Jensen Huang", "X, a professor at Y"."""
        out: list[tuple[_Slot, str, _Slot]] = []
        people = self._slots_in(encoded, match, "p")
        for suffix in ("", "2"):
            if f"org{suffix}" not in match.re.groupindex:
                continue
            role = match.group(f"role{suffix}") or ""
            if not _TITLE_RE.fullmatch(role):
                continue
            field = f"field{suffix}" in match.re.groupindex and bool(match.group(f"field{suffix}"))
            of_form = f"prep{suffix}" in match.re.groupindex and match.group(f"prep{suffix}") == "of"
            for org in self._slots_in(encoded, match, f"org{suffix}"):
                predicate = _role_predicate(role, org.type, field, of_form=of_form)
                for person in people:
                    if predicate == "leads":
                        out.append((person, "leads", org))
                    elif predicate == "employs":
                        out.append((org, "employs", person))
        return out

    def _head_of_state(self, match: re.Match[str], encoded: _Encoded) -> list[tuple[_Slot, str, _Slot]]:
        """ "President Donald Trump" leads the country the catalog gives him, when his catalog role bears
        the title the text gives him."""
        out: list[tuple[_Slot, str, _Slot]] = []
        title = re.sub(r"\s+", " ", match.group("role")).lower()
        for person in self._slots_in(encoded, match, "p"):
            country = self.knowledge.country.get(person.entity_id)
            role = self.knowledge.role.get(person.entity_id, "").lower()
            if country and re.match(rf"{title}\b", role) and "vice" not in role:
                out.append((person, "leads", _Slot(country, "country", 0, 0, "")))
        return out

    def _inside_policies(self, end: int, mentions: list[MentionRecord], found: Found) -> None:
        """Relations inside a descriptive policy name: its target ("tariffs on Chinese exports"), its issuer
        ("US chip ban") and a company's nationality ("the import of US Micron chips")."""
        for outer in mentions:
            record = self.records.get(outer.entity_id)
            if record is None or record.type != "policy":
                continue
            inner = [m for m in mentions if outer.start <= m.start and m.end <= outer.end and m is not outer]
            if not inner:
                continue
            slots = self._top_level(inner)
            encoded = _encode(self.text, outer.start, outer.end, slots)
            policy = _Slot(outer.entity_id, "policy", outer.start, outer.end, outer.text)
            for frame in _INNER_FRAMES:
                for match in frame.pattern.finditer(encoded.text):
                    if frame.id == "adjective_nationality":
                        for subject, predicate, obj in self._relations_of(frame, match, encoded):
                            a, b = encoded.original(match.start(), match.end())
                            self._add(found, subject, predicate, obj, frame.confidence, a, b, end, frame.id)
                        continue
                    for obj in self._slots_in(encoded, match, "o"):
                        if frame.id == "policy_name_target" and obj.start == outer.start:
                            continue  # a name that begins with a country names its issuer, not its target
                        self._add(
                            found,
                            policy,
                            frame.predicate,
                            obj,
                            frame.confidence,
                            outer.start,
                            outer.end,
                            end,
                            frame.id,
                        )

    def _unattributed_policies(self, start: int, end: int, slots: list[_Slot], found: Found) -> None:
        """Issuers of policies no frame gave one, in decreasing certainty: the country the sentence is about
        ("China ..., after stimulus measures were unleashed"); in an article about one country, that
        country, when the sentence speaks of a government ("state funds", "the authorities"), or when the
        policy is one the catalog does not know (a plan or fund the article describes)."""
        issued = {r.subject_id for r in found.values() if r.predicate == "issued_by"}
        policies = [s for s in slots if s.type == "policy" and s.entity_id not in issued]
        if not policies:
            return
        subject = self._subject_of(start, slots)
        issuers = [s for s in slots if s.type == "country" or self._government(s)]
        for policy in policies:
            if subject is not None and subject.type == "country" and subject.start < policy.start:
                between = self.text[subject.end : policy.start]
                others = [
                    s
                    for s in issuers
                    if subject.end <= s.start < policy.start and s.entity_id != subject.entity_id
                ]
                if not others and not _NOT_ISSUING.search(between):
                    self._add(
                        found,
                        policy,
                        "issued_by",
                        subject,
                        0.65,
                        subject.start,
                        policy.end,
                        end,
                        "subject_country_policy",
                    )
                    continue
            if not self.focus_country or issuers:
                continue
            if self.knowledge.issuer.get(policy.entity_id, self.focus_country) != self.focus_country:
                continue
            country = _Slot(self.focus_country, "country", 0, 0, "")
            government = _GOVERNMENT.search(self.text, start, end)
            if government is not None:
                a, b = min(policy.start, government.start()), max(policy.end, government.end())
                self._add(found, policy, "issued_by", country, 0.6, a, b, end, "government_issuer")
            elif self.records[policy.entity_id].origin == "discovered":
                self._add(
                    found,
                    policy,
                    "issued_by",
                    country,
                    0.55,
                    policy.start,
                    policy.end,
                    end,
                    "focus_country_policy",
                )

    def _region(self, entity_id: str) -> bool:
        record = self.records.get(entity_id)
        return record is not None and record.attributes.get("kind") in ("region", "bloc")

    def _government(self, slot: _Slot) -> bool:
        record = self.records.get(slot.entity_id)
        return (
            record is not None
            and record.type == "organization"
            and record.attributes.get("kind") == "government"
        )

    # --- keeping a relation ---------------------------------------------------------------------------------

    def _add(
        self,
        found: Found,
        subject: _Slot,
        predicate: str,
        obj: _Slot,
        confidence: float,
        span_start: int,
        span_end: int,
        sentence_end: int,
        rule: str,
    ) -> None:
        if subject.entity_id == obj.entity_id:
            return
        subject_types, object_types = SIGNATURES[predicate]
        if subject.type not in subject_types or obj.type not in object_types:
            return
        if predicate == "headquartered_in" and self._region(obj.entity_id):
            return  # "European firms", "Western rivals": a region or bloc is no one's home country
        if subject.pronoun or obj.pronoun:
            confidence -= 0.05
        confidence = self._weigh(subject.entity_id, predicate, obj.entity_id, confidence)
        if confidence < MIN_CONFIDENCE:
            return
        # The evidence is the wording, without the spaces and punctuation a frame may take in at its ends.
        text = self.text
        while span_start < span_end and text[span_start] in " ,;:–—-(\"“‘'\n":
            span_start += 1
        while span_end > span_start and text[span_end - 1] in ' ,;:–—-("“\n':
            span_end -= 1
        key = (subject.entity_id, predicate, obj.entity_id)
        current = found.get(key)
        if current is not None and current.confidence >= confidence:
            return
        found[key] = RelationRecord(
            subject.entity_id,
            predicate,
            obj.entity_id,
            span_start,
            span_end,
            self._start,
            sentence_end,
            round(confidence, 2),
            rule,
        )

    def _weigh(self, subject: str, predicate: str, obj: str, confidence: float) -> float:
        """Confidence moved by the catalog: up when it holds the same relation, down when it names another
        maker, country or issuer (the statement stays, as this article's, when the wording is strong)."""
        k = self.knowledge
        if (subject, predicate, obj) in k.known:
            return min(0.98, confidence + 0.08)
        if predicate == "develops":  # a chip has several makers (designer, foundry); a model one developer
            maker = k.maker.get(obj)
            if maker and maker != subject and not k.related(maker, subject):
                return confidence - 0.3
        elif predicate == "headquartered_in":
            country = k.country.get(subject)
            if country and country != obj:
                return confidence - 0.4
        elif predicate == "issued_by":
            issuer = k.issuer.get(subject)
            if issuer and issuer != obj and k.country.get(obj) != issuer:
                return confidence - 0.4
        return confidence


def _role_predicate(role: str, organisation_type: str, has_field: bool, *, of_form: bool) -> str | None:
    """leads for a title that heads what it names, employs for others; a country is led only by a head of
    state or government ("Chinese President Xi Jinping"), and employs no one."""
    role = role.strip()
    if organisation_type == "country":
        return "leads" if _STATE_TITLE.fullmatch(role) else None
    if has_field or re.fullmatch(r"(?:executive |senior )?vice[- ]president", role, re.I):
        return "employs"
    if _LEAD_TITLE.fullmatch(role) or (of_form and _HEADS_WHEN_OF.fullmatch(role)):
        return "leads"
    return "employs"

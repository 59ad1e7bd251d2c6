"""Terms of use written out: restrictive terms (fr/de/en/nl) and wordings that say nothing about use.

A record whose own terms restrict re-use ("commercial re-use prohibited without prior written
permission", "usage à des fins commerciales interdit", "darf nicht weitergegeben werden", an
INSPIRE Article 13 limitation) must never be published under an open licence, and a record that
says anything at all about use never receives the source's default licence. Both checks read the
texts after `normalise()` (case, accents and punctuation folded), in every language of the record.
"""

from __future__ import annotations

import functools
import re

from mappers.vocabularies._data import normalise

_RESTRICTIVE = re.compile(
    "|".join(
        (
            # non-commercial, in the words of the licences and of the records
            r"\bnon ?commercial\b|\bnot for commercial\b|\bby nc\b|pas d utilisation commerciale",
            r"\bnicht ?kommerziell|\bniet ?commercieel|\bnon commerciale?s?\b",
            r"\bcommercial\w* (use|re ?use|purposes?|exploitation)\b.{0,80}\b(prohibit|forbid|not (permit|allow))",
            r"\bfins? commerciales?\b.{0,80}\binterdit|\busage commercial\b.{0,40}\binterdit",
            # prohibited / forbidden, in en/fr/de/nl
            r"\bprohibited\b|\bforbidden\b|\bnot (permitted|allowed)\b|\bshall not be (reproduced|used|copied)\b",
            r"\binterdite?s?\b|\bn est pas autorise|\bne sont pas autorise|\bpas autorisee?s?\b",
            r"\buntersagt\b|\bverboten\b|\bnicht (gestattet|erlaubt|zulassig|zugelassen|gewerblich|weitergegeben)",
            r"\bdarf\b.{0,80}\bnicht\b|\bdurfen\b.{0,80}\bnicht\b|\bverboden\b|\bniet toegestaan\b",
            # permission required
            r"\b(prior|written|express|explicit) (written )?(permission|consent|authori[sz]ation)\b",
            r"\bwithout (the |prior |written )*permission\b|\bpermission (is )?required\b|\brequires? permission\b",
            r"\bautorisation (prealable|ecrite|expresse)\b|\baccord (prealable|ecrit)\b|\bsoumise? a autorisation\b",
            r"\b(vorherigen?|schriftlichen?) (schriftlichen? )?(genehmigung|zustimmung|erlaubnis)\b",
            r"\bgenehmigungspflichtig\b|\bnur mit (genehmigung|zustimmung|erlaubnis)\b",
            # use reserved to someone
            r"\ball rights reserved\b|\btous droits reserves\b|\balle rechte vorbehalten\b",
            r"\binternal use only\b|\bfor internal use\b|\busage interne\b|\bnur fur den (internen|dienstlichen)",
        )
    )
)

# "Conditions unknown": the record admits it says nothing about use.
_SILENT = re.compile(
    r"^(conditions? (to access and use )?unknown|unknown|conditions inconnues|inconnue?s?"
    r"|bedingungen unbekannt|unbekannt|voorwaarden onbekend|onbekend|n a|not applicable)$"
)
_SILENT_URI = "ConditionsApplyingToAccessAndUse/conditionsUnknown"

_CACHE = 4096


# Every pattern above needs one of these substrings: most texts are dismissed without the regex.
_HINTS = (
    "commerc", "prohib", "forbid", "permi", "authori", "not allowed", "shall not", "interdit", "autoris", "untersagt",
    "verbot", "nicht", "darf", "durfen", "verboden", "toegestaan", "consent", "genehmig", "zustimm",
    "erlaubnis", "accord", "reserv", "vorbehalt", "intern", "dienstlich", "by nc", "kommerz",
)  # fmt: skip


@functools.lru_cache(maxsize=_CACHE)
def restrictive_terms(text: str | None) -> bool:
    """Whether a terms-of-use text restricts re-use (non-commercial, prohibited, permission required...)."""
    if not text:
        return False
    norm = normalise(text)
    return any(hint in norm for hint in _HINTS) and bool(_RESTRICTIVE.search(norm))


@functools.lru_cache(maxsize=_CACHE)
def says_nothing(text: str | None) -> bool:
    """Whether a use-constraint text or anchor only says that the conditions are unknown (or is empty)."""
    if not text or not text.strip():
        return True
    if _SILENT_URI in text:
        return True
    return len(text) <= 40 and bool(_SILENT.match(normalise(text)))  # the silent wordings are short

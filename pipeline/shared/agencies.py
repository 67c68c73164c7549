"""Gazetteer of the 77 BMA agencies: official names, short names and abbreviations.

Used to normalise the agency of a report (``เขตหลักสี่``, ``สนข. หลักสี่`` → สำนักงานเขตหลักสี่), to
recognise the recipient headings of recommendations to KPI owners, and to find the agencies a
finding mentions (spaCy's rule-based ``PhraseMatcher`` over the project's own Thai tokens, so names
and text are cut the same way).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: The KPI owners as a whole (a report's "หน่วยงานผู้ประเมิน (ภาพรวม)" heading).
ALL_KPI_OWNERS = "หน่วยงานผู้ประเมิน (ภาพรวม)"
#: The recipient of policy recommendations (recipient_type ``executives``).
EXECUTIVES = "ผู้บริหารกรุงเทพมหานคร"
_KPI_OWNER_GROUP = re.compile(r"^(?:หน่วยงานผู้ประเมิน|เจ้าภาพตัวชี้วัด|หน่วยงานเจ้าภาพ)")


@dataclass(frozen=True)
class Agency:
    name: str
    short_name: str
    abbreviation: str
    english: str
    type: str


@lru_cache(maxsize=1)
def gazetteer() -> tuple[Agency, ...]:
    """All agencies, from the CSV shipped in the package."""
    text = resources.files("pipeline").joinpath("data/agencies.csv").read_text(encoding="utf-8")
    return tuple(Agency(**row) for row in csv.DictReader(text.splitlines()))


def _key(name: str) -> str:
    key = re.sub(r"\s+", "", name).rstrip(".")
    key = re.sub(r"^(?:สนข\.?|สำนักงานเขต|เขต)", "เขต", key)
    return key


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for agency in gazetteer():
        for alias in (agency.name, agency.short_name, agency.abbreviation, agency.english):
            if alias:
                index[_key(alias)] = agency.name
                index[alias.lower()] = agency.name
        if agency.type == "district":
            # the bare district name, as committees often write it
            index[agency.name.removeprefix("สำนักงานเขต")] = agency.name
    return index


def canonical(name: str) -> str | None:
    """Official name of the agency ``name`` refers to, or None if the gazetteer does not know it."""
    name = name.strip()
    if not name:
        return None
    index = _index()
    return index.get(_key(name)) or index.get(name.lower())


@lru_cache(maxsize=1)
def _official_names() -> tuple[tuple[str, str], ...]:
    """Every official name, with its spaces taken out."""
    return tuple((a.name, a.name.replace(" ", "")) for a in gazetteer())


def named_in(text: str) -> str | None:
    """The official name of the first agency ``text`` spells out in full (a title, a header);
    of names starting at the same place, the longest."""
    bare = re.sub(r"\s+", "", text)
    found = [
        (bare.find(spaceless), -len(name), name)
        for name, spaceless in _official_names()
        if spaceless in bare
    ]
    return min(found)[2] if found else None


def normalize_agency(name: str) -> tuple[str, bool]:
    """Return ``(official name, True)`` for a known agency, else ``(name as written, False)``."""
    official = canonical(name)
    return (official, True) if official else (name.strip(), False)


def recipient_heading(text: str) -> str | None:
    """The recipient a KPI-owner sub-heading names (an agency or the KPI owners as a whole)."""
    bare = re.sub(r"\([^()]*\)?", "", text).strip(" :")
    if _KPI_OWNER_GROUP.match(bare) and len(bare) <= 40:
        return ALL_KPI_OWNERS
    return canonical(bare)


@lru_cache(maxsize=1)
def _matcher():
    import spacy
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

    from pipeline.stages.words import segment_words

    nlp = spacy.blank("xx")  # only a vocabulary: the words come from our own tokenizer
    matcher = PhraseMatcher(nlp.vocab)
    for agency in gazetteer():
        aliases = {agency.name, agency.short_name, agency.abbreviation}
        if agency.type == "district":
            aliases.add("สนข." + agency.name.removeprefix("สำนักงานเขต"))
        for alias in filter(None, aliases):
            if len(alias) >= 3:
                matcher.add(agency.name, [Doc(nlp.vocab, words=segment_words(alias))])
    return nlp, matcher


def mentioned_agencies(text: str) -> list[str]:
    """Official names of the agencies a text mentions, in order of first mention."""
    from spacy.tokens import Doc

    from pipeline.stages.words import segment_words

    nlp, matcher = _matcher()
    words = segment_words(text)
    if not words:
        return []
    doc = Doc(nlp.vocab, words=words)
    found: list[str] = []
    for match_id, _start, _end in sorted(matcher(doc), key=lambda m: m[1]):
        name = nlp.vocab.strings[match_id]
        if name not in found:
            found.append(name)
    return found

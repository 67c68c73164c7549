"""Repair the text of a document before it is segmented.

The line rules are small ``str -> (str, count)`` functions applied in the order of :data:`RULES`;
each counts what it changed, so a user can see what was repaired. :func:`drop_teasers` removes the
page-break teaser lines that real reports repeat at the bottom of a page. The document keeps every
line's raw text; only the clean text is repaired.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from pipeline.shared.vocabulary import arabic_digits
from pipeline.stages.read import Block, Document

THAI = "\u0e01-\u0e4e"
_THAI_LETTER = re.compile(f"[{THAI}]")

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_ODD_SPACE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000\u2028\u2029\t\r\n\x0b\x0c]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
#: Bidirectional controls (embeddings, overrides, isolates, marks): Thai needs none of them, and
#: they can make a finding read differently on screen from what it is (U+202E reverses text).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")

# Letters of scripts that have no business inside Thai prose: Lao, Khmer, Myanmar, CJK, kana,
# Hangul, Cyrillic, Devanagari, Arabic. OCR produces them from smudged Thai glyphs.
_OTHER_SCRIPT = re.compile(
    "[\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\u0400-\u04ff\u0900-\u097f\u0600-\u06ff]+"
)
#: Foreign letters OCR reads in place of a Thai letter of the same shape.
_LOOKALIKES = {"វ": "ว"}  # Khmer vo is the Thai wo waen

_THAI_DIGIT = re.compile("[๐-๙]")
_REPEATED = re.compile(f"([{THAI}])\\1{{3,}}")
_LATIN_GLUED = re.compile(f"(?<=[{THAI}])[A-Za-z\u00c0-\u024f]+(?=[{THAI}])")
_THAI_MARK = re.compile("^[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]+")
_LATIN_WORD = re.compile(r"(?<!\S)([a-z]{4,})(?!\S)")
#: Lowercase English words Thai officials write inside Thai prose; anything else lowercase, alone
#: between Thai words, is taken for OCR debris (``nomine`` in the seed).
ENGLISH_ALLOWED = frozenset(
    """online offline website web email mail line facebook application app zoom youtube tiktok
    instagram twitter google internet wifi server cloud dashboard data smart phone mobile onsite
    office excel word file code map covid digital platform system software hardware network
    meeting book open gov service center hotline chat video""".split()
)

#: Misreadings of domain words seen in real OCR'd reports (the FY2565 seed), wrong → right.
OCR_MISREADINGS = {
    "ด้วยชั่วคราว": "ตัวชี้วัด",
    "พัฒนาวัตกรรม": "พัฒนานวัตกรรม",
    "ทุกด้วยตัวชี้วัด": "ทุกตัวชี้วัด",
    "เจ้าภาพด้วยข้อดี": "เจ้าภาพตัวชี้วัด",
    "กัยพิบติ": "ภัยพิบัติ",
    "ไม่อื่ออำนวย": "ไม่เอื้ออำนวย",
    "ตรวจสอบตามประเมินผล": "ตรวจติดตามประเมินผล",
}
_MISREADING = re.compile("|".join(map(re.escape, sorted(OCR_MISREADINGS, key=len, reverse=True))))

#: Domain words that OCR damage inside a word is repaired towards.
LEXICON = (
    "กรุงเทพมหานคร",
    "ตัวชี้วัด",
    "นวัตกรรม",
    "สำนักงานเขต",
    "งบประมาณ",
    "อัตรากำลัง",
    "ประสิทธิภาพ",
    "ประชาสัมพันธ์",
    "จัดซื้อจัดจ้าง",
    "เบิกจ่าย",
    "สาธารณภัย",
    "ภัยพิบัติ",
    "เทคโนโลยี",
    "ยุทธศาสตร์",
    "ประเมินผล",
)
_REPAIR_CUTOFF = 0.85


def _count_sub(pattern: re.Pattern, repl, text: str) -> tuple[str, int]:
    return pattern.subn(repl, text)


def unicode_nfc(text: str) -> tuple[str, int]:
    """NFC, plus the Thai spellings Unicode does not compose: ``ํา`` → ``ำ``, ``เเ`` → ``แ``."""
    fixed = unicodedata.normalize("NFC", text).replace("\u0e4d\u0e32", "ำ").replace("เเ", "แ")
    return fixed, int(fixed != text)


def invisible_characters(text: str) -> tuple[str, int]:
    """Zero-width characters out; odd spaces and control characters become plain spaces."""
    text, removed = _INVISIBLE.subn("", text)
    text, spaces = _ODD_SPACE.subn(" ", text)
    text, controls = _CONTROL.subn(" ", text)
    return text, removed + spaces + controls


def bidi_controls(text: str) -> tuple[str, int]:
    """Bidirectional control characters removed."""
    return _BIDI.subn("", text)


def stray_script_letters(text: str) -> tuple[str, int]:
    """Letters of other scripts inside Thai text: a look-alike is mapped back, others removed."""
    if not _THAI_LETTER.search(text):
        return text, 0

    def fix(match: re.Match) -> str:
        return "".join(_LOOKALIKES.get(ch, "") for ch in match.group())

    return _OTHER_SCRIPT.subn(fix, text)


def _repair_from_lexicon(left: str, right: str) -> tuple[int, int, str] | None:
    """Best lexicon word spelled by a suffix of ``left`` and a prefix of ``right``."""
    best: tuple[float, int, int, str] | None = None
    for word in LEXICON:
        n = len(word)
        for i in range(max(0, len(left) - n), len(left) + 1):
            for j in range(0, min(len(right), n) + 1):
                ratio = difflib.SequenceMatcher(None, left[i:] + right[:j], word).ratio()
                if ratio >= _REPAIR_CUTOFF and (best is None or ratio > best[0]):
                    best = (ratio, len(left) - i, j, word)
    return None if best is None else best[1:]


def latin_inside_thai_words(text: str) -> tuple[str, int]:
    """Latin letters glued inside a Thai word (``กrüngเทพมหานคร``): repaired or removed."""
    count = 0
    while match := _LATIN_GLUED.search(text):
        start, end = match.span()
        left_start = text.rfind(" ", 0, start) + 1
        right_end = text.find(" ", end)
        right_end = len(text) if right_end < 0 else right_end
        left, right = text[left_start:start], text[end:right_end]
        repair = _repair_from_lexicon(left, right)
        if repair:
            from_left, from_right, word = repair
            text = text[: start - from_left] + word + text[end + from_right :]
        else:
            text = text[:start] + _THAI_MARK.sub("", text[end:])
        count += 1
    return text, count


def stray_latin_words(text: str) -> tuple[str, int]:
    """A lone lowercase Latin word between Thai words that no Thai official would write."""
    if not _THAI_LETTER.search(text):
        return text, 0

    def fix(match: re.Match) -> str:
        word = match.group(1)
        before = text[: match.start()].rstrip()
        after = text[match.end() :].lstrip()
        thai_around = (not before or not re.search("[A-Za-z]", before[-1])) and bool(
            after and _THAI_LETTER.match(after[0])
        )
        return "" if thai_around and word not in ENGLISH_ALLOWED else match.group()

    fixed = _LATIN_WORD.sub(fix, text)
    return fixed, len(_LATIN_WORD.findall(text)) - len(_LATIN_WORD.findall(fixed))


def ocr_misreadings(text: str) -> tuple[str, int]:
    """Domain words OCR is known to misread (``ด้วยชั่วคราว`` for ``ตัวชี้วัด``)."""
    return _MISREADING.subn(lambda m: OCR_MISREADINGS[m.group()], text)


def repeated_characters(text: str) -> tuple[str, int]:
    """A Thai character typed four or more times in a row is typed once (also keeps newmm fast).

    Three in a row is real Thai where words meet (``ระบบบริหาร``), so it is left alone.
    """
    return _REPEATED.subn(r"\1", text)


def thai_digits(text: str) -> tuple[str, int]:
    """Thai digits ๐–๙ to Arabic 0–9."""
    count = len(_THAI_DIGIT.findall(text))
    return (arabic_digits(text), count) if count else (text, 0)


def spaces(text: str) -> tuple[str, int]:
    """Runs of spaces folded to one; no space at either end."""
    folded = re.sub(r" {2,}", " ", text).strip()
    return folded, int(folded != text)


Rule = Callable[[str], tuple[str, int]]
RULES: tuple[tuple[str, Rule], ...] = (
    ("invisible_characters", invisible_characters),
    ("bidi_controls", bidi_controls),
    ("stray_script_letters", stray_script_letters),
    ("latin_inside_thai_words", latin_inside_thai_words),
    ("stray_latin_words", stray_latin_words),
    ("unicode_nfc", unicode_nfc),  # after the removals, which can bring marks together
    ("ocr_misreadings", ocr_misreadings),
    ("repeated_characters", repeated_characters),
    ("thai_digits", thai_digits),
    ("spaces", spaces),
)

#: Rules whose work is routine rather than a repair worth showing per finding.
QUIET_RULES = frozenset({"spaces", "thai_digits", "unicode_nfc"})


def _one_class(*patterns: re.Pattern) -> re.Pattern:
    """One character class of the single-character classes ``[...]`` or ``[...]+`` given."""
    return re.compile("[" + "".join(p.pattern.removesuffix("+")[1:-1] for p in patterns) + "]")


#: A character some rule removes or replaces wherever it stands; ``ํ`` of an uncomposed ``ำ``.
_SUSPECT = _one_class(_INVISIBLE, _ODD_SPACE, _CONTROL, _BIDI, _OTHER_SCRIPT, _THAI_DIGIT)
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")


def needs_repair(text: str) -> bool:
    """Whether some rule of :func:`normalize_text` would change ``text``; False for most text,
    found without running the rules."""
    return bool(
        _SUSPECT.search(text)
        or "\u0e4d" in text
        or "เเ" in text
        or "  " in text
        or text[:1].isspace()
        or text[-1:].isspace()
        or (_LATIN.search(text) and (_LATIN_GLUED.search(text) or _LATIN_WORD.search(text)))
        or _MISREADING.search(text)
        or _REPEATED.search(text)
        or not unicodedata.is_normalized("NFC", text)
    )


def normalize_text(text: str) -> tuple[str, Counter]:
    """Apply every rule in order; return the clean text and what each rule changed."""
    changes: Counter = Counter()
    if not needs_repair(text):  # most text: a few searches instead of ten rules
        return text, changes
    for name, rule in RULES:
        text, count = rule(text)
        if count:
            changes[name] += count
    return text, changes


_LAST_TEASER_MAX = 40
_TEASER_END = re.compile(r"(?:\.{3,}|…)\s*$")


def _teaser_stem(text: str) -> str | None:
    return _TEASER_END.sub("", text).rstrip() if _TEASER_END.search(text) else None


_TRAILING_NUMBER = re.compile(r"\d+(?:\s*(?:/|จาก|of)\s*\d+)?[\s\W]*$")


def running_key(text: str) -> str:
    """A line as a page header or footer repeats it: its closing page number aside."""
    return _TRAILING_NUMBER.sub("#", text)


def drop_teasers(blocks: list[Block]) -> tuple[list[Block], int]:
    """Remove page-break teasers: a line ending in ``...`` that the next line repeats.

    A whole teaser line (``(๒) อัตรากำลัง...`` before ``(๒) อัตรากำลังไม่เพียงพอ…``) is dropped. A
    teaser at the end of a paragraph (``... เพื่อพยากรณ์ โอกาส...`` before ``โอกาสในการเกิดภัย``) is cut
    and the next paragraph, which is the same sentence going on, is joined to it.
    """
    out: list[Block] = []
    count = 0
    i = 0
    # a page's running header or footer may stand between a teaser and the line it repeats
    keys = Counter(running_key(b.text) for b in blocks if len(b.text) >= 8)
    while i < len(blocks):
        block = blocks[i]
        stem = _teaser_stem(block.text)
        j = i + 1
        while j < len(blocks) and keys[running_key(blocks[j].text)] >= 2:
            j += 1
        if stem is not None and j > i + 1 and j < len(blocks):
            blocks = [*blocks[: i + 1], blocks[j], *blocks[i + 1 : j], *blocks[j + 1 :]]
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if stem is not None and following is None and len(stem) <= _LAST_TEASER_MAX:
            count += 1  # the teaser of a page the file does not have
            break
        if stem and following is not None and following.hints == block.hints:
            nxt = following.text.strip()
            if nxt.startswith(stem) and len(nxt) > len(stem):
                count += 1
                i += 1
                continue
            words = stem.split(" ")
            for k in (1, 2, 3):
                tail = " ".join(words[-k:])
                if len(words) > k and tail and nxt.startswith(tail):
                    head = " ".join(words[:-k])
                    joined = replace(
                        block,
                        text=f"{head} {nxt}",
                        raw=f"{block.raw}\n{following.raw}",
                    )
                    blocks = [*blocks[:i], joined, *blocks[i + 2 :]]
                    count += 1
                    break
            else:
                out.append(block)
                i += 1
            continue
        out.append(block)
        i += 1
    return out, count


#: A line that is only a page number: ``- ๒ -``, ``หน้า 2``, ``หน้า ๒/๓``, ``หน้า 2 จาก 5``, ``2/5``.
_PAGE_MARK = re.compile(
    r"^(?:[-–—]\s*\d{1,3}\s*[-–—]|(?:หน้า(?:ที่)?|page)\s*\d{1,3}(?:\s*(?:/|จาก|of)\s*\d{1,3})?"
    r"|\d{1,3}\s*/\s*\d{1,3}|\[\s*\d{1,3}\s*\])$",
    re.I,
)


def drop_page_marks(blocks: list[Block]) -> tuple[list[Block], int]:
    """Remove lines that are only a page number, so a paragraph cut by a page break joins up."""
    kept = [b for b in blocks if b.single or not _PAGE_MARK.match(b.text.strip())]
    return kept, len(blocks) - len(kept)


def normalize_document(document: Document) -> tuple[Document, Counter]:
    """Repair every block of ``document``; return the clean document and the repair counts."""
    totals: Counter = Counter()
    blocks: list[Block] = []
    for block in document.blocks:
        clean, changes = normalize_text(block.raw)
        totals.update(changes)
        repairs = tuple(sorted(name for name in changes if name not in QUIET_RULES))
        if clean:
            blocks.append(replace(block, text=clean, repairs=repairs))
    blocks, page_marks = drop_page_marks(blocks)
    if page_marks:
        totals["page_marks"] += page_marks
    blocks, teasers = drop_teasers(blocks)
    if teasers:
        totals["teaser_lines"] += teasers
    return replace(document, blocks=blocks), totals

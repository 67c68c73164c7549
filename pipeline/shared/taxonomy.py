"""The eight categories of findings (DESIGN.md section 2) as data, and heading recognition.

Every other module reads categories from here. A heading is recognised by its words, not by its
number: real reports number the same heading ``๑.๑)``, ``(๑)`` or ``๒.๒)``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    id: str
    th: str
    en: str
    factor: str
    description: str
    heading_variants: tuple[str, ...]
    cues: tuple[str, ...] = ()
    short: str = ""  # a short Thai label for charts and narrow table headers


CATEGORIES: tuple[Category, ...] = (
    Category(
        "manpower",
        "อัตรากำลัง",
        "Manpower",
        "internal",
        "shortage, quality and development of people: vacancies, transfers, skills, training",
        ("อัตรากำลัง", "บุคลากร", "กำลังคน", "ทรัพยากรบุคคล", "อัตรากำลังและบุคลากร"),
        cues=(
            "อัตรากำลัง",
            "บุคลากร",
            "เจ้าหน้าที่",
            "ขาดแคลนคน",
            "ตำแหน่งว่าง",
            "โอนย้าย",
            "ย้าย",
            "เกษียณ",
            "ลาออก",
            "บรรจุ",
            "ประสบการณ์",
            "ทักษะ",
            "ความรู้ความเข้าใจ",
            "ขาดความรู้",
            "ฝึกอบรม",
            "อบรม",
            "พัฒนาบุคลากร",
            "ภาระงาน",
            "ลูกจ้าง",
            "พนักงานจ้าง",
            "ข้าราชการ",
            "กำลังคน",
            "สรรหา",
            "ครู",
            "แพทย์",
            "พยาบาล",
            "นิติกร",
            "วิศวกร",
            "ความเชี่ยวชาญ",
        ),
        short="อัตรากำลัง",
    ),
    Category(
        "budget",
        "งบประมาณ",
        "Budget",
        "internal",
        "no budget, not enough budget, disbursement off target",
        ("งบประมาณ", "การเงินและงบประมาณ", "การเบิกจ่ายงบประมาณ", "งบประมาณและการเบิกจ่าย"),
        cues=(
            "งบประมาณ",
            "เบิกจ่าย",
            "ค่าใช้จ่าย",
            "วงเงิน",
            "จัดสรร",
            "ค่าจ้าง",
            "งบ",
            "เงิน",
            "ค่าตอบแทน",
            "กันเงิน",
            "โอนงบ",
            "แผนการใช้จ่าย",
            "ขอรับการสนับสนุนงบ",
            "ไม่เพียงพอต่อค่า",
            "ราคากลาง",
        ),
        short="งบประมาณ",
    ),
    Category(
        "regulation",
        "ระเบียบกฎหมาย",
        "Rules and laws",
        "internal",
        "rules and laws that do not fit, are outdated or obstruct",
        ("ระเบียบกฎหมาย", "กฎหมายและระเบียบ", "ระเบียบข้อบังคับ", "ข้อกฎหมาย", "กฎระเบียบ"),
        cues=(
            "ระเบียบ",
            "กฎหมาย",
            "ข้อบัญญัติ",
            "ข้อบังคับ",
            "หลักเกณฑ์",
            "อำนาจ",
            "ใบอนุญาต",
            "ประกาศ",
            "หนังสือเวียน",
            "ข้อกฎหมาย",
            "พัสดุ",
            "กรมบัญชีกลาง",
            "ไม่เอื้ออำนวย",
            "ล้าสมัย",
            "ขออนุญาต",
            "พ.ร.บ.",
            "พระราชบัญญัติควบคุมอาคาร",
        ),
        short="ระเบียบกฎหมาย",
    ),
    Category(
        "tools",
        "เครื่องมือทางการบริหาร",
        "Management tools",
        "internal",
        "technology and equipment: computers, internet, applications, systems, databases",
        (
            "เครื่องมือทางการบริหาร",
            "เครื่องมือและอุปกรณ์",
            "วัสดุอุปกรณ์",
            "เทคโนโลยี",
            "เทคโนโลยีสารสนเทศ",
            "เครื่องมือ",
        ),
        cues=(
            "ระบบ",
            "เทคโนโลยี",
            "คอมพิวเตอร์",
            "อินเทอร์เน็ต",
            "แอปพลิเคชัน",
            "ฐานข้อมูล",
            "ข้อมูล",
            "ดิจิทัล",
            "โปรแกรม",
            "อุปกรณ์",
            "เครื่องมือ",
            "เครื่อง",
            "ยานพาหนะ",
            "รถ",
            "กล้อง",
            "cctv",
            "gis",
            "ออนไลน์",
            "เว็บไซต์",
            "สารสนเทศ",
            "ซอฟต์แวร์",
            "dashboard",
            "ชำรุด",
            "สัญญาณ",
            "เซิร์ฟเวอร์",
        ),
        short="เครื่องมือ",
    ),
    Category(
        "management",
        "การจัดการ",
        "Management",
        "internal",
        "internal management: planning, follow-up, unclear objectives, support",
        ("การจัดการ", "การบริหารจัดการ", "การบริหารงาน", "การบริหารจัดการภายใน"),
        cues=(
            "วางแผน",
            "แผนงาน",
            "แผนปฏิบัติ",
            "ติดตาม",
            "กำกับ",
            "เป้าหมาย",
            "วัตถุประสงค์",
            "กระบวนการ",
            "ขั้นตอนการทำงาน",
            "บริหารจัดการ",
            "มอบหมายงาน",
            "ตัวชี้วัด",
            "ประเมินผล",
            "บทบาทหน้าที่",
            "ผู้รับผิดชอบ",
            "แบ่งงาน",
            "ทบทวน",
            "ต่อยอด",
            "บูรณาการภายใน",
            "คู่มือ",
            "มาตรฐานการปฏิบัติงาน",
        ),
        short="การจัดการ",
    ),
    Category(
        "disaster",
        "สาธารณภัย ภัยพิบัติ",
        "Disasters and epidemics",
        "external",
        "public disasters and epidemics (COVID-19, floods, fire) and their knock-on effects",
        ("สาธารณภัยภัยพิบัติ", "สาธารณภัย", "ภัยพิบัติ", "โรคระบาด", "สถานการณ์โรคระบาด"),
        cues=(
            "โควิด",
            "โรคติดเชื้อ",
            "แพร่ระบาด",
            "โรคระบาด",
            "น้ำท่วม",
            "อุทกภัย",
            "อัคคีภัย",
            "ไฟไหม้",
            "เพลิงไหม้",
            "ภัยพิบัติ",
            "สาธารณภัย",
            "ฝุ่น",
            "pm2.5",
            "พายุ",
            "ไข้เลือดออก",
            "ภัยแล้ง",
            "คลื่นความร้อน",
            "ฝนตกหนัก",
            "ไวรัส",
        ),
        short="สาธารณภัย",
    ),
    Category(
        "policy",
        "นโยบายรัฐบาล กฎหมาย/ระเบียบ มติคณะรัฐมนตรี ที่เปลี่ยนแปลงไป",
        "Changed policy and laws",
        "external",
        "changed government or executive policy, new national laws, urgent new assignments",
        (
            "นโยบายรัฐบาลกฎหมาย/ระเบียบมติคณะรัฐมนตรีที่เปลี่ยนแปลงไป",
            "นโยบายรัฐบาล",
            "นโยบาย",
            "การเปลี่ยนแปลงนโยบาย",
            "นโยบายผู้บริหาร",
        ),
        cues=(
            "นโยบาย",
            "ผู้ว่าราชการ",
            "ผู้บริหารชุดใหม่",
            "เปลี่ยนแปลงนโยบาย",
            "มติคณะรัฐมนตรี",
            "รัฐบาล",
            "คุ้มครองข้อมูลส่วนบุคคล",
            "pdpa",
            "เร่งด่วน",
            "ข้อสั่งการ",
            "สั่งการ",
            "การเลือกตั้ง",
            "เลือกตั้ง",
            "กฎหมายใหม่",
            "ส่วนกลางกำหนด",
            "เปลี่ยนเกณฑ์",
        ),
        short="นโยบาย",
    ),
    Category(
        "coordination",
        "การประสานความร่วมมือกับหน่วยงานภายนอก",
        "Coordination with outside bodies",
        "external",
        "cooperation with outside agencies, utilities, courts, contractors, citizens",
        (
            "การประสานความร่วมมือกับหน่วยงานภายนอกสังกัดกรุงเทพมหานครกระทรวงทบวงกรม"
            "ตลอดจนความร่วมมือภาคประชาชน",
            "การประสานความร่วมมือกับหน่วยงานภายนอก",
            "การประสานงานกับหน่วยงานภายนอก",
            "การประสานความร่วมมือ",
            "การประสานงาน",
            "ความร่วมมือ",
            "หน่วยงานภายนอก",
            "การมีส่วนร่วมของประชาชน",
        ),
        cues=(
            "ประสาน",
            "ความร่วมมือ",
            "หน่วยงานภายนอก",
            "หน่วยงานอื่น",
            "ประชาชน",
            "ชุมชน",
            "ภาคประชาชน",
            "ภาคเอกชน",
            "ผู้ประกอบการ",
            "การไฟฟ้า",
            "การประปา",
            "การรถไฟ",
            "ตำรวจ",
            "ศาล",
            "ผู้รับจ้าง",
            "ผู้รับเหมา",
            "เจ้าของที่ดิน",
            "กระทรวง",
            "มีส่วนร่วม",
            "ภาคีเครือข่าย",
            "รุกล้ำ",
            "ผู้ค้า",
            "อาสาสมัคร",
            "เอกชน",
        ),
        short="ประสานภายนอก",
    ),
)

CATEGORY_IDS = tuple(c.id for c in CATEGORIES)
BY_ID = {c.id: c for c in CATEGORIES}

_PARENTHETICAL = re.compile(r"\([^()]*\)?")
_LEAD_WORDS = re.compile(r"^(?:ปัญหา|ปัจจัย|ประเด็น)?(?:ด้าน)?")
_SPACES = re.compile(r"\s+")
_FUZZY_CUTOFF = 0.85
_FUZZY_MIN_LENGTH = 8


def _heading_key(text: str) -> str:
    """Reduce a heading to its words: no parenthetical, no ``ด้าน``, no spaces or trailing marks."""
    text = _PARENTHETICAL.sub(" ", text)
    text = _SPACES.sub("", text).strip(":：.…-–")
    return _LEAD_WORDS.sub("", text)


_VARIANTS = tuple((v, c.id) for c in CATEGORIES for v in (c.heading_variants + (c.th,)))


def match_heading(text: str) -> str | None:
    """Return the category whose heading ``text`` is, or None if it is not a category heading.

    ``text`` is a heading without its number. A heading is the category's words alone, optionally
    with a parenthetical gloss; OCR damage is tolerated on long headings (``สาธารณภัย กัยพิบติ``).
    A finding that starts with the same words (``อัตรากำลังไม่เพียงพอ...``) is not a heading.
    """
    key = _heading_key(text)
    if not key:
        return None
    for variant, category in _VARIANTS:
        if key == _SPACES.sub("", variant):
            return category
    best, best_ratio = None, 0.0
    for variant, category in _VARIANTS:
        variant = _SPACES.sub("", variant)
        if len(variant) < _FUZZY_MIN_LENGTH or abs(len(key) - len(variant)) > 0.15 * len(variant):
            continue
        matcher = difflib.SequenceMatcher(None, key, variant, autojunk=False)
        # the cheap upper bounds first, as difflib.get_close_matches does
        if matcher.real_quick_ratio() < _FUZZY_CUTOFF or matcher.quick_ratio() < _FUZZY_CUTOFF:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = category, ratio
    return best if best_ratio >= _FUZZY_CUTOFF else None


#: Words a category heading is written with besides its own (``ด้านคน``, ``ด้านเงิน``,
#: ``ด้านวัสดุอุปกรณ์และเทคโนโลยี``): a heading names its category's subject, not a problem.
HEADING_WORDS: dict[str, tuple[str, ...]] = {
    "manpower": ("อัตรากำลัง", "บุคลากร", "กำลังคน", "ทรัพยากรบุคคล", "คน", "เจ้าหน้าที่", "พนักงาน"),
    "budget": ("งบประมาณ", "งบ", "เงิน", "การเงิน", "การคลัง", "เบิกจ่าย", "ค่าใช้จ่าย"),
    "regulation": ("ระเบียบ", "กฎหมาย", "ข้อบังคับ", "กฎ", "ข้อบัญญัติ", "หลักเกณฑ์", "ระเบียบกฎหมาย"),
    "tools": (
        "เครื่องมือ",
        "อุปกรณ์",
        "วัสดุ",
        "เทคโนโลยี",
        "สารสนเทศ",
        "ระบบ",
        "ดิจิทัล",
        "ครุภัณฑ์",
        "ยานพาหนะ",
        "ไอที",
        "it",
        "คอมพิวเตอร์",
    ),
    "management": (
        "การจัดการ",
        "บริหารจัดการ",
        "การบริหาร",
        "การวางแผน",
        "แผน",
        "การติดตาม",
        "กระบวนการ",
        "การดำเนินงาน",
        "การบริหารงาน",
        "การปฏิบัติงาน",
    ),
    "disaster": (
        "สาธารณภัย",
        "ภัยพิบัติ",
        "ภัยธรรมชาติ",
        "ภัย",
        "โรคระบาด",
        "อุทกภัย",
        "โควิด",
        "น้ำท่วม",
        "อัคคีภัย",
        "สถานการณ์ฉุกเฉิน",
    ),
    "policy": ("นโยบาย", "มติ", "มติคณะรัฐมนตรี", "ข้อสั่งการ", "ภารกิจเร่งด่วน", "คำสั่ง"),
    "coordination": (
        "ประสาน",
        "การประสานงาน",
        "ความร่วมมือ",
        "หน่วยงานภายนอก",
        "หน่วยงานอื่น",
        "ภาคประชาชน",
        "ประชาชน",
        "ภาคเอกชน",
        "ชุมชน",
        "ภาคีเครือข่าย",
        "บูรณาการ",
        "ผู้มีส่วนได้ส่วนเสีย",
    ),
}
#: Words that make a line a finding, not a heading: it states a problem or asks for something.
_FINDING_WORDS = re.compile(
    r"ควร|ไม่|ขาด|ล่าช้า|ทำให้|ส่งผล|เนื่องจาก|ต้อง|ได้รับ|เพียงพอ|จำนวน|ร้อยละ|เพิ่มขึ้น|ลดลง|ยัง"
    r"|ชำรุด|ล่ม|ล้าสมัย|ซ้ำซ้อน|ติดขัด|บ่อย|ขัดข้อง|\d"
)
_HEADING_LEAD = re.compile(
    r"^(?:ปัจจัย(?:ภายใน|ภายนอก)\s*[:：\-–]?\s*)?(?:(?:ปัญหา|ปัจจัย|ประเด็น)?\s*ด้าน\s*)?"
)
_HEADING_WORDS_MAX = 80


#: Words that join a heading's subjects (``ด้านคน (อัตรากำลัง) – ปัจจัยภายใน``).
_HEADING_GLUE = tuple(
    "ด้าน และ กับ การ ของ ที่ ใน จาก ต่อ หรือ ทาง เรื่อง ปัจจัย ภายใน ภายนอก เปลี่ยนแปลง ไป อื่น ๆ "
    "ประเด็น ปัญหา หน่วยงาน ภาค ความ ทั่วไป รัฐบาล คณะรัฐมนตรี".split()
)
#: A heading is mostly subject and joining words; a finding has words of its own.
_HEADING_SHARE = 0.6
#: Names this short are matched as whole words only (คน, งบ, กฎ, ภัย, แผน), longer ones anywhere.
_WHOLE_WORD_MAX = 4
#: The subject word opens the heading (after ด้าน), give or take a short word (การ, ความ, ภาค).
_SUBJECT_FIRST = 4


def _word_spans(text: str) -> list[tuple[int, int, str]]:
    from pipeline.stages.words import segment_words

    spans, position = [], 0
    for word in segment_words(text):
        start = text.find(word, position)
        if start < 0:
            continue
        position = start + len(word)
        if word.strip():
            spans.append((start, position, word.lower()))
    return spans


def _find(text: str, spans, name: str) -> list[tuple[int, int]]:
    """Where ``name`` stands in ``text``: as whole words if it is short, else anywhere."""
    if len(name) <= _WHOLE_WORD_MAX:
        starts = {s: e for s, e, _ in spans}
        found = []
        for s, _, _ in spans:  # a run of whole words that spells the name
            end, joined = s, ""
            while end in starts and len(joined) < len(name):
                joined += text[end : starts[end]].lower()
                end = starts[end]
            if joined == name:
                found.append((s, end))
        return found
    return [(m.start(), m.end()) for m in re.finditer(re.escape(name), text, re.I)]


def heading_by_words(text: str) -> str | None:
    """The category a heading worded in its own way names (``ด้านเงิน (งบประมาณ)``): that of the
    first subject word in it. None when the line reads as a finding: it states a problem or asks
    for something, is long, or is not mostly subject and joining words."""
    bare = text.strip(" :：.-–")
    if not bare or len(bare) > _HEADING_WORDS_MAX or _FINDING_WORDS.search(bare):
        return None
    bare = _HEADING_LEAD.sub("", bare)
    spans = _word_spans(bare)
    hits = sorted(
        (start, -(end - start), category)
        for category, names in HEADING_WORDS.items()
        for name in names
        for start, end in _find(bare, spans, name)
    )
    if not hits or hits[0][0] > _SUBJECT_FIRST:  # a heading names its subject first
        return None
    outside = _PARENTHETICAL.sub(lambda m: " " * len(m.group()), bare)
    covered = [not ch.isalnum() or outside[i] == " " for i, ch in enumerate(bare)]
    for name in (*(n for names in HEADING_WORDS.values() for n in names), *_HEADING_GLUE):
        for start, end in _find(bare, spans, name):
            covered[start:end] = [True] * (end - start)
    if sum(covered) / len(bare) < _HEADING_SHARE:
        return None
    return hits[0][2]


def category_from_label(label: str, *, lenient: bool = False) -> str | None:
    """Map a category as analysts write it in a table cell (id, Thai or English) to its id;
    ``lenient`` also reads a heading worded its own way (``ด้านเงิน``, :func:`heading_by_words`)."""
    value = label.strip()
    lowered = value.lower()
    for category in CATEGORIES:
        if lowered in (category.id, category.en.lower()):
            return category.id
    return match_heading(value) or (heading_by_words(value) if lenient else None)


def label_choices() -> str:
    """The accepted category names, for error messages."""
    return ", ".join(f"{c.th} ({c.id})" for c in CATEGORIES)


# --- sub-themes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SubTheme:
    """A point analysts make under a category, with the general sentence the B3 summary states
    for obstacles and for recommendations (true of every agency it is credited to)."""

    id: str
    category: str
    th: str
    description: str
    obstacle: str
    recommendation: str


#: The sub-themes of each category: those the seed's headings name (อัตรากำลัง (การขาดแคลน/
#: คุณภาพ/การพัฒนาเรื่องของคน), งบประมาณ (ไม่มี/ไม่เพียงพอ), ระเบียบกฎหมาย (ไม่สอดคล้อง/ล้าสมัย/
#: ไม่เอื้ออำนวย)) and the recurring ones of the corpus. A finding that fits none is ``other``.
SUBTHEMES: tuple[SubTheme, ...] = (
    SubTheme(
        "manpower.shortage",
        "manpower",
        "การขาดแคลนอัตรากำลัง",
        "too few staff: vacancies, transfers, retirement, workload beyond the staff there is",
        "อัตรากำลังไม่เพียงพอต่อปริมาณงาน จากตำแหน่งว่าง การโอนย้าย หรือการเกษียณอายุ",
        "ควรเร่งสรรหาและบรรจุบุคลากรทดแทนตำแหน่งว่าง หรือทบทวนกรอบอัตรากำลังให้สอดคล้องกับปริมาณงาน",
    ),
    SubTheme(
        "manpower.quality",
        "manpower",
        "คุณภาพของบุคลากร",
        "staff lack the knowledge, skills, experience or specialism the work needs",
        "บุคลากรยังขาดความรู้ ทักษะ หรือประสบการณ์ที่งานต้องการ",
        "ควรกำหนดคุณสมบัติและมอบหมายงานให้ตรงกับความรู้และทักษะของบุคลากร",
    ),
    SubTheme(
        "manpower.development",
        "manpower",
        "การพัฒนาบุคลากร",
        "training, coaching, passing on knowledge, career paths and motivation",
        "การพัฒนาและถ่ายทอดความรู้ให้บุคลากรยังไม่ต่อเนื่อง",
        "ควรจัดฝึกอบรม ถ่ายทอดความรู้ และพัฒนาบุคลากรอย่างต่อเนื่อง",
    ),
    SubTheme(
        "budget.none",
        "budget",
        "ไม่ได้รับจัดสรรงบประมาณ",
        "no budget at all for the work, or a request not granted",
        "ไม่ได้รับการจัดสรรงบประมาณสำหรับงานที่ต้องดำเนินการ",
        "ควรจัดทำคำของบประมาณให้ครอบคลุมงานที่ต้องดำเนินการตั้งแต่ต้นปี",
    ),
    SubTheme(
        "budget.insufficient",
        "budget",
        "งบประมาณไม่เพียงพอ",
        "budget granted but too little, cut, or late in the year",
        "งบประมาณที่ได้รับไม่เพียงพอหรือได้รับล่าช้า",
        "ควรพิจารณาจัดสรรงบประมาณเพิ่มเติมให้เพียงพอและทันต่อการดำเนินงาน",
    ),
    SubTheme(
        "budget.disbursement",
        "budget",
        "การเบิกจ่ายงบประมาณ",
        "disbursement behind plan, slow procurement steps, funds returned",
        "การเบิกจ่ายงบประมาณไม่เป็นไปตามแผน",
        "ควรวางแผนและเร่งรัดการเบิกจ่ายงบประมาณให้เป็นไปตามแผนที่กำหนด",
    ),
    SubTheme(
        "regulation.procurement",
        "regulation",
        "ระเบียบการจัดซื้อจัดจ้างและการเงิน",
        "procurement, finance and disbursement rules whose steps slow or block the work",
        "ระเบียบและขั้นตอนการจัดซื้อจัดจ้างหรือการเงินไม่เอื้ออำนวยต่อการดำเนินงาน",
        "ควรทบทวนและปรับปรุงระเบียบการจัดซื้อจัดจ้างและการเงินให้เอื้อต่อการดำเนินงาน",
    ),
    SubTheme(
        "regulation.authority",
        "regulation",
        "อำนาจหน้าที่ตามกฎหมาย",
        "the law gives the agency too little power, or the power lies with another body",
        "อำนาจหน้าที่ตามกฎหมายไม่เอื้อให้หน่วยงานดำเนินการได้เอง",
        "ควรผลักดันการแก้ไขกฎหมายหรือข้อบัญญัติเพื่อให้หน่วยงานมีอำนาจดำเนินการได้",
    ),
    SubTheme(
        "regulation.outdated",
        "regulation",
        "ระเบียบไม่สอดคล้องหรือล้าสมัย",
        "rules and criteria that are outdated, unclear or do not fit today's work",
        "ระเบียบ หลักเกณฑ์ หรือข้อบัญญัติที่ใช้อยู่ไม่สอดคล้องกับสภาพการปฏิบัติงานหรือล้าสมัย",
        "ควรทบทวนระเบียบและหลักเกณฑ์ให้ชัดเจนและสอดคล้องกับสภาพการปฏิบัติงานในปัจจุบัน",
    ),
    SubTheme(
        "tools.equipment",
        "tools",
        "เครื่องมือและอุปกรณ์",
        "vehicles, machines, computers and other equipment: too few, old or broken",
        "เครื่องมือ อุปกรณ์ และยานพาหนะไม่เพียงพอ ชำรุด หรือล้าสมัย",
        "ควรจัดหาและบำรุงรักษาเครื่องมือ อุปกรณ์ และยานพาหนะให้เพียงพอและพร้อมใช้งาน",
    ),
    SubTheme(
        "tools.systems",
        "tools",
        "ระบบสารสนเทศ",
        "information systems and applications that fail, do not fit or are missing",
        "ระบบสารสนเทศและแอปพลิเคชันยังไม่รองรับการปฏิบัติงานได้เต็มที่",
        "ควรพัฒนาและปรับปรุงระบบสารสนเทศให้รองรับการปฏิบัติงานและใช้งานได้จริง",
    ),
    SubTheme(
        "tools.data",
        "tools",
        "ข้อมูลและการเชื่อมโยงข้อมูล",
        "data incomplete, out of date or not linked between systems and agencies",
        "ข้อมูลไม่ครบถ้วน ไม่เป็นปัจจุบัน หรือไม่เชื่อมโยงกันระหว่างระบบ",
        "ควรจัดทำฐานข้อมูลให้ครบถ้วน เป็นปัจจุบัน และเชื่อมโยงกันระหว่างหน่วยงาน",
    ),
    SubTheme(
        "management.planning",
        "management",
        "การวางแผน",
        "no plan from the start of the year, plans that do not fit, priorities unclear",
        "การวางแผนการดำเนินงานยังไม่ครอบคลุมหรือไม่ได้เตรียมการตั้งแต่ต้นปี",
        "ควรวางแผนการดำเนินงานให้ครอบคลุมตั้งแต่ต้นปีงบประมาณ",
    ),
    SubTheme(
        "management.monitoring",
        "management",
        "การติดตามและประเมินผล",
        "follow-up, reporting and evaluation of the agency's own work",
        "การกำกับติดตามและประเมินผลการดำเนินงานยังไม่ต่อเนื่อง",
        "ควรกำกับติดตามและประเมินผลการดำเนินงานอย่างสม่ำเสมอ",
    ),
    SubTheme(
        "management.indicators",
        "management",
        "เป้าหมายและตัวชี้วัด",
        "objectives, targets and KPI definitions that are unclear or do not measure the work",
        "เป้าหมายและตัวชี้วัดยังไม่ชัดเจนหรือไม่สะท้อนผลการดำเนินงานที่แท้จริง",
        "ควรทบทวนเป้าหมายและนิยามตัวชี้วัดให้ชัดเจนและสะท้อนผลการดำเนินงาน",
    ),
    SubTheme(
        "disaster.epidemic",
        "disaster",
        "โรคระบาด",
        "COVID-19 and other epidemics, and their knock-on effects",
        "สถานการณ์โรคระบาดส่งผลกระทบต่อการดำเนินงานตามแผน",
        "ควรจัดทำแผนรองรับการดำเนินงานในสถานการณ์โรคระบาด",
    ),
    SubTheme(
        "disaster.flood",
        "disaster",
        "อุทกภัยและน้ำท่วม",
        "floods, heavy rain, high tides and their effects on the work",
        "อุทกภัยและน้ำท่วมขังส่งผลกระทบต่อการดำเนินงานตามแผน",
        "ควรเตรียมแผนเผชิญเหตุและแผนสำรองสำหรับช่วงอุทกภัย",
    ),
    SubTheme(
        "disaster.other_hazard",
        "disaster",
        "สาธารณภัยอื่น",
        "PM2.5 and haze, fire, drought, storms, building collapse",
        "สาธารณภัยอื่น เช่น ฝุ่นละออง อัคคีภัย หรือภัยแล้ง ส่งผลกระทบต่อการดำเนินงาน",
        "ควรเตรียมมาตรการรับมือสาธารณภัยที่อาจเกิดขึ้นระหว่างปี",
    ),
    SubTheme(
        "policy.executive",
        "policy",
        "นโยบายและข้อสั่งการของผู้บริหาร",
        "new or changed policies, orders and urgent assignments of the BMA's executives",
        "นโยบายและภารกิจเร่งด่วนที่ได้รับมอบหมายระหว่างปีทำให้ต้องปรับแผนการดำเนินงาน",
        "ควรปรับแผนการดำเนินงานให้รองรับนโยบายและภารกิจเร่งด่วนของผู้บริหาร",
    ),
    SubTheme(
        "policy.national",
        "policy",
        "กฎหมายและมติคณะรัฐมนตรีที่เปลี่ยนแปลง",
        "new national laws, cabinet resolutions and measures of the government",
        "กฎหมาย มติคณะรัฐมนตรี หรือมาตรการของรัฐบาลที่เปลี่ยนแปลงส่งผลต่อการดำเนินงาน",
        "ควรติดตามและปรับการดำเนินงานให้สอดคล้องกับกฎหมายและมติคณะรัฐมนตรีที่เปลี่ยนแปลง",
    ),
    SubTheme(
        "coordination.agencies",
        "coordination",
        "หน่วยงานภายนอกและสาธารณูปโภค",
        "other government bodies, state enterprises and utilities the work depends on",
        "การดำเนินงานต้องอาศัยความร่วมมือจากหน่วยงานภายนอกและหน่วยงานสาธารณูปโภค",
        "ควรประสานและจัดทำแนวทางความร่วมมือกับหน่วยงานภายนอกที่เกี่ยวข้อง",
    ),
    SubTheme(
        "coordination.contractors",
        "coordination",
        "ผู้รับจ้างและภาคเอกชน",
        "contractors, suppliers and private operators",
        "ผู้รับจ้างหรือภาคเอกชนดำเนินงานล่าช้าหรือไม่เป็นไปตามที่กำหนด",
        "ควรกำกับติดตามผู้รับจ้างและภาคเอกชนให้ดำเนินงานตามสัญญาและเงื่อนไขที่กำหนด",
    ),
    SubTheme(
        "coordination.citizens",
        "coordination",
        "ประชาชนและชุมชน",
        "citizens, communities, vendors and their cooperation or understanding",
        "ประชาชนและชุมชนบางส่วนยังไม่ให้ความร่วมมือหรือไม่เข้าใจการดำเนินงาน",
        "ควรสร้างการมีส่วนร่วมและประชาสัมพันธ์ให้ประชาชนและชุมชนเข้าใจและให้ความร่วมมือ",
    ),
)
SUBTHEME_OTHER = "other"
SUBTHEME_OTHER_TH = "อื่น ๆ"
SUBTHEMES_BY_ID = {s.id: s for s in SUBTHEMES}


def subthemes_of(category: str) -> tuple[SubTheme, ...]:
    return tuple(s for s in SUBTHEMES if s.category == category)


def category_th(category: str) -> str:
    """A category's Thai name as tables and workbooks write it (policy's without its list of
    instruments: นโยบายรัฐบาล)."""
    name = BY_ID[category].th
    return name.split(" กฎหมาย/")[0] if category == "policy" else name


def subtheme_th(subtheme) -> object:
    """A sub-theme's Thai name; anything that is not a sub-theme is returned as it is."""
    if subtheme in SUBTHEMES_BY_ID:
        return SUBTHEMES_BY_ID[subtheme].th
    return SUBTHEME_OTHER_TH if subtheme == SUBTHEME_OTHER else subtheme

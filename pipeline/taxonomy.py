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


def category_from_label(label: str) -> str | None:
    """Map a category as analysts write it in a table cell (id, Thai or English) to its id."""
    value = label.strip()
    lowered = value.lower()
    for category in CATEGORIES:
        if lowered in (category.id, category.en.lower()):
            return category.id
    return match_heading(value)


def label_choices() -> str:
    """The accepted category names, for error messages."""
    return ", ".join(f"{c.th} ({c.id})" for c in CATEGORIES)

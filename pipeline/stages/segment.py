"""Turn a normalised document into findings: one row per obstacle, recommendation or observation.

The segmenter walks the blocks of a document once. Headings are recognised by their words, never
by their numbers (real reports number the same heading ``๑.๑)``, ``(๑)`` or ``๒.๒)`` and get the
numbers wrong): section headings set the kind and the recipient, factor and category headings set
the heading category, and KPI-owner sub-headings set the recipient agency. Numbered and bulleted
items become findings, nested by their numbering style; unnumbered text under a numbered item is
the same paragraph going on. A lead-in (an item ending in ``ดังนี้`` that only introduces
sub-items) is not a finding; its text is kept as the ``context`` of its sub-items.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.shared import agencies, taxonomy
from pipeline.shared.schema import col, findings_frame
from pipeline.stages.normalize import running_key
from pipeline.stages.read import Block, Document

_NUMBERING = re.compile(
    r"""^(?:
        \((?P<paren>\d{1,3})\)
      | (?P<dotted>\d{1,3}(?:\.\d{1,3}){1,5})(?P<dotted_end>[.)])?(?=\s|$)
      | (?P<single>\d{1,3})(?P<single_end>[.)])(?!\d)
      | (?P<letter_dotted>[ก-ฮ]\.\d{1,2})(?P<letter_dotted_end>[.)]?)(?=\s)
      | (?P<letter>[ก-ฮ])(?P<letter_end>[.)])(?=\s)
      | \((?P<paren_letter>[ก-ฮ])\)
      | (?P<part>(?:ส่วนที่|ตอนที่|หมวด(?:ที่)?|ข้อ)\s*\d{1,2})(?P<part_end>\s*[.:：)]?)(?=\s|$)
      | (?P<bullet>[-–—•●○◦▪■□➢➤►✓*·])(?!\d)
    )\s*""",
    re.X,
)
#: A heading set in brackets: ``[ปัจจัยภายใน]``, ``【งบประมาณ】``.
#: A heading that says it is one: ``ด้าน...`` (``ด้านอาคารสถานที่``), short, stating no problem.
_SIDE_HEADING = re.compile(r"^(?:ปัญหา|ประเด็น)?ด้าน(?!\S*(?:ไม่|ขาด|ล่าช้า|ควร))\S.{0,50}$")
_BRACKETED = re.compile(r"^[\[【〔]\s*([^\]】〕]{1,60}?)\s*[\]】〕]$")
_BULLETS = frozenset("-•◦▪*✓➢➤►")
_BULLET_STYLE = {"–": "-", "—": "-", "●": "•", "·": "•", "○": "◦", "■": "▪", "□": "▪"}

_OBSTACLE_HEAD = re.compile(
    r"^(?:สรุป)?(?:ประเด็น)?(?:สภาพ)?(?:"
    r"(?:ปัญหา\s*(?:/|และ|หรือ|,)?\s*(?:อุปสรรค|ข้อจำกัด)|ปัญหาที่พบ|อุปสรรค|ข้อจำกัด)"
    r"(?=$|[\s(:：/ฯ]|แบ่ง|ใน|ของ|จาก|ที่|ต่อ|ดังนี้|ได้แก่)"
    r"|ปัญหา(?=$|[\s(:：]|แบ่ง|ดังนี้|ได้แก่))"
)
_RECOMMENDATION_HEAD = re.compile(
    r"^(?:สรุป)?(?:ประเด็น)?(?:ข้อเสนอแนะ|ข้อเสนอ(?=\s*(?:ของ|[:：])|$)|"
    r"แนวทาง(?:การ)?แก้ไข(?:ปัญหา)?)"
    r"(?=$|[\s(:：/ฯ]|ต่อ|เชิง|ใน|ของ|จาก|เพื่อ|แบ่ง|และ|ดังนี้|ได้แก่|แนวทาง|เพิ่มเติม)"
)
#: A chair's or a committee's remarks: ข้อสังเกต, ข้อคิดเห็น, also after ความเห็น (ความเห็นและ
#: ข้อสังเกตของ..., ความเห็น/ข้อสังเกต/มติที่ประชุม).
_OBSERVATION_HEAD = re.compile(
    r"^(?:สรุป)?(?:ประเด็น)?(?:ความเห็น\s*(?:และ|/|,)?\s*)?(?:ข้อสังเกต|ข้อคิดเห็น)"
)
_TITLE_WORDS = re.compile(r"ปัญหา.{0,10}อุปสรรค.{0,10}และ.{0,6}ข้อเสนอแนะ")
_FACTOR_HEAD = re.compile(r"^ปัจจัย(?:ภาย)?(ใน|นอก)\s*(?:\([^)]*\))?\s*[:：]?$")
_LEAD_IN = re.compile(r"(?:ดังนี้|ได้แก่|ดังต่อไปนี้|ประกอบด้วย|[:：])\s*$")
_HEADING_MAX_CHARS = 150

_NOT_A_FINDING = re.compile(
    r"^(?:ไม่มี|ไม่พบ(?:ปัญหา(?:อุปสรรค)?)?|ไม่มีข้อเสนอแนะ|ไม่มีปัญหาอุปสรรค|n/?a|none|-)\s*[.\-–]?$",
    re.I,
)
#: A report's furniture, never a finding: signature, position and date lines of a signature
#: block, notes to the file, contact lines. A signature line also ends the findings above it.
_SIGNATURE = re.compile(
    r"^\(?\s*(?:ลงชื่อ|ลงนาม)|^\((?:[\s.…_]*|(?:นาย|นาง|นางสาว|ดร\.|ว่าที่)[^()]{0,60})\)$"
)
_MONTHS = (
    "มกราคม|กุมภาพันธ์|มีนาคม|เมษายน|พฤษภาคม|มิถุนายน|กรกฎาคม|สิงหาคม|กันยายน|ตุลาคม|พฤศจิกายน|ธันวาคม"
    r"|ม\.ค\.|ก\.พ\.|มี\.ค\.|เม\.ย\.|พ\.ค\.|มิ\.ย\.|ก\.ค\.|ส\.ค\.|ก\.ย\.|ต\.ค\.|พ\.ย\.|ธ\.ค\."
)
_FURNITURE = re.compile(
    r"^(?:ตำแหน่ง\s*[:：.…_]|ตำแหน่ง\s+(?!.*(?:ว่าง|ขาด|ไม่|ควร)).{1,60}$"
    r"|ผู้(?:จัดทำ|รายงาน|ตรวจสอบ|บันทึก|ประสานงาน)(?:ข้อมูล|รายงาน)?\s*[:：]"
    rf"|(?:ณ\s*)?(?:วันที่|ลงวันที่)[\s\d.…_]*(?:เดือน)?[\s.…_]*(?:{_MONTHS}|[.…_]{{3}})"
    r"|หมายเหตุ|โทร(?:ศัพท์|\.)?\s*[:：]?\s*\d|อีเมล|e-?mail\s*[:：]|(?:จัดทำ|รายงาน|สรุป)โดย"
    rf"|\d{{1,2}}\s*(?:{_MONTHS})\s*(?:พ\.\s*ศ\.\s*)?\d{{4}}$"
    r"|คณะกรรมการ(?:ฯ|ตรวจติดตาม\S*)?\s*จะ)",  # what the committee itself will do next
    re.I,
)
_NOTES_HEADING = re.compile(r"^หมายเหตุ\s*[:：]?$")
_LEADER_CHARS = re.compile(r"[.…_\-–—=*~]")
#: A dotted space to sign, beside the signer's role (``ผู้สรุปรายงาน ........ เลขานุการ``).
_SIGNED = re.compile(
    r"[.…_]{8,}.*(?:เลขานุการ|ประธาน|กรรมการ|ผู้รายงาน|ผู้สรุป|ผู้จัดทำ|ผู้ตรวจ)"
    r"|(?:ผู้รายงาน|ผู้สรุป(?:รายงาน)?|ผู้จัดทำ|ผู้ตรวจสอบ)\s*[.…_]{8,}"
)
#: A line of leaders may hold a few words (``ลงชื่อ ...... ผู้รายงาน``), not a filled-in field.
_LEADER_WORDS_MAX = 12


def is_furniture(text: str) -> bool:
    """A signature, position, date, note or contact line, or a line that is mostly dots."""
    bare = text.strip()
    if not bare:
        return False
    leaders = len(_LEADER_CHARS.findall(bare))
    return bool(
        _SIGNATURE.match(bare)
        or _FURNITURE.match(bare)
        or (
            leaders >= 3
            and leaders >= 0.4 * len(bare.replace(" ", ""))
            and len(re.sub(r"[\W\d_]", "", bare)) <= _LEADER_WORDS_MAX
        )
        or bool(_SIGNED.search(bare))
    )


_GOOD_RESULT = re.compile(
    r"^(?:ผลการดำเนินงาน|การดำเนินงาน|การดำเนินการ|หน่วยงาน).{0,60}"
    r"(?:บรรลุ|เป็นไปตาม|ผ่าน|สูงกว่า)(?:ค่า)?(?:เป้าหมาย|เกณฑ์).{0,40}$"
)

_YEAR = re.compile(r"(?:ปีงบประมาณ|ประจำปี)\s*[:：]?\s*(?:พ\.\s*ศ\.\s*)?(\d{4})|\bFY\s*(\d{4})", re.I)
_COMMITTEE = re.compile(r"คณะที่[\s:：.…_]*(\d{1,2})\b|^คณะ\s*[:：]\s*(\d{1,2})\b")
#: ``หน่วยงาน : ...``, ``ชื่อหน่วยงาน ......``, ``หน่วยงานที่รับการประเมิน ...``, ``ชื่อส่วนราชการ : ...``
_AGENCY_LINE = re.compile(
    r"(?:^|\s)(?:ชื่อ)?(?:หน่วยงาน|(?<=ชื่อ)ส่วนราชการ)(?:ผู้|ที่)?(?:ได้)?(?:รับ(?:การ)?ประเมิน(?:ผล)?)?"
    r"[\s:：.…_]*(\S.*)$"
)
_LEADERS = re.compile(r"[.…_]{2,}")
#: An unnumbered line that opens with a connective goes on the paragraph before it.
_CONNECTIVE = re.compile(
    r"^(?:แต่|และ|ซึ่ง|จึง|ทำให้|ส่งผลให้|เนื่องจาก|รวมทั้ง|รวมถึง|ตลอดจน|อีกทั้ง|ประกอบกับ|มากกว่า"
    r"|หรือ|เพื่อให้|โดยเฉพาะ)"
)
#: A recommendation that opens with its recipient's name: ``สำนักงบประมาณฯ ควรพิจารณา...``.
_NAMED_RECIPIENT = re.compile(r"^(?P<name>\S.{2,60}?)\s*[:：,]?\s*(?P<rest>ควร.*)$")
#: A title is among a report's first lines and short; other lines naming an agency are text.
_TITLE_MAX, _TITLE_LINES = 120, 8
_YEAR_CUT = re.compile(r"(?:ปีงบประมาณ|ประจำปี|พ\.\s*ศ\.)\s*$")
_BE_YEAR = re.compile(r"^\s*25\d\d\s*$")
#: Lines of a memo's head that name other offices (the sender, the addressee).
_MEMO_LINE = re.compile(r"^(?:จาก|ถึง|เรียน|ส่วนราชการ|ที่\s|สำเนา|อ้างถึง)")

_KIND_LABELS = {
    "obstacle": ("obstacle", "ปัญหาอุปสรรค", "ปัญหา", "อุปสรรค", "ปัญหา/อุปสรรค"),
    "recommendation": ("recommendation", "ข้อเสนอแนะ", "แนวทางแก้ไข", "แนวทางการแก้ไข"),
    "observation": ("observation", "ข้อสังเกต", "ข้อคิดเห็น"),
}
_RECIPIENT_LABELS = {
    "agency": ("agency", "หน่วยงานผู้รับการประเมิน", "หน่วยงาน"),
    "kpi_owner": ("kpi_owner", "หน่วยงานผู้ประเมิน", "เจ้าภาพตัวชี้วัด", "เจ้าภาพ"),
    "executives": ("executives", "ผู้บริหาร", "ผู้บริหารกรุงเทพมหานคร", "เชิงนโยบาย"),
}


def _lookup(value: str, table: dict[str, tuple[str, ...]]) -> str | None:
    key = re.sub(r"\s+", "", value).lower()
    for name, labels in table.items():
        if key in labels:
            return name
    return None


#: A sub-heading naming who recommendations are for: ``ต่อผู้บริหารกรุงเทพมหานคร``, ``สำหรับ
#: หน่วยงานผู้รับการประเมิน``, ``ถึงหน่วยงานเจ้าภาพตัวชี้วัด (สำนักงบประมาณกรุงเทพมหานคร)``.
_RECIPIENT_LEAD = re.compile(
    r"^(?:ข้อเสนอแนะ\s*)?(?:เชิงนโยบาย\s*)?(?:สำหรับ|ถึง|ต่อ|เสนอต่อ|เสนอ)\s*(?P<who>\S.*)$"
    r"|^(?P<label>(?:หน่วยงาน)?เจ้าภาพ(?:ตัวชี้วัด)?|หน่วยงานผู้ประเมิน)\s*[:：]\s*(?P<named>\S.*)$"
)


def _recipient_group(who: str) -> tuple[str, str | None] | None:
    """The recipient type (and agency) a recipient's description names, or None."""
    if re.search(r"(?:ผู้|ที่)(?:ได้)?รับการประเมิน", who):
        return "agency", None
    if re.search(r"เจ้าภาพ|ผู้ประเมิน|ตัวชี้วัด|\bKPI", who):
        named = agencies.named_in(who)
        return "kpi_owner", named or agencies.ALL_KPI_OWNERS
    if re.search(r"ผู้บริหาร|เชิงนโยบาย", who):
        return "executives", agencies.EXECUTIVES
    return None


def kind_from_label(value: str) -> str | None:
    """``ปัญหาอุปสรรค`` / ``obstacle`` → ``obstacle``, and so on; None if unknown."""
    return _lookup(value, _KIND_LABELS)


def recipient_from_label(value: str) -> str | None:
    return _lookup(value, _RECIPIENT_LABELS)


def _year(value: str) -> int | None:
    digits = re.search(r"\d{4}", value)
    if not digits:
        return None
    year = int(digits.group())
    return year + 543 if 1900 < year < 2200 else year  # a Christian-era year becomes Buddhist


def _committee(value: str) -> int | None:
    digits = re.search(r"\d{1,2}", value)
    return int(digits.group()) if digits else None


@dataclass
class _Numbering:
    label: str
    style: str
    number: int | None


def parse_numbering(text: str) -> tuple[_Numbering | None, str]:
    """Split the numbering off a line: ``(2) อัตรากำลัง`` → ``((2), paren style), อัตรากำลัง``."""
    match = _NUMBERING.match(text)
    if not match or match.end() == len(text.rstrip()):
        return None, text
    rest = text[match.end() :]
    groups = match.groupdict()
    if groups["paren"]:
        numbering = _Numbering(f"({groups['paren']})", "(n)", int(groups["paren"]))
    elif groups["dotted"]:
        parts = groups["dotted"].split(".")
        end = groups["dotted_end"] or ""
        numbering = _Numbering(
            groups["dotted"] + end, "n" + ".n" * (len(parts) - 1) + end, int(parts[-1])
        )
    elif groups["single"]:
        end = groups["single_end"]
        numbering = _Numbering(groups["single"] + end, "n" + end, int(groups["single"]))
    elif groups["letter_dotted"]:
        numbering = _Numbering(
            groups["letter_dotted"] + groups["letter_dotted_end"],
            "ก.n" + groups["letter_dotted_end"],
            int(groups["letter_dotted"].split(".")[1]),
        )
    elif groups["paren_letter"]:
        numbering = _Numbering(f"({groups['paren_letter']})", "(ก)", None)
    elif groups["part"]:
        word = groups["part"].rstrip("0123456789 ")
        label = re.sub(r"\s+", " ", groups["part"]) + groups["part_end"].strip()
        numbering = _Numbering(label, f"{word} n", int(re.search(r"\d+", groups["part"]).group()))
    elif groups["letter"]:
        end = groups["letter_end"]
        numbering = _Numbering(groups["letter"] + end, "ก" + end, None)
    else:
        bullet = _BULLET_STYLE.get(groups["bullet"], groups["bullet"])
        numbering = _Numbering(bullet, bullet, None)
    return numbering, rest


@dataclass
class _Item:
    label: str
    style: str
    number: int | None
    line: int
    context: dict
    parts: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    repairs: set[str] = field(default_factory=set)
    parent: _Item | None = None
    children: int = 0
    subheading: bool = False
    path: str = ""

    @property
    def text(self) -> str:
        return " ".join(self.parts)

    def add(self, block: Block, text: str) -> None:
        self.parts.append(text)
        self.raw.append(block.raw)
        self.repairs.update(block.repairs)


@dataclass
class _State:
    """Where the walk is: the current section, factor, category and open items."""

    kind: str | None = None
    recipient_type: str | None = None
    recipient_agency: str | None = None
    committee: int | None = None
    chair: bool = False
    factor: str | None = None
    category: str | None = None
    heading_source: str | None = None  # how the heading was read: words, synonyms, table, model
    labels: dict = field(default_factory=dict)  # section / factor / group labels for the path
    mode: str | None = None  # "numbered" or "paragraph", set by the first item under a heading
    stack: list[_Item] = field(default_factory=list)
    siblings: dict = field(default_factory=dict)

    def in_findings(self) -> bool:
        return self.kind is not None or self.category is not None

    def close(self) -> None:
        self.stack.clear()
        self.mode = None
        self.siblings = {}

    def snapshot(self) -> dict:
        return {
            col.KIND: self.kind,
            col.RECIPIENT_TYPE: self.recipient_type,
            col.RECIPIENT_AGENCY: self.recipient_agency,
            col.COMMITTEE: self.committee,
            col.FACTOR: self.factor,
            col.HEADING_CATEGORY: self.category,
            col.HEADING_SOURCE: self.heading_source if self.category else None,
        }


@dataclass
class Segmentation:
    """What the segmenter found in one document besides the findings."""

    fiscal_year: int | None = None
    committee: int | None = None
    agency: str | None = None
    warnings: list[str] = field(default_factory=list)
    joined_paragraphs: int = 0
    #: the structure read, one line each: ``line 12: category budget (synonyms) ← ด้านเงิน``
    outline: list[str] = field(default_factory=list)


class _Segmenter:
    def __init__(self, document: Document, heading_classifier=None):
        self.document = document
        self.heading_classifier = heading_classifier  # text → category, for ``ด้าน...`` headings
        self.meta = Segmentation()
        self.state = _State()
        self.items: list[_Item] = []
        self.header = True  # before the first section heading: metadata lives here
        self.hints: dict | None = None
        self.following: str | None = None  # the next line that is not furniture
        self.following_index: int | None = None
        self.skip: int | None = None  # a line already read as part of a heading
        self.agency_guess: str | None = None  # an agency a title or header line names
        self.line = 0  # the line being read, for the outline
        self.previous = ""  # the text of the line before it
        self.index = 0  # its place among the document's blocks

    # -- headings --------------------------------------------------------------------------

    def _note(self, what: str, text: str) -> None:
        self.meta.outline.append(f"line {self.line}: {what} ← {text[:60]}")

    def _section_heading(self, numbering: _Numbering | None, text: str) -> bool:
        state = self.state
        heading_like = len(text) <= _HEADING_MAX_CHARS or bool(_LEAD_IN.search(text))
        if not heading_like:
            return False
        chair_heading = bool(_OBSERVATION_HEAD.match(text)) and "ประธาน" in text
        if state.chair and not chair_heading:
            return False  # inside the chair's remarks, their sub-headings are lead-ins
        if _TITLE_WORDS.search(text) and not _RECOMMENDATION_HEAD.match(text):
            kind = "title"
        elif _OBSTACLE_HEAD.match(text):
            kind = "obstacle"
        elif _RECOMMENDATION_HEAD.match(text):
            kind = "recommendation"
        elif _OBSERVATION_HEAD.match(text):
            kind = "observation"
        else:
            return False
        if kind != "title":  # a report's title comes before its metadata lines
            self.header = False
        elif self.header:  # a title names the year, the committee, often the agency
            self._metadata(text, agency=False)
        state.close()
        state.factor = state.category = state.recipient_agency = None
        state.chair = chair_heading
        state.committee = None
        state.labels = {"section": numbering.label if numbering else None}
        state.kind = None if kind == "title" else kind
        state.recipient_type = None
        if kind == "recommendation":
            if "ผู้รับการประเมิน" in text:
                state.recipient_type = "agency"
            elif "ผู้ประเมิน" in text or "เจ้าภาพ" in text:
                state.recipient_type = "kpi_owner"
            elif "เชิงนโยบาย" in text or "ผู้บริหาร" in text:
                state.recipient_type = "executives"
                state.recipient_agency = agencies.EXECUTIVES
            else:
                state.recipient_type = "agency"
        if committee := _COMMITTEE.search(text):
            state.committee = int(committee.group(1) or committee.group(2))
        recipient = f", for {state.recipient_type}" if state.recipient_type else ""
        self._note(f"{kind}{recipient}" if kind == "title" else f"section {kind}{recipient}", text)
        return True

    def _recipient_heading(self, numbering: _Numbering | None, text: str) -> bool:
        """``ต่อผู้บริหารกรุงเทพมหานคร``, ``สำหรับหน่วยงานผู้รับการประเมิน``: recommendations for
        whom follow; an agency named with a KPI-owner group is the recipient agency."""
        lead = _RECIPIENT_LEAD.match(text)
        if not lead or len(text) > _HEADING_MAX_CHARS or "ควร" in text:
            return False
        who = (lead.group("who") or "").strip(" :：")
        if lead.group("label"):  # เจ้าภาพตัวชี้วัด : สำนักงบประมาณกรุงเทพมหานคร (สงม.)
            who = f"{lead.group('label')} {lead.group('named')}"
        found = _recipient_group(who)
        if found is None:
            official = agencies.canonical(who.strip("()")) or (
                agencies.named_in(who) if re.match(r"^(?:หน่วยงาน)?\s*\(", who) else None
            )
            own = self.meta.agency or self.agency_guess
            if official == own or (re.match(r"^หน่วยงาน\s*(?:\(|$)", who) and official is None):
                found = ("agency", None)
            elif official:
                found = ("kpi_owner", official)
            else:
                return False
        state = self.state
        state.close()
        state.kind = "recommendation"
        state.recipient_type, state.recipient_agency = found
        state.category = state.factor = None
        state.labels["group"] = numbering.label if numbering else None
        self.header = False
        agency = f" {state.recipient_agency}" if state.recipient_agency else ""
        self._note(f"recommendations for {state.recipient_type}{agency}", text)
        return True

    def _group_heading(self, numbering: _Numbering | None, text: str) -> bool:
        """Factor, category and KPI-owner recipient headings."""
        state = self.state
        if len(text) > _HEADING_MAX_CHARS:
            return False
        label = numbering.label if numbering else None
        if factor := _FACTOR_HEAD.match(text):
            state.close()
            state.factor = "internal" if factor.group(1) == "ใน" else "external"
            state.category = None
            state.labels = {"section": state.labels.get("section"), "factor": label}
            self._note(f"factor {state.factor}", text)
            return True
        category, source = taxonomy.match_heading(text), "words"
        if category is None and self.following and not parse_numbering(self.following)[0]:
            # a long heading wrapped onto the next line (the seed's long coordination heading)
            category = taxonomy.match_heading(f"{text} {self.following}")
            if category:
                self.skip = self.following_index
        if category is None and self._heads_items(numbering, text):
            category, source = taxonomy.heading_by_words(text), "synonyms"
            if category is None and _SIDE_HEADING.match(text):
                # ``ด้าน...`` in words of no category: a heading all the same, read by the model
                category, source = (self.heading_classifier or (lambda _: None))(text), "model"
                if category is None:
                    self._note("heading of no category", text)
                    state.close()
                    state.category = state.heading_source = None
                    state.labels["group"] = label
                    return True
        if category:
            self._note(f"category {category} ({source})", text)
            state.close()
            state.category, state.heading_source = category, source
            state.factor = taxonomy.BY_ID[category].factor
            state.labels["group"] = label
            return True
        if state.recipient_type == "kpi_owner" and (recipient := agencies.recipient_heading(text)):
            self._note(f"KPI owner {recipient}", text)
            state.close()
            state.recipient_agency = recipient
            state.labels["group"] = label
            return True
        return False

    def _heads_items(self, numbering: _Numbering | None, text: str) -> bool:
        """Whether a line stands where a heading stands: not an agency's name, and followed by
        items numbered in another style, or (unnumbered and short) by a longer paragraph."""
        if agencies.canonical(text) or agencies.named_in(text):
            return False  # an agency's name (สำนักงานการเจ้าหน้าที่) in a report's head
        following = self.following
        if following is None or _LEAD_IN.search(text):
            return False
        after, rest = parse_numbering(following)
        if after is not None:
            return numbering is None or after.style != numbering.style
        return numbering is None and len(text) <= 40 and len(rest) > 1.5 * len(text)

    def _metadata(self, text: str, *, agency: bool = True) -> bool:
        """Fiscal year, committee and agency in the report's header; True if the line is one."""
        meta = self.meta
        found = False
        if meta.fiscal_year is None and (year := _YEAR.search(text)):
            meta.fiscal_year = _year(year.group(1) or year.group(2))
            found = True
        elif meta.fiscal_year is None and _YEAR_CUT.search(self.previous) and _BE_YEAR.match(text):
            meta.fiscal_year = int(text.strip())  # the year wrapped onto a line of its own
            found = True
        if meta.committee is None and (committee := _COMMITTEE.search(text)):
            meta.committee = int(committee.group(1) or committee.group(2))
            found = True
        if meta.agency is not None:
            return found
        if agency and (line := _AGENCY_LINE.search(text)):
            value = _LEADERS.sub(" ", line.group(1)).strip(" :：")
            official = (
                agencies.canonical(value)
                or agencies.named_in(value)
                or agencies.canonical(re.split(r"\s{2,}|\(|คณะ", value)[0])
            )
            if official or line.start() == 0:  # mid-line, only a known agency's name counts
                meta.agency = official or value
                if not official:
                    meta.warnings.append(f"{self.document.source}: unknown agency '{value}'")
                return True
        if agency and (official := agencies.canonical(text)):
            meta.agency = official
            return True
        if (
            self.agency_guess is None
            and self.index < _TITLE_LINES
            and len(text) <= _TITLE_MAX
            and not _MEMO_LINE.match(text)
        ):
            self.agency_guess = agencies.named_in(text)  # a title naming the agency
        return found

    # -- items -----------------------------------------------------------------------------

    def _new_item(self, numbering: _Numbering | None, block: Block, text: str) -> _Item:
        state = self.state
        label = numbering.label if numbering else "¶"
        style = numbering.style if numbering else "¶"
        number = numbering.number if numbering else None
        styles = [item.style for item in state.stack]
        if style in styles:  # a sibling of an open item: close everything below it
            del state.stack[styles.index(style) :]
        parent = state.stack[-1] if state.stack else None
        item = _Item(label, style, number, block.line, state.snapshot(), parent=parent)
        if parent:
            parent.children += 1
        item.add(block, text)
        key = (id(parent), style)
        ordinal = state.siblings.get(key, 0) + 1
        state.siblings[key] = ordinal
        own = label if number is not None or label.endswith((".", ")")) else f"{label}{ordinal}"
        prefix = (
            parent.path
            if parent
            else "/".join(
                v for v in (state.labels.get(k) for k in ("section", "factor", "group")) if v
            )
        )
        item.path = f"{prefix}/{own}" if prefix else own
        item.subheading = state.chair and bool(
            _OBSERVATION_HEAD.match(text) or _RECOMMENDATION_HEAD.match(text)
        )
        state.stack.append(item)
        self.items.append(item)
        return item

    def _continues_inline_list(self, numbering: _Numbering) -> bool:
        """``๒. กลุ่มดูแล ...`` after a paragraph that says ``... ๓ กลุ่ม ๑. กลุ่มรักษา ...``."""
        state = self.state
        if not state.stack or numbering.number is None or numbering.number < 2:
            return False
        if numbering.style not in ("n.", "n)"):
            return False
        same_style = [item for item in state.stack if item.style == numbering.style]
        if same_style and same_style[-1].number == numbering.number - 1:
            return False  # the next item of a real list
        previous = rf"(?<![\d.]){numbering.number - 1}[.)]\s"
        return bool(re.search(previous, state.stack[-1].text))

    def _apply_hints(self, block: Block) -> None:
        """Blocks from a table cell or a spreadsheet row carry their own kind and category."""
        hints = block.hints
        if hints == self.hints:
            return
        self.hints = hints
        state = self.state
        state.close()
        if not hints:
            return
        self.header = False
        # a table without a kind column sits in a section of the document, which gives it
        kind = kind_from_label(hints.get("kind", "")) if hints.get("kind") else state.kind
        if hints.get("kind") and kind is None:
            self.meta.warnings.append(
                f"{self.document.source}: unknown kind '{hints['kind']}' in line {block.line}; "
                "expected ปัญหาอุปสรรค, ข้อเสนอแนะ or ข้อสังเกต"
            )
        state.kind = kind
        category = None
        if label := hints.get(col.HEADING_CATEGORY):
            category = taxonomy.category_from_label(label, lenient=True)
            if category is None:
                self.meta.warnings.append(
                    f"{self.document.source}: unknown category '{label}' in line {block.line}; "
                    f"expected one of {taxonomy.label_choices()}"
                )
        state.category, state.heading_source = category, "table"
        state.factor = taxonomy.BY_ID[category].factor if category else None
        recipient = hints.get(col.RECIPIENT_TYPE)
        state.recipient_type, state.recipient_agency = None, None
        if kind == "recommendation":
            state.recipient_type, state.recipient_agency = self._recipient(recipient)
        if name := hints.get(col.RECIPIENT_AGENCY):
            state.recipient_agency = agencies.normalize_agency(name)[0]
        state.labels = {}

    def _running_lines(self) -> set[str]:
        """Lines a page header or footer repeats: the same unnumbered line at least twice, its
        numbers aside (``... หน้า 2``, ``... หน้า 3``)."""
        counts: dict[str, int] = {}
        for block in self.document.blocks:
            if not block.single and len(block.text) >= 8:
                key = running_key(block.text)
                counts[key] = counts.get(key, 0) + 1
        return {
            block.text
            for block in self.document.blocks
            if counts.get(running_key(block.text), 0) >= 2 and not parse_numbering(block.text)[0]
        }

    def _is_heading(self, text: str) -> bool:
        """A section, factor or category heading (not a title): these may repeat in a report."""
        if len(text) > _HEADING_MAX_CHARS or _TITLE_WORDS.search(text):
            return False
        return bool(
            _OBSTACLE_HEAD.match(text)
            or _RECOMMENDATION_HEAD.match(text)
            or _OBSERVATION_HEAD.match(text)
            or _FACTOR_HEAD.match(text)
            or taxonomy.match_heading(text)
        )

    def _furniture(self, block: Block, text: str, running: set[str], seen: set[str]) -> bool:
        """Skip page headers and footers, signature blocks, notes; True if ``block`` is one."""
        if block.text in running:
            first = running_key(block.text) not in seen
            seen.add(running_key(block.text))
            if self._is_heading(text) or (first and self.header):
                return False  # a heading, or the first time a title or header line is seen
            self._metadata(block.text, agency=False)
            return True
        if not (is_furniture(block.text) or is_furniture(text)):  # with or without its number
            return False
        if _SIGNATURE.match(block.text.strip()) or _NOTES_HEADING.match(text):
            # a signature ends the findings above it; so does a heading of notes (หมายเหตุ :)
            state = self.state
            state.close()
            state.kind = state.category = state.factor = None
        return True

    def _recipient(self, value: str | None) -> tuple[str, str | None]:
        """Recipient type and agency from a recipient cell: a type's name (``ผู้บริหาร``), the
        report's own agency, or another agency (a KPI owner); blank or ``-`` is the agency."""
        value = (value or "").strip(" -–")
        if not value:
            return "agency", None
        if named := recipient_from_label(value):
            return named, agencies.EXECUTIVES if named == "executives" else None
        group = _recipient_group(value)
        if group:
            return group
        official = agencies.canonical(value) or agencies.named_in(value)
        if official and official != self.meta.agency:
            return "kpi_owner", official
        return "agency", None

    def walk(self) -> list[_Item]:
        running, seen = self._running_lines(), set()
        blocks = self.document.blocks
        # for each block, the next one that is not furniture: one pass from the end
        following: list[int | None] = [None] * len(blocks)
        for index in range(len(blocks) - 2, -1, -1):
            after = blocks[index + 1]
            keep = after.text.strip() and not is_furniture(after.text)
            following[index] = index + 1 if keep else following[index + 1]
        for index, block in enumerate(blocks):
            self.index = index
            self.previous = blocks[index - 1].text if index else ""
            self.line = block.line
            if index == self.skip:
                continue  # the second line of a wrapped heading
            self.following_index = following[index]
            self.following = None if following[index] is None else blocks[following[index]].text
            self._apply_hints(block)
            numbering, text = parse_numbering(block.text)
            text = _BRACKETED.sub(r"\1", text.strip())
            if not text:
                continue
            if block.single:
                self._single(block, numbering, text)
                continue
            if self._furniture(block, text, running, seen):
                continue
            if (
                self._section_heading(numbering, text)
                or self._recipient_heading(numbering, text)
                or self._group_heading(numbering, text)
            ):
                continue
            state = self.state
            if self.header and not state.in_findings() and self._metadata(block.text):
                continue
            if not state.in_findings() or _NOT_A_FINDING.match(text):
                continue
            if _GOOD_RESULT.match(text) and "ไม่" not in text:
                continue
            if numbering and self._continues_inline_list(numbering):
                state.stack[-1].add(block, block.text)
                self.meta.joined_paragraphs += 1
                continue
            if numbering:
                state.mode = state.mode or "numbered"
                self._new_item(numbering, block, text)
            elif state.stack and (
                state.mode == "numbered" or block.continues or _CONNECTIVE.match(text)
            ):
                state.stack[-1].add(block, text)  # the paragraph goes on after a break
                self.meta.joined_paragraphs += 1
            elif _LEAD_IN.search(text):
                continue
            else:
                state.mode = "paragraph"
                state.stack.clear()
                self._new_item(None, block, text)
        return self.items

    def _single(self, block: Block, numbering: _Numbering | None, text: str) -> None:
        """A spreadsheet row: one finding as it stands, with the row's own metadata."""
        item = _Item("", "", None, block.line, self.state.snapshot())
        item.add(block, text)
        item.path = str(block.line)
        hints = block.hints
        if value := hints.get(col.AGENCY):
            item.context[col.AGENCY], known = agencies.normalize_agency(value)
            if not known:
                self.meta.warnings.append(
                    f"{self.document.source}: unknown agency '{value}' in line {block.line}"
                )
        if value := hints.get(col.COMMITTEE):
            item.context[col.COMMITTEE] = _committee(value)
        if value := hints.get(col.FISCAL_YEAR):
            item.context[col.FISCAL_YEAR] = _year(value)
        self.items.append(item)


def _finding_id(source: str, kind: str | None, text: str, seen: dict[str, int]) -> str:
    digest = hashlib.sha1(f"{Path(source).name}\x1f{kind}\x1f{text}".encode()).hexdigest()[:12]
    seen[digest] = seen.get(digest, 0) + 1
    return digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"


def segment(
    document: Document,
    *,
    agency: str | None = None,
    committee: int | None = None,
    fiscal_year: int | None = None,
    heading_classifier=None,
) -> tuple[pd.DataFrame, Segmentation]:
    """Findings of a normalised document, with the report's metadata.

    ``agency``, ``committee`` and ``fiscal_year`` fill in what the document does not say itself.
    ``heading_classifier`` (text → category or None) reads a ``ด้าน...`` heading whose words name
    no category (``heading_source`` ``model``).
    """
    segmenter = _Segmenter(document, heading_classifier)
    items = segmenter.walk()
    meta = segmenter.meta
    meta.agency = meta.agency or segmenter.agency_guess
    if meta.agency is None and agency:
        meta.agency, known = agencies.normalize_agency(agency)
        if not known:
            meta.warnings.append(f"{document.source}: unknown agency '{agency}'")
    meta.committee = meta.committee or committee
    meta.fiscal_year = meta.fiscal_year or fiscal_year

    lead_ins = {
        id(item)
        for item in items
        if item.subheading or (item.children and _LEAD_IN.search(item.text))
    }
    seen: dict[str, int] = {}
    records = []
    for item in items:
        if id(item) in lead_ins:
            continue
        context = item.context
        kind = context[col.KIND]
        parent = item.parent
        recipient = (context[col.RECIPIENT_TYPE], context[col.RECIPIENT_AGENCY])
        if (
            kind == "recommendation"
            and recipient[1] in (None, agencies.ALL_KPI_OWNERS)  # a heading's recipient stands
            and (named := _NAMED_RECIPIENT.match(item.text))
        ):
            official = agencies.canonical(named.group("name"))
            if official and official != meta.agency:  # the name says who it is for
                recipient = ("kpi_owner", official)
        records.append(
            {
                col.FINDING_ID: _finding_id(document.source, kind, item.text, seen),
                col.SOURCE: document.source,
                col.LINE: item.line,
                col.FISCAL_YEAR: context.get(col.FISCAL_YEAR) or meta.fiscal_year,
                col.COMMITTEE: context.get(col.COMMITTEE) or meta.committee,
                col.AGENCY: context.get(col.AGENCY) or meta.agency,
                col.KIND: kind,
                col.FACTOR: context[col.FACTOR],
                col.RECIPIENT_TYPE: recipient[0],
                col.RECIPIENT_AGENCY: recipient[1],
                col.PATH: item.path,
                col.HEADING_CATEGORY: context[col.HEADING_CATEGORY],
                col.HEADING_SOURCE: context.get(col.HEADING_SOURCE),
                col.CONTEXT: parent.text if parent and id(parent) in lead_ins else None,
                col.TEXT: item.text,
                col.RAW_TEXT: "\n".join(item.raw),
                col.REPAIRS: ",".join(sorted(item.repairs)) or None,
            }
        )
    return findings_frame(records), meta

"""The Thai words of what analysts read: column headers and kinds (each with its way back), digits.

Every output written in Thai takes its headers from here, and every reader of those outputs maps
them back with the inverses, so a header renamed here is renamed everywhere. Category and
sub-theme names are the taxonomy's (:func:`pipeline.shared.taxonomy.category_th`).
"""

from __future__ import annotations

from pipeline.shared.schema import col

#: Finding columns → the Thai headers of the workbooks, the review sheet and the count tables.
COLUMN_TH = {
    col.FINDING_ID: "รหัส",
    col.FISCAL_YEAR: "ปีงบประมาณ",
    col.COMMITTEE: "คณะ",
    col.AGENCY: "หน่วยงาน",
    col.KIND: "ประเภท",
    col.CATEGORY: "หมวด",
    col.CONFIDENCE: "ความเชื่อมั่น",
    col.SUBTHEME: "ประเด็นย่อย",
    col.CATEGORY_2: "หมวดรอง",
    col.CONFIDENCE_2: "ความเชื่อมั่นหมวดรอง",
    col.CATEGORY_SOURCE: "ที่มาของหมวด",
    col.NEEDS_REVIEW: "ควรตรวจทาน",
    col.HEADING_CATEGORY: "หมวดตามหัวข้อรายงาน",
    col.MODEL_CATEGORY: "หมวดตามแบบจำลอง",
    col.MODEL_CONFIDENCE: "ความเชื่อมั่นของแบบจำลอง",
    col.EVIDENCE: "คำที่ใช้ตัดสิน",
    col.RECIPIENT_TYPE: "ผู้รับข้อเสนอแนะ",
    col.RECIPIENT_AGENCY: "หน่วยงานที่รับข้อเสนอแนะ",
    col.MENTIONED_AGENCIES: "หน่วยงานที่กล่าวถึง",
    col.ANALYST_CATEGORY: "หมวดโดยผู้ตรวจ",
    col.NOTE: "หมายเหตุ",
    col.TEXT: "ข้อความ",
    col.SOURCE: "ไฟล์",
    col.LINE: "บรรทัด",
}
#: Thai headers → finding columns, for reading a workbook this tool wrote.
COLUMN_FROM_TH = {th: name for name, th in COLUMN_TH.items()}

KIND_TH = {"obstacle": "ปัญหาอุปสรรค", "recommendation": "ข้อเสนอแนะ", "observation": "ข้อสังเกต"}
KIND_FROM_TH = {th: kind for kind, th in KIND_TH.items()}

_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_TO_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def thai_digits(text: object) -> str:
    """``text`` with Arabic digits written as Thai ones (๒๕๖๖), as official documents write them."""
    return str(text).translate(_TO_THAI)


def arabic_digits(text: object) -> str:
    """``text`` with Thai digits written as Arabic ones, as the parser and the readers compare."""
    return str(text).translate(_TO_ARABIC)

"""Build the labelled corpus from its sources: the real FY2565 report and the written findings.

1. ``fy2565/findings.jsonl``: the seed report (``fy2565/source/``) parsed, each finding labelled by
   the report's own category heading (``label_source: heading``) or, where it has none, by the hand
   labels in ``fy2565/annotator_labels.jsonl`` (``annotator``).
2. ``samples/fy2566/``: the findings in ``fy2566/written/`` were written for this project; they are
   illustrative, not real submissions. Each of the 77 agencies gets one report in a format analysts
   receive (UTF-8 text, Windows-Thai text, Word paragraphs, Word table form, Excel sheet), each with
   its own layout: header wording, digits, numbering, category headings or none, and for some the
   OCR damage the real FY2565 report shows (page-break teasers, split paragraphs, stray letters).
   Every choice is drawn from a generator seeded by the agency's name, and the Word and Excel files
   get fixed timestamps, so a rebuild gives the same bytes.
3. ``fy2566/labels.jsonl``: every sample parsed with the pipeline, one line a parsed finding keyed
   by ``finding_id``, with the written text and its label. A label changed by the double labelling
   (``double_labelling.jsonl``) replaces the writer's. The build stops if a parsed report does not
   give back exactly the findings written into it, or if two reports share a template.

Run from the repository root:  python corpus/build.py
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
import random
import re
import shutil
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import agencies, taxonomy  # noqa: E402
from pipeline.stages.normalize import normalize_text  # noqa: E402
from pipeline.stages.parse import parse_file  # noqa: E402

SEED = ROOT / "corpus" / "fy2565" / "source" / "b3_fy2565_seed.txt"
SEED_ANNOTATIONS = ROOT / "corpus" / "fy2565" / "annotator_labels.jsonl"
SEED_FINDINGS = ROOT / "corpus" / "fy2565" / "findings.jsonl"
SEED_RULE_LABELS = ROOT / "corpus" / "fy2565" / "rule_labels.jsonl"
DOUBLE_LABELLING = ROOT / "corpus" / "double_labelling.jsonl"
WRITTEN = ROOT / "corpus" / "fy2566" / "written"
SAMPLES = ROOT / "corpus" / "samples" / "fy2566"
LABELS = ROOT / "corpus" / "fy2566" / "labels.jsonl"
YEAR = 2566
FORMATS = ("txt", "cp874", "docx", "docx-table", "xlsx")
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")

CATEGORY_HEADINGS = {
    "manpower": [
        "อัตรากำลัง",
        "ด้านอัตรากำลัง",
        "ด้านบุคลากร",
        "อัตรากำลัง (การขาดแคลน/คุณภาพ/การพัฒนาคน)",
        "ปัจจัยด้านบุคลากร",
    ],
    "budget": ["งบประมาณ", "ด้านงบประมาณ", "งบประมาณ (ไม่มี/ไม่เพียงพอ/การเบิกจ่าย)", "ปัญหาด้านงบประมาณ"],
    "regulation": [
        "ระเบียบกฎหมาย",
        "ด้านระเบียบกฎหมาย",
        "ระเบียบ กฎหมาย (ไม่สอดคล้อง/ล้าสมัย)",
        "ด้านกฎระเบียบ",
    ],
    "tools": [
        "เครื่องมือทางการบริหาร",
        "ด้านเครื่องมือและอุปกรณ์",
        "เครื่องมือทางการบริหาร (เทคโนโลยี/อุปกรณ์)",
        "ด้านเทคโนโลยี",
    ],
    "management": ["การจัดการ", "ด้านการบริหารจัดการ", "การบริหารจัดการ", "การจัดการ (การบริหารภายใน)"],
    "disaster": ["สาธารณภัย ภัยพิบัติ", "ด้านสาธารณภัย", "สาธารณภัย ภัยพิบัติ (โรคระบาด/อุทกภัย)", "ภัยพิบัติ"],
    "policy": [
        "นโยบายรัฐบาล กฎหมาย/ระเบียบ มติคณะรัฐมนตรี ที่เปลี่ยนแปลงไป",
        "ด้านนโยบาย",
        "การเปลี่ยนแปลงนโยบาย",
        "นโยบายผู้บริหาร",
    ],
    "coordination": [
        "การประสานความร่วมมือกับหน่วยงานภายนอก",
        "ด้านการประสานงานกับหน่วยงานภายนอก",
        "การประสานความร่วมมือกับหน่วยงานภายนอกสังกัดกรุงเทพมหานคร กระทรวง ทบวง กรม "
        "ตลอดจนความร่วมมือภาคประชาชน",
        "ด้านความร่วมมือ",
    ],
}
TITLES = [
    "แบบสรุปปัญหาอุปสรรคและข้อเสนอแนะจากการตรวจติดตามประเมินผลการปฏิบัติราชการ (แบบฟอร์ม B1)",
    "รายงานผลการตรวจติดตามประเมินผลการปฏิบัติราชการ รายหน่วยงาน",
    "แบบฟอร์ม B1 รายงานหน่วยงาน",
    "สรุปผลการตรวจติดตามประเมินผลการปฏิบัติราชการประจำปี",
    None,
]
AGENCY_LINES = [
    "หน่วยงาน: {name}",
    "ชื่อหน่วยงาน {name}",
    "หน่วยงานผู้รับการประเมิน : {short}",
    "{name}",
    "หน่วยงาน {short}",
]
YEAR_LINES = [
    "ประจำปีงบประมาณ พ.ศ. {year}",
    "ปีงบประมาณ {year}",
    "รอบการประเมิน ปีงบประมาณ พ.ศ. {year} (ระยะสิ้นปีงบประมาณ)",
    None,
]
COMMITTEE_LINES = ["คณะที่ {n}", "คณะกรรมการตรวจติดตามประเมินผลฯ คณะที่ {n}", "ผู้ตรวจติดตาม: คณะที่ {n}"]
OBSTACLE_HEADS = [
    "ปัญหาอุปสรรค",
    "ปัญหา/อุปสรรค ในการดำเนินงาน",
    "สภาพปัญหาและอุปสรรค",
    "ปัญหาอุปสรรคที่พบจากการตรวจติดตาม",
    "ปัญหาและอุปสรรค",
]
RECOMMENDATION_HEADS = [
    "ข้อเสนอแนะ",
    "ข้อเสนอแนะของคณะกรรมการ",
    "ข้อเสนอแนะต่อหน่วยงานผู้รับการประเมิน",
    "ข้อเสนอแนะเพื่อการปรับปรุง",
]
KPI_HEADS = ["ข้อเสนอแนะต่อหน่วยงานผู้ประเมิน (เจ้าภาพตัวชี้วัด)", "ข้อเสนอแนะต่อเจ้าภาพตัวชี้วัด"]
EXECUTIVE_HEADS = ["ข้อเสนอแนะเชิงนโยบายต่อผู้บริหารกรุงเทพมหานคร", "ข้อเสนอแนะต่อผู้บริหารกรุงเทพมหานคร"]
CHAIR_HEADS = ["ข้อสังเกตของประธานคณะกรรมการ", "ข้อสังเกตและข้อคิดเห็นของประธานคณะกรรมการ คณะที่ {n}"]
ITEM_STYLES = ["({n})", "{n}.", "{n})", "- ", "• ", "{letter}."]
HEADING_STYLES = ["{n}.", "{n})", "{section}.{n})", "({n})", ""]
STRAY = ["手", "の", "한", "下", "l", "i"]
STRAY_LATIN = ["l", "i", "n"]  # what OCR leaves in a file that Windows Thai can still encode
LETTERS = "กขคงจฉชซฌญฎฏฐฑฒณดตถทธนบปผพฟภมยรลวศษสหฬอฮ"


def _rng(name: str) -> random.Random:
    return random.Random(int(hashlib.sha256(name.encode()).hexdigest()[:16], 16))


def _slug(agency: agencies.Agency) -> str:
    return re.sub(r"[^a-z0-9]+", "_", agency.english.lower()).strip("_")


class Report:
    """One agency's findings and the layout choices drawn for it."""

    def __init__(self, agency: agencies.Agency, committee: int, findings: list[dict], fmt: str):
        self.agency, self.committee, self.findings, self.format = agency, committee, findings, fmt
        rng = self.rng = _rng(agency.name)
        self.thai_digits = rng.random() < 0.4
        self.headings = fmt == "docx-table" or rng.random() < 0.6
        self.factors = self.headings and rng.random() < 0.35
        self.item_style = rng.choice(ITEM_STYLES)
        self.heading_style = rng.choice(HEADING_STYLES)
        self.paragraphs = not self.headings and rng.random() < 0.3  # unnumbered findings
        self.damage = (
            fmt in ("txt", "cp874", "docx") and not self.paragraphs and rng.random() < 0.35
        )
        self.blank_lines = rng.random() < 0.5
        self.title = rng.choice(TITLES)
        self.agency_line = rng.choice(AGENCY_LINES)
        self.year_line = rng.choice(YEAR_LINES)
        self.committee_line = rng.choice(COMMITTEE_LINES)
        self.one_line_meta = self.year_line is not None and rng.random() < 0.4
        self.order: list[dict] = []  # findings in the order the report shows them

    def layout(self) -> tuple:
        """The choices that make this report's template; no two reports may share them."""
        return (
            self.format,
            self.thai_digits,
            self.headings,
            self.factors,
            self.item_style,
            self.heading_style,
            self.paragraphs,
            self.damage,
            self.blank_lines,
            self.title,
            self.agency_line,
            self.year_line,
            self.committee_line,
            self.one_line_meta,
        )

    def digits(self, text: str) -> str:
        return text.translate(THAI_DIGITS) if self.thai_digits else text

    def header(self) -> list[str]:
        agency = self.agency
        short = agency.short_name or agency.abbreviation or agency.name
        lines = [t for t in [self.title] if t]
        lines.append(self.agency_line.format(name=agency.name, short=short))
        year_line = self.year_line
        committee_line = self.committee_line.format(n=self.committee)
        if self.one_line_meta:
            lines.append(f"{year_line.format(year=YEAR)} {committee_line}")
        else:
            lines.extend(
                line for line in (year_line and year_line.format(year=YEAR), committee_line) if line
            )
        return [self.digits(line) for line in lines]

    def item(self, n: int, text: str) -> str:
        style = self.item_style
        if self.paragraphs:
            return text
        label = style.format(n=n, letter=LETTERS[(n - 1) % len(LETTERS)])
        return self.digits(label) + ("" if label.endswith(" ") else " ") + text

    def heading(self, section: int, n: int, text: str) -> str:
        label = self.heading_style.format(section=section, n=n)
        return self.digits(f"{label} {text}" if label else text)

    def damaged(self, line: str, item_text: str) -> list[str]:
        """OCR damage like the seed's: a stray letter, a teaser, a paragraph split by a page."""
        rng = self.rng
        if rng.random() < 0.3:
            spots = [m.end() for m in re.finditer("[ก-ฮ](?=[ก-ฮ])", line)]
            if spots:
                at = rng.choice(spots)
                line = (
                    line[:at]
                    + rng.choice(STRAY_LATIN if self.format == "cp874" else STRAY)
                    + line[at:]
                )
        roll = rng.random()
        words = line.split(" ")
        if roll < 0.25 and len(words) > 3:
            teaser = " ".join(words[: rng.randint(2, 3)]) + "..."
            return [teaser, line]
        if roll < 0.5 and len(item_text) > 120 and len(words) > 8:
            cut = rng.randint(len(words) // 3, 2 * len(words) // 3)
            return [" ".join(words[:cut]), " ".join(words[cut:])]
        if roll < 0.6 and len(words) > 8:
            cut = rng.randint(len(words) // 3, 2 * len(words) // 3)
            return [" ".join(words[:cut]) + " " + words[cut] + "...", " ".join(words[cut:])]
        return [line]

    def items(self, findings: list[dict]) -> list[str]:
        lines = []
        for n, finding in enumerate(findings, start=1):
            self.order.append(finding)
            line = self.item(n, finding["text"])
            lines.extend(self.damaged(line, finding["text"]) if self.damage else [line])
        return lines

    def sections(self, kind: str, findings: list[dict], number: int) -> list[str]:
        """An obstacle or recommendation section, grouped under category headings or not."""
        if not findings:
            return []
        rng = self.rng
        head = rng.choice(OBSTACLE_HEADS if kind == "obstacle" else RECOMMENDATION_HEADS)
        lines = [self.digits(f"{number}. {head}")]
        if not self.headings:
            return lines + self.items(findings)
        by_category = defaultdict(list)
        for finding in findings:
            by_category[finding["category"]].append(finding)
        factor = None
        n = 0
        for category in taxonomy.CATEGORY_IDS:
            if category not in by_category:
                continue
            if self.factors and taxonomy.BY_ID[category].factor != factor:
                factor = taxonomy.BY_ID[category].factor
                lines.append(self.digits("ปัจจัยภายใน" if factor == "internal" else "ปัจจัยภายนอก"))
            n += 1
            lines.append(self.heading(number, n, rng.choice(CATEGORY_HEADINGS[category])))
            lines.extend(self.items(by_category[category]))
        return lines

    def other_sections(self, number: int) -> list[str]:
        """Recommendations to KPI owners and executives, then the chair's observations."""
        rng, lines = self.rng, []
        kpi = [f for f in self.findings if f["recipient_type"] == "kpi_owner"]
        if kpi:
            lines.append(self.digits(f"{number}. {rng.choice(KPI_HEADS)}"))
            number += 1
            by_owner = defaultdict(list)
            for finding in kpi:
                by_owner[finding["recipient_agency"]].append(finding)
            for n, (owner, items) in enumerate(by_owner.items(), start=1):
                known = next(a for a in agencies.gazetteer() if a.name == owner)
                name = rng.choice([owner, known.abbreviation or owner, known.short_name or owner])
                lines.append(self.digits(f"{n}) {name}"))
                lines.extend(self.items(items))
        executives = [f for f in self.findings if f["recipient_type"] == "executives"]
        if executives:
            lines.append(self.digits(f"{number}. {rng.choice(EXECUTIVE_HEADS)}"))
            number += 1
            lines.extend(self.items(executives))
        observations = [f for f in self.findings if f["kind"] == "observation"]
        if observations:
            head = rng.choice(CHAIR_HEADS).format(n=self.committee)
            lines.append(self.digits(f"{number}. {head}"))
            lines.extend(self.items(observations))
        return lines

    def body_findings(self, kind: str) -> list[dict]:
        return [
            f for f in self.findings if f["kind"] == kind and f["recipient_type"] in ("", "agency")
        ]

    def lines(self) -> list[str]:
        lines = self.header()
        lines += self.sections("obstacle", self.body_findings("obstacle"), 1)
        lines += self.sections("recommendation", self.body_findings("recommendation"), 2)
        return lines + self.other_sections(3)


ANALYST_FIELDS = ("label", "label_source", "history", "labelled_by", "labelled_at", "note")
FIXED_TIME = datetime.datetime(2023, 10, 26, 9, 0, 0)  # the sample year's report deadline


def _freeze_zip(path: Path) -> None:
    """Rewrite a .docx/.xlsx with fixed entry times, so a rebuild gives the same bytes."""
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time itself
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, data
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(fixed, data)


def _save_docx(document, path: Path) -> None:
    document.core_properties.created = document.core_properties.modified = FIXED_TIME
    document.core_properties.author = "thai-findings sample (written for the project)"
    document.save(path)
    _freeze_zip(path)


def write_text(report: Report, path: Path, encoding: str) -> None:
    separator = "\n\n" if report.blank_lines else "\n"
    path.write_bytes((separator.join(report.lines()) + "\n").encode(encoding))


def write_docx(report: Report, path: Path) -> None:
    import docx

    document = docx.Document()
    for line in report.lines():
        document.add_paragraph(line)
    _save_docx(document, path)


def write_docx_table(report: Report, path: Path) -> None:
    """The usual B1 Word form: a row per factor, obstacle and recommendation columns."""
    import docx

    rng = report.rng
    document = docx.Document()
    for line in report.header():
        document.add_paragraph(line)
    obstacles = report.body_findings("obstacle")
    recommendations = report.body_findings("recommendation")
    categories = [
        c
        for c in taxonomy.CATEGORY_IDS
        if any(f["category"] == c for f in obstacles + recommendations)
    ]
    table = document.add_table(rows=1 + len(categories), cols=3)
    table.style = "Table Grid"
    header = [
        rng.choice(["ปัจจัย", "ด้าน", "ประเด็นการพิจารณา"]),
        rng.choice(["ปัญหาอุปสรรค", "ปัญหา/อุปสรรค"]),
        rng.choice(["ข้อเสนอแนะ", "ข้อเสนอแนะของคณะกรรมการ"]),
    ]
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    for row, category in zip(table.rows[1:], categories):
        row.cells[0].text = report.heading(
            1, categories.index(category) + 1, rng.choice(CATEGORY_HEADINGS[category])
        )
        for cell, findings in ((row.cells[1], obstacles), (row.cells[2], recommendations)):
            lines = report.items([f for f in findings if f["category"] == category])
            cell.text = lines[0] if lines else ""
            for line in lines[1:]:
                cell.add_paragraph(line)
    for line in report.other_sections(2):
        document.add_paragraph(line)
    _save_docx(document, path)


def write_xlsx(report: Report, path: Path) -> None:
    """One row a finding, with Thai or English column names in an order of its own."""
    from openpyxl import Workbook

    rng = report.rng
    thai = rng.random() < 0.7
    with_category = rng.random() < 0.5
    columns = [
        "agency",
        "committee",
        "fiscal_year",
        "kind",
        "text",
        "recipient_type",
        "recipient_agency",
    ] + (["category"] if with_category else [])
    rng.shuffle(columns)
    names = {
        "agency": "หน่วยงาน",
        "committee": "คณะ",
        "fiscal_year": "ปีงบประมาณ",
        "kind": "ประเภท",
        "text": "ข้อความ",
        "recipient_type": "ผู้รับข้อเสนอแนะ",
        "recipient_agency": "หน่วยงานที่รับข้อเสนอแนะ",
        "category": "หมวด",
    }
    kinds = {
        "obstacle": ["ปัญหาอุปสรรค", "ปัญหา"],
        "recommendation": ["ข้อเสนอแนะ"],
        "observation": ["ข้อสังเกต"],
    }
    recipients = {
        "agency": "หน่วยงานผู้รับการประเมิน",
        "kpi_owner": "เจ้าภาพตัวชี้วัด",
        "executives": "ผู้บริหาร",
    }
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ข้อค้นพบ" if thai else "findings"
    if rng.random() < 0.5:
        sheet.append([f"สรุปปัญหาอุปสรรคและข้อเสนอแนะ {report.agency.name}"])
    numbered = rng.random() < 0.5
    sheet.append((["ลำดับ"] if numbered else []) + [names[c] if thai else c for c in columns])
    short = report.agency.short_name or report.agency.name
    for n, finding in enumerate(report.findings, start=1):
        report.order.append(finding)
        values = {
            "agency": rng.choice([report.agency.name, short]),
            "committee": rng.choice([report.committee, f"คณะที่ {report.committee}"]),
            "fiscal_year": rng.choice([YEAR, str(YEAR).translate(THAI_DIGITS)]),
            "kind": rng.choice(kinds[finding["kind"]]) if thai else finding["kind"],
            "text": finding["text"],
            "recipient_type": recipients.get(finding["recipient_type"], ""),
            "recipient_agency": finding["recipient_agency"],
            "category": rng.choice(CATEGORY_HEADINGS[finding["category"]])
            if thai
            else finding["category"],
        }
        sheet.append(([n] if numbered else []) + [values[c] or None for c in columns])
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    workbook.properties.creator = "thai-findings sample (written for the project)"
    workbook.save(path)
    _freeze_zip(path)


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def build_seed() -> None:
    """Label every finding of the real FY2565 report: its heading's category, else a hand label."""
    hand = {row["finding_id"]: row["label"] for row in _jsonl(SEED_ANNOTATIONS)}
    # where GUIDELINES.md section 4 files a heading-labelled item differently
    by_rules = {row["finding_id"]: row["rule_label"] for row in _jsonl(SEED_RULE_LABELS)}
    findings, _, _ = parse_file(SEED.relative_to(ROOT))
    rows = []
    for record in findings.astype(object).where(findings.notna(), None).to_dict("records"):
        heading = record["heading_category"]
        if heading is None and record["finding_id"] not in hand:
            raise SystemExit(
                f"{SEED}: no hand label for {record['finding_id']} {record['text'][:40]}"
            )
        record["source"] = SEED.relative_to(ROOT).as_posix()
        label = heading or hand[record["finding_id"]]
        record.update(
            label=label,
            label_source="heading" if heading else "annotator",
            rule_label=by_rules.get(record["finding_id"], label),
            format="txt",
        )
        rows.append(record)
    _write_jsonl(SEED_FINDINGS, rows)
    print(f"wrote {len(rows)} labelled seed findings to {SEED_FINDINGS}")


def _written() -> dict[str, list[dict]]:
    final = {row["written"]: row["final"] for row in _jsonl(DOUBLE_LABELLING) if "written" in row}
    by_agency: dict[str, list[dict]] = defaultdict(list)
    for path in sorted(WRITTEN.glob("committee_*.jsonl")):
        committee = int(path.stem.split("_")[1])
        for number, finding in enumerate(_jsonl(path), start=1):
            key = f"{path.name}:{number}"
            finding.update(committee=committee, written=key)
            finding["category"] = final.get(key, finding["category"])
            by_agency[finding["agency"]].append(finding)
    return by_agency


def _similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def build_samples() -> None:
    written = _written()
    gazetteer = {a.name: a for a in agencies.gazetteer()}
    unknown = set(written) - set(gazetteer)
    if unknown:
        raise SystemExit(f"written findings name unknown agencies: {', '.join(sorted(unknown))}")
    if SAMPLES.exists():
        shutil.rmtree(SAMPLES)
    reports = []
    ordered = sorted(written, key=lambda name: (written[name][0]["committee"], name))
    for index, name in enumerate(ordered):
        findings = written[name]
        committee = findings[0]["committee"]
        fmt = FORMATS[(index + committee) % len(FORMATS)]
        if fmt == "cp874" and any(
            not ch.encode("cp874", "ignore") for f in findings for ch in f["text"]
        ):
            fmt = "txt"
        report = Report(gazetteer[name], committee, findings, fmt)
        folder = SAMPLES / f"committee_{committee}"
        folder.mkdir(parents=True, exist_ok=True)
        suffix = {
            "txt": ".txt",
            "cp874": ".txt",
            "docx": ".docx",
            "docx-table": ".docx",
            "xlsx": ".xlsx",
        }[fmt]
        path = folder / f"b1_{_slug(report.agency)}{suffix}"
        if fmt == "txt":
            write_text(report, path, "utf-8")
        elif fmt == "cp874":
            write_text(report, path, "cp874")
        elif fmt == "docx":
            write_docx(report, path)
        elif fmt == "docx-table":
            write_docx_table(report, path)
        else:
            write_xlsx(report, path)
        reports.append((report, path))

    # labels an analyst gave in review (findings review import) survive a rebuild
    reviewed = {
        row["finding_id"]: row
        for row in (_jsonl(LABELS) if LABELS.exists() else [])
        if row.get("label_source") == "analyst"
    }
    layouts = [report.layout() for report, _ in reports]
    if len(set(layouts)) != len(layouts):
        raise SystemExit("two sample reports share a template; change the layout choices")
    rows = []
    for report, path in sorted(reports, key=lambda pair: pair[1]):  # the order parse reads them
        findings, _, warnings = parse_file(path.relative_to(ROOT))
        if warnings:
            raise SystemExit(f"{path}: {warnings}")
        if len(findings) != len(report.order):
            raise SystemExit(f"{path}: parsed {len(findings)} findings, wrote {len(report.order)}")
        for (_, parsed), finding in zip(findings.iterrows(), report.order):
            expected, _ = normalize_text(finding["text"])
            if parsed["kind"] != finding["kind"] or _similar(parsed["text"], expected) < 0.9:
                raise SystemExit(
                    f"{path}: line {parsed['line']} parsed as {parsed['text'][:60]!r}, "
                    f"written {expected[:60]!r}"
                )
            heading = parsed["heading_category"]
            if isinstance(heading, str) and heading != finding["category"]:
                raise SystemExit(f"{path}: heading {heading} for a {finding['category']} finding")
            rows.append(
                {
                    "finding_id": parsed["finding_id"],
                    "source": path.relative_to(ROOT).as_posix(),
                    "format": report.format,
                    "agency": report.agency.name,
                    "committee": report.committee,
                    "fiscal_year": YEAR,
                    "kind": finding["kind"],
                    "recipient_type": finding["recipient_type"] or None,
                    "recipient_agency": finding["recipient_agency"] or None,
                    "text": finding["text"],
                    "label": finding["category"],
                    "label_source": "heading" if isinstance(heading, str) else "annotator",
                    "written": finding["written"],
                }
            )
    for row in rows:
        if row["finding_id"] in reviewed:
            kept = reviewed[row["finding_id"]]
            row.update({k: kept[k] for k in kept if k in ANALYST_FIELDS})
    _write_jsonl(LABELS, rows)
    formats = defaultdict(int)
    for report, _ in reports:
        formats[report.format] += 1
    print(f"wrote {len(reports)} reports ({dict(formats)}) and {len(rows)} labels to {LABELS}")


if __name__ == "__main__":
    build_seed()
    build_samples()

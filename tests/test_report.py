"""The outputs: the B3 summary's lines, the Word file's structure and fonts, the Markdown, the
workbook read back, the charts, and a whole year's summary crediting every finding to its agency."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipeline.shared.schema import col
from pipeline.shared.vocabulary import thai_digits
from pipeline.stages.report import lines, make_reports, read_findings_workbook
from pipeline.stages.summary import build_summary
from pipeline.stages.words import tokenize

#: Two agencies saying the same thing and a third saying something else.
NEAR_IDENTICAL = [
    ("สำนักงานเขตบางรัก", "obstacle", "manpower", "เจ้าหน้าที่เทศกิจมีน้อยเมื่อเทียบกับจุดผ่อนผันหาบเร่แผงลอย"),
    ("สำนักงานเขตสาทร", "obstacle", "manpower", "เจ้าหน้าที่เทศกิจมีน้อยเมื่อเทียบกับจุดผ่อนผันหาบเร่แผงลอยในพื้นที่"),
    ("สำนักงานเขตดุสิต", "obstacle", "manpower", "ครูวิชาวิทยาศาสตร์ลาออกกลางภาคเรียนและยังไม่มีผู้สอนแทน"),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory, findings_of):
    from pipeline.learning.models import load_model
    from pipeline.stages.classify import classify

    rows = NEAR_IDENTICAL + [
        (
            "สำนักการแพทย์",
            "recommendation",
            "tools",
            "ควรพัฒนาระบบนัดหมายผู้ป่วยออนไลน์ให้เชื่อมกับทุกโรงพยาบาล",
        ),
        ("สำนักงานเขตบางรัก", "observation", "management", "ตัวชี้วัดวัดจำนวนครั้งมากกว่าผลลัพธ์"),
    ]
    findings = classify(
        findings_of(rows).assign(heading_category=lambda f: f[col.CATEGORY]), load_model("keywords")
    )
    folder = tmp_path_factory.mktemp("out")
    earlier = findings.assign(**{col.FISCAL_YEAR: 2565}).head(2)
    return make_reports(findings, folder, earlier), findings


def test_summary_lines_follow_the_seeds_section_5(report):
    _, findings = report
    text = lines(build_summary(findings), "ชื่อเรื่อง")
    headings = [t for style, t in text if style.startswith("heading")]
    assert headings[:4] == [
        "๕. สรุปปัญหาอุปสรรคและข้อเสนอแนะในการตรวจติดตามประเมินผล",
        "๕.๑ ปัญหาอุปสรรคและข้อเสนอแนะในการพิจารณาทุกตัวชี้วัด",
        "๕.๑.๑ ปัญหาอุปสรรค แบ่งเป็น ๒ ปัจจัย ได้แก่",
        "๕.๑.๒ ข้อเสนอแนะในการตรวจติดตามประเมินผล แบ่งเป็น ๓ ประเภท",
    ]
    groups = [t for style, t in text if style == "group"]
    assert groups[:3] == ["๑) ปัจจัยภายใน", "๑.๑) อัตรากำลัง", "๑.๒) งบประมาณ"]
    assert "๒.๓) การประสานความร่วมมือกับหน่วยงานภายนอก" in groups
    first = next(i for i, (style, _) in enumerate(text) if style == "item")
    assert text[first][1] == (
        "(๑) ประเด็นทำนองเดียวกัน รวม ๒ ประเด็น พบใน ๒ หน่วยงาน ได้แก่ เขตบางรัก และ เขตสาทร ตัวอย่างเช่น"
    )
    examples = [t for _, t in text[first + 1 : first + 3]]
    assert {e.rsplit(" (", 1)[1] for e in examples} == {"เขตบางรัก)", "เขตสาทร)"}
    assert text[1] == ("cover", "สรุปจากข้อค้นพบทั้งหมด ๕ ประเด็น ของ ๔ หน่วยงาน")
    # an empty category says so rather than vanish
    assert "- ไม่พบประเด็นปัญหาอุปสรรคในด้านนี้ -" in [t for style, t in text if style == "note"]
    assert not any(re.search("[0-9]", t) for _, t in text)  # Thai digits throughout


def test_word_file_has_the_headings_thai_digits_and_government_font(report):
    import docx
    from docx.oxml.ns import qn

    paths, _ = report
    document = docx.Document(paths["docx"])
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0].startswith("๕.") and headings[1].startswith("๕.๑ ")
    assert headings[-1] == "การเปรียบเทียบรายปี"
    normal = document.styles["Normal"].element.rPr
    fonts = normal.find(qn("w:rFonts"))
    assert {fonts.get(qn(s)) for s in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")} == {
        "TH SarabunPSK"
    }
    assert normal.find(qn("w:szCs")).get(qn("w:val")) == "32"
    assert normal.find(qn("w:sz")).get(qn("w:val")) == "32"
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for cell in document.tables[0]._cells for p in cell.paragraphs for r in p.runs]
    assert all(r.element.rPr.find(qn("w:rFonts")).get(qn("w:cs")) == "TH SarabunPSK" for r in runs)
    assert len(document.tables) == 1  # the year-over-year table
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert (round(section.left_margin.cm, 1), round(section.right_margin.cm, 1)) == (3.0, 2.0)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        style = document.styles[name]
        assert style.font.italic is False and str(style.font.color.rgb) == "000000"
        assert style.element.pPr.find(qn("w:pBdr")) is None  # no theme rule under the title
    assert section._sectPr.find(qn("w:pgNumType")).get(qn("w:fmt")) == "thaiNumbers"


def test_workbook_sheets_and_round_trip(report):
    from openpyxl import load_workbook

    paths, findings = report
    workbook = load_workbook(paths["workbook"])
    assert workbook.sheetnames == ["ข้อค้นพบ", "รายหน่วยงาน", "รายคณะ", "ภาพรวม", "เปรียบเทียบรายปี"]
    sheet = workbook["ข้อค้นพบ"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    header = [c.value for c in sheet[1]]
    assert {"หน่วยงาน", "หมวด", "ความเชื่อมั่น", "ควรตรวจทาน", "ข้อความ"} <= set(header)
    back = read_findings_workbook(paths["workbook"])
    assert list(back[col.CATEGORY]) == list(findings[col.CATEGORY])
    assert list(back[col.KIND]) == list(findings[col.KIND])


def _drawn(findings, folder, font_family=None):
    """The charts of ``findings`` written into ``folder`` (in ``font_family`` instead of the
    report's own font when given), and the glyphs matplotlib had no font for."""
    import warnings

    import matplotlib

    from pipeline.stages import report as report_module

    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context():
        warnings.simplefilter("always")
        if font_family:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(report_module, "thai_font_family", lambda: font_family)
                paths = report_module.write_charts(findings, folder)
        else:
            paths = report_module.write_charts(findings, folder)
    return paths, [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_charts_draw_thai_letters_not_boxes(report, tmp_path):
    """The PNG files hold Thai glyphs: every glyph was found in a font, and the images differ
    from the same charts drawn in a font without Thai (DejaVu Sans, whose boxes stand for every
    Thai letter)."""
    from matplotlib.image import imread

    paths, findings = report
    assert [p.name for p in paths["charts"]] == ["chart_categories.png", "chart_heatmap.png"]
    written, missing = _drawn(findings, tmp_path / "thai")
    assert missing == []
    boxes, missing_in_dejavu = _drawn(findings, tmp_path / "boxes", font_family="DejaVu Sans")
    assert any("THAI CHARACTER" in message for message in missing_in_dejavu)
    for thai, boxed in zip(written, boxes, strict=True):
        image, boxed_image = imread(thai), imread(boxed)
        assert image.shape == boxed_image.shape and image.shape[0] > 400
        assert (image != boxed_image).any(), thai.name
    # the charts make_reports wrote are those charts
    for path, again in zip(paths["charts"], written, strict=True):
        assert (imread(path) == imread(again)).all()


def test_markdown_says_what_the_word_file_says(report):
    import docx

    paths, _ = report
    markdown = paths["markdown"].read_text(encoding="utf-8")
    assert "#### ๕.๑.๑ ปัญหาอุปสรรค" in markdown and "## การเปรียบเทียบรายปี" in markdown
    said = [
        re.sub(r"^#+ |^\*\*|\*\*$", "", line)
        for line in markdown.splitlines()
        if line and not line.startswith("|")
    ]
    document = docx.Document(paths["docx"])
    assert said == [p.text for p in document.paragraphs if p.text] and len(said) > 30
    # the year-over-year table too, cell by cell: Thai digits, a dash where there is no figure
    table = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in markdown.splitlines()
        if line.startswith("| ")
    ]
    assert table == [[cell.text for cell in row.cells] for row in document.tables[0].rows]


def test_word_file_converts_to_pdf_with_libreoffice(report, tmp_path, to_pdf):
    import pymupdf

    paths, _ = report
    docx = shutil.copy(paths["docx"], tmp_path / "b3_summary.docx")
    with pymupdf.open(to_pdf(Path(docx))) as pdf:
        page = pdf[0]
        assert (round(page.rect.width / 72 * 2.54, 1), round(page.rect.height / 72 * 2.54, 1)) == (
            21.0,
            29.7,
        )  # A4
        text = page.get_text()
        assert text.lstrip().startswith("- 1 -")  # the page number heads each page
        assert "(แบบ B3)" in text and "๕.๑.๑ ปัญหาอุปสรรค" in text


def test_a_b3_report_read_back_keeps_every_statement(seed_findings):
    """Findings without agencies are no single agency's: none is hidden behind a count."""
    from pipeline.learning.models import load_model
    from pipeline.stages.classify import classify

    findings = classify(tokenize(seed_findings[0]), load_model("keywords"))
    text = lines(build_summary(findings), "FY2565")
    items = [t for style, t in text if style == "item"]
    assert len(items) >= 40 and not any("พบใน" in t for t in items)
    from pipeline.stages.report import coverage

    assert coverage(build_summary(findings)) == (len(findings), 0)  # every finding, no agency
    assert not any("ประเด็นอื่น" in t for _, t in text)


ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _said(text):
    """What the summary lines attribute to whom: ``{(finding text, short agency name)}``."""
    said = set()
    for style, line in text:
        if style in ("item", "example") and line.endswith(")") and " (" in line:
            words, agency = line.rsplit(" (", 1)
            said.add((re.sub(r"^(?:\([๐-๙]+\) |- )", "", words), agency[:-1]))
    return said


def _year(source: str, samples_dir, seed_path):
    """A year's classified findings: the FY2566 samples, or the seed's findings each given the
    first agency it names (else a stand-in agency of its committee)."""
    from pipeline.learning.models import load_model
    from pipeline.shared.agencies import mentioned_agencies
    from pipeline.stages.classify import classify
    from pipeline.stages.parse import parse_file, parse_paths

    if source == "samples":
        findings = parse_paths([samples_dir]).findings
    else:
        findings, _, _ = parse_file(seed_path)
        findings[col.AGENCY] = [
            (mentioned_agencies(t) or [f"หน่วยงานตัวอย่างคณะที่ {c}"])[0]
            for t, c in zip(findings[col.TEXT], findings[col.COMMITTEE].fillna(0))
        ]
    from pipeline.stages.report import with_subthemes

    return with_subthemes(classify(tokenize(findings), load_model("default")))


@pytest.mark.parametrize("source", [pytest.param("samples", marks=pytest.mark.slow), "seed"])
def test_a_year_s_summary_credits_every_finding_to_its_own_agency(source, samples_dir, seed_path):
    """On the 77 FY2566 sample reports and on a year built from the seed: every finding is in
    the summary once, quoted only under its own agency; a statement names the agencies of the
    findings it holds and quotes only findings of theirs."""
    from pipeline.stages.report import short_agency

    findings = _year(source, samples_dir, seed_path)
    text = lines(build_summary(findings), "FY")
    owned = {
        (thai_digits(t), thai_digits(short_agency(a)))
        for t, a in zip(findings[col.TEXT], findings[col.AGENCY])
    }
    said = _said(text)
    assert said <= owned  # nobody is credited with another agency's words
    singles = sum(style == "item" and line.endswith(")") for style, line in text)
    grouped = 0
    for i, (style, line) in enumerate(text):
        found = re.search("รวม ([๐-๙]+) ประเด็น พบใน ([๐-๙]+) หน่วยงาน", line)
        if style == "item" and found:
            grouped += int(found.group(1).translate(ARABIC))
            named = line.split("ได้แก่ ", 1)[1]
            under = set()
            for later_style, later in text[i + 1 :]:
                if later_style != "example":
                    break
                under.add(later.rsplit(" (", 1)[1][:-1])
            assert under and all(agency in named for agency in under)
    assert singles + grouped == len(findings)  # every finding is accounted for, once
    assert not any("findings.xlsx" in line for _, line in text)


def test_the_chart_counts_a_finding_of_no_kind_as_the_workbook_does(findings_of):
    from pipeline.stages.aggregate import overall
    from pipeline.stages.report import chart_counts

    findings = findings_of(NEAR_IDENTICAL).assign(**{col.CATEGORY: "manpower"})
    findings.loc[0, col.KIND] = None  # a table row that gives no kind
    drawn = chart_counts(findings)
    table = overall(findings).set_index(overall(findings).columns[0])
    assert list(drawn.columns) == ["ปัญหาอุปสรรค"]  # no bar for "no kind"
    assert drawn["ปัญหาอุปสรรค"].sum() == 3 == table.loc["รวม", "ปัญหาอุปสรรค"]

"""Report stage: the files analysts hand in, written from the summary tree and the count tables.

- ``b3_summary.docx``: section ๕ of the B3 report in TH SarabunPSK 16 pt with Thai digits. Word
  draws Thai with the complex-script font slots, so the font and size are set on ``w:cs`` and
  ``w:szCs`` as well as the Latin slots, on the styles and on every run.
- ``b3_summary.md``: the same text, for reading anywhere.
- ``findings.xlsx``: every finding with its category and review flag, and the count tables.
- ``chart_categories.png`` and ``chart_heatmap.png``: drawn with Sarabun from the fontpkg-sarabun
  package, since matplotlib's own fonts have no Thai glyphs.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from pipeline.shared.schema import col
from pipeline.shared.tables import atomic_path, markdown_table, output_set, write_workbook
from pipeline.shared.taxonomy import (
    CATEGORY_IDS,
    SUBTHEME_OTHER,
    SUBTHEMES_BY_ID,
    category_th,
    subtheme_th,
)
from pipeline.shared.vocabulary import COLUMN_FROM_TH, COLUMN_TH, KIND_FROM_TH, KIND_TH, thai_digits
from pipeline.stages.summary import Section, Statement

#: Every file the main job writes into its output folder.
OUTPUT_NAMES = (
    "findings.xlsx",
    "b3_summary.docx",
    "b3_summary.md",
    "chart_categories.png",
    "chart_heatmap.png",
)

WORD_FONT = "TH SarabunPSK"
WORD_SIZE_PT = 16
SECTION_NUMBER = 5  # the summary is section ๕ of the B3 report, as in the real one
EXAMPLES_SHOWN = 2  # findings quoted under a group found in several agencies

#: The findings sheet's columns, in order (their Thai headers: ``vocabulary.COLUMN_TH``).
FINDINGS_SHEET_COLUMNS = (
    col.FINDING_ID,
    col.FISCAL_YEAR,
    col.COMMITTEE,
    col.AGENCY,
    col.KIND,
    col.CATEGORY,
    col.CONFIDENCE,
    col.SUBTHEME,
    col.CATEGORY_2,
    col.CONFIDENCE_2,
    col.CATEGORY_SOURCE,
    col.NEEDS_REVIEW,
    col.MODEL_CATEGORY,
    col.EVIDENCE,
    col.RECIPIENT_TYPE,
    col.RECIPIENT_AGENCY,
    col.MENTIONED_AGENCIES,
    col.TEXT,
    col.SOURCE,
    col.LINE,
)


def short_agency(name: str) -> str:
    """``สำนักงานเขตบางรัก`` → ``เขตบางรัก``: how the reports list many agencies in one line."""
    return "เขต" + name.removeprefix("สำนักงานเขต") if name.startswith("สำนักงานเขต") else name


def thai_list(names: list[str]) -> str:
    """Names as a Thai list: ``ก``, ``ก และ ข``, ``ก ข และ ค``."""
    if len(names) <= 2:
        return " และ ".join(names)
    return " ".join(names[:-1]) + " และ " + names[-1]


def _own(text: str, agency: str | None) -> str:
    return f"{text} ({short_agency(agency)})" if agency else text


def statement_lines(statement: Statement) -> list[tuple[str, str]]:
    """A statement as ``(style, text)`` lines; never one agency's words under another's name.

    A sub-theme's statement is its general sentence, then how many findings of which agencies
    it holds (``... รวม ๔ ประเด็น พบใน ๓ หน่วยงาน ได้แก่ เขตบางรัก เขตสาทร และ เขตดุสิต``), then a
    few of its findings as examples, each with its own agency. A group of similar findings of no
    sub-theme is written the same way without a general sentence; a finding of one agency is its
    text and its agency.
    """
    members = statement.members or [(statement.text, None)]
    if len(members) == 1 and not statement.general:
        return [("item", _own(*members[0]))]
    if statement.agencies:
        from pythainlp.util import collate  # Thai dictionary order: เขตดุสิต before สำนักการโยธา

        names = thai_list(collate([short_agency(a) for a in statement.agencies]))
        head = (
            f"{statement.general or 'ประเด็นทำนองเดียวกัน'} รวม {len(members)} ประเด็น "
            f"พบใน {len(statement.agencies)} หน่วยงาน ได้แก่ {names} ตัวอย่างเช่น"
        )
        # examples from different agencies first, then others of the same agencies
        firsts, seen = [], set()
        for member in members:
            if member[1] not in seen:
                firsts.append(member)
                seen.add(member[1])
        chosen = (firsts + [m for m in members if m not in firsts])[:EXAMPLES_SHOWN]
        return [("item", head)] + [("example", f"- {_own(t, a)}") for t, a in chosen]
    if statement.general:  # a report read back: its findings name no agency
        head = f"{statement.general} รวม {len(members)} ประเด็น ตัวอย่างเช่น"
        return [("item", head)] + [("example", f"- {t}") for t, _ in members[:EXAMPLES_SHOWN]]
    return [("item", members[0][0])] + [("example", f"- {t}") for t, _ in members[1:]]


def coverage(summary: Section) -> tuple[int, int]:
    """How many findings the summary holds, and of how many agencies."""
    findings, agencies = 0, set()
    stack = [summary]
    while stack:
        section = stack.pop()
        stack.extend(section.children)
        for statement in section.statements:
            members = statement.members or [(statement.text, None)]
            findings += len(members)
            agencies.update(a for _, a in members if a)
    return findings, len(agencies)


def _walk(section: Section, number: list[int], group_depth: int = 0):
    """Yield ``(level, label, section)`` for every section, numbered as the real report is."""
    if section.structural:
        label = ".".join(map(str, number)) + ("." if len(number) == 1 else "")
        yield len(number), label, section
        child_numbers = [[*number, i] for i in range(1, len(section.children) + 1)]
        inner = 0
    else:
        label = f"{number[-1]})" if group_depth == 1 else f"{'.'.join(map(str, number[-2:]))})"
        yield None, label, section
        child_numbers = [[*number, i] for i in range(1, len(section.children) + 1)]
        inner = group_depth
    for child, child_number in zip(section.children, child_numbers):
        if child.structural:
            yield from _walk(child, child_number)
        else:
            depth = inner + 1
            yield from _walk(child, child_number if depth > 1 else [child_number[-1]], depth)


def lines(summary: Section, title: str) -> list[tuple[str, str]]:
    """The summary as ``(style, text)`` lines; styles: title, cover, heading N, group, item,
    example, note."""
    findings, agencies = coverage(summary)
    out = [("title", title)]
    if findings:
        where = f" ของ {agencies} หน่วยงาน" if agencies else ""
        out.append(("cover", f"สรุปจากข้อค้นพบทั้งหมด {findings} ประเด็น{where}"))
    for level, label, section in _walk(summary, [SECTION_NUMBER]):
        out.append((f"heading {min(level, 4)}" if level else "group", f"{label} {section.title}"))
        for n, statement in enumerate(section.statements, start=1):
            (style, first), *rest = statement_lines(statement)
            out.append((style, f"({n}) {first}"))
            out.extend(rest)
        if not section.statements and not section.children and section.empty_note:
            out.append(("note", f"- {section.empty_note} -"))
    return [(style, thai_digits(text)) for style, text in out]


def write_markdown(summary: Section, title: str, path: Path, year_table=None) -> Path:
    text = []
    for style, line in lines(summary, title):
        if style == "title":
            text.append(f"# {line}")
        elif style.startswith("heading"):
            text.append("#" * (int(style[-1]) + 1) + f" {line}")
        elif style == "group":
            text.append(f"**{line}**")
        elif style == "note":
            text.append(line)
        elif style == "example":
            text.append(line)
        else:
            text.append(line)
        text.append("")
    if year_table is not None:  # as the Word table: Thai digits, a dash where there is no figure
        table = markdown_table(
            year_table.rename(columns=thai_digits),
            cell=lambda value: "-" if pd.isna(value) else thai_digits(value),
        )
        text += ["## การเปรียบเทียบรายปี", "", table, ""]
    with atomic_path(path) as temporary:
        temporary.write_text("\n".join(text), encoding="utf-8")
    return path


def _set_thai_font(target, size_pt: int | None = WORD_SIZE_PT, bold: bool | None = None) -> None:
    """Font and size on all four font slots, complex script included (the Thai one)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = target.font
    font.name = WORD_FONT
    if size_pt:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    r_pr = target.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), WORD_FONT)
    if size_pt:
        size_cs = r_pr.find(qn("w:szCs"))
        if size_cs is None:
            size_cs = OxmlElement("w:szCs")
            r_pr.append(size_cs)
        size_cs.set(qn("w:val"), str(size_pt * 2))
    if bold:
        if r_pr.find(qn("w:bCs")) is None:
            r_pr.append(OxmlElement("w:bCs"))


#: A4 and the margins of Thai official documents (งานสารบรรณ): 3 cm left, 2 cm right,
#: 2.5 cm top, 2 cm bottom.
PAGE_CM = (21.0, 29.7)
MARGINS_CM = {"left": 3.0, "right": 2.0, "top": 2.5, "bottom": 2.0}


def _official_look(document, title: str) -> None:
    """A4, official margins, black upright headings without Word's theme rules, and a running
    header with the page number in Thai digits."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, RGBColor

    styles = document.styles
    _set_thai_font(styles["Normal"])
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        style = styles[name]
        _set_thai_font(style, WORD_SIZE_PT + (2 if name == "Title" else 0), bold=True)
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        for theme in style.element.rPr.findall(qn("w:color")):
            for attribute in ("w:themeColor", "w:themeShade", "w:themeTint"):
                theme.attrib.pop(qn(attribute), None)
        p_pr = style.element.get_or_add_pPr()
        for border in p_pr.findall(qn("w:pBdr")):  # the Title style's blue rule
            p_pr.remove(border)
        style.paragraph_format.keep_with_next = True
    section = document.sections[0]
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    for side, cm in MARGINS_CM.items():
        setattr(section, f"{side}_margin", Cm(cm))
    section.header_distance = Cm(1.25)
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:fmt"), "thaiNumbers")  # Word and LibreOffice draw ๑ ๒ ๓
    section._sectPr.append(numbering)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_thai_font(header.add_run("- "), None)
    run = header.add_run()
    _set_thai_font(run, None)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
        else:
            field = OxmlElement("w:instrText")
            field.set(qn("xml:space"), "preserve")
            field.text = text
        run._r.append(field)
    _set_thai_font(header.add_run(" -"), None)
    year = re.search(r"ปีงบประมาณ\D*([๐-๙0-9]{4})", title)
    heading = "สรุปปัญหาอุปสรรคและข้อเสนอแนะ (แบบ B3)"
    running = section.header.add_paragraph(
        heading + (f" ปีงบประมาณ {year.group(1)}" if year else "")
    )
    running.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in running.runs:
        _set_thai_font(run, None)


def write_docx(summary: Section, title: str, path: Path, year_table=None) -> Path:
    import docx
    from docx.shared import Cm, Pt

    document = docx.Document()
    _official_look(document, thai_digits(title))
    text_lines = lines(summary, title)
    for style, text in text_lines:
        if style == "title":
            paragraph = document.add_paragraph(text, style="Title")
        elif style.startswith("heading"):
            paragraph = document.add_paragraph(text, style=f"Heading {style[-1]}")
        else:
            paragraph = document.add_paragraph(text)
            layout = paragraph.paragraph_format
            layout.left_indent = Cm({"group": 0.75, "example": 2.0}.get(style, 1.25))
            if style == "cover":
                layout.left_indent = Cm(0)
            layout.space_after = Pt(2 if style == "example" else 4)
            layout.keep_with_next = style == "group"  # a group heading stays with its first item
        for run in paragraph.runs:
            _set_thai_font(run, None, bold=True if style == "group" else None)
    if year_table is not None:
        heading = document.add_paragraph("การเปรียบเทียบรายปี", style="Heading 2")
        _set_thai_font(heading.runs[0], None)
        table = document.add_table(rows=1 + len(year_table), cols=len(year_table.columns))
        table.style = "Table Grid"
        for c, name in enumerate(year_table.columns):
            table.cell(0, c).text = thai_digits(name)
        for r, row in enumerate(year_table.itertuples(index=False), start=1):
            for c, value in enumerate(row):
                table.cell(r, c).text = "-" if pd.isna(value) else thai_digits(value)
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        _set_thai_font(run, None)
    document.core_properties.title = title
    with atomic_path(path) as temporary:
        document.save(temporary)
    return path


def findings_sheet(findings: pd.DataFrame) -> pd.DataFrame:
    """All findings with Thai headers and Thai names for kinds and categories."""
    columns = [c for c in FINDINGS_SHEET_COLUMNS if c in findings.columns]
    sheet = findings[columns].copy()
    if col.KIND in sheet:
        sheet[col.KIND] = sheet[col.KIND].map(lambda k: KIND_TH.get(k, k))
    for name in (col.CATEGORY, col.CATEGORY_2, col.MODEL_CATEGORY):
        if name in sheet:
            sheet[name] = sheet[name].map(lambda c: category_th(c) if isinstance(c, str) else c)
    if col.SUBTHEME in sheet:
        sheet[col.SUBTHEME] = sheet[col.SUBTHEME].map(subtheme_th)
    if col.MENTIONED_AGENCIES in sheet:
        sheet[col.MENTIONED_AGENCIES] = sheet[col.MENTIONED_AGENCIES].map(
            lambda names: ", ".join(names) if isinstance(names, list) else names
        )
    return sheet.rename(columns=COLUMN_TH)


def read_findings_workbook(path: Path) -> pd.DataFrame:
    """The findings sheet of a workbook this tool wrote, back with the column names and ids."""
    from pipeline.stages.read import (
        MAX_INPUT_BYTES,
        InputError,
        check_regular_file,
        check_zip,
        sniff_format,
    )

    try:
        check_regular_file(Path(path))
        if Path(path).stat().st_size > MAX_INPUT_BYTES:
            raise InputError(path, f"over the {MAX_INPUT_BYTES // 2**20} MiB limit")
        data = Path(path).read_bytes()
        if sniff_format(Path(path), data) != "xlsx":
            raise InputError(path, "not an .xlsx workbook")
        check_zip(Path(path), data)
        sheet = pd.read_excel(io.BytesIO(data), sheet_name="ข้อค้นพบ", engine="openpyxl")
    except InputError as error:
        raise ValueError(str(error)) from None
    except Exception as error:  # a damaged or foreign workbook: one line, never a traceback
        raise ValueError(
            f"{path}: not a findings workbook of this tool ({type(error).__name__})"
        ) from None
    sheet = sheet.rename(columns=COLUMN_FROM_TH)
    ids = {category_th(c): c for c in CATEGORY_IDS}
    sheet[col.CATEGORY] = sheet[col.CATEGORY].map(lambda c: ids.get(c, c))
    sheet[col.KIND] = sheet[col.KIND].map(lambda k: KIND_FROM_TH.get(k, k))
    if col.SUBTHEME in sheet:
        themes = {subtheme_th(s): s for s in [*SUBTHEMES_BY_ID, SUBTHEME_OTHER]}
        sheet[col.SUBTHEME] = sheet[col.SUBTHEME].map(lambda s: themes.get(s, s))
    return sheet


def thai_font_family() -> str:
    """Register Sarabun (from its pip package) with matplotlib once; return its family name."""
    import fontpkg_sarabun
    from matplotlib import font_manager

    for style in ("Regular", "Bold"):
        font_manager.fontManager.addfont(
            str(Path(fontpkg_sarabun.ROOT) / f"files/Sarabun-{style}.ttf")
        )
    return "Sarabun"


def chart_counts(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per category (rows) and kind (columns, those present), in Thai: what the first
    chart draws. A finding of no kind counts as an obstacle, as in the workbook and the summary."""
    from pipeline.shared.schema import KINDS

    kinds = findings[col.KIND].astype(object).fillna("obstacle")
    counts = pd.crosstab(findings[col.CATEGORY], kinds).reindex(
        index=list(CATEGORY_IDS), columns=[k for k in KINDS if k in set(kinds)], fill_value=0
    )
    return counts.rename(index=category_th, columns=lambda k: KIND_TH.get(k, k))


def write_charts(findings: pd.DataFrame, folder: Path) -> list[Path]:
    """Findings per category by kind; an agency × category heatmap."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pipeline.shared.taxonomy import BY_ID

    plt.rcParams["font.family"] = thai_font_family()
    plt.rcParams["font.size"] = 12
    paths = []

    counts = chart_counts(findings)
    figure, axes = plt.subplots(figsize=(10, 6))
    counts.plot.barh(ax=axes, width=0.8)
    axes.invert_yaxis()
    axes.set_xlabel("จำนวนประเด็น")
    axes.set_ylabel("")
    axes.set_title("จำนวนประเด็นที่พบ จำแนกตามหมวดและประเภท (รวมข้อสังเกตของประธาน)")
    axes.legend(title="ประเภท", loc="upper left", bbox_to_anchor=(1.01, 1))
    figure.tight_layout()
    paths.append(save_figure(figure, folder / "chart_categories.png"))

    # obstacles and recommendations per agency and category; the chairs' remarks are not counted
    kinds = findings[col.KIND].astype(object).fillna("obstacle")  # as chart_counts takes it
    known = findings[findings[col.AGENCY].notna() & kinds.isin(["obstacle", "recommendation"])]
    if not known.empty:
        heat = pd.crosstab(known[col.AGENCY], known[col.CATEGORY]).reindex(
            columns=list(CATEGORY_IDS), fill_value=0
        )
        order = _agency_order(known, list(heat.index))
        heat = heat.loc[[name for name, _ in order]]
        heat.index = [short_agency(a) for a in heat.index]
        heat.columns = [BY_ID[c].short for c in heat.columns]
        values = heat.to_numpy()
        figure, axes = plt.subplots(figsize=(9.5, max(4, 0.28 * len(heat) + 2)))
        image = axes.imshow(values, aspect="auto", cmap="Blues", vmin=0)
        axes.set_xticks(range(len(heat.columns)), heat.columns, rotation=35, ha="right")
        axes.set_yticks(range(len(heat.index)), heat.index, fontsize=9)
        threshold = max(2, values.max() / 2)
        for (r, c), value in pd.DataFrame(values).stack().items():
            if value:
                axes.text(
                    c,
                    r,
                    str(value),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if value > threshold else "black",
                )
        # one band per committee, named at the right
        committees = [committee for _, committee in order]
        for row in range(1, len(committees)):
            if committees[row] != committees[row - 1]:
                axes.axhline(row - 0.5, color="black", linewidth=1.2)
        for committee in dict.fromkeys(committees):
            rows = [r for r, c in enumerate(committees) if c == committee]
            label = f"คณะที่ {committee}" if committee else "ไม่ระบุคณะ"
            axes.text(
                len(heat.columns) - 0.4,
                (rows[0] + rows[-1]) / 2,
                label,
                ha="left",
                va="center",
                fontsize=10,
                fontweight="bold",
            )
        axes.set_title(
            "จำนวนปัญหาอุปสรรคและข้อเสนอแนะรายหน่วยงาน จำแนกตามหมวด\n"
            "(เรียงตามคณะและประเภทหน่วยงาน ไม่รวมข้อสังเกตของประธาน)"
        )
        bar = figure.colorbar(image, ax=axes, fraction=0.03, pad=0.12)
        bar.set_label("จำนวนประเด็น")
        figure.tight_layout()
        paths.append(save_figure(figure, folder / "chart_heatmap.png"))
    return paths


_TYPE_ORDER = {"office": 0, "bureau": 1, "district": 2}


def _agency_order(findings: pd.DataFrame, names: list[str]) -> list[tuple[str, int]]:
    """Agencies as ``(name, committee)``: by committee, then bureaus before districts, then name."""
    from pipeline.shared.agencies import gazetteer

    kinds = {a.name: a.type for a in gazetteer()}
    committee = findings.groupby(col.AGENCY)[col.COMMITTEE].agg(
        lambda c: int(c.dropna().mode().iloc[0]) if c.notna().any() else 0
    )
    return sorted(
        ((name, committee.get(name, 0)) for name in names),
        key=lambda item: (item[1] or 99, _TYPE_ORDER.get(kinds.get(item[0]), 3), item[0]),
    )


def save_figure(figure, path: Path) -> Path:
    import matplotlib.pyplot as plt

    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=130, format="png")
    plt.close(figure)
    return path


def with_subthemes(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings with ``subtheme`` from the sub-theme model beside the model that classified them
    (none when that model has no sub-theme model, or the findings were not classified)."""
    from pipeline.learning.models import ModelError, load_model
    from pipeline.learning.subtheme import assign

    names = findings[col.MODEL].dropna().unique() if col.MODEL in findings.columns else []
    if len(names) != 1 or col.CATEGORY not in findings.columns:
        return findings.assign(**{col.SUBTHEME: None})
    try:
        return assign(findings, load_model(str(names[0])))
    except ModelError:
        return findings.assign(**{col.SUBTHEME: None})


def make_reports(findings: pd.DataFrame, folder: Path, earlier: pd.DataFrame | None = None) -> dict:
    """Every output of the main job from classified findings; returns the paths written.

    ``earlier`` is an earlier year's findings (with ``fiscal_year`` and ``category``) to compare
    with; findings that span two fiscal years are compared without it.
    """
    from pipeline.shared.agencies import mentioned_agencies
    from pipeline.stages import aggregate
    from pipeline.stages.summary import build_summary

    if col.MENTIONED_AGENCIES not in findings.columns:  # agencies a finding names, for the workbook
        findings = findings.assign(mentioned_agencies=findings[col.TEXT].map(mentioned_agencies))
    if col.SUBTHEME not in findings.columns:  # the summary's points, from the classifying model
        findings = with_subthemes(findings)
    years = sorted(int(y) for y in findings[col.FISCAL_YEAR].dropna().unique())
    latest = findings[findings[col.FISCAL_YEAR] == years[-1]] if years else findings
    both = pd.concat([earlier, findings], ignore_index=True) if earlier is not None else findings
    year_table = aggregate.by_year(both)
    title = "สรุปปัญหาอุปสรรคและข้อเสนอแนะจากการตรวจติดตามประเมินผลการปฏิบัติราชการ"
    if years:
        title += f" ประจำปีงบประมาณ พ.ศ. {years[-1]}"
    summary = build_summary(latest)
    sheets = {
        "ข้อค้นพบ": findings_sheet(findings),
        "รายหน่วยงาน": aggregate.per_agency(latest),
        "รายคณะ": aggregate.per_committee(latest),
        "ภาพรวม": aggregate.overall(latest),
    }
    if year_table is not None:
        sheets["เปรียบเทียบรายปี"] = year_table
    with output_set(folder, OUTPUT_NAMES) as staging:
        write_workbook(sheets, staging / "findings.xlsx")
        write_docx(summary, title, staging / "b3_summary.docx", year_table)
        write_markdown(summary, title, staging / "b3_summary.md", year_table)
        charts = [folder / p.name for p in write_charts(latest, staging)]
    return {
        "workbook": folder / "findings.xlsx",
        "docx": folder / "b3_summary.docx",
        "markdown": folder / "b3_summary.md",
        "charts": charts,
    }

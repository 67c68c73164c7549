"""Readers: every format and encoding analysts send, PDFs with and without a text layer, and the
files that must be refused (corrupt, protected, oversized, zip bombs)."""

from __future__ import annotations

import zipfile

import pytest

from pipeline.shared.schema import col
from pipeline.stages.parse import parse_file
from pipeline.stages.read import InputError, read_document

REPORT = """หน่วยงาน: สำนักงานเขตหลักสี่
ปีงบประมาณ พ.ศ. ๒๕๖๖ คณะที่ ๔
ปัญหาอุปสรรค
๑. บุคลากรด้านโยธามีน้อยเมื่อเทียบกับปริมาณงานคำขออนุญาตก่อสร้าง
๒. งบประมาณซ่อมแซมถนนในซอยได้รับจัดสรรล่าช้า
ข้อเสนอแนะ
๑. ควรจัดลำดับความสำคัญของคำขออนุญาตและเร่งรัดการพิจารณา
"""


# --- Text files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp874"])
def test_text_encodings_are_detected_from_content(tmp_path, encoding, write_text):
    path = write_text(tmp_path / "report.txt", REPORT, encoding)
    document = read_document(path)
    assert document.blocks[0].raw == "หน่วยงาน: สำนักงานเขตหลักสี่"
    findings, _, _ = parse_file(path)
    assert list(findings[col.KIND]) == ["obstacle", "obstacle", "recommendation"]
    assert set(findings[col.AGENCY]) == {"สำนักงานเขตหลักสี่"}
    assert set(findings[col.FISCAL_YEAR]) == {2566}
    assert set(findings[col.COMMITTEE]) == {4}


def test_windows_thai_file_with_a_misleading_extension(tmp_path, write_text):
    path = write_text(tmp_path / "b1_lak_si.md", REPORT, "tis-620")
    assert read_document(path).encoding == "cp874"


# --- Word -----------------------------------------------------------------------------------------


def test_docx_paragraphs_and_b1_table_in_document_order(tmp_path, make_docx):
    table = [
        ["ปัจจัย", "ปัญหาอุปสรรค", "ข้อเสนอแนะ"],
        [
            "๑. อัตรากำลัง",
            "- ครูอัตราจ้างลาออกกลางภาคเรียน\n- ขาดครูวิชาวิทยาศาสตร์",
            "ควรวางแผนสรรหาครูล่วงหน้าก่อนเปิดภาคเรียน",
        ],
        ["๒. งบประมาณ", "งบซ่อมแซมอาคารเรียนไม่เพียงพอ", None],
    ]
    path = make_docx(
        tmp_path / "b1.docx",
        paragraphs=["แบบ B1 รายงานหน่วยงาน", "หน่วยงาน สำนักการศึกษา", "ปีงบประมาณ 2566"],
        table=table,
    )
    findings, _, _ = parse_file(path)
    assert list(findings[col.TEXT]) == [
        "ครูอัตราจ้างลาออกกลางภาคเรียน",
        "ขาดครูวิชาวิทยาศาสตร์",
        "ควรวางแผนสรรหาครูล่วงหน้าก่อนเปิดภาคเรียน",
        "งบซ่อมแซมอาคารเรียนไม่เพียงพอ",
    ]
    assert list(findings[col.KIND]) == ["obstacle", "obstacle", "recommendation", "obstacle"]
    assert list(findings[col.HEADING_CATEGORY]) == ["manpower", "manpower", "manpower", "budget"]
    assert set(findings[col.AGENCY]) == {"สำนักการศึกษา"}
    assert set(findings[col.RECIPIENT_TYPE].dropna()) == {"agency"}


def test_docx_table_with_merged_cells_reads_each_cell_once(tmp_path):
    import docx

    document = docx.Document()
    grid = document.add_table(rows=3, cols=3)
    for c, text in enumerate(["ด้าน", "ปัญหาอุปสรรค", "ข้อเสนอแนะ"]):
        grid.cell(0, c).text = text
    grid.cell(1, 0).merge(grid.cell(2, 0)).text = "เครื่องมือทางการบริหาร"
    grid.cell(1, 1).merge(grid.cell(1, 2)).text = "เครื่องคอมพิวเตอร์ของฝ่ายทะเบียนชำรุดบ่อย"
    grid.cell(2, 1).text = "ระบบคิวออนไลน์ล่มในช่วงเช้า"
    grid.cell(2, 2).text = "ควรของบประมาณจัดหาเครื่องแม่ข่ายสำรอง"
    path = tmp_path / "merged.docx"
    document.save(path)
    findings, _, _ = parse_file(path)
    assert findings[col.TEXT].tolist().count("เครื่องคอมพิวเตอร์ของฝ่ายทะเบียนชำรุดบ่อย") == 1
    assert len(findings) == 3
    assert set(findings[col.HEADING_CATEGORY]) == {"tools"}


def test_docx_automatic_numbering_makes_items(tmp_path, make_docx):
    path = make_docx(
        tmp_path / "numbered.docx",
        paragraphs=["ปัญหาอุปสรรค"],
        numbered=["ผู้ค้าหาบเร่แผงลอยไม่ปฏิบัติตามจุดผ่อนผัน", "รถเก็บขยะมีไม่เพียงพอ"],
    )
    findings, _, _ = parse_file(path)
    assert list(findings[col.TEXT]) == ["ผู้ค้าหาบเร่แผงลอยไม่ปฏิบัติตามจุดผ่อนผัน", "รถเก็บขยะมีไม่เพียงพอ"]


def test_docx_table_with_a_title_row_above_its_header(tmp_path):
    import docx

    document = docx.Document()
    grid = document.add_table(rows=3, cols=3)
    grid.cell(0, 0).merge(grid.cell(0, 2)).text = "แบบ B1 สำนักงานเขตบางรัก"
    for c, text in enumerate(["ด้าน", "ปัญหา/อุปสรรค", "แนวทางแก้ไข"]):
        grid.cell(1, c).text = text
    for c, text in enumerate(["งบประมาณ", "งบซ่อมท่อระบายน้ำไม่พอ", "ควรของบกลางเพิ่มเติม"]):
        grid.cell(2, c).text = text
    path = tmp_path / "titled.docx"
    document.save(path)
    findings, _, _ = parse_file(path)
    assert list(findings[col.KIND]) == ["obstacle", "recommendation"]
    assert set(findings[col.HEADING_CATEGORY]) == {"budget"}


def test_a_word_table_of_numbered_rows_and_label_value_rows(tmp_path):
    """A table that is not a findings grid: label | value rows are metadata, number | text rows
    are numbered items, a row merged across the table is a heading."""
    import docx

    document = docx.Document()
    meta = document.add_table(rows=2, cols=2)
    for r, (label, value) in enumerate([("หน่วยงาน", "สำนักสิ่งแวดล้อม"), ("ปีงบประมาณ", "พ.ศ. 2566")]):
        meta.cell(r, 0).text, meta.cell(r, 1).text = label, value
    body = document.add_table(rows=4, cols=2)
    body.cell(0, 0).text, body.cell(0, 1).text = "ที่", "รายละเอียด"
    merged = body.cell(1, 0).merge(body.cell(1, 1))
    merged.text = "ส่วนที่ 1 ปัญหาอุปสรรค"
    body.cell(2, 0).text, body.cell(2, 1).text = "1", "พนักงานเก็บขนมูลฝอยมีอายุเฉลี่ยสูง"
    body.cell(3, 0).text, body.cell(3, 1).text = "2", "รถเก็บขนมูลฝอยชำรุดบ่อย"
    path = tmp_path / "b1_table.docx"
    document.save(path)
    findings, _, _ = parse_file(path)
    assert list(findings[col.TEXT]) == ["พนักงานเก็บขนมูลฝอยมีอายุเฉลี่ยสูง", "รถเก็บขนมูลฝอยชำรุดบ่อย"]
    assert set(findings[col.KIND]) == {"obstacle"}
    assert set(findings[col.AGENCY]) == {"สำนักสิ่งแวดล้อม"}
    assert set(findings[col.FISCAL_YEAR]) == {2566}


def test_a_grid_sheet_is_read_as_a_word_grid_is(tmp_path, make_xlsx):
    """One reader for the B1 form: in a sheet, a row with only its first cell filled is a
    category heading for the rows under it, as a merged row is in Word; each finding keeps its
    row number in the sheet."""
    rows = [
        ["ปัญหาอุปสรรค", "ข้อเสนอแนะ"],
        ["ด้านเงิน (งบประมาณ)", None],
        ["งบซ่อมถนนได้รับล่าช้า", "ควรเร่งขอโอนงบ"],
        ["ด้านคน (อัตรากำลัง)"],
        ["นิติกรย้ายออกสองคน", "ควรเปิดสอบแข่งขันตำแหน่งนิติกร"],
    ]
    findings, _, _ = parse_file(make_xlsx(tmp_path / "grid.xlsx", rows, title="แบบ บ.1"))
    assert list(findings[col.HEADING_CATEGORY]) == ["budget", "budget", "manpower", "manpower"]
    assert list(findings[col.KIND]) == ["obstacle", "recommendation"] * 2
    assert list(findings[col.LINE]) == [4, 4, 6, 6]


def _grid_report(path):
    """A B1 grid with merged category rows, then a recommendation broken by a line break."""
    import docx

    document = docx.Document()
    grid = document.add_table(rows=5, cols=2)
    grid.style = "Table Grid"  # ruled, as offices print it
    grid.cell(0, 0).text, grid.cell(0, 1).text = "ปัญหาอุปสรรค", "ข้อเสนอแนะ"
    for row, heading in ((1, "ปัจจัยภายใน"), (2, "ปัจจัยภายใน : ด้านเงิน (งบประมาณ)")):
        grid.cell(row, 0).merge(grid.cell(row, 1)).text = heading
    grid.cell(3, 0).text, grid.cell(3, 1).text = "1. งบซ่อมถนนได้รับล่าช้า", "1. ควรเร่งขอโอนงบ"
    grid.cell(4, 0).merge(grid.cell(4, 1)).text = "ด้านคน (อัตรากำลัง)"
    document.add_paragraph("ข้อเสนอแนะต่อผู้บริหารกรุงเทพมหานคร")
    paragraph = document.add_paragraph("- ควรเพิ่มกรอบอัตรากำลังของ")
    paragraph.add_run().add_break()
    paragraph.add_run("สำนักงานเขตชั้นนอก")
    document.save(path)
    return path


def test_a_grid_whose_category_headings_are_merged_rows(tmp_path):
    """Rows merged across the grid name the category of the rows under them; a factor alone
    (ปัจจัยภายใน) is no category; a line break inside a Word paragraph goes on the finding."""
    findings, _, _ = parse_file(_grid_report(tmp_path / "b1_grid.docx"))
    assert list(findings[col.TEXT]) == [
        "งบซ่อมถนนได้รับล่าช้า",
        "ควรเร่งขอโอนงบ",
        "ควรเพิ่มกรอบอัตรากำลังของ สำนักงานเขตชั้นนอก",
    ]
    assert list(findings[col.HEADING_CATEGORY])[:2] == ["budget", "budget"]
    assert list(findings[col.KIND]) == ["obstacle", "recommendation", "recommendation"]
    assert list(findings[col.RECIPIENT_TYPE])[1:] == ["agency", "executives"]


# --- Excel and CSV --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        ["หน่วยงาน", "คณะ", "ปีงบประมาณ", "ประเภท", "หมวด", "ข้อความ"],
        ["agency", "committee", "fiscal_year", "kind", "category", "text"],
    ],
)
def test_xlsx_rows_with_thai_or_english_columns(tmp_path, header, make_xlsx):
    rows = [
        header,
        ["เขตบางรัก", "คณะที่ 3", 2566, "ปัญหาอุปสรรค", "งบประมาณ", "งบลอกท่อระบายน้ำไม่พอ"],
        ["สนข. สาทร", 3, "๒๕๖๖", "ข้อเสนอแนะ", "tools", "ควรติดตั้ง CCTV เพิ่มที่ทางเท้า"],
    ]
    path = make_xlsx(tmp_path / "rows.xlsx", rows, title="สรุปผลการตรวจติดตาม")
    findings, _, warnings = parse_file(path)
    assert [w for w in warnings if "no fiscal year" not in w] == []
    assert list(findings[col.AGENCY]) == ["สำนักงานเขตบางรัก", "สำนักงานเขตสาทร"]
    assert list(findings[col.COMMITTEE]) == [3, 3]
    assert list(findings[col.FISCAL_YEAR]) == [2566, 2566]
    assert list(findings[col.KIND]) == ["obstacle", "recommendation"]
    assert list(findings[col.HEADING_CATEGORY]) == ["budget", "tools"]
    assert list(findings[col.LINE]) == [3, 4]


def test_csv_in_windows_thai_and_an_unknown_category(tmp_path, write_text):
    text = "หน่วยงาน,ประเภท,หมวด,ข้อความ\nเขตดุสิต,ปัญหา,สวัสดิการ,งบจัดงานประเพณีได้รับล่าช้า\n"
    path = write_text(tmp_path / "rows.csv", text, "cp874")
    findings, _, warnings = parse_file(path)
    assert findings[col.TEXT].tolist() == ["งบจัดงานประเพณีได้รับล่าช้า"]
    assert findings[col.HEADING_CATEGORY].isna().all()
    assert len(warnings) == 2 and "no fiscal year" in warnings[1]  # named with its file
    assert (
        "unknown category 'สวัสดิการ' in line 2" in warnings[0] and "งบประมาณ (budget)" in warnings[0]
    )


def test_xlsx_in_the_b1_form_a_row_per_factor(tmp_path, make_xlsx):
    rows = [
        ["หน่วยงาน: สำนักงานเขตดุสิต"],
        ["ด้าน", "ปัญหาอุปสรรค", "ข้อเสนอแนะ"],
        ["1. อัตรากำลัง", "- นิติกรมีคนเดียว\n- ช่างโยธาเกษียณสองคน", "ควรขอกรอบอัตรากำลังเพิ่ม"],
        ["2. เครื่องมือทางการบริหาร", "เครื่องพิมพ์บัตรคิวชำรุด", None],
    ]
    findings, _, warnings = parse_file(make_xlsx(tmp_path / "b1.xlsx", rows))
    assert [w for w in warnings if "no fiscal year" not in w] == []
    assert list(findings[col.TEXT]) == [
        "นิติกรมีคนเดียว",
        "ช่างโยธาเกษียณสองคน",
        "ควรขอกรอบอัตรากำลังเพิ่ม",
        "เครื่องพิมพ์บัตรคิวชำรุด",
    ]
    assert list(findings[col.KIND]) == ["obstacle", "obstacle", "recommendation", "obstacle"]
    assert list(findings[col.HEADING_CATEGORY]) == ["manpower"] * 3 + ["tools"]
    assert set(findings[col.AGENCY]) == {"สำนักงานเขตดุสิต"}  # from the line above the header


def test_a_sheet_laid_out_as_a_report(tmp_path, make_xlsx):
    """Headings and numbered items in rows, with no findings header, are read as a report."""
    rows = [
        ["คณะที่ 6", "หน่วยงาน สำนักการคลัง"],
        ["ส่วนที่ 1 ปัญหาอุปสรรค", None],
        ["1. อัตรากำลัง", None],
        ["1.1", "เจ้าพนักงานการเงินมีอัตราว่าง 14 อัตรา"],
        ["ส่วนที่ 2 ข้อเสนอแนะ", None],
        ["ต่อผู้บริหารกรุงเทพมหานคร", None],
        ["2.1", "ควรเสนอรัฐบาลชดเชยรายได้ที่ลดลง"],
    ]
    findings, _, _ = parse_file(make_xlsx(tmp_path / "outline.xlsx", rows))
    assert list(findings[col.KIND]) == ["obstacle", "recommendation"]
    assert findings[col.HEADING_CATEGORY].iloc[0] == "manpower"
    assert list(findings[col.RECIPIENT_TYPE])[1] == "executives"
    assert set(findings[col.COMMITTEE]) == {6}


def test_a_grid_sheet_whose_factor_column_is_named_like_a_text_column(tmp_path, make_xlsx):
    rows = [
        ["ประเด็น", "ปัญหาอุปสรรค", "ข้อเสนอแนะของคณะกรรมการฯ"],
        ["1. อัตรากำลัง", "พนักงานกวาดถนนไม่เพียงพอ", "ควรขอรับการสนับสนุนอัตรากำลัง"],
    ]
    findings, _, _ = parse_file(make_xlsx(tmp_path / "grid.xlsx", rows))
    assert list(findings[col.KIND]) == ["obstacle", "recommendation"]
    assert set(findings[col.HEADING_CATEGORY]) == {"manpower"}


def test_a_recipient_column_and_a_glossed_kind_header(tmp_path, make_xlsx):
    rows = [
        ["หน่วยงาน: สำนักเทศกิจ"],
        ["ลำดับ", "ประเภท (ปัญหา/ข้อเสนอแนะ)", "รายละเอียด", "ข้อเสนอแนะถึง"],
        [1, "ปัญหาอุปสรรค", "กล้องบันทึกภาพติดตัวมีไม่พอ", "-"],
        [2, "ข้อเสนอแนะ", "ควรปรับตัวชี้วัดให้สะท้อนงานจริง", "สำนักยุทธศาสตร์และประเมินผล"],
        [3, "ข้อเสนอแนะ", "ควรเพิ่มกรอบอัตรากำลัง", "ผู้บริหารกรุงเทพมหานคร"],
        [4, "ข้อเสนอแนะ", "ควรจัดอบรมกฎหมาย", "สำนักเทศกิจ"],
    ]
    findings, _, _ = parse_file(make_xlsx(tmp_path / "rows.xlsx", rows))
    assert list(findings[col.KIND]) == ["obstacle"] + ["recommendation"] * 3
    assert list(findings[col.RECIPIENT_TYPE])[1:] == ["kpi_owner", "executives", "agency"]
    assert list(findings[col.RECIPIENT_AGENCY])[1] == "สำนักยุทธศาสตร์และประเมินผล"


def test_xlsx_with_extra_and_missing_columns(tmp_path, make_xlsx):
    rows = [["ลำดับ", "ข้อความ", "ผู้บันทึก", "ประเภท"], [1, "รถดูดโคลนมีไม่พอ", "สมชาย", "ปัญหาอุปสรรค"]]
    findings, _, warnings = parse_file(make_xlsx(tmp_path / "extra.xlsx", rows))
    assert findings[col.TEXT].tolist() == ["รถดูดโคลนมีไม่พอ"]
    assert findings[col.AGENCY].isna().all()  # no agency column: none, not a guess
    assert warnings == [
        f"{tmp_path / 'extra.xlsx'}: ignored column(s) ผู้บันทึก",
        f"{tmp_path / 'extra.xlsx'}: no fiscal year found in the report; give it with --year",
    ]
    no_text = make_xlsx(tmp_path / "no_text.xlsx", [["หน่วยงาน", "ประเภท"], ["เขตบางรัก", "ปัญหา"]])
    with pytest.raises(InputError, match="no sheet has a text column"):
        read_document(no_text)


# --- PDF ------------------------------------------------------------------------------------------


def test_text_layer_pdf_keeps_vowels_and_tone_marks(tmp_path, make_pdf):
    lines = [
        "ข้อเสนอแนะ",
        "1. ควรจัดอบรมการใช้ระบบจัดซื้อจัดจ้างภาครัฐให้เจ้าหน้าที่พัสดุ",
        "2. ควรประสานการไฟฟ้านครหลวงย้ายเสาไฟฟ้าที่กีดขวางทางเท้า",
    ]
    findings, _, warnings = parse_file(make_pdf(tmp_path / "b1.pdf", lines))
    assert [w for w in warnings if "no fiscal year" not in w] == []
    assert list(findings[col.TEXT]) == [line[3:] for line in lines[1:]]
    assert list(findings[col.KIND]) == ["recommendation", "recommendation"]


def test_pdf_exported_from_word_reads_like_the_word_file(tmp_path, make_docx, to_pdf):
    long_item = (
        "- สำนักงานเขตควรจัดทำฐานข้อมูลผู้ค้าหาบเร่แผงลอยทุกจุดผ่อนผันให้เป็นปัจจุบัน "
        "และเชื่อมโยงกับระบบของสำนักเทศกิจ เพื่อให้การจัดระเบียบทางเท้าเป็นไปอย่างต่อเนื่อง "
        "ลดข้อร้องเรียนของประชาชนที่สัญจรบนทางเท้าในช่วงเย็นและวันหยุดสุดสัปดาห์"
    )
    docx_path = make_docx(
        tmp_path / "b1.docx",
        paragraphs=[
            "หน่วยงาน: สำนักงานเขตบางรัก",
            "ข้อเสนอแนะ",
            long_item,
            "- ควรเพิ่มไฟส่องสว่างในซอยเปลี่ยว",
        ],
    )
    from_word, _, _ = parse_file(docx_path)
    from_pdf, _, _ = parse_file(to_pdf(docx_path))
    assert list(from_pdf[col.TEXT]) == list(from_word[col.TEXT])
    assert set(from_pdf[col.AGENCY]) == {"สำนักงานเขตบางรัก"}


def test_a_grid_exported_to_pdf_reads_like_the_word_file(tmp_path, to_pdf):
    """A PDF's ruled table is read cell by cell, as the Word table it was made from."""
    path = _grid_report(tmp_path / "b1_grid.docx")
    from_word, _, _ = parse_file(path)
    from_pdf, _, _ = parse_file(to_pdf(path))
    columns = [col.KIND, col.HEADING_CATEGORY, col.RECIPIENT_TYPE]
    assert from_pdf[columns].equals(from_word[columns])
    assert [t.replace(" ", "") for t in from_pdf[col.TEXT]] == [
        t.replace(" ", "") for t in from_word[col.TEXT]
    ]


def test_scanned_pdf_needs_ocr(tmp_path):
    import pymupdf

    document = pymupdf.open()
    page = document.new_page()
    pixmap = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 40), False)
    pixmap.clear_with(200)
    page.insert_image(pymupdf.Rect(50, 50, 300, 300), pixmap=pixmap)
    document.save(tmp_path / "scan.pdf")
    with pytest.raises(InputError, match="scanned PDF with no text layer; run OCR"):
        read_document(tmp_path / "scan.pdf")


def test_corrupt_and_protected_pdfs(tmp_path):
    import pymupdf

    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 20)
    with pytest.raises(InputError, match=r"broken.pdf: (corrupt PDF|the PDF has no text)"):
        read_document(tmp_path / "broken.pdf")
    document = pymupdf.open()
    document.new_page().insert_text((60, 72), "secret")
    document.save(
        tmp_path / "locked.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y"
    )
    with pytest.raises(InputError, match="password-protected"):
        read_document(tmp_path / "locked.pdf")


# --- Files that are refused -----------------------------------------------------------------------


def _corrupt_docx(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<not xml")
    return path


@pytest.mark.parametrize(
    ("name", "make", "problem"),
    [
        ("empty.txt", lambda p: p.write_bytes(b""), "empty file"),
        ("blank.txt", lambda p: p.write_bytes(b"  \n\n "), "no text"),
        ("binary.txt", lambda p: p.write_bytes(b"MZ\x90\x00\x03" * 50), "binary"),
        ("nul.txt", lambda p: p.write_bytes("ปัญหา\x00".encode() * 3), "NUL"),
        ("photo.docx", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20), "image"),
        ("broken.docx", lambda p: p.write_bytes(b"PK\x03\x04garbage"), "corrupt"),
        ("bad.docx", _corrupt_docx, "corrupt Word"),
        ("scan.pdf", lambda p: p.write_bytes(b"%PDF-1.7\n..."), "PDF"),
        (
            "old.doc",
            lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),
            ".doc",
        ),
        ("rows.csv", lambda p: p.write_text("a,b\n1,2\n"), "no text column"),
    ],
)
def test_bad_files_get_a_one_line_error_naming_the_file(tmp_path, name, make, problem):
    path = tmp_path / name
    make(path)
    with pytest.raises(InputError) as caught:
        read_document(path)
    message = str(caught.value)
    assert message.startswith(str(path)) and problem in message and "\n" not in message


def test_oversized_file_is_refused_unread(tmp_path, monkeypatch, write_text):
    import pipeline.stages.read

    monkeypatch.setattr(pipeline.stages.read, "MAX_INPUT_BYTES", 1000)
    path = write_text(tmp_path / "huge.txt", "ปัญหาอุปสรรค\n" * 200)
    with pytest.raises(InputError, match="over the"):
        read_document(path)


def test_a_one_gigabyte_text_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: takes no disk space
        handle.truncate(2**30)
    with pytest.raises(InputError, match=r"huge\.txt: file is 1024 MiB, over the 64 MiB limit"):
        read_document(path)


def test_zip_bomb_disguised_as_docx_is_refused_unread(tmp_path, monkeypatch):
    import pipeline.stages.read

    monkeypatch.setattr(pipeline.stages.read, "MAX_UNPACKED_BYTES", 10 * 2**20)
    path = tmp_path / "report.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/media/padding.bin", b"\0" * (50 * 2**20))  # 50 MiB of zeros
    assert path.stat().st_size < 2**20
    with pytest.raises(InputError, match="unpacks to over 10 MiB"):
        read_document(path)

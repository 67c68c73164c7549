"""PDF input and hostile files: each gets a one-line error or warning, and the batch goes on."""

from __future__ import annotations

import zipfile

import pytest

from pipeline.shared.schema import col
from pipeline.stages.parse import parse_file, parse_paths
from pipeline.stages.read import InputError, read_document


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


def test_a_one_gigabyte_text_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: takes no disk space
        handle.truncate(2**30)
    with pytest.raises(InputError, match=r"huge\.txt: file is 1024 MiB, over the 64 MiB limit"):
        read_document(path)


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


def test_a_bad_file_does_not_stop_the_batch(tmp_path, write_text):
    write_text(tmp_path / "a_good.txt", "ปัญหาอุปสรรค\n1. งบประมาณไม่เพียงพอ\n")
    (tmp_path / "b_bad.docx").write_bytes(b"PK\x03\x04broken")
    write_text(tmp_path / "c_empty_report.txt", "รายงานผลการตรวจติดตาม\nหน่วยงาน: เขตบางรัก\n")
    write_text(tmp_path / "d_good.txt", "ข้อเสนอแนะ\n- ควรเร่งรัดการเบิกจ่าย\n")
    result = parse_paths([tmp_path])
    assert list(result.findings[col.TEXT]) == ["งบประมาณไม่เพียงพอ", "ควรเร่งรัดการเบิกจ่าย"]
    assert len(result.errors) == 1 and result.errors[0].startswith(str(tmp_path / "b_bad.docx"))
    assert [w for w in result.warnings if "no fiscal year" not in w] == [
        f"{tmp_path / 'c_empty_report.txt'}: no findings found"
    ]

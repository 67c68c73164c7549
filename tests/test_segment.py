"""The segmenter on numbering styles and layouts the seed does not use."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.shared.schema import col
from pipeline.stages.normalize import normalize_document
from pipeline.stages.read import Block, Document
from pipeline.stages.segment import parse_numbering, segment


def _segment(text: str, **defaults):
    blocks = [
        Block(raw=line, line=i) for i, line in enumerate(text.splitlines(), 1) if line.strip()
    ]
    document, _ = normalize_document(Document("b1_test.txt", "text", blocks))
    return segment(document, **defaults)


@pytest.mark.parametrize(
    ("line", "label", "style", "rest"),
    [
        ("(๓) ขาดแคลนบุคลากร", "(3)", "(n)", "ขาดแคลนบุคลากร"),
        ("1. ขาดแคลนบุคลากร", "1.", "n.", "ขาดแคลนบุคลากร"),
        ("2) ขาดแคลนบุคลากร", "2)", "n)", "ขาดแคลนบุคลากร"),
        ("1.2) ขาดแคลนบุคลากร", "1.2)", "n.n)", "ขาดแคลนบุคลากร"),
        ("5.1.2.1 ข้อเสนอแนะ", "5.1.2.1", "n.n.n.n", "ข้อเสนอแนะ"),
        ("ก. ขาดแคลนบุคลากร", "ก.", "ก.", "ขาดแคลนบุคลากร"),
        ("- ขาดแคลนบุคลากร", "-", "-", "ขาดแคลนบุคลากร"),
        ("• ขาดแคลนบุคลากร", "•", "•", "ขาดแคลนบุคลากร"),
        ("2566 เป็นปีแรก", None, None, "2566 เป็นปีแรก"),
        ("-5 องศา", None, None, "-5 องศา"),
    ],
)
def test_numbering_styles(line, label, style, rest):
    numbering, text = parse_numbering(line.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")))
    assert (numbering.label if numbering else None) == label
    assert (numbering.style if numbering else None) == style
    assert text.strip() == rest


ARABIC_B1 = """แบบฟอร์ม B1 รายงานผลการตรวจติดตามรายหน่วยงาน
ชื่อหน่วยงาน : สนข. บางกะปิ
ประจำปีงบประมาณ 2566
1. ปัญหาอุปสรรค
1) ด้านบุคลากร
- เจ้าหน้าที่เทศกิจมีน้อยเมื่อเทียบกับจุดผ่อนผันหาบเร่แผงลอย
- นิติกรย้ายออกสองคน
2) ด้านงบประมาณ
• ค่าจ้างเหมาเก็บขยะชิ้นใหญ่เกินกรอบวงเงิน
2. ข้อเสนอแนะ
1) ควรขอรับการสนับสนุนอัตรากำลังจากสำนักเทศกิจ
   ในช่วงเทศกาลที่มีผู้ค้าหนาแน่น
2) ควรทบทวนสัญญาจ้างเหมาให้สอดคล้องกับปริมาณขยะจริง
"""


def test_arabic_numbering_ด้าน_headings_and_bullets():
    findings, meta = _segment(ARABIC_B1)
    assert meta.agency == "สำนักงานเขตบางกะปิ" and meta.fiscal_year == 2566
    assert list(findings[col.KIND]) == ["obstacle"] * 3 + ["recommendation"] * 2
    assert list(findings[col.HEADING_CATEGORY][:3]) == ["manpower", "manpower", "budget"]
    assert findings[col.HEADING_CATEGORY][3:].isna().all()
    assert list(findings[col.PATH]) == ["1./1)/-1", "1./1)/-2", "1./2)/•1", "2./1)", "2./2)"]
    # an indented line under a numbered item is the same item going on
    assert findings[col.TEXT][3] == ("ควรขอรับการสนับสนุนอัตรากำลังจากสำนักเทศกิจ ในช่วงเทศกาลที่มีผู้ค้าหนาแน่น")


NO_HEADINGS = """ปัญหาอุปสรรค
การจัดเก็บภาษีที่ดินและสิ่งปลูกสร้างต่ำกว่าเป้าหมาย
ผู้ประกอบการร้านอาหารริมคลองไม่ให้ความร่วมมือในการติดตั้งบ่อดักไขมัน
ข้อเสนอแนะ
ควรประสานสำนักการคลังเพื่อปรับปรุงฐานข้อมูลผู้เสียภาษี
"""


def test_unnumbered_paragraphs_without_category_headings_are_findings():
    findings, _ = _segment(NO_HEADINGS, agency="เขตคลองเตย", committee=3, fiscal_year=2566)
    assert len(findings) == 3
    assert findings[col.HEADING_CATEGORY].isna().all()
    assert list(findings[col.KIND]) == ["obstacle", "obstacle", "recommendation"]
    # metadata the file lacks comes from the command line
    assert set(findings[col.AGENCY]) == {"สำนักงานเขตคลองเตย"}
    assert set(findings[col.COMMITTEE]) == {3} and set(findings[col.FISCAL_YEAR]) == {2566}


def test_file_metadata_wins_over_the_command_line():
    findings, _ = _segment(ARABIC_B1, agency="สำนักงานเขตบางรัก", fiscal_year=2565)
    assert set(findings[col.AGENCY]) == {"สำนักงานเขตบางกะปิ"}
    assert set(findings[col.FISCAL_YEAR]) == {2566}


def test_lines_that_are_not_findings():
    text = """ปัญหาอุปสรรค
ไม่มี
ข้อเสนอแนะ ดังนี้
ผลการดำเนินงานบรรลุเป้าหมายทุกตัวชี้วัด
1. ควรจัดทำแผนสำรองกรณีผู้รับจ้างทิ้งงาน
ข้อสังเกต
- ไม่พบปัญหา
"""
    findings, _ = _segment(text)
    assert findings[col.TEXT].tolist() == ["ควรจัดทำแผนสำรองกรณีผู้รับจ้างทิ้งงาน"]


def test_lead_in_is_context_for_its_sub_items():
    text = """ข้อเสนอแนะ
1. การปรับปรุงทางเท้าย่านตลาด มีข้อเสนอแนะ ดังนี้
- ควรกำหนดจุดผ่อนผันให้ชัดเจน
- ควรประสานการไฟฟ้านครหลวงย้ายเสาไฟที่กีดขวาง
2. ควรเพิ่มไฟส่องสว่างในซอยเปลี่ยว
"""
    findings, _ = _segment(text)
    assert len(findings) == 3
    assert findings[col.CONTEXT][0] == "การปรับปรุงทางเท้าย่านตลาด มีข้อเสนอแนะ ดังนี้"
    assert findings[col.PATH].tolist() == ["1./-1", "1./-2", "2."]
    assert findings[col.CONTEXT].isna().tolist() == [False, False, True]


def test_an_item_that_starts_with_a_category_word_is_not_a_heading():
    text = """ปัญหาอุปสรรค
1) อัตรากำลัง
(1) อัตรากำลังไม่เพียงพอต่อภารกิจ
(2) งบประมาณ
"""
    findings, _ = _segment(text)
    assert findings[col.TEXT].tolist() == ["อัตรากำลังไม่เพียงพอต่อภารกิจ"]


def test_recommendation_sections_set_the_recipient():
    text = """ข้อเสนอแนะต่อหน่วยงานผู้ประเมิน (เจ้าภาพตัวชี้วัด)
1) สยป.
1.1) ควรชี้แจงนิยามตัวชี้วัดก่อนเริ่มปีงบประมาณ
2) สำนักงบประมาณกรุงเทพมหานคร
2.1) ควรแจ้งผลการจัดสรรงบประมาณให้เร็วขึ้น
ข้อเสนอแนะเชิงนโยบายต่อผู้บริหารกรุงเทพมหานคร
1) ควรเพิ่มกรอบอัตรากำลังด้านไอทีให้สำนักงานเขต
"""
    findings, _ = _segment(text)
    assert findings[col.RECIPIENT_TYPE].tolist() == ["kpi_owner", "kpi_owner", "executives"]
    assert findings[col.RECIPIENT_AGENCY].tolist()[:2] == [
        "สำนักยุทธศาสตร์และประเมินผล",
        "สำนักงบประมาณกรุงเทพมหานคร",
    ]


def test_real_list_items_are_not_taken_for_an_inline_list():
    text = """ปัญหาอุปสรรค
1. ระบบงานทะเบียนตามข้อ 1. ของคู่มือใช้งานยาก
2. เครื่องพิมพ์บัตรชำรุด
"""
    findings, _ = _segment(text)
    assert len(findings) == 2


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("ประเด็นปัญหาอุปสรรค", "obstacle"),
        ("สรุปปัญหา/อุปสรรค", "obstacle"),
        ("ปัญหาและอุปสรรคในการดำเนินงานตามตัวชี้วัด", "obstacle"),
        ("ข้อเสนอแนะ/แนวทางแก้ไข", "recommendation"),
        ("ข้อเสนอแนะของคณะกรรมการฯ", "recommendation"),
        ("แนวทางแก้ไข", "recommendation"),
        ("ข้อสังเกตของคณะกรรมการ", "observation"),
        # wordings of real government reports (corpus/real): limits, proposals, remarks
        ("ข้อจำกัด", "obstacle"),
        ("ปัญหาและข้อจำกัดในการดำเนินงาน", "obstacle"),
        ("ข้อเสนอของคณะกรรมการ :", "recommendation"),
        ("ข้อเสนอแนะแนวทางการพัฒนาปรับปรุงการให้บริการ", "recommendation"),
        ("ข้อเสนอแนะเพิ่มเติม", "recommendation"),
        ("ความเห็นและข้อสังเกตของคณะกรรมการ :", "observation"),
        ("ความเห็น/ข้อสังเกต/มติที่ประชุม", "observation"),
    ],
)
def test_section_headings_worded_in_several_ways(heading, kind):
    findings, _ = _segment(f"{heading}\n1. ระบบสารสนเทศของฝ่ายทะเบียนล่มบ่อย\n")
    assert list(findings[col.KIND]) == [kind]


@pytest.mark.parametrize(
    "line",
    ["ข้อเสนอให้กระทรวงเร่งจัดสรรงบประมาณ", "ข้อจำกัดด้านงบประมาณทำให้จ้างครูได้น้อย"],
)
def test_a_finding_that_opens_with_a_heading_word_stays_a_finding(line):
    findings, _ = _segment(f"ปัญหาอุปสรรค\n1. {line}\n")
    assert list(findings[col.TEXT]) == [line]


def test_page_numbers_signatures_and_notes_are_not_findings():
    """Furniture of a report never becomes a finding, and a paragraph cut by a page joins up."""
    text = """ปัญหาอุปสรรค
1. เจ้าหน้าที่ฝ่ายโยธามีไม่เพียงพอต่อการตรวจ
- ๒ -
ควบคุมอาคารในพื้นที่
2. ระบบสารสนเทศล่มบ่อย
หน้า 2/3
หมายเหตุ : ข้อมูล ณ วันที่ 30 กันยายน 2566
ลงชื่อ .............................. ประธานกรรมการ
(..............................)
ตำแหน่ง ผู้อำนวยการสำนักงานเขต
วันที่ ....... ตุลาคม ๒๕๖๖
(นายสมชาย ใจดี)
"""
    findings, _ = _segment(text)
    assert list(findings[col.TEXT]) == [
        "เจ้าหน้าที่ฝ่ายโยธามีไม่เพียงพอต่อการตรวจ ควบคุมอาคารในพื้นที่",
        "ระบบสารสนเทศล่มบ่อย",
    ]


def test_a_running_header_is_not_a_finding_and_gives_the_year():
    header = "รายงานผลการตรวจติดตาม สำนักงานเขตบางเขน ปีงบประมาณ 2566"
    text = f"""{header}
ปัญหาอุปสรรค
1. ผู้รับจ้างส่งมอบงานล่าช้า
{header}
2. งบประมาณซ่อมถนนไม่เพียงพอ
"""
    findings, meta = _segment(text)
    assert list(findings[col.TEXT]) == ["ผู้รับจ้างส่งมอบงานล่าช้า", "งบประมาณซ่อมถนนไม่เพียงพอ"]
    assert meta.fiscal_year == 2566 and meta.agency == "สำนักงานเขตบางเขน"


def test_a_title_line_gives_the_year_and_part_numbering_is_numbering():
    text = """สรุปปัญหาอุปสรรคและข้อเสนอแนะ คณะที่ ๔ ประจำปีงบประมาณ พ.ศ. ๒๕๖๖
ส่วนที่ 1 ปัญหาอุปสรรคในการดำเนินงาน
(ก) ผู้รับจ้างส่งมอบงานล่าช้า
ส่วนที่ 2 ข้อเสนอแนะ
(ก) ควรเร่งรัดผู้รับจ้าง
"""
    findings, meta = _segment(text)
    assert (meta.fiscal_year, meta.committee) == (2566, 4)
    assert list(findings[col.KIND]) == ["obstacle", "recommendation"]


@pytest.mark.parametrize(
    ("heading", "category"),
    [
        ("ด้านคน (อัตรากำลัง)", "manpower"),
        ("ด้านเงิน", "budget"),
        ("ด้านวัสดุอุปกรณ์และเทคโนโลยี", "tools"),
        ("ด้านความร่วมมือกับหน่วยงานอื่นและประชาชน", "coordination"),
        ("ด้านภัยพิบัติ – ปัจจัยภายนอก", "disaster"),
        ("ด้านข้อบัญญัติและหลักเกณฑ์", "regulation"),
    ],
)
def test_category_headings_in_other_words(heading, category):
    findings, _ = _segment(f"ปัญหาอุปสรรค\n1) {heading}\n1.1) ผู้รับจ้างส่งมอบงานล่าช้ากว่าแผน\n")
    assert list(findings[col.HEADING_CATEGORY]) == [category]
    assert list(findings[col.HEADING_SOURCE]) == ["synonyms"]


@pytest.mark.parametrize(
    "line",
    ["นิติกรย้ายออกสองคน", "ประเมินผลกระทบของมติคณะรัฐมนตรีต่องบบุคลากรไว้ล่วงหน้า", "ระบบล่มบ่อย"],
)
def test_a_short_finding_with_category_words_is_not_a_heading(line):
    findings, _ = _segment(f"ปัญหาอุปสรรค\n1) {line}\n1.1) ผู้รับจ้างส่งมอบงานล่าช้ากว่าแผน\n")
    assert line in list(findings[col.TEXT])


def test_recipient_sub_headings_in_other_words():
    text = """หน่วยงาน : สำนักการคลัง
ส่วนที่ 2 ข้อเสนอแนะ
สำหรับหน่วยงานผู้รับการประเมิน
1. ควรเร่งรัดการจัดเก็บภาษี
ต่อหน่วยงานเจ้าภาพตัวชี้วัด สำนักงบประมาณกรุงเทพมหานคร
1. ควรปรับประมาณการรายได้ระหว่างปี
ต่อผู้บริหารกรุงเทพมหานคร
1. ควรเสนอรัฐบาลชดเชยรายได้ที่ลดลง
"""
    findings, _ = _segment(text)
    assert list(findings[col.RECIPIENT_TYPE]) == ["agency", "kpi_owner", "executives"]
    assert list(findings[col.RECIPIENT_AGENCY])[1] == "สำนักงบประมาณกรุงเทพมหานคร"
    assert set(findings[col.KIND]) == {"recommendation"}


def test_indented_paragraphs_hard_wrapped_in_a_text_file(tmp_path):
    """An unnumbered report whose paragraphs open with an indent: a flush-left line with no blank
    line before it goes on the paragraph above."""
    from pipeline.stages.parse import parse_file

    path = tmp_path / "b1_paragraphs.txt"
    path.write_text(
        "ปัญหาอุปสรรค\n\tตำแหน่งนายช่างโยธาว่างหลายอัตรา ขณะที่คำขออนุญาตก่อสร้าง\n"
        "เพิ่มขึ้นต่อเนื่อง\n\n\tงบประมาณซ่อมแนวไม้ไผ่ได้รับล่าช้า\n\nลงชื่อ ........ ผู้จัดทำ\n"
        "จัดทำโดย ฝ่ายเลขานุการ\n23 ตุลาคม 2567\n",
        encoding="utf-8",
    )
    findings, _, _ = parse_file(path)
    assert list(findings[col.TEXT]) == [
        "ตำแหน่งนายช่างโยธาว่างหลายอัตรา ขณะที่คำขออนุญาตก่อสร้าง เพิ่มขึ้นต่อเนื่อง",
        "งบประมาณซ่อมแนวไม้ไผ่ได้รับล่าช้า",
    ]


def test_a_footer_whose_page_number_changes_is_not_part_of_a_finding():
    footer = "สำนักการระบายน้ำ | รายงานผลการตรวจติดตามฯ คณะที่ 3 | หน้า {}"
    text = f"""ผลการตรวจติดตาม ประจำปีงบประมาณ พ.ศ.
๒๕๖๗
ปัญหาอุปสรรค
1) สถานีวัดระดับน้ำส่งข้อมูลขาดหาย
{footer.format(1)}
2) เครื่องสูบน้ำบางแห่งใช้งานมานาน
{footer.format(2)}
ข้อเสนอแนะ
เจ้าภาพตัวชี้วัด : สำนักงบประมาณกรุงเทพมหานคร (สงม.)
1) ควรไม่นับโครงการที่ติดการรื้อย้ายในตัวชี้วัด
"""
    findings, meta = _segment(text)
    assert list(findings[col.TEXT]) == [
        "สถานีวัดระดับน้ำส่งข้อมูลขาดหาย",
        "เครื่องสูบน้ำบางแห่งใช้งานมานาน",
        "ควรไม่นับโครงการที่ติดการรื้อย้ายในตัวชี้วัด",
    ]
    assert meta.fiscal_year == 2567  # the year wrapped onto a line of its own
    assert findings[col.RECIPIENT_TYPE].iloc[2] == "kpi_owner"
    assert findings[col.RECIPIENT_AGENCY].iloc[2] == "สำนักงบประมาณกรุงเทพมหานคร"


def test_a_line_opening_with_a_connective_goes_on_the_paragraph_before():
    text = """ข้อคิดเห็นของประธานคณะกรรมการ
สำนักอนามัยมีผลงานด้านการควบคุมโรคที่โดดเด่น
แต่ตัวชี้วัดที่เสนอยังเน้นผลผลิต
มากกว่าผลลัพธ์ด้านสุขภาพของประชาชน
การเชื่อมโยงข้อมูลสุขภาพระหว่างสำนักยังไม่สมบูรณ์
"""
    findings, _ = _segment(text)
    assert list(findings[col.TEXT]) == [
        "สำนักอนามัยมีผลงานด้านการควบคุมโรคที่โดดเด่น แต่ตัวชี้วัดที่เสนอยังเน้นผลผลิต มากกว่าผลลัพธ์ด้านสุขภาพของประชาชน",
        "การเชื่อมโยงข้อมูลสุขภาพระหว่างสำนักยังไม่สมบูรณ์",
    ]


def test_a_recommendation_opening_with_a_kpi_owner_s_name_is_for_that_owner():
    text = """หน่วยงาน : สำนักการจราจรและขนส่ง
ข้อเสนอแนะต่อหน่วยงานผู้ประเมิน (เจ้าภาพตัวชี้วัด)
• สำนักงบประมาณกรุงเทพมหานคร ควรพิจารณาปรับเกณฑ์การเบิกจ่าย
• สำนักการจราจรและขนส่ง ควรเร่งสำรวจจุดติดตั้ง
"""
    findings, _ = _segment(text)
    assert findings[col.TEXT].iloc[0].endswith("ควรพิจารณาปรับเกณฑ์การเบิกจ่าย")  # kept as written
    assert findings[col.RECIPIENT_AGENCY].iloc[0] == "สำนักงบประมาณกรุงเทพมหานคร"
    assert findings[col.TEXT].iloc[1].startswith("สำนักการจราจรและขนส่ง")  # its own name stays


def test_notes_at_the_end_of_a_report_are_not_findings():
    text = """ข้อเสนอแนะ
1. ควรพิจารณาให้หน่วยงานขอปรับตัวชี้วัดได้
หมายเหตุ  1. ข้อมูลปัญหาอุปสรรคได้จากรายงานผลการปฏิบัติราชการ
          2. คณะกรรมการฯ จะติดตามผลการดำเนินการในรอบ 6 เดือน
หมายเหตุ :
1. ลำดับในตารางเรียงตามการนำเสนอในที่ประชุม
"""
    findings, _ = _segment(text)
    assert list(findings[col.TEXT]) == ["ควรพิจารณาให้หน่วยงานขอปรับตัวชี้วัดได้"]


def test_a_side_heading_in_words_of_no_category_is_a_heading_read_by_the_model(tmp_path):
    from pipeline.shared.taxonomy import CATEGORY_IDS
    from pipeline.stages.parse import parse_file

    text = """ปัญหาอุปสรรค
1. ด้านงบประมาณ
1.1 งบซ่อมถนนได้รับล่าช้า
2. ด้านอาคารสถานที่
2.1 อาคารสำนักงานเขตคับแคบ ไม่มีที่จอดรถให้ประชาชน
"""
    findings, _ = _segment(text)  # no model at hand: a heading of no category
    assert list(findings[col.TEXT]) == [
        "งบซ่อมถนนได้รับล่าช้า",
        "อาคารสำนักงานเขตคับแคบ ไม่มีที่จอดรถให้ประชาชน",
    ]
    assert pd.isna(findings[col.HEADING_CATEGORY].iloc[1])  # not the budget heading's
    path = tmp_path / "b1.txt"
    path.write_text("ปีงบประมาณ 2566\n" + text, encoding="utf-8")
    parsed, _, _ = parse_file(path)  # the default model reads the heading
    assert parsed[col.HEADING_SOURCE].iloc[1] == "model"
    assert parsed[col.HEADING_CATEGORY].iloc[1] in CATEGORY_IDS

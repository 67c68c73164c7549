"""Each normalizer rule alone, the teaser rule, and properties of the whole chain."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.stages import normalize
from pipeline.stages.read import Block, Document


@pytest.mark.parametrize(
    ("rule", "raw", "clean"),
    [
        (normalize.unicode_nfc, "กำลัง", "กำลัง"),  # nikhahit + sara aa
        (normalize.unicode_nfc, "เเผนงาน", "แผนงาน"),
        (normalize.invisible_characters, "ตัว\u200bชี้วัด\u00a0ที่\ufeff๑", "ตัวชี้วัด ที่๑"),
        (normalize.stray_script_letters, "พัฒนาវัตกรรม", "พัฒนาวัตกรรม"),
        (normalize.ocr_misreadings, "การพัฒนาวัตกรรม", "การพัฒนานวัตกรรม"),
        (normalize.stray_script_letters, "ต้องจด手下เครื่อง", "ต้องจดเครื่อง"),
        (normalize.stray_script_letters, "การยื่นขอ执照 แผนที่", "การยื่นขอ แผนที่"),
        (normalize.stray_script_letters, "手下 only", "手下 only"),  # no Thai: not ours to judge
        (
            normalize.latin_inside_thai_words,
            "ส่งผลต่อกrüngเทพมหานครอย่างไร",
            "ส่งผลต่อกรุงเทพมหานครอย่างไร",
        ),
        (normalize.latin_inside_thai_words, "ดังกล่าวawanีภาวะ", "ดังกล่าวภาวะ"),
        (normalize.latin_inside_thai_words, "ระบบ e-Meeting ไม่เสถียร", "ระบบ e-Meeting ไม่เสถียร"),
        (normalize.stray_latin_words, "2.2.4 nomine ในการที่ได้", "2.2.4  ในการที่ได้"),
        (normalize.stray_latin_words, "แจ้งเหตุผ่าน Smart phone ได้", "แจ้งเหตุผ่าน Smart phone ได้"),
        (normalize.stray_latin_words, "ให้บริการแบบ online ทุกเขต", "ให้บริการแบบ online ทุกเขต"),
        (normalize.ocr_misreadings, "บางด้วยชั่วคราวไม่บรรลุ", "บางตัวชี้วัดไม่บรรลุ"),
        (normalize.repeated_characters, "มากกกกกก", "มาก"),
        (normalize.repeated_characters, "ระบบบริหาร", "ระบบบริหาร"),
        (normalize.thai_digits, "พ.ศ. ๒๕๖๖ ข้อ ๕.๑", "พ.ศ. 2566 ข้อ 5.1"),
        (normalize.spaces, "  งบ   ประมาณ ", "งบ ประมาณ"),
    ],
)
def test_rule(rule, raw, clean):
    fixed, count = rule(raw)
    assert fixed == clean
    assert (count > 0) == (raw != clean)
    if raw != clean:  # the quick check that lets clean text skip the rules sees this one
        assert normalize.needs_repair(raw)


def _doc(*lines: str) -> Document:
    blocks = [Block(raw=line, line=i) for i, line in enumerate(lines, start=1)]
    return Document("report.txt", "text", blocks)


def test_teaser_line_before_its_page_is_dropped():
    document, counts = normalize.normalize_document(
        _doc("(๒) อัตรากำลัง...", "(๒) อัตรากำลังไม่เพียงพอต่อการปฏิบัติงาน")
    )
    assert [b.text for b in document.blocks] == ["(2) อัตรากำลังไม่เพียงพอต่อการปฏิบัติงาน"]
    assert counts["teaser_lines"] == 1


def test_teaser_at_a_paragraph_end_joins_the_next_page():
    document, _ = normalize.normalize_document(
        _doc("มีการวิเคราะห์ข้อมูลเพื่อพยากรณ์ โอกาส...", "โอกาสในการเกิดภัยในเมือง")
    )
    assert [b.text for b in document.blocks] == ["มีการวิเคราะห์ข้อมูลเพื่อพยากรณ์ โอกาสในการเกิดภัยในเมือง"]
    assert document.blocks[0].raw.count("\n") == 1


def test_an_ellipsis_that_is_not_a_teaser_stays():
    document, counts = normalize.normalize_document(_doc("ขาดวัสดุ อุปกรณ์ ฯลฯ...", "ควรจัดหาเพิ่มเติม"))
    assert len(document.blocks) == 2 and "teaser_lines" not in counts


def test_raw_text_is_kept_as_found():
    document, _ = normalize.normalize_document(_doc("  ตัวชี้วัดที่ ๕.๑\u200b  "))
    assert document.blocks[0].raw == "  ตัวชี้วัดที่ ๕.๑\u200b  "
    assert document.blocks[0].text == "ตัวชี้วัดที่ 5.1"


thai_text = st.text(
    alphabet=st.sampled_from(
        list("กขคงจฉชซดตถทนบปผพฟมยรลวศสหอฮะาำิีึืุูเแโใไ่้๊๋็์ๆฯ๐๑๒๓ ")
        + ["\u200b", "\u00a0", "手", "វ", "a", "Z", ".", "-", "\n"]
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(thai_text)
def test_normalizing_twice_equals_normalizing_once(text):
    once, _ = normalize.normalize_text(text)
    twice, changes = normalize.normalize_text(once)
    assert twice == once and not changes


def _every_rule(text: str) -> str:
    for _, rule in normalize.RULES:
        text, _ = rule(text)
    return text


#: Text with no mark out of order and no odd character: a single rule's work is often all it needs.
plain_text = st.lists(
    st.sampled_from([*"กขงนมรสอาเแ ", "ab", "Word", "ด้วยชั่วคราว"]), max_size=30
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(plain_text, thai_text, st.text(max_size=60)))
def test_text_the_quick_check_passes_is_what_every_rule_leaves(text):
    if not normalize.needs_repair(text):
        assert _every_rule(text) == text
        assert normalize.normalize_text(text) == (text, {})


def test_the_seed_lines_are_normalized_as_every_rule_would(seed_path):
    lines = seed_path.read_text(encoding="utf-8").splitlines()  # OCR damage and all
    for line in lines:
        assert normalize.normalize_text(line)[0] == _every_rule(line)
    assert 0 < sum(map(normalize.needs_repair, lines)) < len(lines)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_never_crashes_on_any_unicode(text):
    clean, _ = normalize.normalize_text(text)
    assert "  " not in clean and clean == clean.strip()


@settings(max_examples=300, deadline=None)
@given(thai_text)
def test_thai_consonants_are_only_lost_to_the_rules_that_remove_them(text):
    consonants = [ch for ch in text if "ก" <= ch <= "ฮ"]
    clean, changes = normalize.normalize_text(text)
    if not changes.keys() & {"repeated_characters", "latin_inside_thai_words", "ocr_misreadings"}:
        kept = iter(ch for ch in clean if "ก" <= ch <= "ฮ")
        assert all(ch in kept for ch in consonants)  # in order; a look-alike may add one


def test_a_teaser_before_a_running_header_is_still_a_teaser():
    from pipeline.stages.normalize import normalize_document
    from pipeline.stages.read import Block, Document

    header = "ปีงบประมาณ 2566 แบบ B1 / คณะที่ 1"
    lines = [
        header,
        "2.2) การประสาน...",
        header,
        "2.2) การประสานงานกับหน่วยงานภายนอก",
        "1) ผู้รับจ้างส่งมอบงานล่าช้า",
    ]
    blocks = [Block(raw=line, line=n) for n, line in enumerate(lines, 1)]
    document, repairs = normalize_document(Document("b1.txt", "text", blocks))
    texts = [b.text for b in document.blocks]
    assert "2.2) การประสาน..." not in texts and repairs["teaser_lines"] == 1
    assert texts.count("2.2) การประสานงานกับหน่วยงานภายนอก") == 1

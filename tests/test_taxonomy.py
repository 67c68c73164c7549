"""The eight categories and their sub-themes, and how a heading or a table cell is read as one:
the report's own words, their usual variants and OCR damage, headings worded their own way, and
findings that merely start with a category's words."""

from __future__ import annotations

import re

import pytest

from pipeline.shared.taxonomy import (
    BY_ID,
    CATEGORIES,
    CATEGORY_IDS,
    SUBTHEMES_BY_ID,
    category_from_label,
    heading_by_words,
    label_choices,
    match_heading,
    subthemes_of,
)


def test_five_internal_and_three_external_factors_in_the_b3_order():
    assert CATEGORY_IDS == (
        "manpower",
        "budget",
        "regulation",
        "tools",
        "management",
        "disaster",
        "policy",
        "coordination",
    )
    assert [c.factor for c in CATEGORIES] == ["internal"] * 5 + ["external"] * 3
    assert all(re.fullmatch("[ก-๙ /]+", c.th) and c.en and c.short for c in CATEGORIES)


def test_every_category_has_sub_themes_with_thai_statements():
    for category in CATEGORY_IDS:
        themes = subthemes_of(category)
        assert len(themes) >= 2
        for theme in themes:
            assert theme.id.startswith(f"{category}.") and SUBTHEMES_BY_ID[theme.id] is theme
            assert re.search("[ก-๙]", theme.obstacle) and theme.recommendation.startswith("ควร")


@pytest.mark.parametrize(
    ("heading", "category"),
    [
        ("อัตรากำลัง", "manpower"),
        ("ด้านบุคลากร", "manpower"),
        ("อัตรากำลัง (คน)", "manpower"),  # a gloss in brackets
        ("ปัญหาด้านงบประมาณ", "budget"),
        ("งบประมาณ:", "budget"),
        ("ด้านระเบียบ กฎหมาย", "regulation"),
        ("เครื่องมือทางการบริหาร", "tools"),
        ("สาธารณภัย กัยพิบติ", "disaster"),  # as the seed's OCR reads สาธารณภัย ภัยพิบัติ
        ("นโยบายรัฐบาล", "policy"),
        ("การประสานความร่วมมือกับหน่วยงานภายนอก", "coordination"),
        # not category headings: a finding starting with a category's words, a factor alone
        ("อัตรากำลังไม่เพียงพอต่อภารกิจ", None),
        ("ปัจจัยภายใน", None),
        ("ด้านเงิน", None),  # the report's own words only; heading_by_words reads this one
        ("", None),
    ],
)
def test_headings_by_the_report_s_own_words(heading, category):
    assert match_heading(heading) == category


@pytest.mark.parametrize(
    ("heading", "category"),
    [
        ("ด้านคน (อัตรากำลัง)", "manpower"),
        ("ด้านเงิน", "budget"),
        ("ด้านวัสดุอุปกรณ์และเทคโนโลยี", "tools"),
        ("ระเบียบ กฎหมาย", "regulation"),
        ("ปัจจัยภายนอก : ด้านภัยพิบัติ", "disaster"),
        # findings, not headings: they state a problem or have words of their own
        ("นิติกรย้ายออกสองคน", None),
        ("ระบบล่มบ่อย", None),
        ("งบประมาณไม่เพียงพอต่อการซ่อมถนน", None),
        ("ด้านอาคารสถานที่", None),  # a heading, but its words name no category
    ],
)
def test_headings_worded_their_own_way(heading, category):
    assert heading_by_words(heading) == category


@pytest.mark.parametrize(
    ("label", "lenient", "category"),
    [
        ("budget", False, "budget"),
        ("Budget", False, "budget"),
        (" งบประมาณ ", False, "budget"),
        ("Management tools", False, "tools"),
        ("ด้านเงิน", False, None),
        ("ด้านเงิน", True, "budget"),
        ("งบ", False, None),  # an analyst's shorthand is not guessed at
        ("money", True, None),
    ],
)
def test_a_category_as_analysts_write_it_in_a_cell(label, lenient, category):
    assert category_from_label(label, lenient=lenient) == category


def test_the_valid_labels_are_named_in_taxonomy_order():
    choices = label_choices()
    positions = [choices.index(f"{BY_ID[c].th} ({c})") for c in CATEGORY_IDS]
    assert positions == sorted(positions) and choices.count("(") == 8

"""The FY2565 B3 seed is the reference parse: every numbered item of section ๕, rightly filed."""

from __future__ import annotations

from collections import Counter

import pytest

from pipeline.shared.agencies import ALL_KPI_OWNERS, canonical
from pipeline.shared.schema import col


@pytest.fixture(scope="module")
def findings(seed_findings):
    return seed_findings[0]


def _categories(frame) -> dict[str, int]:
    return dict(Counter(frame[col.HEADING_CATEGORY]))


def test_obstacles_of_section_5_1_1(findings):
    obstacles = findings[findings[col.KIND] == "obstacle"]
    assert len(obstacles) == 20
    assert obstacles[col.PATH].str.startswith("5.1.1/").all()
    assert _categories(obstacles) == {
        "manpower": 2,
        "budget": 2,
        "regulation": 2,
        "tools": 4,
        "management": 2,
        "disaster": 3,
        "policy": 2,
        "coordination": 3,
    }
    assert set(obstacles[col.FACTOR]) == {"internal", "external"}
    assert (
        obstacles.loc[obstacles[col.HEADING_CATEGORY] == "policy", col.FACTOR] == "external"
    ).all()


def test_recommendations_to_the_evaluated_agencies(findings):
    to_agencies = findings[findings[col.RECIPIENT_TYPE] == "agency"]
    assert (to_agencies[col.KIND] == "recommendation").all()
    assert _categories(to_agencies) == {
        "manpower": 4,
        "budget": 2,
        "regulation": 3,
        "tools": 3,
        "management": 10,
        "disaster": 1,
        "coordination": 2,
    }


def test_recommendations_to_kpi_owners_carry_their_recipient(findings):
    to_owners = findings[findings[col.RECIPIENT_TYPE] == "kpi_owner"]
    assert Counter(to_owners[col.RECIPIENT_AGENCY]) == {
        canonical("สำนักยุทธศาสตร์และประเมินผล"): 10,
        canonical("สำนักงาน ก.ก."): 4,
        canonical("สำนักงบประมาณกรุงเทพมหานคร"): 2,
        ALL_KPI_OWNERS: 2,
    }
    assert canonical("สำนักงาน ก.ก.") == "สำนักงานคณะกรรมการข้าราชการกรุงเทพมหานคร"
    # the sub-bullets under a lead-in are findings of their own, the lead-in is not
    black_spot = to_owners[to_owners[col.CONTEXT].fillna("").str.contains("Black Spot")]
    assert len(black_spot) == 3
    assert not to_owners[col.TEXT].str.endswith("ดังนี้").any()


def test_policy_recommendations_go_to_the_executives(findings):
    to_executives = findings[findings[col.RECIPIENT_TYPE] == "executives"]
    assert len(to_executives) == 7
    assert set(to_executives[col.RECIPIENT_AGENCY]) == {"ผู้บริหารกรุงเทพมหานคร"}
    assert to_executives[col.TEXT].iloc[5].startswith("กรุงเทพมหานครควรมีระบบ Big Data")


def test_chair_remarks_are_observations_of_committee_2(findings):
    observations = findings[findings[col.KIND] == "observation"]
    assert len(observations) == 16
    assert (observations[col.COMMITTEE] == 2).all()
    assert observations[col.PATH].str.startswith("5.2/").all()
    assert findings.loc[findings[col.KIND] != "observation", col.COMMITTEE].isna().all()


def test_no_teaser_line_is_a_finding_and_no_split_paragraph_is_cut(findings):
    texts = findings[col.TEXT]
    assert not texts.str.contains(r"\.\.\.|…").any()
    assert not texts.isin(["อัตรากำลัง", "การจัดการ", "ซึ่งจากการ"]).any()
    # a paragraph broken across a blank line, and one broken by a teaser at a page end
    assert texts.str.contains("ทำให้สถานประกอบการ ไม่ผ่านเกณฑ์ฯ ประกอบกับ").sum() == 1
    assert texts.str.contains("เพื่อพยากรณ์ โอกาสในการเกิดภัยในเมือง").sum() == 1
    assert texts.str.contains("เพื่อนำมาประกอบการวางแผนและกำหนดแนวทางปฏิบัติ โดยอาจจำแนก").sum() == 1
    # an inline list that a page break split (๒. กลุ่มดูแล) stays inside its paragraph
    assert texts.str.contains("1. กลุ่มรักษา .* 2. กลุ่มดูแล .* 3. กลุ่มแก้ไข").sum() == 1


def test_report_metadata_and_text_repairs(findings, seed_findings):
    assert (findings[col.FISCAL_YEAR] == 2565).all()
    assert len(findings) == 86
    repairs = seed_findings[1]
    assert repairs["teaser_lines"] == 5
    assert repairs["ocr_misreadings"] >= 3
    texts = " ".join(findings[col.TEXT])
    assert "手下" not in texts and "执照" not in texts and "nomine" not in texts
    assert "กรุงเทพมหานครอย่างไร" in texts  # กrüngเทพมหานคร repaired from the lexicon
    assert "ระบบบริหารจัดการเทคโนโลยีดิจิทัล" in texts  # three บ in a row is real Thai
    # Thai digits become Arabic in text, the raw text keeps them
    row = findings[findings[col.TEXT].str.contains("พ.ศ. 2564")].iloc[0]
    assert "พ.ศ. ๒๕๖๔" in row[col.RAW_TEXT]


def test_finding_ids_are_unique_and_stable(findings, seed_path):
    from pipeline.stages.parse import parse_file

    assert findings[col.FINDING_ID].is_unique
    again, _, _ = parse_file(seed_path)
    assert list(again[col.FINDING_ID]) == list(findings[col.FINDING_ID])
    # a content hash, not a counter or a memory address: the same on every machine
    assert findings[col.FINDING_ID].iloc[0] == "867144eaa441"


def test_the_b3_summary_is_no_single_agency_s_report(seed_findings):
    """Agencies named in its running text (รับผิดชอบโดยสำนักงบประมาณ...) are not its agency."""
    findings, _, _ = seed_findings
    assert findings["agency"].isna().all()
    assert set(findings["fiscal_year"]) == {2565}

"""The content of the B3 summary: similar findings gathered into one statement, a sub-theme's
sentence said only of its own findings, and every finding of a real report filed once, in its
place in section ๕."""

from __future__ import annotations

import pytest

from pipeline.shared.schema import col
from pipeline.shared.taxonomy import BY_ID, SUBTHEME_OTHER, SUBTHEMES_BY_ID
from pipeline.stages.summary import build_summary, by_subtheme, group_similar


def test_near_identical_findings_of_two_agencies_become_one_statement(findings_of):
    rows = [
        ("สำนักงานเขตบางรัก", "obstacle", "manpower", "เจ้าหน้าที่เทศกิจมีน้อยเมื่อเทียบกับจุดผ่อนผันหาบเร่แผงลอย"),
        (
            "สำนักงานเขตสาทร",
            "obstacle",
            "manpower",
            "เจ้าหน้าที่เทศกิจมีน้อยเมื่อเทียบกับจุดผ่อนผันหาบเร่แผงลอยในพื้นที่",
        ),
        ("สำนักงานเขตดุสิต", "obstacle", "manpower", "ครูวิชาวิทยาศาสตร์ลาออกกลางภาคเรียนและยังไม่มีผู้สอนแทน"),
    ]
    statements = group_similar(findings_of(rows))
    assert len(statements) == 2
    shared = statements[0]
    assert shared.agencies == ["สำนักงานเขตบางรัก", "สำนักงานเขตสาทร"]
    assert sorted(shared.findings) == ["f0", "f1"]
    assert {agency for _, agency in shared.members} == set(shared.agencies)
    assert statements[1].agencies == ["สำนักงานเขตดุสิต"] and statements[1].findings == ["f2"]


def test_unrelated_findings_stay_apart(findings_of):
    rows = [
        ("สำนักงานเขตบางรัก", "obstacle", "tools", "รถบรรทุกขยะชำรุดบ่อยในช่วงฤดูฝน"),
        ("สำนักงานเขตสาทร", "obstacle", "tools", "ระบบจองคิวออนไลน์ของงานทะเบียนล่มในช่วงเช้า"),
        ("สำนักงานเขตดุสิต", "obstacle", "tools", "กล้องวงจรปิดริมคลองไม่ได้เชื่อมต่อศูนย์ควบคุม"),
    ]
    assert [s.agency_count for s in group_similar(findings_of(rows))] == [1, 1, 1]
    assert group_similar(findings_of([])) == []


def test_a_sub_theme_s_sentence_is_said_only_of_its_own_findings(findings_of):
    from pipeline.stages.report import lines

    rows = [
        ("สำนักงานเขตบางรัก", "obstacle", "manpower", "นิติกรย้ายออกสองคนยังไม่มีผู้มาแทน"),
        ("สำนักงานเขตสาทร", "obstacle", "manpower", "ตำแหน่งนายช่างว่างสามอัตรา"),
        ("สำนักงานเขตดุสิต", "obstacle", "manpower", "ยังไม่มีการอบรมการใช้ระบบใหม่"),
        ("สำนักงานเขตพญาไท", "obstacle", "manpower", "ลูกจ้างขอเปลี่ยนเวรบ่อย"),
    ]
    themes = ["manpower.shortage", "manpower.shortage", "manpower.development", SUBTHEME_OTHER]
    frame = findings_of(rows).assign(**{col.SUBTHEME: themes})
    text = [t for style, t in lines(build_summary(frame), "FY") if style == "item"]
    shortage = SUBTHEMES_BY_ID["manpower.shortage"].obstacle
    said = [t for t in text if shortage in t]
    assert len(said) == 1 and "เขตบางรัก และ เขตสาทร" in said[0] and "เขตดุสิต" not in said[0]
    assert any(t.endswith("ลูกจ้างขอเปลี่ยนเวรบ่อย (เขตพญาไท)") for t in text)  # other: on its own


def test_findings_without_sub_themes_are_left_to_group_by_wording(findings_of):
    frame = findings_of([("สำนักงานเขตบางรัก", "obstacle", "budget", "งบซ่อมถนนได้รับล่าช้า")])
    statements, rest = by_subtheme(frame, "obstacle")
    assert statements == [] and rest is frame
    themed = frame.assign(**{col.SUBTHEME: ["budget.disbursement"]})
    statements, rest = by_subtheme(themed, "observation")  # the chairs' remarks have none
    assert statements == [] and len(rest) == 1


def _placed(section, path=()):
    """``{finding_id: (section titles from the top, findings in its statement)}``, and the ids
    seen more than once."""
    placed, twice = {}, []
    for statement in section.statements:
        for finding in statement.findings:
            if finding in placed:
                twice.append(finding)
            placed[finding] = ((*path, section.title), len(statement.findings))
    for child in section.children:
        inner, inner_twice = _placed(child, (*path, section.title))
        twice += inner_twice + [f for f in inner if f in placed]
        placed.update(inner)
    return placed, twice


@pytest.fixture(scope="module")
def seed_summary(seed_findings):
    """Section ๕ built from the real FY2565 report, each finding filed by its own heading."""
    from pipeline.stages.words import tokenize

    findings = tokenize(seed_findings[0]).assign(
        **{col.CATEGORY: lambda f: f[col.HEADING_CATEGORY]}
    )
    return findings, build_summary(findings)


def test_every_finding_of_the_real_report_is_filed_once(seed_summary):
    findings, summary = seed_summary
    placed, twice = _placed(summary)
    assert twice == []
    assert sorted(placed) == sorted(findings[col.FINDING_ID])


def test_obstacles_are_filed_by_factor_and_category(seed_summary):
    findings, summary = seed_summary
    placed, _ = _placed(summary)
    obstacles = findings[findings[col.KIND] == "obstacle"]
    assert len(obstacles) == 20
    for finding, category in zip(obstacles[col.FINDING_ID], obstacles[col.CATEGORY]):
        titles, _ = placed[finding]
        factor = "ปัจจัยภายใน" if BY_ID[category].factor == "internal" else "ปัจจัยภายนอก"
        assert titles[2:] == ("ปัญหาอุปสรรค แบ่งเป็น ๒ ปัจจัย ได้แก่", factor, BY_ID[category].th)


def test_recommendations_are_filed_by_recipient(seed_summary):
    findings, summary = seed_summary
    placed, _ = _placed(summary)
    recommendations = findings[findings[col.KIND] == "recommendation"]
    for _, row in recommendations.iterrows():
        titles, _ = placed[row[col.FINDING_ID]]
        if row[col.RECIPIENT_TYPE] == "agency":
            assert titles[3] == "ข้อเสนอแนะต่อหน่วยงานผู้รับการประเมิน"
            assert titles[-1] == BY_ID[row[col.CATEGORY]].th
        elif row[col.RECIPIENT_TYPE] == "kpi_owner":
            assert titles[3:] == (
                "ข้อเสนอแนะต่อหน่วยงานผู้ประเมิน (เจ้าภาพตัวชี้วัด)",
                row[col.RECIPIENT_AGENCY],
            )
        else:
            assert titles[3:] == ("ข้อเสนอแนะเชิงนโยบายต่อผู้บริหารกรุงเทพมหานคร",)
    assert set(recommendations[col.RECIPIENT_TYPE]) == {"agency", "kpi_owner", "executives"}


def test_each_chair_s_observation_is_listed_on_its_own_under_its_committee(seed_summary):
    findings, summary = seed_summary
    placed, _ = _placed(summary)
    observations = findings[findings[col.KIND] == "observation"]
    assert len(observations) == 16
    for finding in observations[col.FINDING_ID]:
        titles, size = placed[finding]
        assert titles[1:] == ("ข้อสังเกตและข้อคิดเห็นของประธานคณะกรรมการ", "คณะที่ 2") and size == 1

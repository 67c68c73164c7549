"""The README's main command on the shipped FY2566 sample: every output opens and is right."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app


@pytest.mark.slow
def test_summarize_the_shipped_sample(tmp_path, samples_dir, fy2566_labels):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["summarize", str(samples_dir), "--year", "2566", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Read 77 file(s), refused 0" in result.output
    for name in (
        "findings.xlsx",
        "b3_summary.docx",
        "b3_summary.md",
        "chart_categories.png",
        "chart_heatmap.png",
    ):
        assert f"{out / name}" in result.output.replace("\n", "")

    labels = fy2566_labels
    findings = pd.read_excel(out / "findings.xlsx", sheet_name="ข้อค้นพบ")
    assert len(findings) == len(labels) == 1124
    assert set(findings["ปีงบประมาณ"]) == {2566}
    overall = pd.read_excel(out / "findings.xlsx", sheet_name="ภาพรวม").set_index("หมวด")
    assert overall.loc["รวม", "รวม"] == 1124
    assert overall.loc["รวม", "จำนวนหน่วยงานที่พบ"] == 77
    # findings under a heading keep its category: they agree with the labels
    by_id = {row["finding_id"]: row for row in labels}
    headed = findings[findings["ที่มาของหมวด"] == "heading"]
    from pipeline.shared.taxonomy import category_th

    assert len(headed) > 500
    assert all(category_th(by_id[r["รหัส"]]["label"]) == r["หมวด"] for _, r in headed.iterrows())

    import docx

    document = docx.Document(out / "b3_summary.docx")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "ประจำปีงบประมาณ พ.ศ. ๒๕๖๖" in text and "๕.๑.๒.๒ ข้อเสนอแนะต่อหน่วยงานผู้ประเมิน" in text
    assert "พบใน" in text and "หน่วยงาน ได้แก่" in text
    assert "อัตรากำลังไม่เพียงพอต่อปริมาณงาน" in text  # a sub-theme's general sentence
    # every finding is accounted for in the Word file: a single finding with its agency, or
    # counted in a statement ("รวม N ประเด็น") whose quoted examples carry their own agencies
    import re

    arabic = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
    counted = 0
    for paragraph in document.paragraphs:
        line = paragraph.text
        if not re.match(r"^\([๐-๙]+\) ", line):
            continue
        if found := re.search(r"รวม ([๐-๙]+) ประเด็น", line):
            counted += int(found.group(1).translate(arabic))
        elif line.endswith(")"):
            counted += 1
    assert counted == 1124
    assert "findings.xlsx" not in text
    markdown = (out / "b3_summary.md").read_text(encoding="utf-8")
    assert markdown.count("(๑)") >= 10

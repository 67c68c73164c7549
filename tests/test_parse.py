"""Batches of reports: which files a folder gives, a bad file never stopping the rest, findings
tables taken as they are, and a parse scored against its answer key."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.shared.schema import col
from pipeline.stages.parse import (
    expand_paths,
    parse_file,
    parse_paths,
    read_inputs,
    score_against_gold,
    score_folder,
)


def test_a_folder_gives_its_reports_and_nothing_else(tmp_path, write_text, make_docx):
    nested = tmp_path / "committee_1"
    nested.mkdir()
    write_text(tmp_path / "b1_bang_rak.txt", "ปัญหาอุปสรรค\n1. รถเก็บขยะมีไม่เพียงพอ\n")
    make_docx(nested / "b1_sathon.docx", ["ข้อเสนอแนะ", "- ควรเพิ่มจุดทิ้งขยะอันตราย"])
    write_text(tmp_path / "README.md", "# รายงานของคณะที่ 1\n")  # the folder's notes
    write_text(tmp_path / ".b1_draft.txt", "ปัญหาอุปสรรค\n")  # hidden
    write_text(nested / "~$b1_sathon.docx", "lock")  # Word's lock file
    write_text(tmp_path / "notes.json", "{}")  # not a report format
    named = write_text(tmp_path / "extra.json", "{}")
    assert expand_paths([tmp_path, named]) == [
        tmp_path / "b1_bang_rak.txt",
        nested / "b1_sathon.docx",
        named,  # a file named on its own is read, and refused by the reader if it must be
    ]


def test_a_bad_file_does_not_stop_the_batch(tmp_path, write_text):
    write_text(tmp_path / "a_good.txt", "ปัญหาอุปสรรค\n1. งบประมาณไม่เพียงพอ\n")
    (tmp_path / "b_bad.docx").write_bytes(b"PK\x03\x04broken")
    write_text(tmp_path / "c_empty_report.txt", "รายงานผลการตรวจติดตาม\nหน่วยงาน: เขตบางรัก\n")
    write_text(tmp_path / "d_good.txt", "ข้อเสนอแนะ\n- ควรเร่งรัดการเบิกจ่าย\n")
    seen = []
    result = parse_paths([tmp_path], on_file=seen.append)
    assert list(result.findings[col.TEXT]) == ["งบประมาณไม่เพียงพอ", "ควรเร่งรัดการเบิกจ่าย"]
    assert len(result.errors) == 1 and result.errors[0].startswith(str(tmp_path / "b_bad.docx"))
    assert [w for w in result.warnings if "no fiscal year" not in w] == [
        f"{tmp_path / 'c_empty_report.txt'}: no findings found"
    ]
    assert [p.name for p in seen] == [
        "a_good.txt",
        "b_bad.docx",
        "c_empty_report.txt",
        "d_good.txt",
    ]
    assert "b_bad.docx" not in " ".join(result.files) and len(result.files) == 3


def test_options_fill_in_what_a_report_does_not_say(tmp_path, write_text):
    report = write_text(tmp_path / "b1.txt", "ปัญหาอุปสรรค\n1. ช่างโยธาเกษียณสองคน\n")
    findings, _, warnings = parse_file(report, agency="เขตหลักสี่", committee=4, fiscal_year=2566)
    assert (findings[col.AGENCY].item(), findings[col.COMMITTEE].item()) == ("สำนักงานเขตหลักสี่", 4)
    assert findings[col.FISCAL_YEAR].item() == 2566 and warnings == []
    _, _, warnings = parse_file(report)
    assert warnings == [f"{report}: no fiscal year found in the report; give it with --year"]


def test_the_outline_says_what_was_read_per_file(seed_path):
    result = parse_paths([seed_path])
    outline = result.outlines[str(seed_path)]
    assert outline[0] == "agency None, committee None, fiscal year 2565"
    assert len(outline) > 10 and result.repairs["teaser_lines"] == 5


def test_a_findings_table_is_taken_as_it_is_and_repaired_like_parsed_text(tmp_path, write_text):
    table = write_text(
        tmp_path / "findings.jsonl",
        json.dumps(
            {"text": "งบประมาณ\u200bไม่พอ ๒ โครงการ", "note": "จากแบบ B2"}, ensure_ascii=False
        )
        + "\n",
    )
    report = write_text(tmp_path / "b1.txt", "ปีงบประมาณ 2566\nปัญหาอุปสรรค\n1. รถดูดโคลนชำรุดบ่อย\n")
    broken = write_text(tmp_path / "broken.jsonl", '{"text": \n')
    result = read_inputs([table, report, broken])
    found = result.findings.set_index(col.TEXT)
    assert list(found.index) == ["รถดูดโคลนชำรุดบ่อย", "งบประมาณไม่พอ 2 โครงการ"]
    assert found.loc["งบประมาณไม่พอ 2 โครงการ", col.RAW_TEXT] == "งบประมาณ\u200bไม่พอ ๒ โครงการ"
    assert found.loc["งบประมาณไม่พอ 2 โครงการ", "note"] == "จากแบบ B2"  # its own columns kept
    assert result.files == [str(report), str(table)]
    assert result.errors == [f"{broken}: line 1: not JSON (Expecting value)"]


# --- scoring against an answer key --------------------------------------------------------------


@pytest.fixture
def gold(repository):
    """The answer key of one of the unseen layouts (a B1 of สำนักงานเขตบางกะปิ)."""
    path = repository / "tests" / "data" / "unseen" / "a01_bangkapi.gold.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _as_parsed(gold: dict) -> pd.DataFrame:
    """The findings a perfect parse of the report would give."""
    meta = {key: gold[key] for key in (col.AGENCY, col.COMMITTEE, col.FISCAL_YEAR)}
    return pd.DataFrame([{**finding, **meta} for finding in gold["findings"]])


def test_a_perfect_parse_scores_perfectly(gold):
    score = score_against_gold(_as_parsed(gold), gold)
    assert score["found"] == score["gold"] == len(gold["findings"]) > 10
    assert score["missed"] == score["extra"] == []
    assert score["wrong"] == {"kind": [], "heading_category": [], "recipient_type": []}
    assert score["metadata_wrong"] == {}


def test_a_parse_scores_what_it_missed_added_and_got_wrong(gold):
    parsed = _as_parsed(gold)
    missed = parsed[col.TEXT].iloc[3]
    parsed = parsed.drop(index=3).reset_index(drop=True)
    parsed.loc[0, col.KIND] = "recommendation"
    parsed.loc[1, col.TEXT] = parsed.loc[1, col.TEXT].replace(" ", "")  # spaces do not count
    parsed.loc[len(parsed)] = {col.TEXT: "ลงชื่อ ประธานกรรมการ", col.KIND: "obstacle"}
    parsed[col.AGENCY] = "สำนักงานเขตบางเขน"
    score = score_against_gold(parsed, gold)
    assert score["found"] == score["gold"] - 1
    assert score["missed"] == [missed[:60]]
    assert score["extra"] == ["ลงชื่อ ประธานกรรมการ"]
    assert len(score["wrong"]["kind"]) == 1 and score["wrong"]["kind"][0].endswith(
        "recommendation ≠ obstacle"
    )
    assert score["metadata_wrong"] == {"agency": "สำนักงานเขตบางเขน ≠ สำนักงานเขตบางกะปิ"}


def test_a_report_that_cannot_be_read_misses_every_finding(tmp_path, gold):
    (tmp_path / "a01_bangkapi.txt").write_bytes(b"")
    (tmp_path / "a01_bangkapi.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    [(name, score)] = score_folder(tmp_path)
    assert name == "a01_bangkapi.txt" and score["found"] == 0
    assert len(score["missed"]) == len(gold["findings"]) and "empty file" in score["error"]

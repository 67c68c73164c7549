"""Real text as standoff labels: offsets and hashes round-trip, a changed source is refused, the
shipped labels read back from the real source and none of them repeats the hidden evaluation set."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest

from pipeline.learning.standoff import (
    LABEL_FIELDS,
    Section,
    SourceTexts,
    StandoffError,
    build_texts,
    candidates,
    materialise,
    read_labels,
    span_hash,
)

# a page in the style of a cabinet-summary item, written for this test
PAGE = (
    "กระทรวงมหาดไทยรายงานผลการดำเนินงานโครงการป้องกันน้ำท่วม\n"
    "ปัญหาอุปสรรค\n"
    "1. เจ้าหน้าที่ในพื้นที่มีจำนวนไม่เพียงพอต่อการดูแลคันกั้นน้ำที่ยาวหลายสิบกิโลเมตร\n"
    "2. งบประมาณซ่อมแซมประตูระบายน้ำได้รับจัดสรรล่าช้า ทำให้ซ่อมไม่ทันฤดูฝน\n"
    "ข้อเสนอแนะ\n"
    "1. ควรเร่งจัดทำฐานข้อมูลจุดเสี่ยงน้ำท่วมให้เป็นปัจจุบันและเชื่อมโยงกับจังหวัด\n"
)


def _sections_file(folder: Path, text: str, offset: int = 120) -> Path:
    path = folder / "thaigov_sections.jsonl.gz"
    row = {"doc": "9001", "corpus": "test/corpus", "path": "data/p.txt", "offset": offset}
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(json.dumps({**row, "text": text}, ensure_ascii=False) + "\n")
    return path


def _label(span: dict, **changes) -> dict:
    row = {
        "id": "t1",
        **{k: span[k] for k in ("corpus", "path", "doc", "start", "end", "sha256", "origin")},
        "kind": "obstacle",
        "category": "manpower",
        "category_2": None,
        "confidence": "high",
        "labeller": "test",
    }
    return {**row, **changes}


def test_candidates_are_list_items_and_cue_sentences_in_file_offsets():
    section = Section("9001", "test/corpus", "data/p.txt", 120, PAGE)
    found = candidates(section)
    texts = [c["text"] for c in found]
    assert texts[:3] == [
        "เจ้าหน้าที่ในพื้นที่มีจำนวนไม่เพียงพอต่อการดูแลคันกั้นน้ำที่ยาวหลายสิบกิโลเมตร",
        "งบประมาณซ่อมแซมประตูระบายน้ำได้รับจัดสรรล่าช้า ทำให้ซ่อมไม่ทันฤดูฝน",
        "ควรเร่งจัดทำฐานข้อมูลจุดเสี่ยงน้ำท่วมให้เป็นปัจจุบันและเชื่อมโยงกับจังหวัด",
    ]
    assert {c["origin"] for c in found[:3]} == {"list"}
    for c in found:  # offsets are the file's: the section starts at character 120
        assert PAGE[c["start"] - 120 : c["end"] - 120] == c["text"]
        assert c["sha256"] == span_hash(c["text"])


def test_spans_round_trip_from_the_sections_file_and_from_a_clone(tmp_path):
    span = candidates(Section("9001", "test/corpus", "data/p.txt", 120, PAGE))[0]
    label = _label(span)
    from_sections = materialise([label], _sections_file(tmp_path, PAGE))
    assert from_sections[0]["text"] == span["text"]
    clone = tmp_path / "clone" / "test" / "corpus" / "data"
    clone.mkdir(parents=True)
    (clone / "p.txt").write_text("ก" * 120 + PAGE, encoding="utf-8")  # the whole file
    assert materialise([label], SourceTexts(tmp_path / "clone"))[0]["text"] == span["text"]


def test_a_changed_source_is_refused(tmp_path):
    span = candidates(Section("9001", "test/corpus", "data/p.txt", 120, PAGE))[0]
    changed = PAGE.replace("ไม่เพียงพอ", "เพียงพอ")
    with pytest.raises(StandoffError, match="has changed"):
        materialise([_label(span)], _sections_file(tmp_path, changed))
    with pytest.raises(StandoffError, match="no section of the source holds it"):
        materialise([_label(span, start=10_000, end=10_050)], _sections_file(tmp_path, PAGE))


def test_the_label_file_is_checked_and_built_atomically(tmp_path):
    span = candidates(Section("9001", "test/corpus", "data/p.txt", 120, PAGE))[0]
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps(_label(span, kind="complaint")) + "\n", encoding="utf-8")
    with pytest.raises(StandoffError, match=r"labels\.jsonl:1: unknown kind 'complaint'"):
        read_labels(labels)
    labels.write_text(json.dumps(_label(span)) + "\n", encoding="utf-8")
    out = tmp_path / "texts" / "findings.jsonl"
    assert build_texts(labels, out, _sections_file(tmp_path, PAGE)) == 1
    assert json.loads(out.read_text(encoding="utf-8"))["text"] == span["text"]


def test_shipped_labels_hold_no_text_and_every_field(corpus_dir):
    rows = read_labels(corpus_dir / "real" / "labels.jsonl")
    assert rows and all(set(r) == set(LABEL_FIELDS) for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)


def test_every_shipped_span_reads_back_and_none_repeats_the_hidden_set(corpus_dir, real_sources):
    spec = importlib.util.spec_from_file_location("guard", real_sources / "guard.py")
    guard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guard)
    labels = read_labels(corpus_dir / "real" / "labels.jsonl")
    rows = materialise(labels, real_sources)  # each span's hash checked against its source
    assert len(rows) == len(labels) > 1000 and all(r["text"].strip() for r in rows)
    flagged = [r["id"] for r in rows if guard.flagged(r["text"])]
    assert flagged == []

"""The shipped corpus: it loads, its labels are the eight, and the sample reports parse back."""

from __future__ import annotations

import difflib
import json

import pytest

from pipeline.learning.corpus import CorpusError, load_corpus, near_duplicates, statistics
from pipeline.shared import agencies
from pipeline.shared.schema import col
from pipeline.shared.taxonomy import CATEGORY_IDS
from pipeline.stages.normalize import normalize_text
from pipeline.stages.parse import parse_paths


@pytest.fixture(scope="module")
def corpus(corpus_dir):
    return load_corpus(corpus_dir)


@pytest.fixture(scope="module")
def parsed_samples(samples_dir):
    return parse_paths([samples_dir])


def test_every_label_is_one_of_the_eight(corpus):
    assert set(corpus["label"]) <= set(CATEGORY_IDS)
    assert set(corpus["label_source"]) <= {"heading", "annotator", "analyst"}
    assert corpus["finding_id"].is_unique


def test_a_label_outside_the_taxonomy_is_refused(tmp_path):
    (tmp_path / "fy2567").mkdir()
    row = {"finding_id": "x", "text": "งบประมาณไม่พอ", "label": "งบ"}
    (tmp_path / "fy2567" / "labels.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n")
    with pytest.raises(CorpusError, match=r"labels.jsonl:1: unknown label 'งบ'"):
        load_corpus(tmp_path)


def test_fy2566_volume_and_balance(corpus):
    fy2566 = corpus[corpus["fiscal_year"] == 2566]
    assert len(fy2566) >= 800
    assert fy2566["source"].nunique() == 77
    assert set(fy2566["agency"]) == {a.name for a in agencies.gazetteer()}
    counts = fy2566.groupby(["label", "kind"]).size()
    for category in CATEGORY_IDS:
        assert counts[(category, "obstacle")] >= 50
        assert counts[(category, "recommendation")] >= 50
    assert set(fy2566["format"]) == {"txt", "cp874", "docx", "docx-table", "xlsx"}
    assert set(fy2566["label_source"]) == {"heading", "annotator"}  # with and without headings


def test_fy2566_has_few_near_duplicates(corpus):
    texts = list(corpus.loc[corpus["fiscal_year"] == 2566, "text"])
    involved = {i for pair in near_duplicates(texts) for i in pair[:2]}
    assert len(involved) / len(texts) <= 0.03


def test_near_duplicates_finds_a_pair_that_differs_in_one_word():
    texts = [
        "รถบรรทุกขยะของสำนักงานเขตมีอายุการใช้งานเกินสิบปีและชำรุดบ่อยครั้ง",
        "รถบรรทุกขยะของสำนักงานเขตมีอายุการใช้งานเกินสิบห้าปีและชำรุดบ่อยครั้ง",
        "ควรประสานการไฟฟ้านครหลวงเพื่อย้ายเสาไฟฟ้าที่กีดขวางทางเท้า",
    ]
    assert [(i, j) for i, j, _ in near_duplicates(texts)] == [(0, 1)]


def test_sample_reports_give_back_exactly_their_labelled_findings(parsed_samples, fy2566_labels):
    assert parsed_samples.errors == []
    findings = parsed_samples.findings
    # some sample reports give no fiscal year (the command's --year does): said, file by file
    without_year = set(findings.loc[findings[col.FISCAL_YEAR].isna(), col.SOURCE])
    assert len(without_year) >= 5
    assert parsed_samples.warnings == [
        f"{source}: no fiscal year found in the report; give it with --year"
        for source in sorted(without_year, key=list(findings[col.SOURCE]).index)
    ]
    labels = fy2566_labels
    assert list(findings[col.FINDING_ID]) == [row["finding_id"] for row in labels]
    for (_, parsed), label in zip(findings.iterrows(), labels):
        assert parsed[col.KIND] == label["kind"]
        assert parsed[col.SOURCE].endswith(label["source"])
        written, _ = normalize_text(label["text"])
        assert difflib.SequenceMatcher(None, parsed[col.TEXT], written).ratio() >= 0.9
        if isinstance(parsed[col.HEADING_CATEGORY], str):  # a finding under a category heading
            assert parsed[col.HEADING_CATEGORY] == label["label"]
        assert parsed[col.RECIPIENT_TYPE] == label["recipient_type"] or (
            label["recipient_type"] is None and label["kind"] != "recommendation"
        )


def test_sample_reports_exercise_the_repairs(parsed_samples):
    assert parsed_samples.repairs["teaser_lines"] > 0
    assert parsed_samples.repairs["joined_paragraphs"] > 0
    assert parsed_samples.repairs["stray_script_letters"] > 0


@pytest.mark.slow
def test_statistics_add_up(corpus):
    stats = statistics(corpus)
    samples = corpus[corpus["subset"] == "samples"]
    assert stats["by_kind"].loc["all", "all"] == stats["findings"] == len(corpus)
    budget = (corpus["label"] == "budget") & (corpus["kind"] == "obstacle")
    assert stats["by_kind"].loc["budget", "obstacle"] == budget.sum() > 0
    assert stats["by_subset"].loc["all", "samples"] == len(samples)
    assert stats["by_committee"].loc["all", "all"] == len(samples)
    assert stats["by_format"]["reports"].sum() == 77
    assert stats["by_format"]["findings"].sum() == len(samples)
    assert stats["per_agency"].loc["count", "findings"] == 77
    assert 0 <= stats["near_duplicate_share"] <= 0.05


def test_at_least_150_findings_were_labelled_twice(corpus_dir):
    from pipeline.learning.corpus import agreement

    table = agreement(corpus_dir / "double_labelling.jsonl")
    assert table.loc["all", "findings"] >= 150
    assert 0.6 <= table.loc["all", "kappa"] <= 1.0
    rows = [
        json.loads(line) for line in (corpus_dir / "double_labelling.jsonl").open(encoding="utf-8")
    ]
    disagreements = [r for r in rows if r["label_1"] != r["label_2"]]
    assert disagreements and all(r["final"] in CATEGORY_IDS and r["rule"] for r in disagreements)


def test_seed_labels_cover_every_seed_finding(corpus):
    seed = corpus[corpus["subset"] == "seed"]
    assert len(seed) == 86
    assert (seed["label_source"] == "heading").sum() == 45

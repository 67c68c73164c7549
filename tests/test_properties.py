"""Properties of the segmenter on any input: no crash, no invented letters, stable ids."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.shared.schema import col
from pipeline.stages.normalize import normalize_document, normalize_text
from pipeline.stages.read import Block, Document
from pipeline.stages.segment import segment

MARKERS = ["", "1. ", "2) ", "(3) ", "- ", "• ", "ก. ", "1.1) ", "5.1.1 "]
HEADINGS = ["ปัญหาอุปสรรค", "ข้อเสนอแนะ", "ข้อสังเกต", "อัตรากำลัง", "ด้านงบประมาณ", "ปัจจัยภายใน"]
thai_words = st.text(
    alphabet=st.sampled_from(list("กขคงจชดตทนบปผพมยรลวสหอะาิีุู่้เแโไำั")), min_size=1, max_size=12
)
line = st.one_of(
    st.tuples(st.sampled_from(MARKERS), st.lists(thai_words, min_size=1, max_size=6)).map(
        lambda t: t[0] + " ".join(t[1])
    ),
    st.sampled_from(HEADINGS),
    st.text(max_size=40),  # anything at all
)


def _document(lines: list[str]) -> Document:
    blocks = [Block(raw=text, line=i) for i, text in enumerate(lines, start=1) if text.strip()]
    return Document("report.txt", "text", blocks)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line, max_size=25))
def test_segmenter_never_crashes_and_never_invents_letters(lines):
    document, _ = normalize_document(_document(lines))
    findings, _ = segment(document)
    source_letters = set("".join(normalize_text(text)[0] for text in lines))
    for text in findings[col.TEXT]:
        assert text and set(text) <= source_letters | {" "}
    # every Thai letter of a finding stands in its raw lines: nothing is borrowed from elsewhere
    for text, raw in zip(findings[col.TEXT], findings[col.RAW_TEXT]):
        raw_letters = set("".join(normalize_text(line)[0] for line in raw.split("\n")))
        assert set(text) <= raw_letters | {" "}


@settings(max_examples=100, deadline=None)
@given(st.lists(line, max_size=20))
def test_finding_ids_are_stable_and_unique(lines):
    first, _ = segment(normalize_document(_document(lines))[0])
    second, _ = segment(normalize_document(_document(lines))[0])
    assert list(first[col.FINDING_ID]) == list(second[col.FINDING_ID])
    assert first[col.FINDING_ID].is_unique

"""Tokenizer stage: domain words whole, no letter lost or repeated, every engine."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.shared.schema import SchemaError, col
from pipeline.stages import words as words_module
from pipeline.stages.words import ENGINES, segment_words, split_domain_terms, tokenize, tokens


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("ผลการดำเนินงานตามตัวชี้วัดไม่บรรลุเป้าหมาย", "ตัวชี้วัด"),
        ("การเบิกจ่ายงบประมาณล่าช้ากว่าแผน", "เบิกจ่าย"),
        ("อัตรากำลังไม่เพียงพอต่อภารกิจ", "อัตรากำลัง"),
        ("ผู้ค้าหาบเร่แผงลอยไม่ปฏิบัติตามจุดผ่อนผัน", "หาบเร่แผงลอย"),
        ("การจัดซื้อจัดจ้างล่าช้า", "จัดซื้อจัดจ้าง"),
        ("สำนักงานเขตปรับปรุงภูมิทัศน์คลอง", "ภูมิทัศน์"),
    ],
)
def test_domain_words_come_out_whole(engine, text, word):
    assert word in segment_words(text, engine=engine)


def test_the_default_dictionary_alone_cuts_domain_words():
    cut = dict(split_domain_terms())
    assert cut["ตัวชี้วัด"] == ["ตัว", "ชี้", "วัด"]
    assert "งบประมาณ" not in cut  # already a word in pythainlp's list


def _letters(text: str) -> str:
    return re.sub(r"[^\w\u0e00-\u0e7f]", "", text.lower())


@pytest.mark.parametrize("engine", ["nlpo3", "newmm"])
def test_no_letter_is_lost_or_repeated_on_real_findings(seed_findings, engine):
    # nlpo3 1.4.0's safe mode garbles long text; this is the check that caught it
    for text in seed_findings[0][col.TEXT]:
        assert _letters("".join(segment_words(text, engine=engine))) == _letters(text)


def test_long_text_without_spaces_finishes_through_the_safe_engine():
    text = "การพัฒนาระบบฐานข้อมูลของสำนักงานเขต" * 40
    assert _letters("".join(segment_words(text))) == _letters(text)


def test_punctuation_and_spaces_are_dropped_latin_lowercased():
    assert tokens("ระบบ e-Meeting (KPI) , ล่ม !") == "ระบบ e-meeting kpi ล่ม"


def _word_by_word(text: str) -> list[str]:
    """nlpo3's words as the tokenizer defines them, taken one word at a time."""
    import nlpo3

    words = []
    for chunk in text.split():
        if len(chunk) > words_module.SAFE_CHUNK:
            words += segment_words(chunk, engine="newmm-safe")
        else:
            words += nlpo3.segment(chunk, words_module.nlpo3_dictionary())
    return [w.strip().lower() for w in words if re.search(r"[\w\u0e00-\u0e7f]", w)]


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from([*"กขงนมรสอาเแ่้ ", *"ABCxyzΣΑσ", *"0123.,-!?()\"'/…\n\t", "\u00a0"])
    )
)
def test_the_whole_string_tokens_are_the_word_by_word_tokens(text):
    assert tokens(text) == " ".join(_word_by_word(text))
    assert segment_words(text) == _word_by_word(text)


def test_the_seed_is_tokenized_as_word_by_word(seed_path):
    for line in seed_path.read_text(encoding="utf-8").splitlines():
        assert tokens(line) == " ".join(_word_by_word(line))


def test_tokenize_stage_adds_tokens_and_keeps_the_frame():
    findings = pd.DataFrame({col.TEXT: ["งบประมาณไม่เพียงพอ", None], "other": [1, 2]})
    out = tokenize(findings)
    assert list(out[col.TOKENS]) == ["งบประมาณ ไม่ เพียงพอ", ""]
    assert col.TOKENS not in findings.columns and list(out["other"]) == [1, 2]


def test_tokenize_checks_its_input():
    with pytest.raises(SchemaError, match="tokenize: missing column"):
        tokenize(pd.DataFrame({"words": ["ก"]}))
    with pytest.raises(ValueError, match="unknown tokenizer engine 'deepcut'"):
        segment_words("งบประมาณ", engine="deepcut")


@pytest.mark.parametrize("engine", ENGINES)
def test_every_shipped_domain_word_comes_out_whole_alone(engine):
    from pipeline.stages.words import domain_words

    words = domain_words()
    assert len(words) > 100 and "ตัวชี้วัด" in words
    broken = [w for w in words if segment_words(w, engine=engine) != [w.lower()]]
    assert broken == []

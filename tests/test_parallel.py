"""--jobs N spreads parsing, tokenizing and classifying over processes; the output is the same."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.learning.models import load_model
from pipeline.stages import classify as classify_module
from pipeline.stages import words as tokenize_module
from pipeline.stages.classify import classify
from pipeline.stages.parse import parse_paths
from pipeline.stages.words import tokenize


@pytest.mark.slow
def test_two_processes_give_the_same_output_as_one(monkeypatch, samples_dir):
    samples = [samples_dir / "committee_2"]
    one, two = parse_paths(samples, jobs=1), parse_paths(samples, jobs=2)
    pd.testing.assert_frame_equal(one.findings, two.findings)
    assert one.repairs == two.repairs and one.warnings == two.warnings

    monkeypatch.setattr(tokenize_module, "CHUNK", 40)  # so that a small table is split
    monkeypatch.setattr(classify_module, "CHUNK", 40)
    tokens_one = tokenize(one.findings, jobs=1)
    tokens_two = tokenize(one.findings, jobs=2)
    pd.testing.assert_frame_equal(tokens_one, tokens_two)
    model = load_model("default")
    pd.testing.assert_frame_equal(
        classify(tokens_one, model, jobs=1), classify(tokens_one, model, jobs=2)
    )

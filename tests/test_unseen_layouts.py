"""The parser on B1 reports laid out by others, against their answer keys.

The 32 reports of ``tests/data/unseen/`` were written for the project by writers who never saw
the parser (its README says how). This test holds the parser to the figures it reaches there
(``python benchmarks/unseen_layouts.py`` prints them per file); the aim of issue 13 is every
finding found and no extra row.
"""

from __future__ import annotations

import importlib.util

import pytest

from pipeline.stages.parse import score_folder

pytestmark = pytest.mark.slow  # parsing the 32 reports, PDFs and workbooks among them


@pytest.fixture(scope="module")
def benchmark(repository):
    """``benchmarks/unseen_layouts.py``, whose figures the README quotes."""
    path = repository / "benchmarks" / "unseen_layouts.py"
    spec = importlib.util.spec_from_file_location("unseen_layouts", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scored(benchmark):
    return score_folder(benchmark.FOLDER)


def test_every_format_is_in_the_set(scored):
    suffixes = {name.rsplit(".", 1)[1] for name, _ in scored}
    assert suffixes == {"txt", "docx", "xlsx", "pdf"} and len(scored) >= 30


def test_findings_are_found_with_their_kind_and_category(scored, benchmark):
    t = benchmark.totals(scored)
    assert t["found"] >= 0.98 * t["gold"]
    assert t["extra"] <= 0.04 * t["gold"]
    assert t["kind_right"] >= 0.95 and t["heading_category_right"] >= 0.95
    assert t["recipient_type_right"] >= 0.95


def test_agency_committee_and_year_are_read_in_every_file(scored):
    wrong = {name: s["metadata_wrong"] for name, s in scored if s["metadata_wrong"]}
    assert wrong == {}

"""Large batches (pipeline.batch): read and written a chunk at a time, over processes or Dask
workers, and always the bytes the in-memory path writes for the same inputs."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.batch import plan as plan_module
from pipeline.batch.plan import plan_batch
from pipeline.batch.run import classify_batch
from pipeline.cli import app
from pipeline.learning.drift import drift, drift_of_counts
from pipeline.learning.models import load_model
from pipeline.shared import tables
from pipeline.shared.schema import col
from pipeline.shared.tables import read_findings_table, write_table
from pipeline.stages.classify import classify
from pipeline.stages.parse import read_inputs
from pipeline.stages.read import InputError
from pipeline.stages.words import tokenize

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parents[1] / "corpus" / "samples" / "fy2566"


@pytest.fixture(scope="session")
def model():
    return load_model("default")


@pytest.fixture(scope="session")
def real_table(tmp_path_factory, corpus_dir):
    """3,000 real findings of the corpus as a findings table, with the columns analysts add:
    whole numbers with gaps, a column that starts late and changes type, a formula-like text."""
    from pipeline.learning.corpus import load_corpus

    texts = list(load_corpus(corpus_dir)["text"])
    path = tmp_path_factory.mktemp("tables") / "findings.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(3000):
            row = {"finding_id": f"r{n}", "text": texts[n * 7 % len(texts)]}
            if n % 3:
                row["score"] = n  # a whole number with gaps: a float in the whole table
            if n > 2500:
                row["note"] = "ดูอีกครั้ง" if n % 2 else n  # late, and text beside numbers
            if n % 4 < 2:  # numbers with gaps early on, text at the end: objects in the whole
                row["page"] = n if n < 2900 else "ภาคผนวก"
            if n % 5 == 0:
                row["committee"] = n % 6 + 1
            if n % 11 == 0:
                row["heading_category"] = "budget"
            if n == 42:
                row["text"] = "=HYPERLINK(งบประมาณไม่พอ)"
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="session")
def real_findings(corpus_dir) -> list[str]:
    """The texts of 300 real findings of the corpus."""
    from pipeline.learning.corpus import load_corpus

    return list(load_corpus(corpus_dir)["text"])[:300]


@pytest.fixture(scope="session")
def whole_table(real_table, model):
    """The real table read, classified and held whole, as `findings classify` did before."""
    result = read_inputs([real_table])
    return result, classify(tokenize(result.findings), model)


def in_memory(paths, output, model):
    """What `findings classify` wrote before batches: everything read, classified and written
    at once."""
    result = read_inputs(paths)
    findings = result.findings
    classified = classify(tokenize(findings), model) if len(findings) else findings
    write_table(classified, output)
    return result, classified


def printed(counts: pd.Series) -> list:
    """Counts per kind as the summary prints them: a missing kind, None or NaN, is "(none)"."""
    return [(kind if isinstance(kind, str) else "(none)", count) for kind, count in counts.items()]


def xlsx_parts(path) -> dict:
    """A workbook's parts but its timestamps (two writes of the same rows differ only there)."""
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


def same_output(a, b) -> bool:
    if str(a).endswith(".xlsx"):
        return xlsx_parts(a) == xlsx_parts(b)
    return a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".xlsx"])
def test_a_table_streamed_in_chunks_is_written_as_in_memory(
    tmp_path, real_table, whole_table, model, suffix
):
    whole, classified = whole_table
    write_table(classified, tmp_path / f"whole{suffix}")
    result = classify_batch([real_table], tmp_path / f"chunked{suffix}", model, rows=170)
    assert same_output(tmp_path / f"whole{suffix}", tmp_path / f"chunked{suffix}")
    # and what the command prints from the counts is what it printed from the whole table
    assert printed(result.kind_counts()) == printed(classified[col.KIND].value_counts(dropna=False))
    assert result.findings == len(classified) == 3000
    assert result.needs_review == classified[col.NEEDS_REVIEW].sum()
    assert result.sources == classified[col.CATEGORY_SOURCE].value_counts().to_dict()
    expected, got = drift(classified, model), drift_of_counts(result.drift, model)
    pd.testing.assert_frame_equal(expected.pop("categories"), got.pop("categories"))
    assert expected == got
    assert result.files == whole.files and result.errors == whole.errors == []


@pytest.mark.slow
def test_reports_tables_and_bad_files_streamed_are_written_as_in_memory(tmp_path, model):
    """Reports come first, file by file, then the tables; a table's whole numbers become floats
    beside the reports' empty cells; errors are named as the whole reader names them."""
    table = tmp_path / "late.jsonl"
    rows = [{"text": f"งบประมาณไม่เพียงพอ {n}", "pages": n} for n in range(500)]
    table.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), "utf-8")
    bad = tmp_path / "bad.jsonl"
    gaps = '{"text": "ก", "line": 3}\n{"text": "ค"}\n' * 150  # whole numbers with gaps: floats
    bad.write_text(gaps + '{"text": "ข", "line": 10000000000}\n', encoding="utf-8")
    inputs = [SAMPLES / "committee_1", table, bad, SAMPLES / "committee_2", tmp_path / "gone.txt"]
    whole, classified = in_memory(inputs, tmp_path / "whole.csv", model)
    result = classify_batch(inputs, tmp_path / "chunked.csv", model, rows=120)
    assert (tmp_path / "whole.csv").read_bytes() == (tmp_path / "chunked.csv").read_bytes()
    assert result.files == whole.files and result.errors == whole.errors
    assert result.warnings == whole.warnings and result.repairs == whole.repairs
    assert f"{bad}: row 301: line is '10000000000.0', not a whole number" in result.errors
    assert classified["pages"].dtype == float  # the case the layout of the batch is for


CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.integers(2**62, 2**64 + 5),  # int64, uint64 and beyond
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["ระบบล่ม", "=1+1", "", "obstacle"]),
    st.lists(st.integers(0, 3), max_size=2),
)
ROWS = st.lists(
    st.fixed_dictionaries(
        {"text": st.sampled_from(["งบประมาณไม่พอ", "ระบบล่มบ่อย", None])},
        optional={name: CELLS for name in ("score", "note", "kind", "line", "tokens", "category")},
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(
    tables=st.lists(st.tuples(ROWS, st.sampled_from([".jsonl", ".csv"])), min_size=1, max_size=3),
    rows=st.integers(1, 6),
    suffix=st.sampled_from([".jsonl", ".csv"]),
)
def test_any_tables_streamed_are_written_as_in_memory(tables, rows, suffix):
    """Columns that appear late, change type, have gaps, hold huge numbers or formulas: a chunk
    of any size is written as the same rows of the whole batch, and bad tables named alike."""
    import tempfile
    from pathlib import Path

    keywords = load_model("keywords")
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        paths = []
        for number, (records, table_suffix) in enumerate(tables):
            path = folder / f"t{number}{table_suffix}"
            if table_suffix == ".csv":
                pd.DataFrame(records).to_csv(path, index=False)
            else:
                path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
            paths.append(path)
        whole, _ = in_memory(paths, folder / f"whole{suffix}", keywords)
        result = classify_batch(paths, folder / f"chunked{suffix}", keywords, rows=rows)
        assert (folder / f"whole{suffix}").read_bytes() == (
            folder / f"chunked{suffix}"
        ).read_bytes()
        assert result.errors == whole.errors


def scanned_row_by_row(records: list[dict]):
    """What the first pass keeps, defined a row and a value at a time: per column, the first
    value of each type (bool apart from int), the least and greatest whole number, the rows that
    have it; and the first row failing each check."""
    values, present, first_bad = {}, {}, {}
    for row, record in enumerate(records, start=1):
        for key, value in record.items():
            seen = values.setdefault(key, {})
            present[key] = present.get(key, 0) + 1
            kind = "bool" if isinstance(value, bool) else type(value).__name__
            if kind == "int":
                seen["int<"] = min(seen.get("int<", value), value)
                seen["int>"] = max(seen.get("int>", value), value)
            else:
                seen.setdefault(kind, value)
        for name, problem_of in tables.ROW_CHECKS:
            if name in record and name not in first_bad and problem_of(record[name]):
                first_bad[name] = (row, record[name])
    return values, present, first_bad


@settings(max_examples=80, deadline=None)
@given(records=ROWS, rows=st.integers(1, 7))
def test_the_first_pass_keeps_what_a_row_by_row_pass_keeps(records, rows):
    """Taken in a chunk and a column at a time, rows leave what they leave one by one: the same
    values in the same order (so the same columns and types), and the same first problems."""
    survey = plan_module.Survey()
    for start in range(0, len(records), rows):
        survey.add(records[start : start + rows])
    values, present, first_bad = scanned_row_by_row(records)
    assert survey.rows == len(records)
    assert [(k, list(v.items())) for k, v in survey.values.items()] == [
        (k, list(v.items())) for k, v in values.items()
    ]
    assert survey.present == present and survey.first_bad == first_bad


@pytest.mark.parametrize(
    "content",
    [
        '{"text": "งบ"}\n' * 400 + '{"text": "ก", "committee": 4.5}\n' + '{"text": 12}\n',
        '{"text": "งบ", "kind": "obstacle"}\n' * 400 + '{"text": "ก", "kind": 1}\n{"text": "ข"}\n',
        '{"text": "งบ", "line": 4}\n' * 400 + '{"text": "ก"}\n{"text": "ข", "line": 1e12}\n',
        '{"text": "งบ"}\n' * 400 + '{"text": \n',
        '{"note": 1}\n' * 400,
        "",
        '{"text": "งบ\\ud800ไม่พอ"}\n',
        "\ufeff" + '{"text": "งบ"}\n' * 3,
        "\ufeff\ufeff" + '{"text": "งบ"}\n',
    ],
)
def test_a_table_read_in_chunks_is_refused_as_the_whole_reader_refuses_it(tmp_path, content):
    path = tmp_path / "t.jsonl"
    path.write_text(content, encoding="utf-8")
    try:
        read_findings_table(path)
        expected = []
    except InputError as error:
        expected = [str(error)]
    assert plan_batch([path], rows=100).table_errors == expected


def test_a_csv_read_in_chunks_is_refused_as_the_whole_reader_refuses_it(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("text,committee\n" + "งบ,1\n" * 500 + "ก,2,3\n", encoding="utf-8")
    with pytest.raises(InputError) as whole:
        read_findings_table(path)
    assert plan_batch([path], rows=100).table_errors == [str(whole.value)]


def test_memory_is_bounded_by_the_chunk_not_the_input(tmp_path, monkeypatch):
    """Rows read but not yet written never exceed the chunks in flight, however long the table;
    the first pass keeps a handful of values per column, whatever the number of rows."""
    path = tmp_path / "long.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(4000):
            out.write(json.dumps({"text": f"ระบบล่ม {n}", "n": n}, ensure_ascii=False) + "\n")
    held = {"read": 0, "written": 0, "most": 0}
    chunks = plan_module.TableScan.chunks

    def counted_chunks(scan):
        for chunk in chunks(scan):
            held["read"] += len(chunk)
            held["most"] = max(held["most"], held["read"] - held["written"])
            yield chunk

    write = tables.TableStream.write

    def counted_write(stream, text, columns, rows):
        held["written"] += rows
        write(stream, text, columns, rows)

    monkeypatch.setattr(plan_module.TableScan, "chunks", counted_chunks)
    monkeypatch.setattr(tables.TableStream, "write", counted_write)
    keywords = load_model("keywords")
    classify_batch([path], tmp_path / "out.jsonl", keywords, rows=50)
    assert held == {"read": 4000, "written": 4000, "most": 50}
    held.update(read=0, written=0, most=0)
    classify_batch([path], tmp_path / "out2.jsonl", keywords, rows=50, jobs=2)
    assert held["written"] == 4000 and 50 < held["most"] <= 4 * 50  # two chunks per worker
    scan = plan_batch([path], rows=50).tables[0]
    assert scan.rows == 4000 and len(scan.frame) <= 3  # the first pass: no rows kept


@pytest.mark.slow
def test_two_processes_write_what_one_writes(tmp_path, real_table):
    table = tmp_path / "first_1000.jsonl"
    table.write_text("".join(real_table.open(encoding="utf-8").readlines()[:1000]), "utf-8")
    inputs = [str(SAMPLES / "committee_3"), str(table)]
    outputs = []
    for jobs in (["--jobs", "1"], ["--jobs", "2"], []):  # none: every core, the default
        out = tmp_path / f"jobs{len(outputs)}.jsonl"
        result = runner.invoke(
            app, ["classify", *inputs, "-o", str(out), *jobs, "--chunk-size", "150"]
        )
        assert result.exit_code == 0, result.output
        outputs.append((out.read_bytes(), result.output.replace(str(out), "OUT")))
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0][0].splitlines()) > 1000


@pytest.mark.slow
@pytest.mark.parametrize(
    "late, kept",
    [
        ({}, True),  # every row has the same fields: the chunks sent early stand
        ({"score": 2.5}, False),  # a float among whole numbers: the column is float after all
        ({"score": "ภาคผนวก"}, False),  # text among numbers: the column holds objects
        ({"extra": 1}, False),  # a column no earlier row had
    ],
)
def test_chunks_sent_before_the_first_pass_ends_are_kept_only_if_the_table_agrees(
    tmp_path, monkeypatch, real_findings, late, kept
):
    """Two workers start on a table's first chunks while its first pass still reads it; their
    work is kept only where the whole table has the columns and types those rows had, and the
    output is always what one process writes."""
    from pipeline.batch.workers import Processes

    path = tmp_path / "t.jsonl"
    rows = [{"id": f"f{n}", "text": text, "score": n} for n, text in enumerate(real_findings)]
    rows[-1].update(late)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    submitted = []
    submit = Processes.submit

    def counted(workers, chunk, job):
        submitted.append(len(chunk))
        return submit(workers, chunk, job)

    monkeypatch.setattr(Processes, "submit", counted)
    keywords = load_model("keywords")
    classify_batch([path], tmp_path / "one.jsonl", keywords, rows=40)
    assert not submitted  # one process: nothing to send ahead
    classify_batch([path], tmp_path / "two.jsonl", keywords, rows=40, jobs=2)
    chunks = -(-len(rows) // 40)
    assert len(submitted) == (chunks if kept else chunks + 4)  # 4: two in flight per worker
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


def test_a_batch_of_one_chunk_starts_no_worker_process(tmp_path, monkeypatch):
    """Whether a batch may be more than one chunk is told from its files and a table's line ends
    (read no further than needed), before its first pass; one chunk runs in this process."""
    from pipeline.batch.plan import sort_inputs
    from pipeline.batch.workers import Processes

    table = tmp_path / "t.jsonl"
    table.write_text('{"text": "งบประมาณไม่พอ"}\n\n' * 10, encoding="utf-8")  # 20 line ends
    assert not sort_inputs([table]).may_be_chunks(21)
    assert sort_inputs([table]).may_be_chunks(20)  # 10 rows, but the line ends cannot tell
    assert sort_inputs([table, table]).may_be_chunks(100)
    report = SAMPLES / "committee_3" / "b1_bang_rak_district_office.txt"
    assert not sort_inputs([report]).may_be_chunks(100)
    assert sort_inputs([report.parent]).may_be_chunks(100)  # a group of reports per 100 rows

    started = []
    monkeypatch.setattr(Processes, "__init__", lambda *args: started.append(args))
    result = classify_batch([table], tmp_path / "o.jsonl", load_model("keywords"), jobs=2)
    assert result.findings == 10 and not started


def test_a_table_refused_late_in_its_first_pass_writes_nothing_with_two_workers(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text('{"text": "งบประมาณไม่พอ"}\n' * 300 + '{"text": 5}\n', encoding="utf-8")
    result = classify_batch([path], tmp_path / "out.jsonl", load_model("keywords"), rows=20, jobs=2)
    assert result.errors == [f"{path}: row 301: text is int, not text"]
    assert result.findings == 0 and (tmp_path / "out.jsonl").read_text(encoding="utf-8") == ""


@pytest.mark.slow
def test_a_local_dask_cluster_writes_what_a_local_run_writes(
    tmp_path, real_table, whole_table, model
):
    distributed = pytest.importorskip("distributed")
    here, classified = whole_table  # the table classified in this process, whole
    write_table(classified, tmp_path / "table.jsonl")
    # the sample year's 77 reports in 5 formats, classified in this process a chunk at a time
    local = classify_batch([SAMPLES], tmp_path / "reports.jsonl", model, fiscal_year=2566)
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        for name, inputs, expected in (
            ("table", [real_table], here),
            ("reports", [SAMPLES], local),
        ):
            remote = classify_batch(
                inputs,
                tmp_path / f"{name}_dask.jsonl",
                model,
                fiscal_year=2566,
                scheduler=cluster.scheduler_address,
                rows=400,
            )
            written = (tmp_path / f"{name}.jsonl").read_bytes()
            assert (tmp_path / f"{name}_dask.jsonl").read_bytes() == written, name
            assert remote.files == expected.files and remote.errors == expected.errors == []
            assert remote.warnings == expected.warnings
    assert local.findings == 1124 and len(local.files) == 77


def test_without_dask_the_scheduler_option_says_how_to_install_it(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    table = tmp_path / "t.jsonl"
    table.write_text('{"text": "งบไม่พอ"}\n', encoding="utf-8")
    result = runner.invoke(
        app, ["classify", str(table), "-o", str(tmp_path / "o.jsonl"), "--scheduler", "local"]
    )
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "pip install 'thai-findings[dask]'" in result.output
    assert not (tmp_path / "o.jsonl").exists()


def test_a_run_that_fails_midway_leaves_the_earlier_output(tmp_path, monkeypatch):
    import errno

    table = tmp_path / "t.jsonl"
    table.write_text('{"text": "งบประมาณไม่พอ"}\n' * 500, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("earlier results\n", encoding="utf-8")
    write = tables.TableStream.write

    def full_after_two(stream, text, columns, rows):
        if stream.rows >= 200:
            raise OSError(errno.ENOSPC, "No space left on device")
        write(stream, text, columns, rows)

    monkeypatch.setattr(tables.TableStream, "write", full_after_two)
    result = runner.invoke(
        app, ["classify", str(table), "-o", str(out), "--model", "keywords", "--chunk-size", "100"]
    )
    assert result.exit_code == 1
    assert f"{out}: cannot write (No space left on device)" in result.output.replace("\n", "")
    assert out.read_text(encoding="utf-8") == "earlier results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "t.jsonl"]


def test_more_findings_than_a_worksheet_holds_are_refused_before_work(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "XLSX_MAX_ROWS", 10)
    table = tmp_path / "t.jsonl"
    table.write_text('{"text": "งบประมาณไม่พอ"}\n' * 11, encoding="utf-8")
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["classify", str(table), "-o", str(out), "--model", "keywords"])
    assert result.exit_code == 1
    assert "11 findings are more than the 10 rows a worksheet holds" in result.output
    assert not out.exists()


def test_the_progress_bar_shows_on_a_terminal_only(monkeypatch):
    from rich.console import Console

    import pipeline.cli

    monkeypatch.setattr(pipeline.cli._chunk_progress, "DELAY", 0.0)
    for terminal in (True, False):
        screen = io.StringIO()
        console = Console(file=screen, force_terminal=terminal, color_system=None, width=80)
        monkeypatch.setattr(pipeline.cli, "console", console)
        with pipeline.cli._chunk_progress("Classifying") as on_chunk:
            on_chunk(1, 3)
        assert ("1/3 chunks" in screen.getvalue()) is terminal

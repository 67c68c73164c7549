"""The public API: parse, classify, summarize in five lines gives what `findings summarize` does."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

import pipeline
from pipeline.cli import app


def test_five_lines_of_the_library_give_the_command_s_summary(tmp_path, samples_dir):
    reports = tmp_path / "reports"
    reports.mkdir()
    for path in sorted((samples_dir / "committee_1").iterdir())[:4]:
        shutil.copy(path, reports / path.name)

    found = pipeline.parse_paths([reports]).findings
    model = pipeline.load_model()
    classified = pipeline.classify_findings(pipeline.tokenize_findings(found), model)
    pipeline.make_reports(classified, Path(tmp_path / "api"))

    result = CliRunner().invoke(app, ["summarize", str(reports), "-o", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    for name in ("b3_summary.md",):
        api = (tmp_path / "api" / name).read_text(encoding="utf-8")
        assert api == (tmp_path / "cli" / name).read_text(encoding="utf-8")
    assert "mentioned_agencies" not in found.columns  # added by make_reports, for both


def test_importing_the_package_imports_no_stage():
    import subprocess
    import sys

    code = "import pipeline, sys; print(any(m.startswith('pipeline.') for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"

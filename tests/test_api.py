"""The public API: parse, classify, summarize in five lines gives what `findings summarize` does;
`import pipeline` is light, and each public name is the function it stands for."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

import pipeline
from pipeline.cli import app


@pytest.mark.slow
def test_five_lines_of_the_library_give_the_command_s_summary(tmp_path, samples_dir):
    reports = tmp_path / "reports"
    reports.mkdir()
    for path in sorted((samples_dir / "committee_1").iterdir())[:4]:
        shutil.copy(path, reports / path.name)

    found = pipeline.parse_paths([reports]).findings
    model = pipeline.load_model()
    classified = pipeline.classify_findings(pipeline.tokenize_findings(found), model)
    pipeline.make_reports(classified, tmp_path / "api")

    result = CliRunner().invoke(app, ["summarize", str(reports), "-o", str(tmp_path / "cli")])
    assert result.exit_code == 0, result.output
    api = (tmp_path / "api" / "b3_summary.md").read_text(encoding="utf-8")
    assert api == (tmp_path / "cli" / "b3_summary.md").read_text(encoding="utf-8")
    assert api.count("(๑)") >= 3  # a summary with statements in it, not two empty ones
    assert "mentioned_agencies" not in found.columns  # added by make_reports, for both


def test_importing_the_package_imports_no_stage():
    import subprocess
    import sys

    code = "import pipeline, sys; print(any(m.startswith('pipeline.') for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_every_public_name_is_the_library_function_it_stands_for():
    from pipeline.batch.run import classify_batch
    from pipeline.learning.models import load_model
    from pipeline.stages.classify import classify
    from pipeline.stages.parse import read_inputs
    from pipeline.stages.words import tokenize

    assert pipeline.__all__ == sorted(pipeline.__all__) and len(pipeline.__all__) == 10
    assert pipeline.read_inputs is read_inputs and pipeline.classify_batch is classify_batch
    assert pipeline.tokenize_findings is tokenize and pipeline.classify_findings is classify
    assert pipeline.load_model is load_model
    assert all(callable(getattr(pipeline, name)) for name in pipeline.__all__)


def test_an_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="module 'pipeline' has no attribute 'summarise'"):
        pipeline.summarise  # noqa: B018

"""The shipped models are found wherever the command runs; a missing model is an error, never a
silent switch to the keyword baseline; a normal install carries the models."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.shared import settings


@pytest.fixture
def resolved_afresh():
    """``settings.models_dir`` resolved again in the test, and again after it."""
    settings.models_dir.cache_clear()
    yield settings.models_dir
    settings.models_dir.cache_clear()


def test_classify_from_another_folder_uses_the_shipped_default_model(
    tmp_path, monkeypatch, write_text
):
    report = write_text(tmp_path / "b1.txt", "ปีงบประมาณ 2566\nปัญหาอุปสรรค\n1. รถดูดโคลนชำรุดบ่อย\n")
    monkeypatch.chdir(tmp_path)  # no models/ here
    result = CliRunner().invoke(app, ["classify", str(report), "-o", "out.csv"])
    assert result.exit_code == 0, result.output
    assert "Model default" in result.output.replace("\n", " ")


def test_a_checkout_finds_its_own_models(repository, monkeypatch, resolved_afresh):
    monkeypatch.delenv(settings.HOME_VARIABLE, raising=False)
    assert resolved_afresh() == repository / "models"


def test_a_home_without_models_is_an_error_naming_where_it_looked(
    tmp_path, monkeypatch, write_text, resolved_afresh
):
    report = write_text(tmp_path / "b1.txt", "ปัญหาอุปสรรค\n1. รถดูดโคลนชำรุดบ่อย\n")
    monkeypatch.setenv(settings.HOME_VARIABLE, str(tmp_path / "home"))
    result = CliRunner().invoke(app, ["classify", str(report), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 1
    assert str(tmp_path / "home" / "models" / "DEFAULT") in result.output.replace("\n", "")


def test_an_installed_copy_finds_its_packaged_models(tmp_path, monkeypatch, resolved_afresh):
    """Outside a checkout, the models are the package ``thai_findings_models``."""
    installed = tmp_path / "site" / "thai_findings_models"
    (installed / "default").mkdir(parents=True)
    (installed / "DEFAULT").write_text("default\n", encoding="utf-8")
    monkeypatch.setattr(settings, "CHECKOUT", tmp_path / "not_a_checkout")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delenv(settings.HOME_VARIABLE, raising=False)
    monkeypatch.delitem(sys.modules, "thai_findings_models", raising=False)
    assert resolved_afresh() == installed


def test_the_package_ships_the_models_folder(repository):
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    config = tomllib.loads((repository / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    assert config["setuptools"]["package-dir"]["thai_findings_models"] == "models"
    assert {"DEFAULT", "*/*"} <= set(config["setuptools"]["package-data"]["thai_findings_models"])
    default = (repository / "models" / "DEFAULT").read_text(encoding="utf-8").strip()
    assert (repository / "models" / default / "model.skops").exists()


@pytest.mark.slow
def test_the_installed_command_uses_the_default_model_from_an_empty_folder(
    tmp_path, repository, write_text
):
    """A normal install (a wheel, not the checkout) run from a folder with no models/ in it."""
    import os
    import subprocess

    site, work = tmp_path / "site", tmp_path / "empty"
    quiet = {"capture_output": True, "text": True, "check": True}
    # a normal install: pip builds the wheel (fetching its build backend) and installs it
    install = [sys.executable, "-m", "pip", "-q", "install", "--no-deps", "--target", site]
    subprocess.run([*install, repository], **quiet)
    work.mkdir()
    report = write_text(work / "b1.txt", "ปีงบประมาณ 2566\nปัญหาอุปสรรค\n1. รถดูดโคลนชำรุดบ่อย\n")
    environment = {**os.environ, "PYTHONPATH": str(site)}
    environment.pop(settings.HOME_VARIABLE, None)
    command = [site / "bin" / "findings", "classify", report.name, "-o", "out.csv"]
    result = subprocess.run(command, cwd=work, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Model default" in result.stderr.replace("\n", " ")
    where = subprocess.run(
        [sys.executable, "-c", "import pipeline; print(pipeline.__file__)"],
        cwd=work,
        env=environment,
        **quiet,
    )
    assert where.stdout.startswith(str(site))  # the installed copy ran, not the checkout

"""Read, normalise and segment a batch of report files into one findings table.

A bad file never stops the batch: its one-line error is collected and the rest still run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.io import SUPPORTED_SUFFIXES, InputError, read_document
from pipeline.normalize import normalize_document
from pipeline.schema import findings_frame
from pipeline.segment import segment
from pipeline.tables import MAX_FINDING_CHARS

_SKIPPED_NAMES = ("README", "LICENSE", "CATALOG")


@dataclass
class ParseResult:
    findings: pd.DataFrame
    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    repairs: Counter = field(default_factory=Counter)


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files named, plus the report files found below the folders named, in a stable order."""
    files: list[Path] = []
    for path in map(Path, paths):
        try:
            is_dir = path.is_dir()
        except (OSError, RuntimeError):  # a symlink loop: the reader names the problem
            is_dir = False
        if is_dir:
            files.extend(
                child
                for child in sorted(path.rglob("*"))
                if child.is_file()
                and child.suffix.lower() in SUPPORTED_SUFFIXES
                and not child.name.startswith((".", "~$"))
                and not child.stem.upper().startswith(_SKIPPED_NAMES)
            )
        else:
            files.append(path)
    return files


def parse_file(
    path: Path | str,
    *,
    agency: str | None = None,
    committee: int | None = None,
    fiscal_year: int | None = None,
) -> tuple[pd.DataFrame, Counter, list[str]]:
    """Findings of one file, the repairs made to its text, and warnings; raises InputError."""
    document = read_document(path)
    document, repairs = normalize_document(document)
    findings, meta = segment(document, agency=agency, committee=committee, fiscal_year=fiscal_year)
    long = findings[findings["text"].str.len() > MAX_FINDING_CHARS]
    if len(long):  # lines the segmenter joined into one finding, e.g. items it cannot number
        first = long.iloc[0]
        raise InputError(
            path,
            f"the finding at line {first['line']} runs to {len(first['text']):,} "
            f"characters, over the {MAX_FINDING_CHARS:,} limit; check its numbering",
        )
    if meta.joined_paragraphs:
        repairs["joined_paragraphs"] += meta.joined_paragraphs
    warnings = [*document.warnings, *meta.warnings]
    if findings.empty:
        warnings.append(f"{path}: no findings found")
    return findings, repairs, warnings


def _parse_one(path: Path, options: dict):
    """``(parse_file's result, None)``, or ``(None, one-line error)``: safe to run in a worker."""
    try:
        return parse_file(path, **options), None
    except InputError as error:
        return None, str(error)
    except Exception as error:  # a reader bug must not sink the batch; say which file
        return None, f"{path}: could not be parsed ({type(error).__name__}: {error})"


def parse_paths(
    paths: Iterable[Path | str],
    *,
    agency: str | None = None,
    committee: int | None = None,
    fiscal_year: int | None = None,
    on_file: Callable[[Path], None] | None = None,
    jobs: int = 1,
) -> ParseResult:
    """Parse every file, over ``jobs`` processes; errors are collected per file, never raised.

    The result is the same whatever ``jobs`` is: files are read in the same order.
    """
    from joblib import Parallel, delayed

    result = ParseResult(findings=findings_frame([]))
    frames = []
    files = expand_paths(paths)
    options = {"agency": agency, "committee": committee, "fiscal_year": fiscal_year}
    outcomes = Parallel(n_jobs=jobs, return_as="generator")(
        delayed(_parse_one)(path, options) for path in files
    )
    for path, (outcome, error) in zip(files, outcomes):
        if error:
            result.errors.append(error)
        else:
            findings, repairs, warnings = outcome
            result.files.append(str(path))
            result.repairs.update(repairs)
            result.warnings.extend(warnings)
            frames.append(findings)
        if on_file:
            on_file(path)
    if frames:
        result.findings = pd.concat(frames, ignore_index=True)
    return result

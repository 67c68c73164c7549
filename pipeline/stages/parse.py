"""Read, normalise and segment a batch of report files into one findings table.

A bad file never stops the batch: its one-line error is collected and the rest still run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipeline.shared.schema import findings_frame
from pipeline.shared.tables import MAX_FINDING_CHARS
from pipeline.stages.normalize import normalize_document, normalize_text
from pipeline.stages.read import SUPPORTED_SUFFIXES, InputError, read_document
from pipeline.stages.segment import segment

_SKIPPED_NAMES = ("README", "LICENSE", "CATALOG")


@dataclass
class ParseResult:
    findings: pd.DataFrame
    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    repairs: Counter = field(default_factory=Counter)
    #: per file, the structure the segmenter read (``findings parse -v``)
    outlines: dict[str, list[str]] = field(default_factory=dict)


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
    findings, meta = segment(
        document,
        agency=agency,
        committee=committee,
        fiscal_year=fiscal_year,
        heading_classifier=category_of_heading,
    )
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
    findings.attrs["outline"] = [
        f"agency {meta.agency}, committee {meta.committee}, fiscal year {meta.fiscal_year}",
        *meta.outline,
    ]
    if findings.empty:
        warnings.append(f"{path}: no findings found")
    elif findings["fiscal_year"].isna().any():
        warnings.append(f"{path}: no fiscal year found in the report; give it with --year")
    return findings, repairs, warnings


def category_of_heading(text: str) -> str | None:
    """The default model's category for a heading whose words name none (None without one)."""
    model = _heading_model()
    if model is None or model.weights is None:
        return None
    return str(model.weights.predict([text])[0])


def load_heading_model() -> None:
    """Load the model that reads headings now: worker processes forked after this share it."""
    _heading_model()


@lru_cache(maxsize=1)
def _heading_model():
    from pipeline.learning.models import ModelError, load_model

    try:
        return load_model(estimator=False)
    except ModelError:
        return None


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
            result.outlines[str(path)] = findings.attrs.pop("outline", [])
            result.repairs.update(repairs)
            result.warnings.extend(warnings)
            frames.append(findings)
        if on_file:
            on_file(path)
    if frames:
        result.findings = pd.concat(frames, ignore_index=True)
    return result


def read_inputs(
    paths: Iterable[Path | str],
    *,
    agency: str | None = None,
    committee: int | None = None,
    fiscal_year: int | None = None,
    on_file: Callable[[Path], None] | None = None,
    jobs: int = 1,
) -> ParseResult:
    """Reports parsed, and findings tables (.jsonl, or .csv with a ``text`` column) taken as they
    are, into one findings table with a ``text`` column; errors collected per file.

    A table's text has not been through the parser, so it is repaired as the parser repairs it
    (the original kept in ``raw_text``).
    """
    from pipeline.shared.tables import read_findings_table

    tables, table_files, reports, table_errors = [], [], [], []
    for path in expand_paths(paths):
        try:
            table = read_findings_table(path)
        except InputError as error:
            table_errors.append(str(error))
            continue
        if table is None:
            reports.append(path)
            continue
        tables.append(table_findings(table))
        table_files.append(str(path))
    options = {"agency": agency, "committee": committee, "fiscal_year": fiscal_year}
    result = parse_paths(reports, **options, on_file=on_file, jobs=jobs)
    if tables:
        parsed = [result.findings] if len(result.findings) else []
        result.findings = pd.concat([*parsed, *tables], ignore_index=True)
        result.files += table_files
    result.errors += table_errors
    return result


def table_findings(table: pd.DataFrame) -> pd.DataFrame:
    """A findings table's rows as findings: the contract's columns first, then the table's own
    (sorted); the text repaired as the parser repairs it, the original kept in ``raw_text``."""
    from pipeline.shared.schema import FINDING_COLUMNS

    extra = table.columns.difference(FINDING_COLUMNS)
    table = table.reindex(columns=[*FINDING_COLUMNS, *extra])
    raw = table["raw_text"].astype(object)
    table["raw_text"] = raw.where(raw.notna(), table["text"].astype(object))
    table["text"] = [normalize_text(str(t))[0] for t in table["text"].fillna("")]
    return table


# --- scoring a parse against an answer key ---------------------------------------------------

#: A parsed finding matches a gold one when their texts (spaces aside) are this similar.
MATCH_RATIO = 0.9
GOLD_SUFFIX = ".gold.json"


def _comparable(text: object) -> str:
    import re
    import unicodedata

    from pipeline.shared.vocabulary import arabic_digits

    text = unicodedata.normalize("NFC", str(text or ""))
    return re.sub(r"\s+", "", arabic_digits(text))


def _align(gold: list[str], parsed: list[str]) -> dict[int, int]:
    """Gold index → parsed index: each gold text to its most similar unused parsed text."""
    import difflib

    pairs = []
    for g, gold_text in enumerate(gold):
        for p, parsed_text in enumerate(parsed):
            matcher = difflib.SequenceMatcher(None, gold_text, parsed_text, autojunk=False)
            if matcher.real_quick_ratio() < MATCH_RATIO or matcher.quick_ratio() < MATCH_RATIO:
                continue
            if (ratio := matcher.ratio()) >= MATCH_RATIO:
                pairs.append((-ratio, abs(g - p), g, p))
    matched: dict[int, int] = {}
    for _, _, g, p in sorted(pairs):
        if g not in matched and p not in matched.values():
            matched[g] = p
    return matched


def score_against_gold(findings: pd.DataFrame, gold: dict) -> dict:
    """How a file's parse compares with its answer key (the ``.gold.json`` format of
    ``tests/data/unseen/README.md``): findings found and extra, and the fields that differ."""
    from pipeline.shared import agencies

    expected = gold["findings"]
    rows = findings.to_dict("records")
    matched = _align(
        [_comparable(f["text"]) for f in expected], [_comparable(r["text"]) for r in rows]
    )
    wrong: dict[str, list[str]] = {"kind": [], "heading_category": [], "recipient_type": []}
    for g, p in matched.items():
        for field_name, mistakes in wrong.items():
            want, got = expected[g].get(field_name), rows[p].get(field_name)
            got = None if pd.isna(got) else got
            if want != got:
                mistakes.append(f"{expected[g]['text'][:40]}…: {got} ≠ {want}")
    first = rows[0] if rows else {}
    agency = agencies.canonical(gold["agency"]) or gold["agency"]
    metadata = {
        "agency": (first.get("agency"), agency),
        "committee": (first.get("committee"), gold.get("committee")),
        "fiscal_year": (first.get("fiscal_year"), gold.get("fiscal_year")),
    }
    return {
        "gold": len(expected),
        "found": len(matched),
        "missed": [expected[g]["text"][:60] for g in range(len(expected)) if g not in matched],
        "extra": [rows[p]["text"][:60] for p in range(len(rows)) if p not in matched.values()],
        "wrong": wrong,
        "metadata_wrong": {
            name: f"{got} ≠ {want}"
            for name, (got, want) in metadata.items()
            if want is not None and (None if pd.isna(got) else got) != want
        },
    }


def score_folder(folder: Path | str) -> list[tuple[str, dict]]:
    """Parse every report of ``folder`` that has an answer key and score it; errors count as
    every finding missed."""
    import json

    results = []
    for gold_path in sorted(Path(folder).glob(f"*{GOLD_SUFFIX}")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        report = gold_path.with_name(gold["file"])
        try:
            findings, _, _ = parse_file(report)
        except InputError as error:
            findings = findings_frame([])
            gold = {**gold, "error": str(error)}
        score = score_against_gold(findings, gold)
        if "error" in gold:
            score["error"] = gold["error"]
        results.append((gold["file"], score))
    return results

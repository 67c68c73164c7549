"""Review loop: the analysts' correction workbook, importing their labels, and why order matters.

- :func:`export_review` writes one row per finding, least certain and heading/model disagreements
  first, with an empty "analyst category" column whose cells offer the eight categories as an Excel
  drop-down.
- :func:`import_review` puts the analysts' categories into ``corpus/fyYYYY/labels.jsonl`` with
  ``label_source: analyst``. An earlier label is kept in the row's ``history``; an earlier analyst
  label that differs is a conflict, reported and left alone unless replacing is asked for; an
  unknown category is reported, never guessed. The file is rewritten atomically.
- :func:`simulate` labels the N least certain findings, retrains, and repeats, against labelling
  in random order, to show how many corrections each needs to reach a given macro-F1.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.shared.schema import col
from pipeline.shared.settings import CORPUS_DIR
from pipeline.shared.tables import atomic_path, cell_text, numbered_records
from pipeline.shared.taxonomy import BY_ID, CATEGORY_IDS, category_from_label, category_th
from pipeline.shared.vocabulary import (
    COLUMN_FROM_TH,
    COLUMN_TH,
    KIND_FROM_TH,
    KIND_TH,
    arabic_digits,
)

REVIEW_SHEET = "ตรวจทาน"
CATEGORY_SHEET = "หมวด"
#: The review sheet's columns, in order (their Thai headers: ``vocabulary.COLUMN_TH``).
REVIEW_COLUMNS = (
    col.FINDING_ID,
    col.FISCAL_YEAR,
    col.COMMITTEE,
    col.AGENCY,
    col.KIND,
    col.TEXT,
    col.HEADING_CATEGORY,
    col.MODEL_CATEGORY,
    col.MODEL_CONFIDENCE,
    col.CATEGORY_2,
    col.CONFIDENCE_2,
    col.EVIDENCE,
    col.ANALYST_CATEGORY,
    col.NOTE,
    col.SOURCE,
)


def _th(category) -> str | None:
    return category_th(category) if isinstance(category, str) and category in BY_ID else None


def review_table(classified: pd.DataFrame) -> pd.DataFrame:
    """Findings in review order: heading/model disagreements, then the least certain first."""
    heading = classified.get(col.HEADING_CATEGORY, pd.Series(index=classified.index, dtype=object))
    disagree = heading.notna() & (heading != classified[col.MODEL_CATEGORY])
    order = pd.DataFrame(
        {"disagree": ~disagree, "confidence": classified[col.MODEL_CONFIDENCE]},
        index=classified.index,
    ).sort_values(["disagree", "confidence"], kind="stable")
    table = classified.loc[order.index].assign(**{col.ANALYST_CATEGORY: None, col.NOTE: None})
    for name in (col.HEADING_CATEGORY, col.MODEL_CATEGORY, col.CATEGORY_2):
        if name in table:
            table[name] = table[name].map(_th)
    table[col.KIND] = table[col.KIND].map(lambda k: KIND_TH.get(k, k))
    columns = [c for c in REVIEW_COLUMNS if c in table.columns]
    return table[columns].rename(columns=COLUMN_TH)


def export_review(classified: pd.DataFrame, path: Path) -> Path:
    """Write the review workbook: findings with a drop-down, and the list of categories."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    table = review_table(classified)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = REVIEW_SHEET
    sheet.append(list(table.columns))
    for row in table.itertuples(index=False):
        sheet.append([None if pd.isna(v) else cell_text(v) for v in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":  # a finding that starts with "=" stays text
                cell.data_type = "s"
    categories = workbook.create_sheet(CATEGORY_SHEET)
    categories.append(["หมวด", "id", "English"])
    for category in CATEGORY_IDS:
        categories.append([category_th(category), category, BY_ID[category].en])
    column = get_column_letter(list(table.columns).index(COLUMN_TH[col.ANALYST_CATEGORY]) + 1)
    validation = DataValidation(
        type="list",
        formula1=f"'{CATEGORY_SHEET}'!$A$2:$A${len(CATEGORY_IDS) + 1}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="หมวดไม่ถูกต้อง",
        error="เลือกหมวดจากรายการ (one of the eight categories)",
    )
    sheet.add_data_validation(validation)
    validation.add(f"{column}2:{column}{max(2, len(table) + 1)}")
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions
    widths = {col.TEXT: 80, col.ANALYST_CATEGORY: 28, col.NOTE: 30, col.AGENCY: 30}
    widths = {COLUMN_TH[name]: width for name, width in widths.items()}
    for index, name in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 16)
    with atomic_path(path) as temporary:
        workbook.save(temporary)
    return path


@dataclass
class ImportResult:
    applied: int = 0  # labels changed or set for the first time
    added: int = 0  # findings the corpus did not have
    unchanged: int = 0  # the analyst agreed with the label already there
    conflicts: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    path: Path | None = None


class ReviewError(ValueError):
    """A review workbook that cannot be imported; nothing was written. One line per problem."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0] if len(problems) == 1 else f"{len(problems)} problems")
        self.problems = problems


#: What a finding ID looks like: the parser's are 12 hex digits (``-2`` for a repeat); the
#: corpus's others are ASCII names. No space, no invisible or look-alike character.
_FINDING_ID = re.compile(r"^[0-9A-Za-z][0-9A-Za-z:_.\-]{0,79}$")
#: Characters a reviewer's name or note may not carry into the corpus (controls, separators).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _same_text(a, b) -> bool:
    """Texts equal once repaired as the parser repairs them (Thai digits, spaces, ...)."""
    return normalize_key(a) == normalize_key(b)


_REQUIRED = (col.FINDING_ID, col.TEXT, col.ANALYST_CATEGORY)


def _read_review_sheet(path: Path) -> list[tuple[int, dict]]:
    """Rows of the review sheet as ``(row number, {column: value})``, the Thai headers read back
    as column names; formulas kept as formulas."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # not a zip, not a workbook, truncated ...
        raise ReviewError(
            [f"{path}: not a readable .xlsx review workbook ({type(error).__name__})"]
        ) from None
    try:
        if REVIEW_SHEET not in workbook.sheetnames:
            raise ReviewError([f"{path}: no sheet named {REVIEW_SHEET}; not a review workbook"])
        rows = workbook[REVIEW_SHEET].iter_rows(values_only=True)
        try:
            header = [str(v).strip() if v is not None else "" for v in next(rows)]
        except StopIteration:
            raise ReviewError([f"{path}: the review sheet is empty"]) from None
        names = [COLUMN_FROM_TH.get(h, h) for h in header]
        missing = [COLUMN_TH[c] for c in _REQUIRED if c not in names]
        if missing:
            raise ReviewError([f"{path}: review sheet lacks column(s) {', '.join(missing)}"])
        records = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(v is None for v in values):
                continue
            records.append((number, dict(zip(names, values))))
        return records
    except ReviewError:
        raise
    except Exception as error:  # a damaged sheet part
        raise ReviewError([f"{path}: damaged review workbook ({type(error).__name__})"]) from None
    finally:
        workbook.close()


def _analyst_label(value, row_number: int, path: Path, result: ImportResult) -> str | None:
    text = str(value).strip()
    by_thai = {category_th(c): c for c in CATEGORY_IDS}
    label = by_thai.get(text) or category_from_label(text)
    if label is None:
        result.unknown.append(
            f"{path}: row {row_number}: unknown category '{text}'; expected one of "
            + ", ".join(by_thai)
        )
    return label


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip()


def read_labels(path: Path) -> dict[str, dict]:
    """A year's ``labels.jsonl`` keyed by finding ID; a broken line names the file and line."""
    rows: dict[str, dict] = {}
    if not path.exists():
        return rows
    try:
        records = list(numbered_records(path))
    except ValueError as error:
        raise ReviewError([str(error)]) from None
    for number, row in records:
        if not isinstance(row.get("finding_id"), str):
            raise ReviewError([f"{path}:{number}: a label row needs a finding_id"])
        rows[row["finding_id"]] = row
    return rows


def import_review(
    path: Path,
    *,
    year: int,
    corpus_dir: Path = CORPUS_DIR,
    who: str | None = None,
    replace: bool = False,
) -> ImportResult:
    """Merge the analysts' categories from a review workbook into that year's labels.

    The whole workbook is checked first; on any problem (a formula, a blank or malformed ID, text
    edited for a known finding, an unknown category) :class:`ReviewError` lists every problem and
    nothing is written.
    """
    records = _read_review_sheet(Path(path))
    labels_path = corpus_dir / f"fy{year}" / "labels.jsonl"
    rows = read_labels(labels_path)
    result = ImportResult(path=labels_path)
    problems: list[str] = []
    now = datetime.datetime.now().isoformat(timespec="seconds")
    who = _UNSAFE.sub("", who).strip() if who else who
    by_text = {
        normalize_key(str(row.get("text", ""))): finding_id for finding_id, row in rows.items()
    }
    seen_ids: dict[str, int] = {}
    for number, record in records:
        value = record.get(col.ANALYST_CATEGORY)
        if _blank(value):
            continue
        where = f"{path}: row {number}"
        formulas = [k for k, v in record.items() if isinstance(v, str) and v.startswith("=")]
        formulas = [COLUMN_TH[k] for k in formulas if k in (*_REQUIRED, col.NOTE)]
        if formulas:
            problems.append(f"{where}: {', '.join(formulas)} holds a formula, not a value")
            continue
        finding_id = (
            "" if _blank(record.get(col.FINDING_ID)) else str(record[col.FINDING_ID]).strip()
        )
        if not _FINDING_ID.match(finding_id):
            problems.append(f"{where}: the ID (รหัส) is blank or malformed: {finding_id!r}")
            continue
        if finding_id in seen_ids:
            problems.append(
                f"{where}: {finding_id} is also on row {seen_ids[finding_id]}; one row a finding"
            )
            continue
        seen_ids[finding_id] = number
        label = _analyst_label(value, number, path, result)
        if label is None:
            continue
        text = record.get(col.TEXT)
        row = rows.get(finding_id)
        if row is None and (not isinstance(text, str) or not text.strip()):
            problems.append(f"{where}: {finding_id} is new to the corpus and has no text")
            continue
        if row is not None and not _same_text(text if isinstance(text, str) else "", row["text"]):
            problems.append(
                f"{where}: the text of {finding_id} was edited; review changes categories only"
            )
            continue
        if row is None:
            twin = by_text.get(normalize_key(text))
            if twin is not None:
                problems.append(
                    f"{where}: {finding_id} is new but its text is already in the corpus as "
                    f"{twin}; use that ID"
                )
                continue
        stamp = {"label_source": "analyst", "labelled_at": now}
        if who:
            stamp["labelled_by"] = who
        note = record.get(col.NOTE)
        if isinstance(note, str) and note.strip():
            stamp["note"] = _UNSAFE.sub(" ", note).strip()[:2000]
        if row is None:
            kind = record.get(col.KIND)
            rows[finding_id] = {
                "finding_id": finding_id,
                "source": _text_or_none(record.get(col.SOURCE)),
                "agency": _text_or_none(record.get(col.AGENCY)),
                "committee": _int(record.get(col.COMMITTEE)),
                "fiscal_year": _int(record.get(col.FISCAL_YEAR)) or year,
                "kind": KIND_FROM_TH.get(kind, _text_or_none(kind)),
                "text": text.strip(),
                "label": label,
                **stamp,
            }
            result.added += 1
            continue
        if row["label"] == label:
            result.unchanged += 1
            continue
        if row.get("label_source") == "analyst" and not replace:
            result.conflicts.append(
                f"{where}: {finding_id} was labelled {row['label']} by an analyst "
                f"before, now {label}; kept {row['label']} (use --replace to take the new one)"
            )
            continue
        history = [
            *row.get("history", []),
            {
                k: row.get(k)
                for k in ("label", "label_source", "labelled_by", "labelled_at")
                if row.get(k) is not None
            },
        ]
        row.update(label=label, history=history, **stamp)
        result.applied += 1
    problems += result.unknown
    if problems:
        raise ReviewError(problems)
    if result.applied or result.added:
        labels_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with atomic_path(labels_path) as temporary:
                temporary.write_text(
                    "".join(
                        json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n"
                        for r in rows.values()
                    ),
                    encoding="utf-8",
                )
        except OSError as error:
            raise ReviewError(
                [f"{labels_path}: cannot write ({error.strerror or error})"]
            ) from None
    return result


def normalize_key(text: str) -> str:
    """A text as the corpus compares it: repaired, then without spaces."""
    from pipeline.stages.normalize import normalize_text

    return re.sub(r"\s+", "", normalize_text(str(text))[0])


def _text_or_none(value) -> str | None:
    return None if _blank(value) else str(value).strip()


def _int(value) -> int | None:
    try:
        return int(arabic_digits(value).strip())
    except (TypeError, ValueError):
        return None


def simulate(
    corpus: pd.DataFrame,
    test: pd.DataFrame,
    *,
    start: int = 40,
    step: int = 40,
    rounds: int = 15,
    repeats: int = 3,
) -> pd.DataFrame:
    """Macro-F1 on ``test`` after each round of labelling, uncertainty-first against random order.

    ``corpus`` is the pool (tokenized, labelled); each strategy starts from the same random
    ``start`` findings and labels ``step`` more a round: the ones the current model is least sure
    of, or random ones.
    """
    from pipeline.learning.estimators import build_pipeline
    from pipeline.learning.train import metrics

    records = []
    X, y = corpus["text"].to_numpy(), corpus["label"].to_numpy()
    test_inputs = test["text"].tolist()
    for repeat in range(repeats):
        rng = np.random.default_rng(repeat)
        first = rng.choice(len(y), size=start, replace=False)
        for strategy in ("uncertainty", "random"):
            labelled = list(first)
            for round_ in range(rounds + 1):
                model = build_pipeline().fit(X[labelled], y[labelled])
                score = metrics(test["label"], model.predict(test_inputs))["macro_f1"]
                records.append(
                    {
                        "strategy": strategy,
                        "repeat": repeat,
                        "labelled": len(labelled),
                        "macro_f1": score,
                    }
                )
                pool = np.setdiff1d(np.arange(len(y)), labelled)
                if round_ == rounds or len(pool) == 0:
                    break
                if strategy == "uncertainty":
                    confidence = model.predict_proba(X[pool]).max(axis=1)
                    chosen = pool[np.argsort(confidence, kind="stable")[:step]]
                else:
                    chosen = rng.choice(pool, size=min(step, len(pool)), replace=False)
                labelled += list(chosen)
    return pd.DataFrame(records)


def labels_to_reach(curve: pd.DataFrame, target: float) -> dict[str, int | None]:
    """Fewest labelled findings at which each strategy's mean macro-F1 reaches ``target``."""
    mean = curve.groupby(["strategy", "labelled"])["macro_f1"].mean().reset_index()
    out = {}
    for strategy, group in mean.groupby("strategy"):
        reached = group[group["macro_f1"] >= target]
        out[strategy] = int(reached["labelled"].min()) if len(reached) else None
    return out


def plot_simulation(curve: pd.DataFrame, path: Path, target: float | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pipeline.stages.report import save_figure, thai_font_family

    plt.rcParams["font.family"] = thai_font_family()
    mean = curve.groupby(["strategy", "labelled"])["macro_f1"].mean().unstack(0)
    figure, axes = plt.subplots(figsize=(8, 5))
    names = {"uncertainty": "ไม่แน่ใจที่สุดก่อน (uncertainty first)", "random": "สุ่ม (random)"}
    for strategy in mean.columns:
        axes.plot(mean.index, mean[strategy], marker="o", label=names.get(strategy, strategy))
    if target:
        axes.axhline(target, color="grey", linestyle="--", linewidth=1)
    axes.set_xlabel("จำนวนข้อค้นพบที่ผู้ตรวจกำหนดหมวด (labelled findings)")
    axes.set_ylabel("macro-F1 (FY2566 frozen set)")
    axes.set_title("การตรวจทานข้อที่แบบจำลองไม่แน่ใจก่อน เทียบกับการสุ่ม")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    return save_figure(figure, path)


def simulation_sets(corpus_dir: Path | str = CORPUS_DIR, year: int = 2566):
    """The pool a simulated analyst labels from (the year's sample findings outside its frozen
    set) and the frozen set scored on; ``FileNotFoundError`` if the year has no frozen set."""
    from pipeline.learning.corpus import load_corpus
    from pipeline.learning.train import FROZEN_FILE, with_tokens

    frozen_path = Path(corpus_dir) / f"fy{year}" / FROZEN_FILE
    if not frozen_path.exists():
        raise FileNotFoundError(f"{frozen_path}: no frozen set; run findings train first")
    data = with_tokens(load_corpus(corpus_dir))
    frozen = set(json.loads(frozen_path.read_text(encoding="utf-8"))["finding_ids"])
    test = data[data["finding_id"].isin(frozen)]
    pool = data[~data["finding_id"].isin(frozen) & (data["subset"] == "samples")]
    return pool.reset_index(drop=True), test

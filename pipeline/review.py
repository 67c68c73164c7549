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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.aggregate import category_th
from pipeline.schema import KIND_TH, col
from pipeline.tables import atomic_path
from pipeline.taxonomy import BY_ID, CATEGORY_IDS, category_from_label

REVIEW_SHEET = "ตรวจทาน"
CATEGORY_SHEET = "หมวด"
ANALYST_COLUMN = "หมวดโดยผู้ตรวจ"
NOTE_COLUMN = "หมายเหตุ"
#: Review sheet columns: finding column → Thai header, in order.
REVIEW_COLUMNS = {
    col.FINDING_ID: "รหัส",
    col.FISCAL_YEAR: "ปีงบประมาณ",
    col.COMMITTEE: "คณะ",
    col.AGENCY: "หน่วยงาน",
    col.KIND: "ประเภท",
    col.TEXT: "ข้อความ",
    col.HEADING_CATEGORY: "หมวดตามหัวข้อรายงาน",
    col.MODEL_CATEGORY: "หมวดตามแบบจำลอง",
    col.MODEL_CONFIDENCE: "ความเชื่อมั่น",
    col.CATEGORY_2: "หมวดรอง",
    col.CONFIDENCE_2: "ความเชื่อมั่นหมวดรอง",
    col.EVIDENCE: "คำที่ใช้ตัดสิน",
    "analyst_category": ANALYST_COLUMN,
    "note": NOTE_COLUMN,
    col.SOURCE: "ไฟล์",
}


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
    table = classified.loc[order.index].assign(analyst_category=None, note=None)
    for name in (col.HEADING_CATEGORY, col.MODEL_CATEGORY, col.CATEGORY_2):
        if name in table:
            table[name] = table[name].map(_th)
    table[col.KIND] = table[col.KIND].map(lambda k: KIND_TH.get(k, k))
    columns = [c for c in REVIEW_COLUMNS if c in table.columns]
    return table[columns].rename(columns=REVIEW_COLUMNS)


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
        sheet.append([None if pd.isna(v) else v for v in row])
    categories = workbook.create_sheet(CATEGORY_SHEET)
    categories.append(["หมวด", "id", "English"])
    for category in CATEGORY_IDS:
        categories.append([category_th(category), category, BY_ID[category].en])
    column = get_column_letter(list(table.columns).index(ANALYST_COLUMN) + 1)
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
    widths = {"ข้อความ": 80, ANALYST_COLUMN: 28, NOTE_COLUMN: 30, "หน่วยงาน": 30}
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


def import_review(
    path: Path,
    *,
    year: int,
    corpus_dir: Path = Path("corpus"),
    who: str | None = None,
    replace: bool = False,
) -> ImportResult:
    """Merge the analysts' categories from a review workbook into that year's labels."""
    try:
        sheet = pd.read_excel(path, sheet_name=REVIEW_SHEET, dtype=object)
    except (ValueError, OSError) as error:
        raise ValueError(f"{path}: not a review workbook of this tool ({error})") from None
    missing = [c for c in ("รหัส", "ข้อความ", ANALYST_COLUMN) if c not in sheet.columns]
    if missing:
        raise ValueError(f"{path}: review sheet lacks column(s) {', '.join(missing)}")
    labels_path = corpus_dir / f"fy{year}" / "labels.jsonl"
    rows: dict[str, dict] = {}
    if labels_path.exists():
        for line in labels_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[row["finding_id"]] = row
    result = ImportResult(path=labels_path)
    now = datetime.datetime.now().isoformat(timespec="seconds")
    kinds = {th: kind for kind, th in KIND_TH.items()}
    for number, record in enumerate(sheet.to_dict("records"), start=2):
        value = record.get(ANALYST_COLUMN)
        if (
            value is None
            or (isinstance(value, float) and np.isnan(value))
            or not str(value).strip()
        ):
            continue
        label = _analyst_label(value, number, path, result)
        if label is None:
            continue
        finding_id = str(record["รหัส"])
        stamp = {"label_source": "analyst", "labelled_at": now}
        if who:
            stamp["labelled_by"] = who
        note = record.get(NOTE_COLUMN)
        if isinstance(note, str) and note.strip():
            stamp["note"] = note.strip()
        row = rows.get(finding_id)
        if row is None:
            rows[finding_id] = {
                "finding_id": finding_id,
                "source": record.get("ไฟล์"),
                "agency": record.get("หน่วยงาน"),
                "committee": _int(record.get("คณะ")),
                "fiscal_year": _int(record.get("ปีงบประมาณ")) or year,
                "kind": kinds.get(record.get("ประเภท"), record.get("ประเภท")),
                "text": record["ข้อความ"],
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
                f"{path}: row {number}: {finding_id} was labelled {row['label']} by an analyst "
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
    if result.applied or result.added:
        labels_path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(labels_path) as temporary:
            temporary.write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows.values()),
                encoding="utf-8",
            )
    return result


def _int(value) -> int | None:
    try:
        return int(str(value).strip().translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")))
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
    from pipeline.models import DEFAULT_PARAMS, build_pipeline, model_input
    from pipeline.train import metrics

    records = []
    head = DEFAULT_PARAMS["head_tokens"]
    X, y = np.array(model_input(corpus["tokens"], head)), corpus["label"].to_numpy()
    test_inputs = model_input(test["tokens"], head)
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

    from pipeline.report import _font_family, _save_figure

    plt.rcParams["font.family"] = _font_family()
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
    return _save_figure(figure, path)

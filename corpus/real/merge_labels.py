"""Merge the annotators' label files into the standoff labels of ``corpus/real/labels.jsonl``.

    python corpus/real/merge_labels.py

Inputs: ``corpus/real/candidates.jsonl`` (every proposed span: id, corpus, path, doc, offsets,
hash, origin; no text) and, kept out of the repository in ``corpus/real/work/``, the annotators'
``labels_N.jsonl`` (kind, category, second category and confidence per id).
``labels_double.jsonl`` is the second, independent labelling of a sample; it goes to
``double_labelling.jsonl`` with the adjudicated label (``corpus/real/adjudication.jsonl``), never
into the training labels directly. No text is written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from pipeline.learning.standoff import KINDS, LABEL_FIELDS  # noqa: E402
from pipeline.shared.taxonomy import CATEGORY_IDS  # noqa: E402

WORK = HERE / "work"


def _rows(path: Path) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def _check(row: dict, where: str) -> dict:
    kind, category = row.get("kind"), row.get("category")
    if kind not in KINDS:
        raise SystemExit(f"{where}: kind {kind!r}")
    if kind == "none":
        category = None
        row["category_2"] = None
    elif category not in CATEGORY_IDS:
        raise SystemExit(f"{where}: category {category!r}")
    second = row.get("category_2")
    if second not in CATEGORY_IDS or second == category:
        second = None
    confidence = (
        row.get("confidence") if row.get("confidence") in ("high", "medium", "low") else "low"
    )
    return {"kind": kind, "category": category, "category_2": second, "confidence": confidence}


def main() -> None:
    candidates = {c["id"]: c for c in _rows(HERE / "candidates.jsonl")}
    labelled: dict[str, dict] = {}
    for path in sorted(WORK.glob("labels_*.jsonl")):
        if path.stem == "labels_double":
            continue
        labeller = f"annotator-{path.stem.split('_')[1]}"
        for number, row in enumerate(_rows(path), start=1):
            if row["id"] not in candidates:
                raise SystemExit(f"{path}:{number}: unknown id {row['id']}")
            labelled[row["id"]] = {**_check(row, f"{path}:{number}"), "labeller": labeller}
    adjudicated = {}
    if (HERE / "adjudication.jsonl").exists():
        adjudicated = {r["id"]: r for r in _rows(HERE / "adjudication.jsonl")}
    double = []
    if (WORK / "labels_double.jsonl").exists():
        for number, row in enumerate(_rows(WORK / "labels_double.jsonl"), start=1):
            first = labelled.get(row["id"])
            if first is None:
                continue
            second = _check(row, f"labels_double.jsonl:{number}")
            final = adjudicated.get(row["id"])
            double.append(
                {
                    "id": row["id"],
                    "kind_1": first["kind"],
                    "label_1": first["category"],
                    "kind_2": second["kind"],
                    "label_2": second["category"],
                    "kind": final["kind"] if final else first["kind"],
                    "final": final["category"] if final else first["category"],
                    "rule": final.get("rule") if final else None,
                    "reason": final.get("reason") if final else None,
                }
            )
            if final:  # the adjudicated label is the corpus's label
                labelled[row["id"]].update(
                    kind=final["kind"], category=final["category"], labeller="adjudicated"
                )
    out = []
    for identifier in sorted(labelled):
        span = candidates[identifier]
        row = {
            **{k: span[k] for k in ("corpus", "path", "doc", "start", "end", "sha256", "origin")}
        }
        row = {"id": identifier, **row, **labelled[identifier]}
        out.append({name: row.get(name) for name in LABEL_FIELDS})
    (HERE / "labels.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8"
    )
    (HERE / "double_labelling.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in double), encoding="utf-8"
    )
    findings = sum(r["kind"] != "none" for r in out)
    print(f"{len(out)} labelled spans ({findings} findings), {len(double)} labelled twice")


if __name__ == "__main__":
    main()

"""The labelled corpus: loading it as one table, and the statistics that describe it.

Layout (see ``corpus/README.md``): ``fy2565/findings.jsonl`` (the real seed report, parsed and
labelled), ``fy2566/labels.jsonl`` (the sample reports' findings, keyed by ``finding_id``) and
``extra/*.jsonl`` (findings from other Thai public bodies, written for the project).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline.shared.settings import CORPUS_DIR
from pipeline.shared.taxonomy import CATEGORY_IDS

#: Columns every labelled finding has once loaded.
CORPUS_COLUMNS = (
    "finding_id",
    "fiscal_year",
    "source",
    "agency",
    "committee",
    "kind",
    "recipient_type",
    "text",
    "label",
    "label_source",
    "format",
    "subset",
    "rule_label",
)
LABEL_SOURCES = ("heading", "annotator", "analyst")


class CorpusError(ValueError):
    """A corpus file that breaks the corpus's rules; the message names the file and line."""


def _read_jsonl(path: Path) -> list[dict]:
    from pipeline.shared.tables import numbered_records

    rows = []
    try:
        records = list(numbered_records(path))
    except ValueError as error:
        raise CorpusError(str(error)) from None
    for number, row in records:
        row["label"] = row.get("label") or row.pop("category", None)  # written files say category
        if row["label"] not in CATEGORY_IDS:
            raise CorpusError(
                f"{path}:{number}: unknown label {row.get('label')!r}; "
                f"expected one of {', '.join(CATEGORY_IDS)}"
            )
        row["_line"] = number
        rows.append(row)
    return rows


#: Real findings of other public bodies, materialised from their standoff labels (not in git).
REAL_LABELS = Path("real") / "labels.jsonl"
REAL_TEXTS = Path("real") / "texts" / "findings.jsonl"


def load_real(root: Path | str = CORPUS_DIR) -> pd.DataFrame | None:
    """The real findings materialised by ``findings corpus build-real``; None if not built.

    Spans labelled ``none`` (not a finding) are left out: they have no category.
    """
    path = Path(root) / REAL_TEXTS
    if not path.exists():
        return None
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]
    rows = [r for r in rows if r["kind"] != "none"]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return None
    return frame.assign(
        finding_id="real:" + frame["id"],
        source="thaigov:" + frame["doc"].astype(str),
        label=frame["category"],
        label_source="annotator",
        fiscal_year=None,
        agency=None,
        committee=None,
        recipient_type=None,
        format="standoff",
        subset="real",
    )


def real_labels_newer_than_texts(root: Path | str = CORPUS_DIR) -> bool:
    """Whether the standoff labels changed after the texts were last built."""
    labels, texts = Path(root) / REAL_LABELS, Path(root) / REAL_TEXTS
    if not labels.exists():
        return False
    return not texts.exists() or labels.stat().st_mtime > texts.stat().st_mtime


def load_corpus(
    root: Path | str = CORPUS_DIR,
    *,
    years: list[int] | None = None,
    extra: bool = True,
    real: bool | None = None,
) -> pd.DataFrame:
    """All labelled findings under ``root`` as one frame, optionally only some fiscal years.

    ``subset`` says where a finding comes from: ``real`` (real findings of other public bodies,
    standoff labels materialised from the source), ``seed`` (the real BMA report), ``samples``
    (written for the project, laid out as reports) or ``extra`` (written for the project, other
    bodies). ``real``: True requires the real findings' texts to be built and up to date (else
    :class:`CorpusError` says how), None takes them when they are, False leaves them out.
    """
    root = Path(root)
    frames = []
    for path in sorted(root.glob("fy*/findings.jsonl")) + sorted(root.glob("fy*/labels.jsonl")):
        rows = _read_jsonl(path)
        subset = "seed" if path.name == "findings.jsonl" else "samples"
        frames.append(pd.DataFrame(rows).assign(subset=subset))
    if extra:
        for path in sorted((root / "extra").glob("*.jsonl")):
            rows = _read_jsonl(path)
            frame = pd.DataFrame(rows)
            frame = frame.assign(
                finding_id=[f"{path.stem}:{r['_line']}" for r in rows],
                source=f"{path.relative_to(root).as_posix()}",
                fiscal_year=None,
                label_source="annotator",
                subset="extra",
            )
            frames.append(frame)
    if real is not False:
        stale = real_labels_newer_than_texts(root)
        if stale and real:
            raise CorpusError(
                f"{root / REAL_LABELS}: the real findings' texts are not built or older than their "
                "labels; run `findings corpus build-real` first (or train with --no-real)"
            )
        real_frame = None if stale else load_real(root)
        if real_frame is not None:
            frames.append(real_frame)
    if not frames:
        raise CorpusError(f"{root}: no labelled findings (expected fy*/findings.jsonl or labels)")
    corpus = pd.concat(frames, ignore_index=True)
    for name in CORPUS_COLUMNS:
        if name not in corpus.columns:
            corpus[name] = None
    # the label under the guidelines where a report's own heading files a finding otherwise
    corpus["rule_label"] = corpus["rule_label"].fillna(corpus["label"])
    corpus["fiscal_year"] = pd.array(corpus["fiscal_year"], dtype="Int64")
    corpus["committee"] = pd.array(corpus["committee"], dtype="Int64")
    if years:
        keep = corpus["fiscal_year"].isin(years) | corpus["subset"].isin(["extra", "real"])
        corpus = corpus[keep]
    return corpus[list(CORPUS_COLUMNS)].reset_index(drop=True)


def near_duplicates(texts: list[str], threshold: float = 0.9) -> list[tuple[int, int, float]]:
    """Pairs of texts whose character 2-4-gram TF-IDF cosine is at least ``threshold``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    if len(texts) < 2:
        return []
    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(texts)
    similarity = cosine_similarity(matrix, dense_output=False).tocoo()
    return sorted(
        (int(i), int(j), float(s))
        for i, j, s in zip(similarity.row, similarity.col, similarity.data)
        if i < j and s >= threshold
    )


def statistics(corpus: pd.DataFrame) -> dict[str, pd.DataFrame | float | int]:
    """Counts per category × kind, per committee, per format, per agency; near-duplicate share."""
    by_kind = pd.crosstab(corpus["label"], corpus["kind"], margins=True, margins_name="all")
    by_kind = by_kind.reindex([*CATEGORY_IDS, "all"]).fillna(0).astype(int)
    by_subset = pd.crosstab(corpus["label"], corpus["subset"], margins=True, margins_name="all")
    by_subset = by_subset.reindex([*CATEGORY_IDS, "all"]).fillna(0).astype(int)
    samples = corpus[corpus["subset"] == "samples"]
    by_committee = pd.crosstab(
        samples["committee"], samples["kind"], margins=True, margins_name="all"
    )
    reports = samples.groupby("source").agg(format=("format", "first"), findings=("text", "size"))
    by_format = reports.groupby("format").agg(
        reports=("findings", "size"), findings=("findings", "sum")
    )
    per_agency = samples.groupby("agency").size()
    pairs = near_duplicates(list(corpus["text"]))
    involved = {i for pair in pairs for i in pair[:2]}
    return {
        "by_kind": by_kind,
        "by_subset": by_subset,
        "by_committee": by_committee,
        "by_format": by_format,
        "per_agency": per_agency.describe()[["count", "min", "50%", "max"]]
        .astype(int)
        .to_frame("findings"),
        "near_duplicate_pairs": len(pairs),
        "near_duplicate_share": len(involved) / max(1, len(corpus)),
        "findings": len(corpus),
        "label_sources": corpus["label_source"].value_counts().to_frame("findings"),
    }


def agreement(path: Path | str) -> pd.DataFrame:
    """Cohen's kappa between the two independent labellings of ``double_labelling.jsonl``."""
    from sklearn.metrics import cohen_kappa_score

    rows = pd.read_json(path, lines=True)
    rows["subset"] = rows["written"].notna().map({True: "FY2566 samples", False: "FY2565 seed"})
    table = {}
    for name, group in [*rows.groupby("subset"), ("all", rows)]:
        table[name] = {
            "findings": len(group),
            "agreed": int((group["label_1"] == group["label_2"]).sum()),
            "kappa": round(cohen_kappa_score(group["label_1"], group["label_2"]), 3),
            "changed_by_adjudication": int((group["final"] != group["label_1"]).sum()),
        }
    return pd.DataFrame.from_dict(table, orient="index")


def real_agreement(path: Path | str) -> pd.DataFrame:
    """Agreement of the two independent labellings of the real sample (``corpus/real``).

    Kind is compared over every span (obstacle, recommendation, none); category over the spans
    both annotators took for a finding. Adjudication settles each disagreement under the
    guidelines; ``changed_by_adjudication`` counts spans whose final label is not annotator 1's.
    """
    from sklearn.metrics import cohen_kappa_score

    rows = pd.read_json(path, lines=True, dtype=False)
    both = rows[(rows["kind_1"] != "none") & (rows["kind_2"] != "none")]
    changed = (rows["final"].fillna("-") != rows["label_1"].fillna("-")) | (
        rows["kind"] != rows["kind_1"]
    )
    table = {
        "kind (obstacle / recommendation / none)": {
            "spans": len(rows),
            "agreed": int((rows["kind_1"] == rows["kind_2"]).sum()),
            "kappa": round(cohen_kappa_score(rows["kind_1"], rows["kind_2"]), 3),
            "changed_by_adjudication": int((rows["kind"] != rows["kind_1"]).sum()),
        },
        "category (spans both took for findings)": {
            "spans": len(both),
            "agreed": int((both["label_1"] == both["label_2"]).sum()),
            "kappa": round(cohen_kappa_score(both["label_1"], both["label_2"]), 3),
            "changed_by_adjudication": int(changed[both.index].sum()),
        },
    }
    return pd.DataFrame.from_dict(table, orient="index")


#: The tables of :func:`statistics`, titled as ``findings corpus stats`` prints them.
STATISTICS_TITLES = {
    "by_kind": "Findings per category and kind",
    "by_subset": "Findings per category and subset (real: real findings of other Thai public "
    "bodies; seed: the real FY2565 report; samples: FY2566 sample reports; extra: other Thai "
    "public bodies, written for the project)",
    "by_committee": "FY2566 samples per committee and kind",
    "by_format": "FY2566 sample reports per format",
    "per_agency": "FY2566 findings per agency",
    "label_sources": "Label sources",
}


def statistics_markdown(root: Path | str = CORPUS_DIR) -> str:
    """The corpus's statistics and its annotators' agreement, as Markdown."""
    from pipeline.shared.tables import markdown_table

    def table(frame) -> str:
        return markdown_table(frame, str(frame.index.name or ""))

    root = Path(root)
    stats = statistics(load_corpus(root))
    out = [f"{stats['findings']} labelled findings.", ""]
    for key, title in STATISTICS_TITLES.items():
        out += [f"**{title}**", "", table(stats[key]), ""]
    out.append(
        "Near-duplicates (character 2-4-gram TF-IDF cosine >= 0.9): "
        f"{stats['near_duplicate_pairs']} pairs; "
        f"{stats['near_duplicate_share']:.1%} of findings have one."
    )
    double = root / "double_labelling.jsonl"
    if double.exists():
        out += ["", "**Double labelling (Cohen's kappa)**", "", table(agreement(double))]
    real_double = root / "real" / "double_labelling.jsonl"
    if real_double.exists() and real_double.stat().st_size:
        out += [
            "",
            "**Real findings labelled twice, independently (Cohen's kappa)**",
            "",
            table(real_agreement(real_double)),
        ]
    return "\n".join(out)

"""The column contract of the findings table: every stage and test takes its names from here."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


class col:
    FINDING_ID = "finding_id"
    SOURCE = "source"
    LINE = "line"
    FISCAL_YEAR = "fiscal_year"
    COMMITTEE = "committee"
    AGENCY = "agency"
    KIND = "kind"
    FACTOR = "factor"
    RECIPIENT_TYPE = "recipient_type"
    RECIPIENT_AGENCY = "recipient_agency"
    PATH = "path"
    HEADING_CATEGORY = "heading_category"
    HEADING_SOURCE = "heading_source"
    CONTEXT = "context"
    TEXT = "text"
    RAW_TEXT = "raw_text"
    REPAIRS = "repairs"
    TOKENS = "tokens"
    CATEGORY = "category"
    CONFIDENCE = "confidence"
    CATEGORY_2 = "category_2"
    CONFIDENCE_2 = "confidence_2"
    CATEGORY_SOURCE = "category_source"
    NEEDS_REVIEW = "needs_review"
    MODEL = "model"
    MODEL_CATEGORY = "model_category"
    MODEL_CONFIDENCE = "model_confidence"
    EVIDENCE = "evidence"
    SUBTHEME = "subtheme"
    MENTIONED_AGENCIES = "mentioned_agencies"  # added with the reports (report.make_reports)
    ANALYST_CATEGORY = "analyst_category"  # the review sheet's column the analyst fills in
    NOTE = "note"


#: Columns the segmenter produces, in output order.
FINDING_COLUMNS = (
    col.FINDING_ID,
    col.SOURCE,
    col.LINE,
    col.FISCAL_YEAR,
    col.COMMITTEE,
    col.AGENCY,
    col.KIND,
    col.FACTOR,
    col.RECIPIENT_TYPE,
    col.RECIPIENT_AGENCY,
    col.PATH,
    col.HEADING_CATEGORY,
    col.HEADING_SOURCE,
    col.CONTEXT,
    col.TEXT,
    col.RAW_TEXT,
    col.REPAIRS,
)

INTEGER_COLUMNS = (col.LINE, col.FISCAL_YEAR, col.COMMITTEE)

KINDS = ("obstacle", "recommendation", "observation")
FACTORS = ("internal", "external")
RECIPIENT_TYPES = ("agency", "kpi_owner", "executives")


class SchemaError(ValueError):
    """A frame lacks columns that a stage needs."""


def require(frame: pd.DataFrame, columns: Iterable[str], *, stage: str) -> None:
    """Raise :class:`SchemaError` naming the stage and the missing columns."""
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise SchemaError(f"{stage}: missing column(s) {', '.join(missing)}")


def findings_frame(records: Iterable[dict]) -> pd.DataFrame:
    """Build a findings table with every contract column, in order, and nullable integers."""
    frame = pd.DataFrame.from_records(list(records), columns=list(FINDING_COLUMNS))
    for name in INTEGER_COLUMNS:
        frame[name] = pd.array(frame[name], dtype="Int64")
    return frame

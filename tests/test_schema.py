"""The column contract: a stage names what it misses, and a findings table has every column, in
order, with nullable integers."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.shared.schema import (
    FINDING_COLUMNS,
    INTEGER_COLUMNS,
    KINDS,
    SchemaError,
    col,
    findings_frame,
    require,
)
from pipeline.shared.vocabulary import KIND_TH


def test_a_stage_names_itself_and_every_column_it_misses():
    frame = pd.DataFrame({col.TEXT: ["งบประมาณไม่เพียงพอ"]})
    require(frame, [col.TEXT], stage="tokenize")  # all there: nothing raised
    with pytest.raises(SchemaError, match=r"^aggregate: missing column\(s\) agency, kind$"):
        require(frame, [col.TEXT, col.AGENCY, col.KIND], stage="aggregate")


def test_a_findings_table_has_every_column_in_order():
    frame = findings_frame(
        [
            {col.TEXT: "รถดูดโคลนชำรุดบ่อย", col.FISCAL_YEAR: 2566, col.LINE: 4},
            {col.TEXT: "ควรจัดหารถดูดโคลนเพิ่ม", col.COMMITTEE: 3},
        ]
    )
    assert tuple(frame.columns) == FINDING_COLUMNS
    assert all(frame[name].dtype == "Int64" for name in INTEGER_COLUMNS)
    assert frame[col.FISCAL_YEAR].tolist() == [2566, pd.NA]
    assert frame[col.COMMITTEE].tolist() == [pd.NA, 3]
    assert frame[col.AGENCY].isna().all()
    empty = findings_frame([])
    assert empty.empty and tuple(empty.columns) == FINDING_COLUMNS


def test_every_kind_has_its_thai_name():
    assert set(KIND_TH) == set(KINDS)
    assert KIND_TH["obstacle"] == "ปัญหาอุปสรรค" and KIND_TH["recommendation"] == "ข้อเสนอแนะ"

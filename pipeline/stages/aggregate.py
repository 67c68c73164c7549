"""Aggregate stage: counts of classified findings per agency, per committee (B2) and overall (B3).

Every table has Thai headers, as the analysts' workbook shows them. Counts never lose a finding:
the per-agency rows add up to the per-committee rows, and those to the overall table.
"""

from __future__ import annotations

import pandas as pd

from pipeline.shared import schema
from pipeline.shared.schema import KINDS, col
from pipeline.shared.taxonomy import BY_ID, CATEGORY_IDS, category_th
from pipeline.shared.vocabulary import COLUMN_TH, KIND_TH

REQUIRES = (col.AGENCY, col.COMMITTEE, col.KIND, col.CATEGORY)
NO_AGENCY = "(ไม่ระบุหน่วยงาน)"
NO_COMMITTEE = "(ไม่ระบุคณะ)"
TOTAL = "รวม"
AGENCIES_REPORTING = "จำนวนหน่วยงานที่พบ"


def _prepared(findings: pd.DataFrame) -> pd.DataFrame:
    schema.require(findings, REQUIRES, stage="aggregate")
    return findings.assign(
        **{
            col.AGENCY: findings[col.AGENCY].astype(object).fillna(NO_AGENCY),
            col.COMMITTEE: findings[col.COMMITTEE]
            .astype(object)
            .where(findings[col.COMMITTEE].notna(), NO_COMMITTEE),
            col.KIND: findings[col.KIND].astype(object).fillna("obstacle"),
        }
    )


def _pivot(frame: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    table = pd.crosstab([frame[i] for i in index], frame[col.CATEGORY])
    table = table.reindex(columns=list(CATEGORY_IDS), fill_value=0)
    table[TOTAL] = table.sum(axis=1)
    return table


def _thai(table: pd.DataFrame) -> pd.DataFrame:
    """Thai column and index names, and Thai kind labels."""
    table = table.rename(columns={c: category_th(c) for c in CATEGORY_IDS})
    table.index = table.index.set_names([COLUMN_TH.get(n, n) for n in table.index.names])
    if COLUMN_TH[col.KIND] in table.index.names:
        table = table.rename(index=KIND_TH, level=COLUMN_TH[col.KIND])
    return table


def per_agency(findings: pd.DataFrame) -> pd.DataFrame:
    """Counts per agency × kind × category, with the agency's committee."""
    frame = _prepared(findings)
    return _thai(_pivot(frame, [col.COMMITTEE, col.AGENCY, col.KIND])).reset_index()


def per_committee(findings: pd.DataFrame) -> pd.DataFrame:
    """The B2 table: counts per committee × kind × category, and how many agencies reported."""
    frame = _prepared(findings)
    table = _pivot(frame, [col.COMMITTEE, col.KIND])
    table["จำนวนหน่วยงาน"] = frame.groupby([col.COMMITTEE, col.KIND])[col.AGENCY].nunique()
    return _thai(table).reset_index()


def overall(findings: pd.DataFrame) -> pd.DataFrame:
    """The B3 table: per category, the findings of each kind and how many agencies reported it."""
    frame = _prepared(findings)
    counts = pd.crosstab(frame[col.CATEGORY], frame[col.KIND])
    counts = counts.reindex(index=list(CATEGORY_IDS), columns=list(KINDS), fill_value=0)
    counts[TOTAL] = counts.sum(axis=1)
    reporting = frame[frame[col.AGENCY] != NO_AGENCY].groupby(col.CATEGORY)[col.AGENCY].nunique()
    counts[AGENCIES_REPORTING] = reporting.reindex(list(CATEGORY_IDS), fill_value=0)
    counts.loc[TOTAL] = counts.sum()
    counts.loc[TOTAL, AGENCIES_REPORTING] = frame.loc[
        frame[col.AGENCY] != NO_AGENCY, col.AGENCY
    ].nunique()
    counts = counts.rename(columns=KIND_TH)
    counts.insert(0, "ปัจจัย", [_factor_th(c) for c in counts.index])
    counts.index = [category_th(c) if c in BY_ID else c for c in counts.index]
    counts.index.name = COLUMN_TH[col.CATEGORY]
    return counts.reset_index()


def _factor_th(category: str) -> str:
    if category not in BY_ID:
        return ""
    return "ปัจจัยภายใน" if BY_ID[category].factor == "internal" else "ปัจจัยภายนอก"


def by_year(findings: pd.DataFrame) -> pd.DataFrame | None:
    """Counts per category in each fiscal year and the change, when there are two years or more."""
    years = sorted(int(y) for y in findings[col.FISCAL_YEAR].dropna().unique())
    if len(years) < 2:
        return None
    frame = findings[findings[col.FISCAL_YEAR].notna()]
    table = pd.crosstab(frame[col.CATEGORY], frame[col.FISCAL_YEAR].astype(int))
    table = table.reindex(index=list(CATEGORY_IDS), fill_value=0)
    first, last = years[-2], years[-1]
    table["เปลี่ยนแปลง"] = table[last] - table[first]
    table["เปลี่ยนแปลง (%)"] = (
        (table["เปลี่ยนแปลง"] / table[first].where(table[first] > 0)) * 100
    ).round(1)
    table.columns = [f"ปีงบประมาณ {c}" if isinstance(c, int) else c for c in table.columns]
    table.index = [category_th(c) for c in table.index]
    table.index.name = COLUMN_TH[col.CATEGORY]
    return table.reset_index()

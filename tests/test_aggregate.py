"""Counts per agency, committee and overall: against the labelled corpus, and adding up."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.shared.schema import col
from pipeline.shared.taxonomy import CATEGORY_IDS, category_th
from pipeline.stages import aggregate


@pytest.fixture(scope="module")
def labelled(fy2566_labels):
    return pd.DataFrame(fy2566_labels).rename(columns={"label": col.CATEGORY})


def test_overall_counts_match_the_labelled_corpus(labelled):
    table = aggregate.overall(labelled).set_index("หมวด")
    for category in CATEGORY_IDS:
        row = table.loc[category_th(category)]
        chosen = labelled[labelled[col.CATEGORY] == category]
        assert row["ปัญหาอุปสรรค"] == (chosen[col.KIND] == "obstacle").sum()
        assert row["ข้อเสนอแนะ"] == (chosen[col.KIND] == "recommendation").sum()
        assert row["รวม"] == len(chosen)
        assert row[aggregate.AGENCIES_REPORTING] == chosen[col.AGENCY].nunique()
    assert table.loc["รวม", "รวม"] == len(labelled)
    assert table.loc["รวม", aggregate.AGENCIES_REPORTING] == 77


def test_per_agency_and_per_committee_add_up(labelled):
    agencies = aggregate.per_agency(labelled)
    committees = aggregate.per_committee(labelled)
    assert agencies["รวม"].sum() == committees["รวม"].sum() == len(labelled)
    by_committee = agencies.groupby("คณะ")["รวม"].sum()
    assert by_committee.to_dict() == labelled.groupby(col.COMMITTEE).size().to_dict()
    bang_rak = agencies[
        (agencies["หน่วยงาน"] == "สำนักงานเขตบางรัก") & (agencies["ประเภท"] == "ปัญหาอุปสรรค")
    ]
    expected = labelled[
        (labelled[col.AGENCY] == "สำนักงานเขตบางรัก") & (labelled[col.KIND] == "obstacle")
    ]
    assert bang_rak["รวม"].item() == len(expected)
    assert "อัตรากำลัง" in agencies.columns and "ประสานภายนอก" not in agencies.columns


findings_strategy = st.lists(
    st.tuples(
        st.sampled_from(["สำนักงานเขตบางรัก", "สำนักการแพทย์", None]),
        st.sampled_from([1, 2, None]),
        st.sampled_from(["obstacle", "recommendation", "observation"]),
        st.sampled_from(CATEGORY_IDS),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(findings_strategy)
def test_counts_always_add_up(rows):
    frame = pd.DataFrame(rows, columns=[col.AGENCY, col.COMMITTEE, col.KIND, col.CATEGORY])
    frame[col.COMMITTEE] = pd.array(frame[col.COMMITTEE], dtype="Int64")
    total = aggregate.overall(frame).set_index("หมวด").loc["รวม", "รวม"]
    assert total == aggregate.per_agency(frame)["รวม"].sum() == len(frame)
    assert aggregate.per_committee(frame)["รวม"].sum() == len(frame)


def test_change_between_two_years():
    frame = pd.DataFrame(
        {
            col.FISCAL_YEAR: [2565, 2565, 2566, 2566, 2566],
            col.CATEGORY: ["budget", "tools", "budget", "budget", "policy"],
        }
    )
    table = aggregate.by_year(frame).set_index("หมวด")
    assert table.loc["งบประมาณ", "ปีงบประมาณ 2565"] == 1
    assert table.loc["งบประมาณ", "เปลี่ยนแปลง"] == 1
    assert table.loc["งบประมาณ", "เปลี่ยนแปลง (%)"] == 100.0
    assert table.loc["เครื่องมือทางการบริหาร", "เปลี่ยนแปลง"] == -1
    assert aggregate.by_year(frame[frame[col.FISCAL_YEAR] == 2566]) is None

"""The gazetteer: normalising how reports name agencies, and finding agencies inside a finding."""

from __future__ import annotations

import pytest

from pipeline.shared.agencies import canonical, gazetteer, mentioned_agencies, normalize_agency


def test_gazetteer_holds_the_77_agencies():
    agencies = gazetteer()
    assert len(agencies) == 77
    assert sum(a.type == "district" for a in agencies) == 50
    assert len({a.name for a in agencies}) == 77
    assert all(a.english for a in agencies)


@pytest.mark.parametrize(
    ("written", "official"),
    [
        ("เขตหลักสี่", "สำนักงานเขตหลักสี่"),
        ("สนข. หลักสี่", "สำนักงานเขตหลักสี่"),
        ("สนข.หลักสี่", "สำนักงานเขตหลักสี่"),
        ("สำนักงานเขต หลักสี่", "สำนักงานเขตหลักสี่"),
        ("หลักสี่", "สำนักงานเขตหลักสี่"),
        ("Lak Si District Office", "สำนักงานเขตหลักสี่"),
        ("สยป.", "สำนักยุทธศาสตร์และประเมินผล"),
        ("สำนักงาน ก.ก.", "สำนักงานคณะกรรมการข้าราชการกรุงเทพมหานคร"),
        ("สำนักงบประมาณ", "สำนักงบประมาณกรุงเทพมหานคร"),
        (" สำนักการแพทย์ ", "สำนักการแพทย์"),
    ],
)
def test_common_variants_normalise_to_the_official_name(written, official):
    assert canonical(written) == official
    assert normalize_agency(written) == (official, True)


def test_an_unknown_agency_is_kept_as_written():
    assert normalize_agency(" กรมทางหลวงชนบท ") == ("กรมทางหลวงชนบท", False)
    assert canonical("") is None


def test_agencies_mentioned_in_a_finding():
    text = (
        "ควรประสานสำนักการระบายน้ำและสำนักงานเขตหลักสี่ รวมทั้ง สยป. และสนข.สาทร โดยสำนักการระบายน้ำเป็นเจ้าภาพ"
    )
    assert mentioned_agencies(text) == [
        "สำนักการระบายน้ำ",
        "สำนักงานเขตหลักสี่",
        "สำนักยุทธศาสตร์และประเมินผล",
        "สำนักงานเขตสาทร",
    ]
    assert mentioned_agencies("งบประมาณไม่เพียงพอต่อการซ่อมถนน") == []

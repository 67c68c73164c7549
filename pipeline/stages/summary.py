"""The content of the B3 summary: sections as in the real report, findings gathered into points.

Within each section and category, the findings of one sub-theme (``taxonomy.SUBTHEMES``, given by
the sub-theme model) make one statement: the sub-theme's general sentence, the agencies it was
found in, and a few of its findings quoted. The findings of no sub-theme about the same matter
are grouped by their wording into statements of the same shape. Grouping is average-linkage
agglomerative clustering on the cosine distance between word TF-IDF vectors of the findings' tokens.
It needs no number of groups fixed in advance, and average linkage keeps a group together only when
its members are similar on the whole, not through a chain of near neighbours (single linkage, and
character n-grams, chained half of a category's findings into one group on the shipped corpus).
Words rather than character n-grams, because findings about one matter share its words
(เจ้าหน้าที่ ... มีน้อยเมื่อเทียบกับ ...) while their wording differs. On the 71 FY2566 manpower
obstacles, a distance threshold of 0.85 made 26 groups, but some gathered different staff under one
representative ("too few X for the area" for X of every kind); 0.8 (average similarity at least 0.2)
makes 37 groups that each read as one matter. Near-identical findings always group, findings
sharing no word never do.

A statement never credits one agency's words to another: a group found in several agencies is
written as the agencies it was found in, then each member finding with its own agency (a place, a
number or a project in one agency's finding stays that agency's). Every finding of the input is
in the summary, and every chair's observation is listed on its own under its committee.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.shared.schema import col
from pipeline.shared.taxonomy import BY_ID, CATEGORY_IDS, SUBTHEME_OTHER, SUBTHEMES_BY_ID
from pipeline.stages.aggregate import NO_AGENCY

DISTANCE_THRESHOLD = 0.8
INTERNAL = [c for c in CATEGORY_IDS if BY_ID[c].factor == "internal"]
EXTERNAL = [c for c in CATEGORY_IDS if BY_ID[c].factor == "external"]


@dataclass
class Statement:
    """One consolidated statement: what several findings say, and who said it."""

    text: str
    agencies: list[str]
    findings: list[str] = field(default_factory=list)  # finding_ids grouped here
    #: every member finding as ``(text, agency)``, the representative first
    members: list[tuple[str, str | None]] = field(default_factory=list)
    #: a sub-theme's general sentence, true of every member (``taxonomy.SUBTHEMES``)
    general: str | None = None

    @property
    def agency_count(self) -> int:
        return len(self.agencies)


def group_similar(findings: pd.DataFrame, threshold: float = DISTANCE_THRESHOLD) -> list[Statement]:
    """Group findings that say the same thing; one statement a group, the largest first."""
    if findings.empty:
        return []
    texts = findings[col.TOKENS].fillna("").tolist()
    if len(texts) == 1:
        labels = np.array([0])
        similarity = np.ones((1, 1))
    else:
        from sklearn.cluster import AgglomerativeClustering
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.metrics.pairwise import cosine_similarity

        vectors = TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True).fit_transform(texts)
        similarity = cosine_similarity(vectors)
        labels = AgglomerativeClustering(
            n_clusters=None,
            metric="precomputed",
            linkage="average",
            distance_threshold=threshold,
        ).fit_predict(np.clip(1 - similarity, 0, None))
    statements = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        centrality = similarity[np.ix_(members, members)].mean(axis=1)
        lengths = findings[col.TEXT].iloc[members].str.len().to_numpy()
        # the most central member speaks for the group; of equals, the shorter
        best = members[np.lexsort((lengths, -centrality))[0]]
        agencies = sorted(set(findings[col.AGENCY].iloc[members].astype(object).fillna(NO_AGENCY)))
        order = [best, *(m for m in members if m != best)]
        statements.append(
            Statement(
                text=findings[col.TEXT].iloc[best],
                agencies=[a for a in agencies if a != NO_AGENCY],
                findings=findings[col.FINDING_ID].iloc[members].tolist()
                if col.FINDING_ID in findings.columns
                else [],
                members=[(findings[col.TEXT].iloc[m], _agency(findings, m)) for m in order],
            )
        )
    return sorted(statements, key=lambda s: (-s.agency_count, -len(s.findings), s.text))


def _agency(findings: pd.DataFrame, row: int) -> str | None:
    value = findings[col.AGENCY].iloc[row]
    return None if pd.isna(value) or value == NO_AGENCY else value


@dataclass
class Section:
    """A heading of the B3 summary and what stands under it."""

    title: str
    statements: list[Statement] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    empty_note: str | None = None
    structural: bool = False  # numbered like the report's own sections (๕.๑.๒), not 1) or 1.1)


def by_subtheme(findings: pd.DataFrame, kind: str) -> tuple[list[Statement], pd.DataFrame]:
    """One statement a sub-theme found (its general sentence for ``kind``, its agencies, its
    findings), the largest first; and the findings of no sub-theme, left to group by wording."""
    if col.SUBTHEME not in findings.columns or kind not in ("obstacle", "recommendation"):
        return [], findings
    statements = []
    for subtheme, group in findings.groupby(
        findings[col.SUBTHEME].astype(object).fillna(SUBTHEME_OTHER)
    ):
        if subtheme not in SUBTHEMES_BY_ID:
            continue
        agencies = sorted({a for i in range(len(group)) if (a := _agency(group, i))})
        statements.append(
            Statement(
                text=SUBTHEMES_BY_ID[subtheme].th,
                agencies=agencies,
                findings=group[col.FINDING_ID].tolist() if col.FINDING_ID in group else [],
                members=[(group[col.TEXT].iloc[i], _agency(group, i)) for i in range(len(group))],
                general=getattr(SUBTHEMES_BY_ID[subtheme], kind),
            )
        )
    rest = findings[~findings[col.SUBTHEME].isin(list(SUBTHEMES_BY_ID))]
    return sorted(statements, key=lambda s: (-len(s.members), s.text)), rest


def _listed(title: str, findings: pd.DataFrame, kind: str | None = None, **kwargs) -> Section:
    """A section: a statement per sub-theme found, then the other findings grouped by wording."""
    themed, rest = by_subtheme(findings, kind or "")
    return Section(title, statements=themed + group_similar(rest), **kwargs)


def _each(title: str, findings: pd.DataFrame) -> Section:
    """A section listing every finding on its own, with its agency (the chairs' observations)."""
    statements = [
        Statement(
            text=findings[col.TEXT].iloc[i],
            agencies=[a] if (a := _agency(findings, i)) else [],
            findings=[findings[col.FINDING_ID].iloc[i]] if col.FINDING_ID in findings else [],
            members=[(findings[col.TEXT].iloc[i], _agency(findings, i))],
        )
        for i in range(len(findings))
    ]
    return Section(title, statements=statements)


def _by_category(
    findings: pd.DataFrame, categories: list[str], empty: str, kind: str
) -> list[Section]:
    return [
        _listed(
            BY_ID[category].th,
            findings[findings[col.CATEGORY] == category],
            kind,
            empty_note=empty,
        )
        for category in categories
    ]


def _factored(findings: pd.DataFrame, empty: str, kind: str) -> list[Section]:
    return [
        Section("ปัจจัยภายใน", children=_by_category(findings, INTERNAL, empty, kind)),
        Section("ปัจจัยภายนอก", children=_by_category(findings, EXTERNAL, empty, kind)),
    ]


def build_summary(findings: pd.DataFrame) -> Section:
    """The B3 tree of section ๕: obstacles by factor and category, recommendations by recipient."""
    kind = findings[col.KIND].astype(object).fillna("obstacle")  # as the counts take it
    recipient = findings[col.RECIPIENT_TYPE].astype(object).fillna("agency")
    obstacles = findings[kind == "obstacle"]
    recommendations = findings[kind == "recommendation"]
    to_agencies = recommendations[recipient[kind == "recommendation"] == "agency"]
    to_owners = recommendations[recipient[kind == "recommendation"] == "kpi_owner"]
    to_executives = recommendations[recipient[kind == "recommendation"] == "executives"]
    observations = findings[kind == "observation"]

    owner_sections = []
    owners = to_owners[col.RECIPIENT_AGENCY].astype(object).fillna("หน่วยงานผู้ประเมิน")
    for owner, group in to_owners.groupby(owners):
        owner_sections.append(_listed(owner, group, "recommendation"))
    observation_sections = []
    for committee, group in observations.groupby(observations[col.COMMITTEE].fillna(0)):
        title = f"คณะที่ {int(committee)}" if committee else "ไม่ระบุคณะ"
        observation_sections.append(_each(title, group))

    no_obstacle = "ไม่พบประเด็นปัญหาอุปสรรคในด้านนี้"
    no_recommendation = "ไม่มีข้อเสนอแนะในด้านนี้"
    return Section(
        "สรุปปัญหาอุปสรรคและข้อเสนอแนะในการตรวจติดตามประเมินผล",
        structural=True,
        children=[
            Section(
                "ปัญหาอุปสรรคและข้อเสนอแนะในการพิจารณาทุกตัวชี้วัด",
                structural=True,
                children=[
                    Section(
                        "ปัญหาอุปสรรค แบ่งเป็น ๒ ปัจจัย ได้แก่",
                        structural=True,
                        children=_factored(obstacles, no_obstacle, "obstacle"),
                    ),
                    Section(
                        "ข้อเสนอแนะในการตรวจติดตามประเมินผล แบ่งเป็น ๓ ประเภท",
                        structural=True,
                        children=[
                            Section(
                                "ข้อเสนอแนะต่อหน่วยงานผู้รับการประเมิน",
                                structural=True,
                                children=_factored(
                                    to_agencies, no_recommendation, "recommendation"
                                ),
                            ),
                            Section(
                                "ข้อเสนอแนะต่อหน่วยงานผู้ประเมิน (เจ้าภาพตัวชี้วัด)",
                                structural=True,
                                children=owner_sections,
                                empty_note="ไม่มีข้อเสนอแนะต่อเจ้าภาพตัวชี้วัด",
                            ),
                            _listed(
                                "ข้อเสนอแนะเชิงนโยบายต่อผู้บริหารกรุงเทพมหานคร",
                                to_executives,
                                "recommendation",
                                structural=True,
                                empty_note="ไม่มีข้อเสนอแนะเชิงนโยบาย",
                            ),
                        ],
                    ),
                ],
            ),
            Section(
                "ข้อสังเกตและข้อคิดเห็นของประธานคณะกรรมการ",
                structural=True,
                children=observation_sections,
                empty_note="ไม่มีข้อสังเกตของประธานคณะกรรมการ",
            ),
        ],
    )

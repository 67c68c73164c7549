"""Score the parser on B1 reports laid out by others (`tests/data/unseen/`, with answer keys).

    python benchmarks/unseen_layouts.py        # a few seconds; writes benchmarks/unseen_layouts.md

Per file and in all: findings found (text similarity >= 0.9 to the answer key), extra rows,
findings whose kind, heading category or recipient differ, and the agency, committee and fiscal
year read. The reports were written for the project by writers who never saw the parser
(`tests/data/unseen/README.md`); `tests/test_unseen_layouts.py` holds the parser to these figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.stages.parse import score_folder  # noqa: E402

FOLDER = ROOT / "tests" / "data" / "unseen"


def totals(results) -> dict:
    """Sums over the files of :func:`pipeline.stages.parse.score_folder`'s results."""
    found = sum(s["found"] for _, s in results)
    out = {
        "files": len(results),
        "gold": sum(s["gold"] for _, s in results),
        "found": found,
        "extra": sum(len(s["extra"]) for _, s in results),
        "metadata_right": sum(not s["metadata_wrong"] for _, s in results),
    }
    for field in ("kind", "heading_category", "recipient_type"):
        wrong = sum(len(s["wrong"][field]) for _, s in results)
        out[f"{field}_right"] = (found - wrong) / found if found else 0.0
    return out


def main() -> None:
    results = score_folder(FOLDER)
    lines = [
        "# The parser on B1 layouts it was not written against",
        "",
        "Made by `python benchmarks/unseen_layouts.py` on `tests/data/unseen/` (32 reports written",
        "for the project by others; see its README).",
        "",
        "| file | findings | found | extra | kind wrong | category wrong | recipient wrong "
        "| metadata wrong |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in results:
        lines.append(
            f"| {name} | {s['gold']} | {s['found']} | {len(s['extra'])} "
            f"| {len(s['wrong']['kind'])} | {len(s['wrong']['heading_category'])} "
            f"| {len(s['wrong']['recipient_type'])} | {', '.join(s['metadata_wrong']) or '-'} |"
        )
    t = totals(results)
    lines += [
        "",
        f"**In all**: {t['found']} of {t['gold']} findings found ({t['found'] / t['gold']:.1%}), "
        f"{t['extra']} extra rows; of the findings found, kind right {t['kind_right']:.1%}, "
        f"heading category right {t['heading_category_right']:.1%}, recipient right "
        f"{t['recipient_type_right']:.1%}; agency, committee and year all right in "
        f"{t['metadata_right']} of {t['files']} files.",
        "",
        "What is still missed or extra, file by file:",
        "",
    ]
    for name, s in results:
        for text in s["missed"]:
            lines.append(f"- {name}: missed `{text}…`")
        for text in s["extra"]:
            lines.append(f"- {name}: extra `{text}…`")
    report = "\n".join(lines) + "\n"
    (Path(__file__).with_suffix(".md")).write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()

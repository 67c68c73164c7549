"""Model folders and their cards: what a model is, without loading it.

A model lives in ``models/NAME/``: its file and ``card.json`` (what it was trained on, with hashes;
library versions; metrics; threshold; date), and ``models/DEFAULT`` names the default. Reading
cards needs neither scikit-learn nor skops, so ``findings models`` and ``models show`` start as
fast as ``--help``; :mod:`pipeline.learning.models` loads the estimators.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from pipeline.shared.taxonomy import BY_ID, CATEGORY_IDS

KEYWORDS = "keywords"
MODEL_FILE = "model.skops"
CARD_FILE = "card.json"
DEFAULT_FILE = "DEFAULT"
MODELS_DIR = None  # None: the shipped models, found by ``pipeline.shared.settings.models_dir``


class ModelError(ValueError):
    """A model that cannot be found, trusted or loaded; the message says which and why."""


def read_card(folder: Path) -> dict:
    path = folder / CARD_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: no model card; every model folder needs one") from None
    except json.JSONDecodeError as error:
        raise ModelError(f"{path}: the card is not valid JSON ({error.msg})") from None


def update_card(folder: Path, **fields) -> dict:
    """Add fields to a model's card (the model file, and so its hash, stay as they are)."""
    from pipeline.shared.tables import atomic_path

    card = {**read_card(folder), **fields}
    with atomic_path(folder / CARD_FILE) as temporary:
        temporary.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return card


def models_root(models_dir: Path | None) -> Path:
    """``models_dir`` if given, else the shipped models' folder."""
    from pipeline.shared.settings import models_dir as shipped

    return Path(models_dir) if models_dir is not None else shipped()


def default_name(models_dir: Path | None = MODELS_DIR) -> str:
    """The default model's name, from ``models/DEFAULT``; never a silent switch to keywords."""
    marker = models_root(models_dir) / DEFAULT_FILE
    if not marker.exists():
        raise ModelError(
            f"no default model: {marker} not found (set FINDINGS_HOME to the folder holding "
            "models/, or name a model with --model; --model keywords uses the keyword baseline)"
        )
    return marker.read_text(encoding="utf-8").strip()


def set_default(name: str, models_dir: Path | None = MODELS_DIR) -> None:
    from pipeline.shared.tables import atomic_path

    with atomic_path(models_root(models_dir) / DEFAULT_FILE) as temporary:
        temporary.write_text(name + "\n", encoding="utf-8")


def list_models(models_dir: Path | None = MODELS_DIR) -> list[dict]:
    """The cards of every model folder, newest first."""
    cards = []
    for folder in sorted(p for p in models_root(models_dir).glob("*") if p.is_dir()):
        try:
            cards.append(read_card(folder))
        except ModelError:
            continue
    return sorted(cards, key=lambda c: c.get("created", ""), reverse=True)


def _table(rows: dict, index_name: str) -> str:
    import pandas as pd

    from pipeline.shared.tables import markdown_table

    def cell(value) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "-"
        if isinstance(value, float) and value.is_integer() and value > 1:  # a count
            return f"{int(value):,}"
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    return markdown_table(pd.DataFrame(rows).T, index_name, cell=cell)


def card_markdown(card: dict) -> str:
    """A card's results as Markdown, real text first: the frozen real set, the real seed, the
    cross-validation on real text; figures on text written for the project come last, marked."""
    frozen = card.get("frozen_evaluation", {})
    cv = card.get("cross_validation") or {}
    lines = [
        f"Model `{card['name']}` ({card['created']}), trained on "
        f"{card['training_data']['findings']:,} findings "
        f"({', '.join(f'{k} {v:,}' for k, v in card['training_data']['subsets'].items())}); "
        f"data hash `{card['training_data']['sha256'][:12]}`.",
        "",
    ]
    real = frozen.get("real")
    if real:
        models = {"model": real["model"], "written-only model": real.get("written_only")}
        models[KEYWORDS] = real[KEYWORDS]
        models = {k: v for k, v in models.items() if v}
        rows = {
            f"{c} ({BY_ID[c].th})": {
                **{f"{k} F1": v["per_category"][c]["f1"] for k, v in models.items()},
                "support": real["model"]["per_category"][c]["support"],
            }
            for c in CATEGORY_IDS
        }
        rows["**macro-F1**"] = {
            **{f"{k} F1": v["macro_f1"] for k, v in models.items()},
            "support": real["findings"],
        }
        rows["accuracy"] = {f"{k} F1": v["accuracy"] for k, v in models.items()}
        rows["expected calibration error"] = {
            f"{k} F1": v["reliability"]["ece"] for k, v in models.items()
        }
        lines += [
            f"**Real text: the frozen real set** ({real['findings']} findings of other Thai public "
            "bodies, whole pages never trained on; `corpus/real/frozen_eval.json`):",
            "",
            _table(rows, "category"),
            "",
            "Reliability of the model's confidence on the frozen real set:",
            "",
            _table(
                {b.pop("bin"): b for b in [dict(x) for x in real["model"]["reliability"]["bins"]]},
                "confidence",
            ),
            "",
        ]
    seed = frozen.get("2565")
    if seed:
        row = {"model": seed["model"]["macro_f1"], KEYWORDS: seed[KEYWORDS]["macro_f1"]}
        if seed.get("written_only"):
            row["written-only model"] = seed["written_only"]["macro_f1"]
        rows = {f"by the report's headings ({seed['findings']})": row}
        if "model_by_guidelines" in seed:
            rows[f"{seed['relabelled']} relabelled by GUIDELINES §4"] = {
                "model": seed["model_by_guidelines"]["macro_f1"],
                KEYWORDS: seed["keywords_by_guidelines"]["macro_f1"],
            }
        lines += ["**Real text: the FY2565 seed** (macro-F1):", "", _table(rows, "labels"), ""]
    if cv.get("real"):
        part = cv["real"]
        review = cv["review"]
        lines += [
            f"**Real text, {cv['folds']}-fold cross-validation grouped by page** "
            f"({part['findings']} real findings out of fold; trained on the rest, real and "
            f"written): macro-F1 {part['model']['macro_f1']:.3f} against "
            f"{part[KEYWORDS]['macro_f1']:.3f} for the keywords; calibration temperature "
            f"{cv['temperature']}, expected calibration error {part['reliability']['ece']} "
            f"({part['reliability_uncalibrated']['ece']} before calibration). Review threshold "
            f"{review['threshold']}: the {review['share_above']:.0%} of real findings at or "
            f"above it are right {review['precision_above'] or 0:.0%} of the time; the rest are "
            f"flagged and hold {review.get('errors_flagged', 0):.0%} of the errors.",
            "",
        ]
    written = {}
    if cv.get("written"):
        part = cv["written"]
        written[f"cross-validation ({part['findings']})"] = {
            "model": part["model"]["macro_f1"],
            KEYWORDS: part[KEYWORDS]["macro_f1"],
        }
    for key, result in frozen.items():
        if key in ("real", "2565"):
            continue
        written[f"FY{key} frozen set ({result['findings']})"] = {
            "model": result["model"]["macro_f1"],
            KEYWORDS: result[KEYWORDS]["macro_f1"],
        }
    if written:
        lines += [
            "Text written for the project (sample reports and other bodies' findings; these "
            "figures come after the real ones because the model has seen this writing style):",
            "",
            _table(written, "macro-F1"),
            "",
        ]
    if card.get(
        "subthemes"
    ):  # the sub-theme model saved beside this one (pipeline.learning.subtheme)
        from pipeline.learning.subtheme import card_markdown as subtheme_markdown

        lines += [
            "**Sub-themes** (`findings subthemes train`; the frozen sets as above: real first, "
            "2565 the seed's 45, 2566 written for the project):",
            "",
            subtheme_markdown(card["subthemes"]),
            "",
        ]
    return "\n".join(lines)

"""Model cards: read, listed and written as Markdown, real text first."""

from __future__ import annotations

from pipeline.learning.cards import KEYWORDS, card_markdown, read_card


def test_the_shipped_card_reads_real_text_first(repository):
    card = read_card(repository / "models" / "default")
    markdown = card_markdown(card)
    real = card["frozen_evaluation"]["real"]
    order = [
        markdown.index("**Real text: the frozen real set**"),
        markdown.index("**Real text: the FY2565 seed**"),
        markdown.index("Text written for the project"),
    ]
    assert order == sorted(order)
    macro = next(line for line in markdown.splitlines() if line.startswith("| **macro-F1** |"))
    assert macro.split(" | ")[1] == f"{real['model']['macro_f1']:.3f}"
    assert f"{real['findings']} findings of other Thai public bodies" in markdown


def test_a_card_without_real_text_says_only_what_it_has():
    card = {
        "name": "small",
        "created": "2024-01-01",
        "training_data": {"findings": 120, "subsets": {"samples": 120}, "sha256": "ab" * 32},
        "cross_validation": {
            "folds": 5,
            "written": {
                "findings": 120,
                "model": {"macro_f1": 0.75},
                KEYWORDS: {"macro_f1": 0.5},
            },
        },
        "frozen_evaluation": {},
    }
    markdown = card_markdown(card)
    assert "Real text" not in markdown
    assert "trained on 120 findings (samples 120)" in markdown
    assert "| cross-validation (120) | 0.750 | 0.500 |" in markdown

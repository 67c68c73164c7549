"""thai-findings: read Thai evaluation reports, classify their findings, write the B3 summary.

The library is the product; the ``findings`` command is a thin shell over it. Parse, classify and
summarize in five lines (``findings summarize`` does exactly this)::

    import pipeline
    found = pipeline.parse_paths(["reports/fy2567"]).findings
    model = pipeline.load_model()                      # the shipped default model
    classified = pipeline.classify_findings(pipeline.tokenize_findings(found), model)
    pipeline.make_reports(classified, Path("out"))    # workbook, B3 summary, charts

Names are imported on first use, so that ``import pipeline`` (and ``findings --help``) stays fast.
"""

from __future__ import annotations

from importlib import import_module

#: public name → (module, function): the few a notebook needs, named for what they act on.
_API = {
    "parse_paths": ("pipeline.stages.parse", "parse_paths"),
    "parse_file": ("pipeline.stages.parse", "parse_file"),
    "read_inputs": ("pipeline.stages.parse", "read_inputs"),
    "tokenize_findings": ("pipeline.stages.words", "tokenize"),
    "classify_findings": ("pipeline.stages.classify", "classify"),
    "classify_batch": ("pipeline.batch.run", "classify_batch"),
    "load_model": ("pipeline.learning.models", "load_model"),
    "build_summary": ("pipeline.stages.summary", "build_summary"),
    "make_reports": ("pipeline.stages.report", "make_reports"),
    "train_model": ("pipeline.learning.train", "train"),
}
__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        module, function = _API[name]
        return getattr(import_module(module), function)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")

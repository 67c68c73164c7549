"""Where things are: the shipped models (resolved once, whatever the working folder), and the
default folders the commands read and write, relative to where they run.

``FINDINGS_HOME`` names a folder holding ``models/`` when set. Otherwise the models are the ones
installed with the package: in a checkout (an editable install) the repository's own
``models/``; in a normal install the copy packaged as ``thai_findings_models``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

HOME_VARIABLE = "FINDINGS_HOME"
CORPUS_DIR = Path("corpus")  # the labelled corpus, in a checkout
OUTPUT_DIR = Path("out")  # where ``findings summarize`` writes the year's files
SOURCES_DIR = Path("../shared/sources")  # the public texts the real findings are cut from
CHECKOUT = Path(__file__).resolve().parents[2]  # the repository, when run from a checkout


@lru_cache(maxsize=1)
def models_dir() -> Path:
    """The folder of the shipped models (``DEFAULT`` and one folder per model)."""
    if home := os.environ.get(HOME_VARIABLE):
        return Path(home).expanduser() / "models"
    if (CHECKOUT / "models" / "DEFAULT").exists():
        return CHECKOUT / "models"
    from importlib.util import find_spec

    spec = find_spec("thai_findings_models")  # a folder of data, installed as a package
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return CHECKOUT / "models"

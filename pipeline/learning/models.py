"""Classifiers and model files.

Two kinds of model answer the same calls (``predict_proba`` over the categories, ``classes_``):

- ``keywords``: the floor every trained model must beat, built from the taxonomy's cue words; it
  needs no training and no file.
- a trained scikit-learn ``Pipeline``, self-contained: the finding's text repaired and cut into
  words (:class:`FindingText`), TF-IDF of word n-grams plus character n-grams within words
  (:mod:`pipeline.learning.features`), a logistic regression whose probabilities are
  temperature-scaled (:class:`CalibratedLogistic`).

A trained model lives in ``models/NAME/`` as ``model.skops`` and ``card.json``. The types a file
holds beyond those skops trusts by itself are audited once, when it is written, and recorded in
the card (``own_types``) beside the file's SHA-256. Loading checks the hash and hands skops that
list as its trusted types, after refusing any type not on :data:`ALLOWED_TYPES` (the scikit-learn
and NumPy types the pipeline is made of, and this package's own steps, whose code is the installed
package's), so a model file passed between analysts cannot run code of its own.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from pipeline.learning.cards import (
    CARD_FILE,
    KEYWORDS,
    MODEL_FILE,
    MODELS_DIR,
    ModelError,
    default_name,
    models_root,
    read_card,
)
from pipeline.shared.taxonomy import CATEGORIES, CATEGORY_IDS


class KeywordClassifier:
    """Scores each category by the cue words of the taxonomy found in a finding's text.

    Longer cues weigh more (they are more specific); a finding with no cue gets the category
    distribution of the training data, or a uniform one before ``fit``.
    """

    def __init__(self, smoothing: float = 0.1):
        self.smoothing = smoothing
        self.classes_ = np.array(CATEGORY_IDS)
        self.prior_ = np.full(len(CATEGORY_IDS), 1 / len(CATEGORY_IDS))
        self._cues = [
            [(re.compile(re.escape(cue.replace(" ", ""))), 1 + len(cue) / 8) for cue in c.cues]
            for c in CATEGORIES
        ]

    def fit(self, texts, labels) -> KeywordClassifier:
        counts = np.array([list(labels).count(c) for c in CATEGORY_IDS], dtype=float)
        self.prior_ = (counts + 1) / (counts + 1).sum()
        return self

    def _scores(self, text: str) -> np.ndarray:
        joined = text.replace(" ", "").lower()  # tokens or raw text: cues match either way
        return np.array(
            [sum(w * len(p.findall(joined)) for p, w in cues) for cues in self._cues], dtype=float
        )

    def predict_proba(self, texts) -> np.ndarray:
        rows = []
        for text in texts:
            scores = self._scores(text)
            if scores.sum() == 0:
                rows.append(self.prior_)
            else:
                smoothed = scores + self.smoothing * self.prior_
                rows.append(smoothed / smoothed.sum())
        return np.vstack(rows) if rows else np.empty((0, len(CATEGORY_IDS)))

    def predict(self, texts) -> np.ndarray:
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]


#: Hyperparameters of the trained model, chosen with ``findings train --tune`` (see the README).
DEFAULT_PARAMS = {
    "C": 10.0,
    "word_ngrams": (1, 2),
    "char_ngrams": (2, 4),
    "word_min_df": 2,
    "head_tokens": 10,
    "written_weight": 0.5,
}
HEAD_MARK = "^"


def model_input(tokens, head: int) -> list[str]:
    """What the trained pipeline reads: the tokens, then the first ``head`` of them again, marked.

    Guideline R9 files a finding by the subject it names first; long real paragraphs wander into
    other categories' words after it. Marked copies of the opening words let the model weigh the
    subject apart from the rest (on texts written in other styles, macro-F1 rose 0.01-0.02).
    """
    if not head:
        return list(tokens)
    return [
        f"{text} {' '.join(HEAD_MARK + word for word in text.split()[:head])}" for text in tokens
    ]


class FindingText:
    """First step of a trained model: a finding's text to what the features read.

    The text is repaired as the parser repairs it, cut into words (nlpo3 with the domain
    dictionary) and followed by marked copies of its first ``head_tokens`` words (see
    :func:`model_input`). Text that has been through the tokenize stage already can skip the
    work with :meth:`from_tokens`; both give the same result, since repairing is idempotent.
    """

    def __init__(self, head_tokens: int = DEFAULT_PARAMS["head_tokens"], engine: str = "nlpo3"):
        self.head_tokens = head_tokens
        self.engine = engine

    def get_params(self, deep: bool = True) -> dict:
        return {"head_tokens": self.head_tokens, "engine": self.engine}

    def set_params(self, **params) -> FindingText:
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, texts, labels=None) -> FindingText:
        return self

    def from_tokens(self, tokens) -> list[str]:
        return model_input([str(t) for t in tokens], self.head_tokens)

    def transform(self, texts) -> list[str]:
        from pipeline.stages.words import clean_tokens

        return self.from_tokens([clean_tokens(str(t), engine=self.engine) for t in texts])

    def fit_transform(self, texts, labels=None) -> list[str]:
        return self.transform(texts)


class CalibratedLogistic(LogisticRegression):
    """Logistic regression whose probabilities are temperature-scaled, p ∝ p^(1/T).

    ``temperature`` is fitted on held-out folds at training; 1.0 leaves the probabilities as
    they are.
    """

    def __init__(
        self,
        C: float = 1.0,
        class_weight=None,
        max_iter: int = 100,
        random_state=None,
        temperature: float = 1.0,
    ):
        super().__init__(
            C=C, class_weight=class_weight, max_iter=max_iter, random_state=random_state
        )
        self.temperature = temperature

    def predict_proba(self, X):
        from pipeline.stages.classify import sharpen

        return sharpen(super().predict_proba(X), float(self.temperature))


#: The project's own steps of a saved model: trusted by name, their code is this package's.
OWN_TYPES = frozenset(
    {
        "pipeline.learning.models.FindingText",
        "pipeline.learning.models.CalibratedLogistic",
        "pipeline.learning.features.NgramUnion",
        "pipeline.learning.features.WordNgrams",
        "pipeline.learning.features.CharNgrams",
    }
)
#: Every type a saved model may hold: the pipeline's scikit-learn steps, the NumPy types of
#: their parameters and fitted attributes, the builtins skops writes, and :data:`OWN_TYPES`. A
#: card that lists a type outside it is refused; a new kind of step needs adding here (a test
#: checks that every type of a freshly trained model is on it).
ALLOWED_TYPES = OWN_TYPES | frozenset(
    {
        "sklearn.pipeline.Pipeline",
        "numpy.ndarray",
        "numpy.float64",
        "builtins.bool",
        "builtins.dict",
        "builtins.float",
        "builtins.int",
        "builtins.list",
        "builtins.str",
        "builtins.tuple",
    }
)


def build_pipeline(params: dict | None = None, *, random_state: int = 0):
    """The untrained model, self-contained: text → words → TF-IDF → calibrated regression.

    Loading the saved file and calling ``predict_proba`` on findings' texts gives what
    ``classify`` gives.
    """
    from sklearn.pipeline import Pipeline

    from pipeline.learning.features import CharNgrams, NgramUnion, WordNgrams

    params = {**DEFAULT_PARAMS, **(params or {})}
    words = WordNgrams(ngram_range=tuple(params["word_ngrams"]), min_df=params["word_min_df"])
    chars = CharNgrams(ngram_range=tuple(params["char_ngrams"]), min_df=2)
    return Pipeline(
        [
            ("text", FindingText(params["head_tokens"])),
            ("features", NgramUnion(words, chars)),
            (
                "classifier",
                CalibratedLogistic(
                    C=params["C"],
                    class_weight="balanced",
                    max_iter=5000,
                    random_state=random_state,
                ),
            ),
        ]
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class LoadedModel:
    """A model ready to classify, with its name, card and review threshold."""

    name: str
    estimator: object
    card: dict
    folder: Path | None = None  # where it was loaded from, so that worker processes load it too

    @property
    def threshold(self) -> float:
        return float(self.card.get("review_threshold", 0.5))


def dump_estimator(estimator, path: Path) -> tuple[str, list[str]]:
    """Write ``estimator`` to ``path`` as skops; its SHA-256 and the types audited in it.

    The audit (the types skops does not trust by itself) is done here, once, for the card: with
    the hash it lets every later load skip it.
    """
    import skops.io

    skops.io.dump(estimator, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    return sha256(path), own_types(path)


def save_model(estimator, card: dict, folder: Path) -> Path:
    """Write ``model.skops`` and ``card.json`` (with the file's SHA-256) into ``folder``."""
    from pipeline.shared.tables import atomic_path

    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / MODEL_FILE) as temporary:
        digest, audited = dump_estimator(estimator, temporary)
    card = {**card, "model_file": MODEL_FILE, "model_sha256": digest, "own_types": audited}
    with atomic_path(folder / CARD_FILE) as temporary:
        temporary.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return folder


def own_types(path: Path) -> list[str]:
    """The types of a saved model that skops does not trust by itself (audited at save time)."""
    import skops.io

    try:
        return sorted(skops.io.get_untrusted_types(file=path))
    except Exception as error:  # a damaged or foreign file
        raise ModelError(
            f"{path}: not a readable skops model file ({type(error).__name__})"
        ) from None


def load_estimator(path: Path, expected_sha256: str, audited: list[str] | None = None):
    """Load a ``.skops`` file only if its hash matches and every type in it is allowed.

    ``audited`` is the list of types the card recorded when the file was written (see
    :func:`dump_estimator`): the hash ties the file to it, so the slow audit is not repeated.
    skops is given that list, once checked against :data:`ALLOWED_TYPES`, as the types to
    trust, and refuses any other type it does not trust by itself. A card from before audits
    were recorded has the file audited now.
    """
    import skops.io
    from skops.io.exceptions import UntrustedTypesFoundException

    if not path.exists():
        raise ModelError(f"{path}: model file not found")
    if not expected_sha256 or sha256(path) != expected_sha256:
        raise ModelError(f"{path}: SHA-256 differs from the card's; the file was changed, refusing")
    if audited is None:
        audited = own_types(path)
    foreign = sorted(set(audited) - ALLOWED_TYPES)
    if foreign:
        raise ModelError(
            f"{path}: contains object types this project never saves ({', '.join(foreign)}); "
            "refusing to load it"
        )
    try:
        estimator = skops.io.load(path, trusted=sorted(audited))
    except UntrustedTypesFoundException:
        raise ModelError(
            f"{path}: not loadable with the types its card lists (it holds others); refusing it"
        ) from None
    except Exception as error:  # a damaged file
        raise ModelError(
            f"{path}: not a readable skops model file ({type(error).__name__})"
        ) from None
    return estimator


def load_model(name: str | None = None, models_dir: Path | None = MODELS_DIR) -> LoadedModel:
    """A model by name (a folder under ``models_dir``, a folder path, or ``keywords``); the
    shipped models wherever the command runs when ``models_dir`` is not given."""
    models_dir = models_root(models_dir)
    name = name or default_name(models_dir)
    if name == KEYWORDS:
        return LoadedModel(
            KEYWORDS, KeywordClassifier(), {"name": KEYWORDS, "review_threshold": 0.5}
        )
    try:
        folder = Path(name) if Path(name).is_dir() else models_dir / name
        found = folder.is_dir()
    except (OSError, ValueError):  # a name too long for the file system, a NUL in it
        found = False
    if not found:
        known = ", ".join(sorted(p.name for p in models_dir.glob("*") if p.is_dir()))
        raise ModelError(f"unknown model {name[:80]!r}; expected one of {KEYWORDS}, {known}")
    folder = folder.resolve()
    stamp = tuple((p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*")))
    return _load_folder(folder, stamp)


@lru_cache(maxsize=4)
def _load_folder(folder: Path, stamp: tuple) -> LoadedModel:
    """A model folder, loaded once per process while its files are unchanged (``stamp``)."""
    card = read_card(folder)
    digest = card.get("model_sha256")
    if not isinstance(digest, str) or len(digest) != 64:
        raise ModelError(f"{folder / CARD_FILE}: the card has no model_sha256; refusing the model")
    model_file = (folder / str(card.get("model_file", MODEL_FILE))).resolve()
    if model_file.parent != folder.resolve():
        raise ModelError(
            f"{folder / CARD_FILE}: model_file points outside the model's folder; refusing it"
        )
    estimator = load_estimator(model_file, digest, card.get("own_types"))
    return LoadedModel(card.get("name", folder.name), estimator, card, folder)

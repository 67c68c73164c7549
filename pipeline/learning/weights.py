"""A trained model as the arrays it classifies with: what ``findings classify`` loads.

A trained model's steps (:mod:`pipeline.learning.estimators`) are scikit-learn objects, saved with
skops for training and evaluation. Classifying needs only what they learnt: how many opening words
are marked, the two n-gram vocabularies and their idf, the regression's weights and the
calibration's temperature. These are written beside the skops file as ``weights.npz`` (NumPy
arrays, read with ``allow_pickle=False``: no code, no objects), the card holding its SHA-256, and
classify here with numpy and scipy alone. Importing scikit-learn and skops is most of the start-up
of a command that classifies; this spares it. The probabilities are those of the estimator's
``predict_proba``, to the last bit (``tests/test_weights.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from pipeline.learning.cards import ModelError
from pipeline.learning.ngrams import (
    char_counts,
    char_names,
    split_words,
    sublinear_tfidf,
    word_counts,
    word_names,
)

WEIGHTS_FILE = "weights.npz"
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


def sharpen(proba: np.ndarray, temperature: float) -> np.ndarray:
    """Temperature scaling, p ∝ p^(1/T): the calibration fitted on held-out folds at training."""
    if temperature == 1.0 or proba.size == 0:
        return proba
    logits = np.log(np.clip(proba, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return scaled / scaled.sum(axis=1, keepdims=True)


@dataclass(eq=False)
class ModelWeights:
    """The fitted arrays of a trained pipeline (text → word and character n-grams → calibrated
    logistic regression), and the pipeline's arithmetic on them."""

    head_tokens: int  # opening words marked (:func:`model_input`)
    engine: str  # tokenizer of raw text
    word_range: np.ndarray  # (low, high)
    vocabulary: np.ndarray  # the word n-grams' words, numbered from 1 in this order
    word_keys: np.ndarray
    word_columns: np.ndarray
    word_idf: np.ndarray
    char_range: np.ndarray
    alphabet: np.ndarray  # code points
    char_keys: np.ndarray
    char_idf: np.ndarray
    classes: np.ndarray  # category ids, in the order of the regression's rows
    coef: np.ndarray  # classes × features
    intercept: np.ndarray
    temperature: float

    @classmethod
    def of(cls, estimator) -> ModelWeights:
        """The weights of a trained pipeline (``estimators.build_pipeline``'s)."""
        text, features, classifier = (estimator.named_steps[s] for s in STEPS)
        words, chars = features.words, features.chars
        return cls(
            head_tokens=int(text.head_tokens),
            engine=str(text.engine),
            word_range=np.array(words.ngram_range, dtype=np.int64),
            vocabulary=words._vocabulary(),
            word_keys=words.keys_,
            word_columns=words.columns_,
            word_idf=words.idf_,
            char_range=np.array(chars.ngram_range, dtype=np.int64),
            alphabet=chars.alphabet_,
            char_keys=chars.keys_,
            char_idf=chars.idf_,
            classes=np.asarray(classifier.classes_, dtype=object),
            coef=classifier.coef_,
            intercept=classifier.intercept_,
            temperature=float(classifier.temperature),
        )

    def save(self, path: Path) -> None:
        """Write the arrays as ``.npz``, strings as NumPy unicode arrays: no object is pickled."""
        arrays = {field.name: getattr(self, field.name) for field in fields(self)}
        for name in _TEXT_ARRAYS:  # as UTF-8 bytes: a unicode array would drop trailing NULs
            arrays[name] = np.frombuffer(_joined(arrays[name]), dtype=np.uint8)
        with open(path, "wb") as out:
            np.savez_compressed(out, **arrays)

    @classmethod
    def load(cls, path: Path) -> ModelWeights:
        """Read a weights file; ModelError if it is not one (nothing in it can run)."""
        try:
            with np.load(path, allow_pickle=False) as stored:
                values = {field.name: stored[field.name] for field in fields(cls)}
        except (OSError, ValueError, KeyError, EOFError) as error:
            raise ModelError(f"{path}: not a readable weights file ({error})") from None
        for name in ("head_tokens", "temperature"):
            values[name] = values[name].item()
        values["engine"] = str(values["engine"])
        try:
            for name in _TEXT_ARRAYS:
                values[name] = _split(values[name])
        except (UnicodeDecodeError, TypeError, ValueError):
            raise ModelError(f"{path}: not a readable weights file (its words)") from None
        weights = cls(**values)
        problem = weights._problem()
        if problem:
            raise ModelError(f"{path}: {problem}; refusing it")
        return weights

    def _problem(self) -> str | None:
        """What makes these arrays unusable together, if anything."""
        columns = len(self.word_keys) + len(self.char_keys)
        rows = 1 if len(self.classes) == 2 else len(self.classes)  # one row for two classes
        if len(self.classes) < 2 or self.coef.shape != (rows, columns):
            return f"weights of shape {self.coef.shape} for {len(self.classes)} classes"
        if self.intercept.shape != (rows,):
            return "the intercepts do not match the classes"
        if len(self.word_idf) != len(self.word_keys) or len(self.char_idf) != len(self.char_keys):
            return "an idf of another length than its vocabulary"
        if len(self.word_columns) and self.word_columns.max() >= len(self.word_keys):
            return "a word n-gram's column out of range"
        return None

    def features(self, tokens) -> sp.csr_matrix:
        """The feature matrix of tokenized findings (``FindingText.from_tokens`` onwards)."""
        words = split_words(model_input([str(t) for t in tokens], self.head_tokens))
        word_part = word_counts(
            words, self.vocabulary, self.word_keys, self.word_columns, tuple(self.word_range)
        )
        char_part = char_counts(words, self.alphabet, self.char_keys, tuple(self.char_range))
        parts = [
            sublinear_tfidf(word_part, self.word_idf),
            sublinear_tfidf(char_part, self.char_idf),
        ]
        return sp.hstack(parts, format="csr")

    def scores(self, matrix: sp.csr_matrix) -> np.ndarray:
        """The regression's decision function."""
        return matrix @ self.coef.T + self.intercept

    def proba(self, matrix: sp.csr_matrix) -> np.ndarray:
        """Calibrated probabilities over :attr:`classes`, as the estimator computes them."""
        scores = self.scores(matrix)
        if len(self.classes) == 2:  # one row of weights: a logistic curve, as scikit-learn's
            from scipy.special import expit

            positive = expit(scores.ravel())
            proba = np.vstack([1 - positive, positive]).T
        else:  # softmax, its steps in scikit-learn's order
            proba = scores
            proba -= proba.max(axis=1).reshape((-1, 1))
            np.exp(proba, out=proba)
            proba /= proba.sum(axis=1).reshape((-1, 1))
        return sharpen(proba, self.temperature)

    def predict(self, texts) -> np.ndarray:
        """The category of each raw text (repaired and tokenized first), as ``predict`` gives."""
        from pipeline.stages.words import clean_tokens

        tokens = [clean_tokens(str(text), engine=self.engine) for text in texts]
        return self.classes[self.scores(self.features(tokens)).argmax(axis=1)]

    @cached_property
    def part_names(self) -> list[np.ndarray]:
        """The names of the word n-gram columns, then of the character n-gram columns."""
        words = word_names(self.vocabulary, self.word_keys, self.word_columns, self.word_range[1])
        return [words, char_names(self.alphabet, self.char_keys, self.char_range[1])]

    @cached_property
    def part_labels(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per part, each column's label number and the labels: its name as evidence shows it,
        a marked opening word (``^งบประมาณ``) as the word itself."""
        labelled = []
        for names in self.part_names:
            plain = [name.replace(HEAD_MARK, "") for name in names]
            numbers, labels = pd.factorize(np.array(plain, dtype=object))
            labelled.append((numbers, np.asarray(labels, dtype=object)))
        return labelled


STEPS = ("text", "features", "classifier")
_TEXT_ARRAYS = ("vocabulary", "classes")  # of words, which hold no whitespace


def _joined(words: np.ndarray) -> bytes:
    return "\n".join(words).encode("utf-8", "surrogatepass")


def _split(stored: np.ndarray) -> np.ndarray:
    if stored.dtype != np.uint8 or stored.ndim != 1:
        raise ValueError("not bytes")
    text = stored.tobytes().decode("utf-8", "surrogatepass")
    return np.array(text.split("\n") if text else [], dtype=object)

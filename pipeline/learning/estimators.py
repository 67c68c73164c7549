"""The steps of a trained model as scikit-learn estimators, for training and evaluation.

A trained model is a ``Pipeline``: the finding's text repaired and cut into words
(:class:`FindingText`), TF-IDF of word n-grams plus character n-grams within words
(:mod:`pipeline.learning.features`), a logistic regression whose probabilities are
temperature-scaled (:class:`CalibratedLogistic`). Classifying does not need this module: it reads
the fitted arrays (:mod:`pipeline.learning.weights`) and does not import scikit-learn.
"""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression

from pipeline.learning.weights import model_input, sharpen

#: Hyperparameters of the trained model, chosen with ``findings train --tune`` (see the README).
DEFAULT_PARAMS = {
    "C": 10.0,
    "word_ngrams": (1, 2),
    "char_ngrams": (2, 4),
    "word_min_df": 2,
    "head_tokens": 10,
    "written_weight": 0.5,
}


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
        return sharpen(super().predict_proba(X), float(self.temperature))


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

"""TF-IDF of word and character n-grams as scikit-learn steps, for training.

:class:`WordNgrams` and :class:`CharNgrams` give what scikit-learn's ``TfidfVectorizer`` gives
with ``sublinear_tf=True`` and otherwise its defaults (lowercase, smooth idf, l2 norm), reading
whitespace-separated words (``token_pattern=r"\\S+"``) or characters within words
(``analyzer="char_wb"``): the same columns in the same order and the same values, to the last
bit. :class:`NgramUnion` sets the two side by side as ``FeatureUnion`` does, cutting the texts
into words once for both. The counting is :mod:`pipeline.learning.ngrams`'s, for a whole batch at
once, with no Python dict per text.

The fitted state is numpy arrays and one string: a saved model loads fast and holds no code.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from pipeline.learning.ngrams import (
    Words,
    char_counts,
    char_names,
    char_word_grams,
    check_keys_fit,
    count_matrix,
    decode,
    encode,
    renumbered,
    smooth_idf,
    split_words,
    sublinear_tfidf,
    texts_by_ngrams,
    word_counts,
    word_grams,
    word_names,
    word_terms,
)


class _Ngrams(TransformerMixin, BaseEstimator):
    """What both kinds share: the vocabulary by document frequency, the idf, the tf-idf rows.

    A kind defines ``_count_all`` (every n-gram of the training texts, numbered in the order
    they come), ``_keep`` (make the kept ones the vocabulary, in column order) and ``_count``
    (texts × vocabulary).
    """

    def __init__(self, ngram_range, min_df):
        self.ngram_range = ngram_range
        self.min_df = min_df

    def fit(self, texts, y=None):
        return self.fit_words(split_words(texts))

    def fit_transform(self, texts, y=None) -> sp.csr_matrix:
        return self.fit_transform_words(split_words(texts))

    def transform(self, texts) -> sp.csr_matrix:
        return self.transform_words(split_words(texts))

    def fit_words(self, words: Words):
        self._fit(words)
        return self

    def fit_transform_words(self, words: Words) -> sp.csr_matrix:
        return sublinear_tfidf(self._fit(words), self.idf_)

    def transform_words(self, words: Words) -> sp.csr_matrix:
        check_is_fitted(self, "idf_")
        return sublinear_tfidf(self._count(words), self.idf_)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "idf_")
        return self._names()

    def _fit(self, words: Words) -> sp.csr_matrix:
        """Learn the vocabulary and the idf; return the training counts.

        The vectorizer's ``fit_transform`` leaves each row's terms in the order they first
        came in the training texts (its ``transform`` sorts them). Row norms summed in another
        order differ in the last bit, and so would a model trained on them: the counts
        returned keep that order.
        """
        low, high = self.ngram_range
        if not 1 <= low <= high:
            raise ValueError(f"ngram_range {self.ngram_range}: expected 1 <= min_n <= max_n")
        items, keys, counts = self._count_all(words)
        if not len(keys):
            raise ValueError("empty vocabulary: the texts hold no n-gram")
        df = np.bincount(counts.indices, minlength=len(keys))
        least = self.min_df if isinstance(self.min_df, Integral) else self.min_df * words.n_texts
        kept = np.flatnonzero(df >= least)
        if not len(kept):
            raise ValueError(f"no n-gram is in min_df={self.min_df} texts; lower min_df")
        order = self._keep(items, keys[kept])
        self.idf_ = smooth_idf(df[kept][order], words.n_texts)
        column = np.full(len(keys), -1)
        column[kept[order]] = np.arange(len(kept))
        return renumbered(counts, column, len(kept))


class WordNgrams(_Ngrams):
    """TF-IDF of word n-grams: ``TfidfVectorizer(token_pattern=r"\\S+", sublinear_tf=True)``.

    Fitted: ``words_`` (the vocabulary's words, space-separated, numbered from 1), ``keys_``
    (sorted n-gram keys of those numbers), ``columns_`` (each key's column; the columns follow
    the n-grams' strings) and ``idf_``.
    """

    def __init__(self, ngram_range=(1, 2), min_df=2):
        super().__init__(ngram_range, min_df)

    def _count_all(self, words: Words):
        base = len(words.distinct) + 2
        check_keys_fit(base, self.ngram_range[1])
        rows, keys, sizes = word_grams(words.numbers + 1, words, base, self.ngram_range)
        reading = np.lexsort((sizes, rows))  # as the vectorizer reads: words, then pairs...
        columns, found = pd.factorize(keys[reading])
        counts = count_matrix(rows[reading], columns, (words.n_texts, len(found)))
        return words.distinct, found, counts

    def _keep(self, distinct: np.ndarray, keys: np.ndarray) -> np.ndarray:
        digits = decode(keys, self.ngram_range[1], len(distinct) + 2)
        used = np.unique(digits[digits > 0])
        by_spelling = used[np.argsort(distinct[used - 1])]
        renumber = np.zeros(len(distinct) + 1, dtype=np.int64)
        renumber[by_spelling] = np.arange(1, len(used) + 1)
        self.words_ = " ".join(distinct[by_spelling - 1])
        keys = encode(renumber[digits], len(used) + 2)
        order = np.argsort(self._terms(keys))
        column = np.empty(len(keys), dtype=np.int64)
        column[order] = np.arange(len(keys))
        by_key = np.argsort(keys)
        self.keys_, self.columns_ = keys[by_key], column[by_key]
        return order

    def _vocabulary(self) -> np.ndarray:
        return np.array(self.words_.split(" "), dtype=object)

    def _terms(self, keys: np.ndarray) -> np.ndarray:
        return word_terms(self._vocabulary(), keys, self.ngram_range[1])

    def _names(self) -> np.ndarray:
        return word_names(self._vocabulary(), self.keys_, self.columns_, self.ngram_range[1])

    def _count(self, words: Words) -> sp.csr_matrix:
        vocabulary = self._vocabulary()
        return word_counts(words, vocabulary, self.keys_, self.columns_, self.ngram_range)


class CharNgrams(_Ngrams):
    """TF-IDF of character n-grams within words:
    ``TfidfVectorizer(analyzer="char_wb", sublinear_tf=True)``.

    Each word is read with a space on each side, and a word shorter than the smallest n with
    its spaces counts once, whole, as scikit-learn counts it. Fitted: ``alphabet_`` (the sorted
    code points of the vocabulary, numbered from 1), ``keys_`` (sorted n-gram keys of those
    numbers, which is also the columns' order) and ``idf_``.
    """

    def __init__(self, ngram_range=(2, 4), min_df=2):
        super().__init__(ngram_range, min_df)

    def _count_all(self, words: Words):
        text = "".join(words.distinct) + " "
        alphabet = np.unique(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32))
        check_keys_fit(len(alphabet) + 2, self.ngram_range[1])
        owners, keys = char_word_grams(words.distinct, alphabet, self.ngram_range)
        reading = np.argsort(owners, kind="stable")  # word by word, as the vectorizer reads
        columns, found = pd.factorize(keys[reading])
        return alphabet, found, texts_by_ngrams(words, owners[reading], columns, len(found))

    def _keep(self, alphabet: np.ndarray, keys: np.ndarray) -> np.ndarray:
        digits = decode(keys, self.ngram_range[1], len(alphabet) + 2)
        used = np.unique(digits[digits > 0])
        renumber = np.zeros(len(alphabet) + 1, dtype=np.int64)
        renumber[used] = np.arange(1, len(used) + 1)
        self.alphabet_ = alphabet[used - 1]
        keys = encode(renumber[digits], len(used) + 2)
        order = np.argsort(keys)
        self.keys_ = keys[order]
        return order

    def _names(self) -> np.ndarray:
        return char_names(self.alphabet_, self.keys_, self.ngram_range[1])

    def _count(self, words: Words) -> sp.csr_matrix:
        return char_counts(words, self.alphabet_, self.keys_, self.ngram_range)


class NgramUnion(TransformerMixin, BaseEstimator):
    """Word n-grams, then character n-grams, side by side: ``FeatureUnion([("words", words),
    ("chars", chars)])``, with the texts cut into words once for both."""

    def __init__(self, words: WordNgrams, chars: CharNgrams):
        self.words = words
        self.chars = chars

    @property
    def transformer_list(self) -> list[tuple[str, _Ngrams]]:
        """The parts by name, in column order, as ``FeatureUnion`` lists them."""
        return [("words", self.words), ("chars", self.chars)]

    def fit(self, texts, y=None):
        words = split_words(texts)
        for _, part in self.transformer_list:
            part.fit_words(words)
        return self

    def fit_transform(self, texts, y=None) -> sp.csr_matrix:
        words = split_words(texts)
        parts = [part.fit_transform_words(words) for _, part in self.transformer_list]
        return sp.hstack(parts, format="csr")

    def transform(self, texts) -> sp.csr_matrix:
        words = split_words(texts)
        parts = [part.transform_words(words) for _, part in self.transformer_list]
        return sp.hstack(parts, format="csr")

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.concatenate(
            [f"{name}__" + part.get_feature_names_out() for name, part in self.transformer_list]
        )

"""TF-IDF of word and character n-grams, counted for a whole batch of texts at once.

:class:`WordNgrams` and :class:`CharNgrams` give what scikit-learn's ``TfidfVectorizer`` gives
with ``sublinear_tf=True`` and otherwise its defaults (lowercase, smooth idf, l2 norm), reading
whitespace-separated words (``token_pattern=r"\\S+"``) or characters within words
(``analyzer="char_wb"``): the same columns in the same order and the same values, to the last
bit. :class:`NgramUnion` sets the two side by side as ``FeatureUnion`` does, cutting the texts
into words once for both.

The vectorizer counts each text's n-grams in a Python dict. Here the batch is cut into words
once and its distinct words numbered (``pd.factorize``); the rest is numpy and scipy:

- an n-gram is an int64 *key*: its items' numbers (``1..base-2``, and ``base-1`` for an item the
  vocabulary never saw, so that no key holding one is found) as digits in ``base``, padded with
  zeros to the longest n, so that keys sort as the n-grams' strings do;
- the fitted vocabulary is a sorted array of keys, searched with ``np.searchsorted``;
- word n-grams are the keys of neighbouring words; character n-grams are found once per distinct
  word, and a text's counts are its word counts times that words × n-grams matrix.

The fitted state is numpy arrays and one string: a saved model loads fast and holds no code.
"""

from __future__ import annotations

from itertools import chain
from numbers import Integral
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted


class Words(NamedTuple):
    """A batch of texts cut into lowercased words, as ``str.split`` cuts them."""

    numbers: np.ndarray  # each word's number in ``distinct``, in reading order
    distinct: np.ndarray  # the distinct words, an object array
    offsets: np.ndarray  # where each text's words begin, then the end: n_texts + 1 of them

    @property
    def n_texts(self) -> int:
        return len(self.offsets) - 1

    @property
    def rows(self) -> np.ndarray:
        """The text of each word."""
        return np.repeat(np.arange(self.n_texts), np.diff(self.offsets))


def split_words(texts) -> Words:
    """Lowercase and split every text (in C, no Python loop), then number the distinct words."""
    if isinstance(texts, str):
        raise ValueError("expected a list of texts, got one string")
    pieces = list(map(str.split, map(str.lower, texts)))
    lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    every = np.fromiter(chain.from_iterable(pieces), dtype=object, count=lengths.sum())
    numbers, distinct = pd.factorize(every)
    return Words(numbers, distinct.astype(object), np.concatenate([[0], np.cumsum(lengths)]))


def window_keys(digits: np.ndarray, width: int, base: int):
    """Yield ``(n, keys)`` for n = 1..width: the key of the n digits from each position on."""
    keys = np.zeros(len(digits), dtype=np.int64)
    for n in range(1, width + 1):
        keys = keys[: len(digits) - n + 1]
        keys += digits[n - 1 :] * base ** (width - n)
        yield n, keys


def encode(digits: np.ndarray, base: int) -> np.ndarray:
    """The keys of rows of digits."""
    return digits @ base ** np.arange(digits.shape[1] - 1, -1, -1, dtype=np.int64)


def decode(keys: np.ndarray, width: int, base: int) -> np.ndarray:
    """The digits of keys, a row of ``width`` per key (0 past the n-gram's end)."""
    return keys[:, None] // base ** np.arange(width - 1, -1, -1, dtype=np.int64) % base


def check_keys_fit(base: int, width: int) -> None:
    if base**width >= 2**63:
        raise ValueError(
            f"{base - 2} distinct items in n-grams of up to {width} do not fit int64 keys; "
            "use shorter n-grams"
        )


def find(vocabulary: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Where each key is in the sorted ``vocabulary``; -1 for a key it does not hold."""
    numbers, distinct = pd.factorize(keys)  # a batch repeats its n-grams: look each up once
    at = np.searchsorted(vocabulary, distinct)
    at[at == len(vocabulary)] = 0
    return np.where(vocabulary[at] == distinct, at, -1)[numbers]


def count_matrix(rows: np.ndarray, columns: np.ndarray, shape) -> sp.csr_matrix:
    """Counts of (row, column) pairs given row by row, each row's columns sorted."""
    indptr = np.searchsorted(rows, np.arange(shape[0] + 1))
    counts = sp.csr_matrix((np.ones(len(columns)), columns, indptr), shape=shape)
    counts.sum_duplicates()  # sorts each row's columns and adds up the repeated ones
    return counts


def texts_by_ngrams(words: Words, owners, columns, width: int) -> sp.csr_matrix:
    """Texts × n-grams: the texts' word counts times the distinct words' n-gram counts, given
    as the word (``owners``) and column of each n-gram found in a word."""
    shape = (width, len(words.distinct))
    ngrams_by_word = sp.csr_matrix((np.ones(len(columns)), (columns, owners)), shape=shape)
    shape = (len(words.distinct), words.n_texts)
    pairs = (words.numbers, words.rows)
    words_by_text = sp.csr_matrix((np.ones(len(words.numbers)), pairs), shape=shape)
    # multiplied transposed: turning the product back sorts each row's columns in linear time
    return (ngrams_by_word @ words_by_text).T.tocsr()


def renumbered(counts: sp.csr_matrix, column: np.ndarray, width: int) -> sp.csr_matrix:
    """``counts`` with column j moved to ``column[j]`` (dropped where -1), entries in order."""
    new = column[counts.indices]
    kept = new >= 0
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))[kept]
    indptr = np.searchsorted(rows, np.arange(counts.shape[0] + 1))
    return sp.csr_matrix((counts.data[kept], new[kept], indptr), shape=(counts.shape[0], width))


def smooth_idf(df: np.ndarray, n_texts: int) -> np.ndarray:
    """log((1 + n) / (1 + df)) + 1, computed as scikit-learn computes it."""
    idf = np.full(len(df), n_texts + 1, dtype=np.float64)
    idf /= df.astype(np.float64) + 1.0
    np.log(idf, out=idf)
    idf += 1.0
    return idf


def sublinear_tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """(1 + log tf) × idf, rows scaled to unit length: TfidfTransformer's steps in its order."""
    np.log(counts.data, out=counts.data)
    counts.data += 1.0
    counts.data *= idf[counts.indices]
    if not counts.shape[0]:  # an empty batch (which the vectorizer refuses)
        return counts
    return normalize(counts, norm="l2", copy=False)


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

    def _grams(self, digits: np.ndarray, words: Words, base: int):
        """Text, key and n of the n-grams of words numbered ``digits``, text by text."""
        low, high = self.ngram_range
        rows = words.rows
        keys = np.full((len(digits), high - low + 1), -1, dtype=np.int64)
        for n, grams in window_keys(digits, high, base):
            if n >= low:
                in_one_text = rows[: len(grams)] == rows[n - 1 :]
                keys[: len(grams), n - low] = np.where(in_one_text, grams, -1)
        found = keys >= 0
        sizes = np.broadcast_to(np.arange(low, high + 1), keys.shape)
        return np.repeat(rows, high - low + 1)[found.ravel()], keys[found], sizes[found]

    def _count_all(self, words: Words):
        base = len(words.distinct) + 2
        check_keys_fit(base, self.ngram_range[1])
        rows, keys, sizes = self._grams(words.numbers + 1, words, base)
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
        """The n-grams of ``keys`` as strings, their words joined by a space."""
        words = np.concatenate([[""], self._vocabulary()])
        digits = decode(keys, self.ngram_range[1], len(words) + 1)
        terms = words[digits[:, 0]]
        for place in range(1, digits.shape[1]):
            more = digits[:, place] > 0
            terms[more] = terms[more] + " " + words[digits[more, place]]
        return terms

    def _names(self) -> np.ndarray:
        names = np.empty(len(self.keys_), dtype=object)
        names[self.columns_] = self._terms(self.keys_)
        return names

    def _count(self, words: Words) -> sp.csr_matrix:
        vocabulary = self._vocabulary()
        number = pd.Index(vocabulary).get_indexer(words.distinct) + 1
        base = len(vocabulary) + 2
        number[number == 0] = base - 1
        rows, keys, _ = self._grams(number[words.numbers], words, base)
        at = find(self.keys_, keys)
        hit = at >= 0
        return count_matrix(rows[hit], self.columns_[at[hit]], (words.n_texts, len(self.keys_)))


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

    def _word_grams(self, distinct: np.ndarray, alphabet: np.ndarray):
        """Word number and key of every n-gram of the distinct words, n by n."""
        low, high = self.ngram_range
        padded = np.fromiter(map(len, distinct), dtype=np.int64, count=len(distinct)) + 2
        text = "".join(" " + distinct + " ")
        code = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        base = len(alphabet) + 2
        at = np.minimum(np.searchsorted(alphabet, code), len(alphabet) - 1)
        digits = np.where(alphabet[at] == code, at + 1, base - 1)
        word = np.repeat(np.arange(len(distinct)), padded)
        word_start = np.zeros(len(code), dtype=bool)
        word_start[np.cumsum(padded) - padded] = True
        owners, keys = [], []
        for n, grams in window_keys(digits, high, base):
            first = word[: len(grams)]
            inside = first == word[n - 1 :]
            if n < low:  # a word this short counts once, whole
                inside &= word_start[: len(grams)] & (padded[first] == n)
            owners.append(first[inside])
            keys.append(grams[inside])
        return np.concatenate(owners), np.concatenate(keys)

    def _count_all(self, words: Words):
        text = "".join(words.distinct) + " "
        alphabet = np.unique(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32))
        check_keys_fit(len(alphabet) + 2, self.ngram_range[1])
        owners, keys = self._word_grams(words.distinct, alphabet)
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
        high = self.ngram_range[1]
        digits = decode(self.keys_, high, len(self.alphabet_) + 2)
        code = np.concatenate([[0], self.alphabet_]).astype(np.uint32)[digits]
        names = code.view(f"<U{high}").ravel().astype(object)
        # a numpy string drops trailing NULs: an n-gram holding one is spelled out
        for row in np.flatnonzero(((code == 0) & (digits > 0)).any(axis=1)):
            names[row] = "".join(map(chr, code[row][digits[row] > 0]))
        return names

    def _count(self, words: Words) -> sp.csr_matrix:
        owners, keys = self._word_grams(words.distinct, self.alphabet_)
        at = find(self.keys_, keys)
        hit = at >= 0
        return texts_by_ngrams(words, owners[hit], at[hit], len(self.keys_))


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

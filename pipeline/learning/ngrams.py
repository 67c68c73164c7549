"""TF-IDF of word and character n-grams, counted for a whole batch of texts at once, in numpy
and scipy alone: the arithmetic of :mod:`pipeline.learning.features`, which trains on it, and of
:mod:`pipeline.learning.weights`, which classifies with it without importing scikit-learn.

scikit-learn's ``TfidfVectorizer`` counts each text's n-grams in a Python dict. Here the batch is
cut into words once and its distinct words numbered (``pd.factorize``); the rest is arrays:

- an n-gram is an int64 *key*: its items' numbers (``1..base-2``, and ``base-1`` for an item the
  vocabulary never saw, so that no key holding one is found) as digits in ``base``, padded with
  zeros to the longest n, so that keys sort as the n-grams' strings do;
- the fitted vocabulary is a sorted array of keys, searched with ``np.searchsorted``;
- word n-grams are the keys of neighbouring words; character n-grams are found once per distinct
  word, and a text's counts are its word counts times that words × n-grams matrix.

A fitted vocabulary of words is ``vocabulary`` (its words, numbered from 1 in this order),
``keys`` (sorted n-gram keys of those numbers) and ``columns`` (each key's column); of characters,
``alphabet`` (sorted code points, numbered from 1) and ``keys`` (sorted, also the columns' order).
"""

from __future__ import annotations

from itertools import chain
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp


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
    return unit_rows(counts)


def unit_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Each row of ``matrix`` divided by its length, in place, as scikit-learn's l2
    ``normalize`` does it: each row's squares added up in the row's order, so the lengths, and
    the values, are the same to the last bit. A row of zeros is left as it is."""
    data, lengths = matrix.data, np.diff(matrix.indptr)
    by_length = np.argsort(-lengths, kind="stable")  # the rows still adding up come first
    starts = matrix.indptr[:-1][by_length]
    longest = int(lengths[by_length[0]]) if len(lengths) else 0
    adding = np.searchsorted(-lengths[by_length], -np.arange(longest), side="left")
    squares = np.zeros(len(lengths))
    for place, rows in enumerate(adding):
        squares[:rows] += np.square(data[starts[:rows] + place])
    squares[by_length] = squares.copy()
    norms = np.sqrt(squares)
    norms[norms == 0.0] = 1.0
    data /= np.repeat(norms, lengths)
    return matrix


# word n-grams


def word_grams(digits: np.ndarray, words: Words, base: int, ngram_range: tuple[int, int]):
    """Text, key and n of the n-grams of words numbered ``digits``, text by text."""
    low, high = ngram_range
    rows = words.rows
    keys = np.full((len(digits), high - low + 1), -1, dtype=np.int64)
    for n, grams in window_keys(digits, high, base):
        if n >= low:
            in_one_text = rows[: len(grams)] == rows[n - 1 :]
            keys[: len(grams), n - low] = np.where(in_one_text, grams, -1)
    found = keys >= 0
    sizes = np.broadcast_to(np.arange(low, high + 1), keys.shape)
    return np.repeat(rows, high - low + 1)[found.ravel()], keys[found], sizes[found]


def word_terms(vocabulary: np.ndarray, keys: np.ndarray, high: int) -> np.ndarray:
    """The n-grams of ``keys`` as strings, their words joined by a space."""
    words = np.concatenate([[""], vocabulary])
    digits = decode(keys, high, len(words) + 1)
    terms = words[digits[:, 0]]
    for place in range(1, digits.shape[1]):
        more = digits[:, place] > 0
        terms[more] = terms[more] + " " + words[digits[more, place]]
    return terms


def word_names(vocabulary, keys, columns, high: int) -> np.ndarray:
    """The columns' names: their n-grams' words joined by a space."""
    names = np.empty(len(keys), dtype=object)
    names[columns] = word_terms(vocabulary, keys, high)
    return names


def word_counts(words: Words, vocabulary, keys, columns, ngram_range) -> sp.csr_matrix:
    """Texts × the vocabulary's word n-grams."""
    number = pd.Index(vocabulary).get_indexer(words.distinct) + 1
    base = len(vocabulary) + 2
    number[number == 0] = base - 1
    rows, found, _ = word_grams(number[words.numbers], words, base, ngram_range)
    at = find(keys, found)
    hit = at >= 0
    return count_matrix(rows[hit], columns[at[hit]], (words.n_texts, len(keys)))


# character n-grams within words


def char_word_grams(distinct: np.ndarray, alphabet: np.ndarray, ngram_range: tuple[int, int]):
    """Word number and key of every n-gram of the distinct words, n by n."""
    low, high = ngram_range
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


def char_names(alphabet: np.ndarray, keys: np.ndarray, high: int) -> np.ndarray:
    """The columns' names: their n-grams' characters."""
    digits = decode(keys, high, len(alphabet) + 2)
    code = np.concatenate([[0], alphabet]).astype(np.uint32)[digits]
    names = code.view(f"<U{high}").ravel().astype(object)
    # a numpy string drops trailing NULs: an n-gram holding one is spelled out
    for row in np.flatnonzero(((code == 0) & (digits > 0)).any(axis=1)):
        names[row] = "".join(map(chr, code[row][digits[row] > 0]))
    return names


def char_counts(words: Words, alphabet, keys, ngram_range) -> sp.csr_matrix:
    """Texts × the vocabulary's character n-grams."""
    owners, found = char_word_grams(words.distinct, alphabet, ngram_range)
    at = find(keys, found)
    hit = at >= 0
    return texts_by_ngrams(words, owners[hit], at[hit], len(keys))

"""The n-gram arithmetic without scikit-learn: rows scaled as scikit-learn scales them."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pipeline.learning.ngrams import split_words, unit_rows


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda rows: st.tuples(
            st.just(rows),
            arrays(np.float64, (rows, 40), elements=st.floats(0, 1e6, allow_subnormal=False)),
            arrays(np.bool_, (rows, 40)),
        )
    )
)
def test_rows_are_scaled_to_the_bit_as_scikit_learn_scales_them(case):
    from sklearn.preprocessing import normalize

    rows, values, kept = case
    matrix = sp.csr_matrix(np.where(kept, values, 0.0), shape=(rows, 40))
    expected = normalize(matrix, norm="l2")
    scaled = unit_rows(matrix.copy())
    assert np.array_equal(scaled.data, expected.data)
    assert np.array_equal(scaled.indptr, expected.indptr)


def test_long_rows_of_real_weights_are_scaled_as_scikit_learn_scales_them(seed_path):
    from sklearn.preprocessing import normalize

    lines = seed_path.read_text(encoding="utf-8").splitlines()
    words = split_words([" ".join(lines[i : i + 40]) for i in range(0, len(lines), 40)])
    counts = sp.csr_matrix(
        (np.log1p(np.arange(len(words.numbers)) % 7 + 1.0), (words.rows, words.numbers)),
        shape=(words.n_texts, len(words.distinct)),
    )
    assert np.diff(counts.indptr).max() > 100  # rows long enough for the order of sums to tell
    assert np.array_equal(unit_rows(counts.copy()).data, normalize(counts, norm="l2").data)


def test_an_empty_batch_stays_empty():
    empty = sp.csr_matrix((0, 40))
    assert unit_rows(empty).shape == (0, 40)

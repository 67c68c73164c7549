"""Batch TF-IDF features: the same matrices as scikit-learn's TfidfVectorizer, on real Thai text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from pipeline.learning.features import CharNgrams, NgramUnion, WordNgrams

ROOT = Path(__file__).resolve().parents[1]
#: In training twice over, so that min_df=2 keeps their n-grams and the rows below are not empty.
TRAINED_TOO = [
    "ระบบ GPS และ IT ของ 5G",
    "covid-19 ปี 2566 ๒๕๖๖ งบ 1,250,000 บาท",
    "İstanbul ΣΑΣ x\x00y a\x00",
] * 2
#: Texts the vectorizer reads in its own way, each beside the held-out corpus findings.
HOSTILE = [
    "",
    "   \t\n ",
    "ก",  # a word shorter than the longest n-gram, with its spaces
    "ก ข ค งบ ไม่ พอ",
    "งบประมาณ IT ระบบ GPS 5G covid-19",
    "BANGKOK Bangkok bangkok",
    "ปี 2566 งบ 1,250,000 บาท ๒๕๖๖",
    "日本語 ☃ 🙂 ǅ",  # never seen in training
    "İstanbul ΣΑΣ",  # lowercasing lengthens İ; the final sigma
    "งบ\u00a0ประมาณ\u3000ไม่\u2028พอ\x1f",  # whitespace other than spaces
    "^งบประมาณ ^ไม่ ^เพียงพอ",
    "x\x00y a\x00 a\ud800b",  # a NUL and a lone surrogate inside words
]


def words_vectorizer(ngram_range=(1, 2), min_df=2):
    return TfidfVectorizer(
        token_pattern=r"\S+", ngram_range=ngram_range, sublinear_tf=True, min_df=min_df
    )


def chars_vectorizer(ngram_range=(2, 4), min_df=2):
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=ngram_range, sublinear_tf=True, min_df=min_df
    )


@pytest.fixture(scope="module")
def corpus_texts() -> tuple[list[str], list[str]]:
    """What the model reads of the corpus (words and marked opening words), halved."""
    from pipeline.learning.corpus import load_corpus
    from pipeline.learning.train import with_tokens
    from pipeline.learning.weights import model_input

    texts = model_input(with_tokens(load_corpus(ROOT / "corpus"))["tokens"], 10)
    return texts[::2] + TRAINED_TOO, texts[1::2] + HOSTILE


def assert_same_matrix(mine, theirs) -> None:
    """Same shape, same entries in the same order, values within 1e-12."""
    assert sp.issparse(mine) and mine.format == "csr"
    assert mine.shape == theirs.shape
    np.testing.assert_array_equal(mine.indptr, theirs.indptr)
    np.testing.assert_array_equal(mine.indices, theirs.indices)
    np.testing.assert_allclose(mine.data, theirs.data, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("mine", "theirs"),
    [
        (WordNgrams(), words_vectorizer()),
        (CharNgrams(), chars_vectorizer()),
        (
            NgramUnion(WordNgrams(), CharNgrams()),
            FeatureUnion([("words", words_vectorizer()), ("chars", chars_vectorizer())]),
        ),
    ],
    ids=["words", "chars", "union"],
)
def test_the_models_features_are_the_vectorizers(corpus_texts, mine, theirs):
    train, held_out = corpus_texts
    assert_same_matrix(mine.fit_transform(train), theirs.fit_transform(train))
    assert mine.get_feature_names_out().tolist() == theirs.get_feature_names_out().tolist()
    ours = mine.transform(held_out)
    assert_same_matrix(ours, theirs.transform(held_out))
    assert ours.nnz > 20 * len(held_out)  # real rows, not a comparison of empty matrices
    hostile = ours[-len(HOSTILE) :]
    assert hostile[0].nnz == hostile[1].nnz == 0  # empty and blank texts
    assert hostile[4].nnz > 0 and hostile[6].nnz > 0  # Latin and digits are read


def test_the_training_matrix_is_the_vectorizers_to_the_bit(corpus_texts):
    """fit_transform keeps each row's n-grams in the order the vectorizer leaves them, so a
    model retrained on these features is the same model, coefficient for coefficient."""
    train, _ = corpus_texts
    mine = NgramUnion(WordNgrams(), CharNgrams()).fit_transform(train)
    theirs = FeatureUnion([("words", words_vectorizer()), ("chars", chars_vectorizer())])
    theirs = theirs.fit_transform(train)
    assert not theirs.has_sorted_indices  # the order is the vectorizer's, not the columns'
    np.testing.assert_array_equal(mine.indices, theirs.indices)
    assert (mine.data == theirs.data).all()


@pytest.mark.parametrize(
    ("mine", "theirs"),
    [
        (WordNgrams((1, 3), 1), words_vectorizer((1, 3), 1)),
        (WordNgrams((2, 3), 0.002), words_vectorizer((2, 3), 0.002)),
        (CharNgrams((1, 2), 2), chars_vectorizer((1, 2), 2)),
        (CharNgrams((3, 5), 1), chars_vectorizer((3, 5), 1)),
        # words of up to three letters are shorter than five with their spaces: counted whole
        (CharNgrams((5, 6), 2), chars_vectorizer((5, 6), 2)),
    ],
    ids=["words 1-3", "words 2-3", "chars 1-2", "chars 3-5", "chars 5-6"],
)
def test_other_settings_are_the_vectorizers_too(corpus_texts, mine, theirs):
    train, held_out = corpus_texts
    train, held_out = train[:400] + TRAINED_TOO, held_out[:200] + HOSTILE
    assert_same_matrix(mine.fit_transform(train), theirs.fit_transform(train))
    assert mine.get_feature_names_out().tolist() == theirs.get_feature_names_out().tolist()
    assert_same_matrix(mine.transform(held_out), theirs.transform(held_out))


TEXT = st.text(alphabet="กขงบไม่่ ab AB1๑ \t\u00a0^ΣİǄ", max_size=24)


@settings(max_examples=60, deadline=None)
@given(
    train=st.lists(TEXT, max_size=6),
    held_out=st.lists(st.text(alphabet="กขab A1 日☃\n", max_size=12) | TEXT, max_size=4),
    low=st.integers(1, 3),
    longer=st.integers(0, 2),
    chars=st.booleans(),
)
def test_any_text_gives_what_the_vectorizer_gives(train, held_out, low, longer, chars):
    ngram_range = (low, low + longer)
    mine = CharNgrams(ngram_range, 1) if chars else WordNgrams(ngram_range, 1)
    theirs = (chars_vectorizer if chars else words_vectorizer)(ngram_range, 1)
    try:
        expected = theirs.fit_transform(train)
    except ValueError:  # no n-gram at all
        with pytest.raises(ValueError):
            mine.fit(train)
        return
    assert_same_matrix(mine.fit_transform(train), expected)
    assert mine.get_feature_names_out().tolist() == theirs.get_feature_names_out().tolist()
    if not held_out:  # the vectorizer refuses an empty batch; here it has no rows
        assert mine.transform(held_out).shape == (0, expected.shape[1])
        return
    assert_same_matrix(mine.transform(held_out), theirs.transform(held_out))


def test_fitted_state_is_arrays_and_builtins_and_loads_with_the_trusted_types(tmp_path):
    import skops.io

    from pipeline.learning.models import OWN_TYPES

    texts = ["งบประมาณ ไม่ เพียงพอ", "งบประมาณ ล่าช้า", "ระบบ ล่ม บ่อย", "ระบบ ไม่ เพียงพอ"]
    union = NgramUnion(WordNgrams(), CharNgrams()).fit(texts)
    for _, part in union.transformer_list:
        assert all(isinstance(v, (np.ndarray, str, int, tuple)) for v in vars(part).values())
    path = tmp_path / "union.skops"
    skops.io.dump(union, path)
    untrusted = skops.io.get_untrusted_types(file=path)
    assert set(untrusted) <= OWN_TYPES
    loaded = skops.io.load(path, trusted=untrusted)
    assert (loaded.transform(texts) != union.transform(texts)).nnz == 0
    assert loaded.get_feature_names_out().tolist() == union.get_feature_names_out().tolist()


def test_parameters_follow_scikit_learn():
    union = NgramUnion(WordNgrams((1, 3), 1), CharNgrams())
    assert union.get_params()["words__ngram_range"] == (1, 3)
    union.set_params(chars__min_df=3)
    copy = clone(union)
    assert copy.chars.min_df == 3 and copy.words is not union.words
    assert not hasattr(copy.words, "idf_")


@pytest.mark.parametrize(
    ("make", "texts", "message"),
    [
        (WordNgrams, "งบประมาณ ไม่ พอ", "got one string"),
        (WordNgrams, ["", "  "], "empty vocabulary"),
        (lambda: CharNgrams(min_df=3), ["งบ", "ระบบ"], "min_df=3"),
        (lambda: CharNgrams((3, 2)), ["งบ"], "ngram_range"),
    ],
)
def test_what_cannot_be_fitted_says_why(make, texts, message):
    with pytest.raises(ValueError, match=message):
        make().fit(texts)


def test_transform_before_fit_is_refused():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        WordNgrams().transform(["งบประมาณ"])

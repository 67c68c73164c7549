"""Tokenize stage: Thai word segmentation of each finding's text, domain words kept whole.

The default engine is nlpo3 (newmm in Rust, about five times faster than pythainlp's newmm here);
``newmm`` is pythainlp's own, and ``newmm-safe`` the variant that cannot run long on text without
spaces. Both use one dictionary: pythainlp's Thai word list plus ``data/domain_words.txt``. nlpo3
ignores pythainlp's ``custom_dict``, so its dictionary is written to a file once and loaded by name.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from pipeline.shared import schema
from pipeline.shared.schema import col

ENGINES = ("nlpo3", "newmm", "newmm-safe")
DEFAULT_ENGINE = "nlpo3"
CHUNK = 2000  # findings per task when tokenizing over several processes
SAFE_CHUNK = 500  # characters without a space beyond which the safe engine takes over
REQUIRES = (col.TEXT,)
PRODUCES = (col.TOKENS,)

_KEEP = re.compile(r"[\w\u0e00-\u0e7f]")  # a token with no letter or digit is punctuation
#: Such a token in a space-joined string, with the space before it.
_PUNCTUATION_WORD = re.compile(r" [^\w\u0e00-\u0e7f\s]+(?= |$)")


@lru_cache(maxsize=1)
def domain_words() -> tuple[str, ...]:
    """The domain word list shipped with the package."""
    text = resources.files("pipeline").joinpath("data/domain_words.txt").read_text("utf-8")
    return tuple(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def dictionary() -> frozenset[str]:
    """pythainlp's Thai words plus the domain words."""
    from pythainlp.corpus.common import thai_words

    return frozenset(thai_words()) | frozenset(domain_words())


@lru_cache(maxsize=1)
def nlpo3_dictionary() -> str:
    """Write the dictionary to a file named by its content hash, load it into nlpo3 once."""
    import nlpo3

    words = "\n".join(sorted(dictionary()))
    digest = hashlib.sha256(words.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"thai-findings-dict-{digest}.txt"
    if not path.exists():
        partial_path = path.with_suffix(f".{digest}.tmp")
        partial_path.write_text(words, encoding="utf-8")
        partial_path.replace(path)
    name = f"thai-findings-{digest}"
    message, ok = nlpo3.load_dict(str(path), name)
    if not ok and "already" not in message:
        raise RuntimeError(f"nlpo3 could not load its dictionary: {message}")
    return name


@lru_cache(maxsize=1)
def _trie():
    from pythainlp.util import Trie

    return Trie(dictionary())


def segment_words(text: str, *, engine: str = DEFAULT_ENGINE) -> list[str]:
    """Words of ``text``, whitespace and punctuation dropped, Latin letters lowercased."""
    if engine == "nlpo3":
        return _nlpo3_tokens(text).split()
    if engine in ("newmm", "newmm-safe"):
        from pythainlp.tokenize import word_tokenize

        words = word_tokenize(text, engine=engine, custom_dict=_trie(), keep_whitespace=False)
        return [w.strip().lower() for w in words if _KEEP.search(w)]
    raise ValueError(f"unknown tokenizer engine {engine!r}; expected one of {', '.join(ENGINES)}")


def _nlpo3_tokens(text: str) -> str:
    """:func:`segment_words` by nlpo3, space-joined, worked on as one string rather than word by
    word (the words of a text cut at whitespace hold none)."""
    import nlpo3

    name = nlpo3_dictionary()
    words = []
    for chunk in text.split():
        if len(chunk) > SAFE_CHUNK:  # newmm can take very long on long unspaced text
            words += segment_words(chunk, engine="newmm-safe")
        else:
            # nlpo3's own safe=True garbles its output (1.4.0: letters cut from their
            # vowels, text repeated), so it is never used; long chunks go to newmm-safe
            words += nlpo3.segment(chunk, name)
    return _PUNCTUATION_WORD.sub("", " " + " ".join(words).lower())[1:]


def tokens(text: str, *, engine: str = DEFAULT_ENGINE) -> str:
    """Space-joined words of ``text``: what the classifier reads."""
    if engine == "nlpo3":
        return _nlpo3_tokens(text)
    return " ".join(segment_words(text, engine=engine))


def clean_tokens(text: str, *, engine: str = DEFAULT_ENGINE) -> str:
    """Tokens of a text that did not come through the parser, repaired by the normalizer first.

    Findings tables given as they are, labelled data to evaluate on, and the training corpus all
    go through here, so that a model sees text as the parser hands it (Arabic digits, no OCR
    debris, no invisible characters) whichever way the text arrived.
    """
    from pipeline.stages.normalize import normalize_text

    return tokens(normalize_text(str(text))[0], engine=engine)


def _tokens_of(texts: list[str], engine: str) -> list[str]:
    return [tokens(text, engine=engine) for text in texts]


def tokenize(
    findings: pd.DataFrame, *, engine: str = DEFAULT_ENGINE, jobs: int = 1
) -> pd.DataFrame:
    """Add space-joined Thai tokens of ``text`` as ``tokens``, over ``jobs`` processes."""
    schema.require(findings, REQUIRES, stage="tokenize")
    texts = findings[col.TEXT].fillna("").astype(str).tolist()
    if jobs == 1 or len(texts) < 2 * CHUNK:
        out = _tokens_of(texts, engine)
    else:
        from joblib import Parallel, delayed

        chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
        parts = Parallel(n_jobs=jobs)(delayed(_tokens_of)(chunk, engine) for chunk in chunks)
        out = [t for part in parts for t in part]
    return findings.assign(**{col.TOKENS: out})


def split_domain_terms(engine: str = "newmm") -> list[tuple[str, list[str]]]:
    """Domain words that pythainlp's own dictionary (without ours) cuts into pieces."""
    from pythainlp.tokenize import word_tokenize

    cut = []
    for word in domain_words():
        pieces = word_tokenize(word, engine=engine, keep_whitespace=False)
        if len(pieces) > 1:
            cut.append((word, pieces))
    return cut

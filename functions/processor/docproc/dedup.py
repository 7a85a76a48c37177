"""Duplicate signatures: a content hash for exact copies, MinHash + LSH bands for near copies.

Both work on the same normalised text (NFKC, all whitespace removed), so re-wrapping or
re-indenting an article changes neither. The table adapter stores the signature and the
band keys; this module only computes them and compares two signatures (see docs/table.md).

Shingles are windows of SHINGLE_UNITS UTF-16 code units, i.e. 4 characters for Chinese
text (one astral character takes two units). Packing four 16-bit units into one 64-bit
integer turns every shingle into a token hash without a Python loop: the text is encoded
once and viewed as unsigned 64-bit integers at the four possible offsets. The MinHash is
rensa 0.2.4's CMinHash over these values' decimal strings (the stored layout); docproc's C
module computes the same digest from the integers, with a few operations per token where
rensa does NUM_PERM (the 6.5 KB sample's in 0.034 ms, rensa's 0.26 with the strings), and
rensa itself runs where the C module is not built.
"""

from __future__ import annotations

import hashlib
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Final

from docproc.charclass import CharClass
from docproc.native import native
from docproc.result import Signature

# Signature layout. Changing any of these (or rensa's ALGORITHM_VERSION) makes new
# signatures incomparable with stored ones: bump PIPELINE_VERSION and backfill.
NUM_PERM: Final = 128  # estimate standard error sqrt(J(1-J)/128): 0.043 at J=0.6
SHINGLE_UNITS: Final = 4  # UTF-16 code units per shingle = one 64-bit token
SEED: Final = 1_620_202  # fixed so every Lambda instance computes the same permutations
# LSH: BANDS bands of ROWS values each, from the first BANDS*ROWS slots of the signature.
# P(candidate) = 1 - (1 - J**ROWS)**BANDS: 0.98 at J=0.6, 0.9988 at J=0.7, 0.016 at J=0.1.
# Sixteen bands keep a lookup at sixteen small queries; the full 128 slots then estimate J.
BANDS: Final = 16
ROWS: Final = 3
# rensa 0.2.4 is the last release with manylinux2014 wheels (Lambda python3.11 runs on glibc 2.26).
# It hashes strings itself: the tokens go in as their decimal strings. Its CMinHash, not its
# RMinHash: on the sample's cuts RMinHash overestimates J by 0.03-0.05 on average, CMinHash does not.
MINHASH_ALGORITHM: Final = f"rensa-0.2.4-cminhash-str/u16x{SHINGLE_UNITS}/{NUM_PERM}/{SEED}"

_UPDATE_TOKENS: Final = 1 << 16  # tokens handed to the hasher at a time (bounded memory)
_UNIT_BYTES: Final = 2
_TOKEN_BYTES: Final = SHINGLE_UNITS * _UNIT_BYTES
# The token values are the raw bytes read as native integers; every Lambda architecture
# (x86_64, arm64) is little-endian, so stored signatures stay comparable across them.
assert sys.byteorder == "little", "minhash tokens assume a little-endian machine"


def normalize(text: str) -> str:
    """The text both signatures see: NFKC (full-width forms folded) without any whitespace."""
    folded = nfkc(text)
    if native is not None:  # one pass (_native.c), no str a word
        norm: str = native.without_whitespace(folded)
        return norm
    return "".join(folded.split())


# NFKC returns a text its quick check accepts as it is, at C speed; one full-width comma fails
# the check and sends the whole text through the full normalisation (~0.15 us a character:
# 130 ms of the bench corpus). Chinese text needs only a few compatibility characters folded
# (，：（）？！ ...): each is replaced by its own NFKC form with str.replace, which leaves the
# text's NFKC unchanged, and the quick check then passes. Where other characters need it,
# the full normalisation still runs, on the folded text.
# Latin-1 (nbsp, ², ½), punctuation (…), super/subscripts, letterlike and number forms (℃ ™ Ⅱ),
# enclosed numbers (①), CJK punctuation, enclosed CJK and units (㎞), vertical and small forms,
# full- and half-width forms.
_FOLD_RANGES: Final = (
    (0x00A0, 0x00FF),
    (0x2000, 0x218F),
    (0x2460, 0x24FF),
    (0x3000, 0x303F),
    (0x3200, 0x33FF),
    (0xFE30, 0xFE6F),
    (0xFF00, 0xFFEF),
)
# Each distinct character folded costs one str.replace over the text: past this many kinds
# (never seen in news text) the rest is left to the full normalisation, keeping it linear.
MAX_FOLDED_KINDS: Final = 24


@cache
def _compatibility_folds() -> tuple[CharClass, dict[str, str]]:
    """(pattern of the characters of _FOLD_RANGES that NFKC changes, character -> its NFKC form)."""
    folds: dict[str, str] = {}
    for low, high in _FOLD_RANGES:
        for code in range(low, high + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if folded != chr(code):
                folds[chr(code)] = folded
    # A form that holds a foldable character would be found again: never the case, but cheap to rule out.
    folds = {ch: form for ch, form in folds.items() if not any(c in folds for c in form)}
    return CharClass.of_codes(map(ord, folds)), folds


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), fast on text whose only compatibility characters are
    a few kinds of full-width punctuation."""
    pattern, folds = _compatibility_folds()
    start = 0
    for _ in range(MAX_FOLDED_KINDS):
        start = pattern.find(text, start)
        if start < 0:
            break
        # Every foldable character before this one is gone already: the next search starts here.
        found = text[start]
        text = text.replace(found, folds[found])
    return unicodedata.normalize("NFKC", text)


def content_hash(text: str) -> str:
    """SHA-256 of the normalised text."""
    return _sha256(normalize(text))


def _sha256(norm: str) -> str:
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def _shingle_tokens(norm: str) -> memoryview:
    """Every window of SHINGLE_UNITS code units as one unsigned 64-bit integer."""
    # surrogatepass: a lone surrogate (from a lossy decode upstream) must not crash signing.
    data = norm.encode("utf-16-le", errors="surrogatepass")
    parts = []
    for offset in range(0, _TOKEN_BYTES, _UNIT_BYTES):
        usable = (len(data) - offset) // _TOKEN_BYTES * _TOKEN_BYTES
        if usable > 0:
            parts.append(data[offset : offset + usable])
    return memoryview(b"".join(parts)).cast("Q")


def minhash(text: str) -> list[int]:
    """NUM_PERM 32-bit minima over the text's shingles; empty when the text has no shingle."""
    return _minhash_normalized(normalize(text))


def _minhash_normalized(norm: str) -> list[int]:
    tokens = _shingle_tokens(norm)
    if len(tokens) == 0:
        return []
    if native is not None:  # the same digest as rensa's, from the integers (see _native.c, cminhash)
        digest: list[int] = native.cminhash(tokens, SEED, NUM_PERM)
        return digest
    import rensa  # only where the C module is not built: it costs the import nothing otherwise

    hasher = rensa.CMinHash(NUM_PERM, SEED)
    # In slices: the minima of the union are the minima of the slices' minima, and a 10 MB text's
    # tokens as decimal strings all at once took ~90 MiB.
    for start in range(0, len(tokens), _UPDATE_TOKENS):
        hasher.update(_decimal_tokens(tokens[start : start + _UPDATE_TOKENS]))
    return [int(v) for v in hasher.digest()]


def _decimal_tokens(tokens: memoryview) -> list[str]:
    """The distinct tokens as decimal strings, as rensa hashes them. A MinHash is over a set: a
    repeated shingle (13% of the bench corpus's) would only cost the hasher its 128 hashes."""
    # int.__repr__ is str() without the type call: 15% fewer instructions, the same text.
    return list(map(int.__repr__, dict.fromkeys(tokens.tolist())))


def estimate_similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal slots."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def best_match(
    signature_values: Sequence[int],
    candidates: Iterable[tuple[str, Sequence[int]]],
    threshold: float,
) -> tuple[str, float] | None:
    """The (key, estimated similarity) of the most similar candidate reaching `threshold`.

    Ties go to the smallest key, so the choice does not depend on the order candidates came in.
    """
    best: tuple[str, float] | None = None
    for key, other in candidates:
        similarity = estimate_similarity(signature_values, other)
        if similarity < threshold:
            continue
        if best is None or similarity > best[1] or (similarity == best[1] and key < best[0]):
            best = (key, similarity)
    return best


def band_keys(signature_values: Sequence[int]) -> list[str]:
    """`<band index>#<band hash hex>` for each LSH band; two documents sharing one are candidates."""
    if len(signature_values) < BANDS * ROWS:
        return []
    keys = []
    for band in range(BANDS):
        rows = pack_minhash(signature_values[band * ROWS : (band + 1) * ROWS])
        keys.append(f"{band}#{hashlib.blake2b(rows, digest_size=8).hexdigest()}")
    return keys


def pack_minhash(values: Sequence[int]) -> bytes:
    """Signature -> 4 bytes per slot, big-endian (512 bytes for 128 slots), for a binary attribute."""
    return b"".join(v.to_bytes(4, "big") for v in values)


def unpack_minhash(data: bytes) -> list[int]:
    return [int.from_bytes(data[i : i + 4], "big") for i in range(0, len(data), 4)]


def shingles(text: str) -> set[str]:
    """The exact shingle set MinHash approximates (for measuring estimates and for tests)."""
    units = normalize(text).encode("utf-16-le", errors="surrogatepass")
    last = len(units) - _TOKEN_BYTES
    return {
        units[i : i + _TOKEN_BYTES].decode("utf-16-le", "surrogatepass")
        for i in range(0, last + 1, _UNIT_BYTES)
    }


def jaccard(a: str, b: str) -> float:
    """True Jaccard similarity of two texts' shingle sets."""
    sa, sb = shingles(a), shingles(b)
    union = sa | sb
    return len(sa & sb) / len(union) if union else 0.0


def signature(text: str) -> Signature:
    """Both signatures of one text, normalising it once."""
    norm = normalize(text)
    return Signature(content_hash=_sha256(norm), minhash=_minhash_normalized(norm))

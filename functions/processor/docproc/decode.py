"""Bytes -> text: find the encoding and the content type, or reject with a reason.

Order of the checks, cheapest and most certain first (figures in docs/cleaning-input.md):
empty -> gzip (bounded) -> magic numbers of binary formats -> BOM -> UTF-16 without BOM (NUL
pattern) -> strict UTF-8 -> the HTML page's own <meta charset> -> strict GB18030 and Big5,
scored by character frequency -> charset_normalizer -> undecodable. A decoded text that is mostly
(more than half) control characters is binary after all.
"""

from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass
from typing import Final

from docproc.charclass import CharClass
from docproc.native import native
from docproc.patterns import compiled, runs_of
from docproc.steps.garble import mean_log_frequency

PLAIN: Final = "text/plain"
HTML: Final = "text/html"


@dataclass(slots=True, init=False)
class Decoded:
    text: str
    encoding: str  # codec name as found, e.g. "utf-8", "gb18030"
    content_type: str  # "text/plain" or "text/html"

    # Written out: mypyc compiles this one, where dataclass's generated __init__ runs interpreted.
    def __init__(self, text: str, encoding: str, content_type: str) -> None:
        self.text = text
        self.encoding = encoding
        self.content_type = content_type


@dataclass(slots=True)
class Rejection:
    reason: str  # machine-readable: "empty", "binary", "undecodable", "too_large", ...
    message: str  # one sentence for people


# Magic numbers of formats that are never documents for us. Archives are binary too: only gzip
# (a transport encoding for text) is opened.
_MAGIC: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "zip archive"),
    (b"PK\x05\x06", "zip archive"),
    (b"PK\x07\x08", "zip archive"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ\x90\x00", "Windows executable"),
    (b"\xca\xfe\xba\xbe", "Java class / Mach-O"),
    (b"\xcf\xfa\xed\xfe", "Mach-O executable"),
    (b"\x00asm", "WebAssembly"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"\x1f\x9d", "compress archive"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"RIFF", "RIFF media"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 (old Office) document"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
    (b"PAR1", "Parquet file"),
)
_GZIP_MAGIC: Final = b"\x1f\x8b"
# Codecs the BOM announces, longest BOM first (UTF-32 LE starts with the UTF-16 LE BOM).
_BOMS: Final[tuple[tuple[bytes, str], ...]] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Only this much of the head is inspected for magic, NUL patterns, HTML shape and <meta charset>.
_SNIFF: Final = 4096
_META_CHARSET: Final = compiled(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{2,30})""", re.IGNORECASE
)
# A page starts (after an XML declaration and comments) with one of these; leftover tags later in a
# plain text (the sample ends with some) do not make it a page.
_HTML_START: Final = compiled(
    r"""\s*(?:<\?xml[^>]{0,200}>\s*)?(?:<!--.{0,500}?-->\s*){0,5}"""
    r"""<(?:!doctype\s+html|html|head|body|meta|title|link|script|style)[\s>/]""",
    re.IGNORECASE | re.DOTALL,
)
_HTML_ROOT: Final = compiled(r"<(?:html|body)[\s>]", re.IGNORECASE)
_HINT_CHARSET: Final = compiled(r"charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]{2,30})", re.IGNORECASE)
# Legacy labels mapped to the superset codec that decodes everything they cover.
_CODEC_ALIASES: Final = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "euc-cn": "gb18030", "big5-hkscs": "big5hkscs", "x-big5": "big5",
}
# Characters that are neither text nor ordinary whitespace (C0/C1 controls, DEL).
_CONTROL: Final = CharClass(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# The bytes those characters can come from in UTF-8: C0 and DEL are themselves, a C1 control is
# 0xC2 then its byte. Deleting them (bytes.translate, ~1 ns a byte) bounds the count from above.
_CONTROL_BYTES_UTF8: Final = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F, 0xC2])
# More than this share of control characters in decoded text means it was never text. Scraped
# pages carry runs of stray controls between readable sentences (a Common Crawl page: 102 of
# 367 characters), which normalize_characters strips: only mostly-control content is binary.
_MAX_CONTROL_RATIO: Final = 0.5
# Text never holds more than a stray NUL (which normalize_characters removes); more than this share
# of NUL bytes that no UTF-16 byte order explains means binary.
_MAX_NUL_SHARE: Final = 0.002
_CHINESE_CODECS: Final = ("gb18030", "big5")
_UTF16_CODECS: Final = ("utf-16-le", "utf-16-be")
# Characters scored to choose between codecs, and the score a decoding must beat to count as text
# (mean natural log frequency; Chinese prose scores about -6, a wrong codec's output below -12).
_SCORE_SAMPLE: Final = 400
_ASCII_RUN: Final = compiled(runs_of(r"[\x00-\x7f]"))
_MIN_READABILITY: Final = -11.0
# A lenient decoding may replace at most this share of its characters.
_MAX_BAD_SHARE: Final = 0.002
_MAX_BAD_SPOTS: Final = 6


def decode_document(
    data: bytes, content_type_hint: str | None = None, *, max_output_bytes: int = 20 * 1024 * 1024
) -> Decoded | Rejection:
    """Decode `data` into text with its encoding and content type, or say why it cannot be read.

    Never raises on bad input. `max_output_bytes` bounds what gzip input may expand to.
    """
    if not data.strip():
        return Rejection("empty", "the object is empty or whitespace only")
    if data.startswith(_GZIP_MAGIC):
        inflated = _gunzip(data, max_output_bytes)
        if isinstance(inflated, Rejection):
            return inflated
        if inflated.startswith(_GZIP_MAGIC):
            return Rejection("binary", "gzip inside gzip is not a document")
        result = decode_document(inflated, content_type_hint, max_output_bytes=max_output_bytes)
        if isinstance(result, Decoded):
            result.encoding = f"gzip+{result.encoding}"
        return result
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return Rejection("binary", f"the object is a {name}")
    head = data[:_SNIFF]
    if _looks_like_tar(data):
        return Rejection("binary", "the object is a tar archive")
    text_and_codec = _decode_text(data, head, content_type_hint)
    if isinstance(text_and_codec, Rejection):
        return text_and_codec
    text, codec = text_and_codec
    if not text.strip():
        return Rejection("empty", "the object decodes to whitespace only")
    sample = text[:65536]
    controls = _controls_over_limit(sample)
    if controls:
        return Rejection("binary", f"{controls} of the first {len(sample)} characters are control characters")
    return Decoded(text=text, encoding=codec, content_type=_content_type(text, content_type_hint))


def _controls_over_limit(sample: str) -> int:
    """The number of control characters in `sample` if more than _MAX_CONTROL_RATIO of it, else 0."""
    limit = _MAX_CONTROL_RATIO * len(sample)
    if native is None:
        # A regex pass counts them exactly; an upper bound (the candidate bytes of the sample in
        # UTF-8, two C-level passes) shows for most objects that the count cannot pass the limit.
        encoded = sample.encode("utf-8", "surrogatepass")
        if len(encoded) - len(encoded.translate(None, _CONTROL_BYTES_UTF8)) <= limit:
            return 0
    controls = _CONTROL.count(sample)  # in C where the module is built: one pass, exact
    return controls if controls > limit else 0


def _gunzip(data: bytes, limit: int) -> bytes | Rejection:
    """Inflate gzip data, stopping as soon as the output would pass `limit` (a zip bomb costs nothing)."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        return Rejection("undecodable", "the gzip stream is corrupt")
    if len(out) > limit:
        return Rejection("compressed_too_large", f"the gzip content expands beyond {limit} bytes")
    if not inflater.eof:
        return Rejection("undecodable", "the gzip stream is truncated")
    if not out.strip():
        return Rejection("empty", "the gzip content is empty or whitespace only")
    return out


def _looks_like_tar(data: bytes) -> bool:
    return data[257:262] == b"ustar"


def _decode_text(data: bytes, head: bytes, hint: str | None) -> tuple[str, str] | Rejection:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), codec
            except UnicodeDecodeError:
                return Rejection("undecodable", f"the bytes after the {codec} BOM are not valid {codec}")
    if b"\x00" in head:
        utf16 = _bomless_utf16(data)
        if utf16 is not None:
            return utf16
        if head.count(b"\x00") > _MAX_NUL_SHARE * len(head):
            return Rejection("binary", "NUL bytes without the pattern of UTF-16 text")
    try:
        return data.decode("utf-8"), "utf-8"  # strict: hundreds of MB/s, and most objects are UTF-8
    except UnicodeDecodeError:
        pass
    # The object's Content-Type (`text/html; charset=gbk`), else the page's own <meta charset>.
    hinted = _HINT_CHARSET.search(hint) if hint else None
    declared = _codec_for(hinted.group(1).encode()) if hinted else None
    if declared is None and _is_html(head.decode("latin-1"), hint):
        declared = _declared_charset(head)
    if declared:
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass  # the page lies about its charset: fall through to detection
    chinese = _strict_chinese(data) or _lenient_utf8(data) or _lenient_chinese(data)
    if chinese is not None:
        return chinese
    return _detect(data)


def _lenient_utf8(data: bytes) -> tuple[str, str] | None:
    """UTF-8 with a few bad bytes (a file cut mid-character, a stray byte from another encoding):
    the rest is still the author's text, so keep it, with U+FFFD where the bytes were bad."""
    text = data.decode("utf-8", errors="replace")
    # A handful of bad spots is allowed whatever the length: one cut character costs up to three.
    allowed = max(_MAX_BAD_SPOTS, _MAX_BAD_SHARE * len(text))
    return (text, "utf-8") if text.count("\ufffd") <= allowed else None


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: ASCII characters put NULs in the high bytes. Not a parity rule alone
    (CJK code points such as U+4E00 have a NUL low byte): both byte orders are decoded strictly and
    the one that reads as text wins."""
    if len(data) % 2:
        return None
    found: list[tuple[float, str, str]] = []
    for codec in _UTF16_CODECS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" in text[:_SNIFF]:
            continue  # a NUL character is not text: this byte order is wrong
        found.append((_readability(text), codec, text))
    if not found:
        return None
    score, codec, text = max(found)
    return (text, codec) if score > _MIN_READABILITY else None


def _declared_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    return _codec_for(match.group(1)) if match else None


def _codec_for(raw_label: bytes) -> str | None:
    label = raw_label.decode("ascii", "ignore").lower()
    label = _CODEC_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _strict_chinese(data: bytes) -> tuple[str, str] | None:
    """GB18030, Big5 and BOM-less UTF-16, strictly; of those that decode, the one that reads as the
    most common characters wins.

    Big5 byte pairs are almost all valid GBK pairs, and UTF-16 decodes nearly any even-length input,
    so "decodes without error" cannot choose: a character-frequency score over a sample does.
    """
    found: list[tuple[float, str, str]] = []
    codecs_to_try = _CHINESE_CODECS + (_UTF16_CODECS if len(data) % 2 == 0 else ())
    for codec in codecs_to_try:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        found.append((_readability(text), codec, text))
    if not found:
        return None
    score, codec, text = max(found)
    return (text, codec) if score > _MIN_READABILITY else None


def _lenient_chinese(data: bytes) -> tuple[str, str] | None:
    """Scraped pages are often cut mid-character: accept GB18030 or Big5 with a few bad bytes."""
    found: list[tuple[float, str, str]] = []
    for codec in _CHINESE_CODECS:
        text = data.decode(codec, errors="replace")
        if text.count("\ufffd") <= _MAX_BAD_SHARE * len(text):
            found.append((_readability(text), codec, text))
    if not found:
        return None
    score, codec, text = max(found)
    return (text, codec) if score > _MIN_READABILITY else None


def _readability(text: str) -> float:
    """Mean log frequency of a sample of the non-ASCII characters (ASCII is the same in every codec)."""
    sample = _ASCII_RUN.sub("", text[: 4 * _SCORE_SAMPLE])[:_SCORE_SAMPLE]
    return mean_log_frequency(sample) if sample else 0.0


def _detect(data: bytes) -> tuple[str, str] | Rejection:
    from charset_normalizer import from_bytes  # only for the rare non-UTF-8, non-Chinese object

    best = from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        return Rejection("undecodable", "no text encoding fits the bytes")
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError):
        return Rejection("undecodable", f"the bytes are not valid {best.encoding}")


def _is_html(head: str, hint: str | None) -> bool:
    if hint and "html" in hint.lower() and "<" in head:  # a hint is trusted only if there is markup
        return True
    head = head[:_SNIFF]
    # Some crawlers wrap the page (`<text id=...>` then `<html>`): a root tag anywhere near the top counts.
    return _HTML_START.match(head) is not None or _HTML_ROOT.search(head) is not None


def _content_type(text: str, hint: str | None) -> str:
    return HTML if _is_html(text[:_SNIFF], hint) else PLAIN

"""decode_document: encodings, content type, and every kind of input it must reject with a reason."""

from __future__ import annotations

import codecs
import gzip
import io
import zipfile

import pytest

from docproc.decode import HTML, PLAIN, Decoded, Rejection, decode_document
from docproc.pipeline import process_document

TEXT = "青岛市刑侦支队聚焦重点人群，“反诈不是公安一家的事”，线上宣传同样亮点纷呈。2023年以来发案数持续下降。"
TRADITIONAL = "青島市刑偵支隊聚焦重點人群，「反詐不是公安一家的事」，線上宣傳同樣亮點紛呈。2023年以來發案數持續下降。"


def decoded(data: bytes, hint: str | None = None) -> Decoded:
    result = decode_document(data, hint)
    assert isinstance(result, Decoded), result
    return result


def rejected(data: bytes, hint: str | None = None, limit: int = 20 * 1024 * 1024) -> Rejection:
    result = decode_document(data, hint, max_output_bytes=limit)
    assert isinstance(result, Rejection), result
    return result


def test_utf8_is_decoded_strictly_and_reported() -> None:
    result = decoded(TEXT.encode("utf-8"))
    assert (result.text, result.encoding, result.content_type) == (TEXT, "utf-8", PLAIN)


@pytest.mark.parametrize(
    ("bom", "codec", "name"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    ],
)
def test_a_bom_names_the_codec_and_is_not_part_of_the_text(bom: bytes, codec: str, name: str) -> None:
    result = decoded(bom + TEXT.encode(codec))
    assert (result.text, result.encoding) == (TEXT, name)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_found(codec: str) -> None:
    assert decoded(TEXT.encode(codec)).encoding == codec
    # No ASCII at all, so no NUL pattern either: the frequency score still finds it.
    pure = "".join(c for c in TEXT if not c.isascii())
    assert decoded(pure.encode(codec)).text == pure


def test_gbk_and_big5_are_told_apart_by_what_they_read_as() -> None:
    assert decoded(TEXT.encode("gbk")) == Decoded(TEXT, "gb18030", PLAIN)
    # Big5 bytes are (almost all) valid GBK pairs too: only the character score separates them.
    assert decoded(TRADITIONAL.encode("big5")) == Decoded(TRADITIONAL, "big5", PLAIN)


def test_gb18030_page_cut_mid_character_is_decoded_with_a_replacement() -> None:
    data = TEXT.encode("gb18030") * 40 + "结尾".encode("gb18030")[:-1]
    result = decoded(data)
    assert result.encoding == "gb18030"
    assert result.text.startswith(TEXT) and result.text.endswith("结\ufffd")


def test_html_meta_charset_is_honoured_when_utf8_fails() -> None:
    page = f'<html><head><meta charset="gbk"><title>标题</title></head><body><p>{TEXT}</p></body></html>'
    result = decoded(page.encode("gbk"))
    assert (result.encoding, result.content_type) == ("gb18030", HTML)
    http_equiv = page.replace('<meta charset="gbk">', '<meta http-equiv="Content-Type" content="text/html; charset=big5">')
    result = decoded(http_equiv.replace(TEXT, TRADITIONAL).replace("标题", "標題").encode("big5"))
    assert result.encoding == "big5" and TRADITIONAL in result.text


def test_the_charset_of_the_content_type_hint_is_honoured() -> None:
    result = decoded(TRADITIONAL.encode("big5"), "text/plain; charset=Big5")
    assert (result.text, result.encoding) == (TRADITIONAL, "big5")
    # A wrong or unknown label falls through to detection instead of failing.
    assert decoded(TEXT.encode("gbk"), "text/plain; charset=latin-9x").encoding == "gb18030"
    assert decoded(TEXT.encode("gbk"), "text/plain; charset=").encoding == "gb18030"


def test_content_type_comes_from_the_hint_and_the_bytes() -> None:
    page = "<!DOCTYPE html>\n<html><body><p>正文</p></body></html>"
    assert decoded(page.encode()).content_type == HTML
    assert decoded(page.encode(), "text/plain").content_type == HTML  # the bytes are plainly a page
    assert decoded(b"<p>one paragraph</p>", "text/html; charset=utf-8").content_type == HTML
    # Leftover tags at the end of a plain text (as in the sample) do not make it a page,
    # and an HTML hint on text without markup is not believed.
    assert decoded(f'{TEXT}\n<i id="q3nkr"></i>'.encode()).content_type == PLAIN
    assert decoded(TEXT.encode(), "text/html").content_type == PLAIN


@pytest.mark.parametrize("data", [b"", b"   \n\t  ", "\u3000\u3000\n".encode(), codecs.BOM_UTF8 + b"  "])
def test_empty_and_whitespace_only_are_rejected(data: bytes) -> None:
    assert rejected(data).reason == "empty"


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", TEXT)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x7fELF\x02\x01\x01" + bytes(100),
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        _zip_bytes(),
        bytes(range(256)) * 8,  # control characters and NULs, no text pattern
        bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 200,
    ],
)
def test_binary_input_is_rejected(data: bytes) -> None:
    assert rejected(data).reason == "binary"


def test_text_with_stray_control_characters_decodes() -> None:
    # A scraped page: readable sentences with runs of control characters between them.
    page = "杂色蛤又名花蛤\x07\x07\x06、蛤蜊\x05\x08\x05，是东港市很具地域特色的水产品\x05\x05\x07。" * 20
    result = decoded(page.encode())
    assert result.text == page
    cleaned = process_document(page.encode()).text
    assert "杂色蛤又名花蛤、蛤蜊，是东港市" in cleaned
    assert not any(c in cleaned for c in "\x05\x06\x07\x08")


def test_mostly_control_characters_is_binary() -> None:
    assert rejected((("文字" + "\x05\x06\x07") * 100).encode()).reason == "binary"


def test_gzip_is_inflated_and_reported() -> None:
    result = decoded(gzip.compress(TEXT.encode("gbk")))
    assert (result.text, result.encoding) == (TEXT, "gzip+gb18030")


def test_gzip_bomb_stops_at_the_limit() -> None:
    bomb = gzip.compress(b"a" * 5_000_000)
    assert rejected(bomb, limit=1_000_000).reason == "compressed_too_large"
    result = decode_document(bomb, max_output_bytes=6_000_000)
    assert isinstance(result, Decoded) and result.encoding == "gzip+utf-8"


def test_corrupt_or_nested_gzip_is_rejected() -> None:
    assert rejected(gzip.compress(TEXT.encode())[:-12]).reason == "undecodable"
    assert rejected(gzip.compress(gzip.compress(TEXT.encode()))).reason == "binary"


def test_other_encodings_fall_back_to_detection() -> None:
    # charset_normalizer picks a close single-byte relative (cp1257 here): ASCII survives, the
    # document is read, not rejected.
    text = "Café crème brûlée, naïve façade — déjà vu. " * 20
    result = decoded(text.encode("cp1252"))
    assert result.text.startswith("Caf") and result.encoding not in ("utf-8", "gb18030", "big5")


def test_utf8_with_a_few_bad_bytes_keeps_the_text() -> None:
    article = "网格员提前讲了反诈知识，群众的安全感不断提升。".encode() * 40
    decoded = decode_document(article[:501] + b"\xff" + article[501:])  # between two characters
    assert isinstance(decoded, Decoded) and decoded.encoding == "utf-8"
    assert decoded.text.count("\ufffd") == 1
    assert decoded.text.endswith("群众的安全感不断提升。")


def test_a_page_behind_a_crawler_wrapper_is_still_html() -> None:
    page = b'<text id="http://example.cn/1" encoding="utf-8">\n\n<html><head><title>t</title></head><body><p>x</p></body></html>'
    decoded = decode_document(page)
    assert isinstance(decoded, Decoded) and decoded.content_type == HTML


def test_leftover_inline_tags_do_not_make_a_page() -> None:
    text = "正文第一段。\n\n<i id=\"q3nkr\"></i>\n<noscript id=\"q3nkr\"><div></div></noscript>".encode()
    decoded = decode_document(text)
    assert isinstance(decoded, Decoded) and decoded.content_type == PLAIN


def test_the_control_share_is_exact_where_the_byte_bound_is_loose() -> None:
    # Latin-1 letters (U+00A0..U+00BF are 0xC2 xx in UTF-8) raise the cheap bound above the limit:
    # the exact count decides, and only real controls count.
    latin = ("\u00b7\u00a0\u00ab" * 20 + "文字") * 30
    assert isinstance(decode_document(latin.encode()), Decoded)
    c1 = ("文" + "\x85\x90\x9f") * 100  # C1 controls (0xC2 0x80..0x9F in UTF-8)
    assert rejected(c1.encode()).reason == "binary"
    assert rejected(c1.encode("utf-16")).reason == "binary"

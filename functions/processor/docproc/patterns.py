"""Regular expressions compiled when the package is built, not at every cold start.

Compiling docproc's patterns cost about 35 ms of each cold start's 0.38 s of CPU: most of them
hold classes of Chinese characters in both scripts (`both_scripts`), and for each such class
`re` fills and compresses a 65,536-entry map. `compiled` is `re.compile`, except that a pattern
found in the package's table is made from its stored code, skipping the parser and the maps.

The table (data/patterns.marshal) is written by `python -m docproc.patterns DIR` in the
function's Makefile: it records the patterns compiled while the package imports docproc and
processes the built-in documents below, then stores what `re`'s compiler made of each. That code
is CPython's own, valid for one interpreter version: the table carries the version and
`_sre.MAGIC` it was built with, and on any mismatch (another Python, or the dev environment,
which has no table) every pattern is compiled by `re`. `_sre.compile` validates the code it
is given. A pattern not in the table (a rare document's lazily built one) is compiled by `re`.
"""

from __future__ import annotations

import importlib
import marshal
import re
import sys
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, AnyStr, Final

TABLE: Final = Path(__file__).parent / "data" / "patterns.marshal"
_sre: Any = importlib.import_module("_sre")  # C module without type stubs
_FORMAT: Final = 1


def _fingerprint() -> tuple[int, int, int, int]:
    return (_FORMAT, sys.version_info[0], sys.version_info[1], _sre.MAGIC)


# (pattern, flags) -> (flags after parsing, code, number of groups, group index, index group)
Entry = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


@cache
def _table() -> dict[tuple[str | bytes, int], Entry]:
    try:
        fingerprint, entries = marshal.loads(TABLE.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}  # no table (the dev environment) or an unreadable one: re compiles
    return entries if fingerprint == _fingerprint() else {}


# What came from the table and what `re` compiled: the package's tests read them.
counts = {"from_table": 0, "compiled": 0}
# While the table is being built: every (pattern, flags) asked for, in order.
_recording: dict[tuple[str | bytes, int], None] | None = None


def compiled(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """re.compile(pattern, flags), from the package's table when the pattern is in it."""
    if _recording is not None:
        _recording[(pattern, int(flags))] = None  # a RegexFlag is an int subclass: see entry_of
    entry = _table().get((pattern, flags))
    if entry is None:
        counts["compiled"] += 1
        return re.compile(pattern, flags)
    counts["from_table"] += 1
    found: re.Pattern[AnyStr] = _sre.compile(pattern, *entry)
    return found


def runs_of(char_class: str) -> str:
    """`[...]+`, written `[...][...]*`: the same matches, but re's search looks for a pattern's
    first character with a fast scan only when the pattern starts with a plain class; `[...]+`
    starts with a repeat, and is tried as a whole at every position (2 to 3 times slower over a
    text with no match, which is the usual case)."""
    return f"{char_class}{char_class}*"


_Trie = dict[str, "_Trie"]  # character -> the phrases' continuations; "" marks a phrase's end


# Every character `\s` matches in a str pattern (str.isspace's): a test checks the list.
WHITESPACE: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def sub_from(
    pattern: re.Pattern[str],
    replace: Callable[[re.Match[str]], str],
    text: str,
    next_start: Callable[[str, int], int],
) -> str:
    """pattern.sub(replace, text), for a pattern whose matches are never empty and can only start
    where next_start(text, at) finds (the first such index from `at`, or -1): the pattern is tried
    there only, left to right, each try after the end of the last match. For a pattern re cannot
    scan for (an alternation of branches that do not all start with a literal): sub() then tries
    a match at every character."""
    out: list[str] = []
    done = 0
    at = next_start(text, 0)
    while at >= 0:
        match = pattern.match(text, at)
        if match is None:
            at = next_start(text, at + 1)
            continue
        out.append(text[done:at])
        out.append(replace(match))
        done = match.end()
        at = next_start(text, done)
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def any_of(phrases: Iterable[str]) -> str:
    """A regex that finds a line holding any of `phrases`, for a yes/no search: its alternatives
    nested by common prefix, so one branch is tried per character instead of every phrase that
    starts with it (a long literal alternation costs thousands of instructions a short line).
    Where a phrase ends, longer ones through it add no match and are left out. In sorted order:
    the same pattern in every process (the table above is looked up by pattern)."""
    trie: _Trie = {}
    for phrase in phrases:
        node = trie
        for c in phrase:
            node = node.setdefault(c, {})
        node[""] = {}
    return _trie_pattern(trie)


def _trie_pattern(node: _Trie) -> str:
    if "" in node:
        return ""
    alternatives = [re.escape(c) + _trie_pattern(child) for c, child in sorted(node.items())]
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


# -------------------------------------------------------------------- building the table

# Documents that reach the lazily compiled patterns the sample does not (HTML, other languages
# and encodings, bylines, boilerplate lines): the more are in the table, the fewer a cold start
# compiles.
_BUILD_DOCUMENTS: Final[tuple[tuple[str, bytes], ...]] = (
    (
        "page.html",
        (
            "<html><head><title>新闻标题</title><meta name='author' content='张三'></head><body>"
            "<nav><a href='/'>首页</a> | <a href='/news'>新闻</a></nav><article><h1>标题</h1>"
            "<p>本报讯（记者 李四）2024年3月5日，市统计局发布数据，全市经济运行总体平稳。</p>"
            "<p>责任编辑：王五</p></article><footer>版权所有 © 2024 本网 京ICP备12345678号</footer>"
            "</body></html>"
        ).encode(),
    ),
    (
        "english.txt",
        b"Home > News > World\nThe council met on 5 March 2024 and approved a budget of $3.5 million.\n"
        b"By Jane Doe, Staff Reporter\nShare this article: Facebook | Twitter | Email\n",
    ),
    ("gbk.txt", "来源：新华网 作者：赵六\n发布时间：2024-03-05 10:00\n上一篇 下一篇\n".encode("gbk")),
    # The garble repair's and the pinyin step's patterns: a shifted GBK run after a lost lead byte.
    ("garbled.txt", "青島?!鼻鄭u市\ue5e5政府網(wǎng)絡(luò)?fù)退\n".encode()),
    (
        "footer.txt",
        "正文第一段，讲述了事情的经过。\n责任编辑 王五\n您是本站第12345位访客 已被阅读 321 次\n"
        "【必威betway】北京赛车PK10 官网注册\n版权所有 未经授权不得转载\n"
        "Copyright © 2024 某某网 京ICP备12345678号\ntrackback 引用通告\n".encode(),
    ),
    ("traditional.txt", "記者 陳七 報導\n網友評論 已有0條評論\n驗證碼：看不清？換一張\n".encode()),
)


def record(documents: list[tuple[str, bytes]]) -> list[tuple[str | bytes, int]]:
    """The (pattern, flags) of every pattern docproc compiles while importing its modules and
    processing `documents` (with the built-in ones). Run it in a fresh process: the patterns of
    modules imported before it are not seen."""
    global _recording
    _recording = {}
    try:
        from docproc.pipeline import process_document

        for key, data in [*_BUILD_DOCUMENTS, *documents]:
            process_document(data, key=key)
        return list(_recording)
    finally:
        _recording = None


def entry_of(pattern: str | bytes, flags: int) -> Entry:
    """What re's compiler makes of a pattern: the arguments of _sre.compile after the pattern."""
    parser: Any = importlib.import_module("re._parser")
    compiler: Any = importlib.import_module("re._compiler")
    parsed = parser.parse(pattern, flags)
    code = compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    # Opcodes are int subclasses (named constants), which marshal does not store: plain ints.
    code = list(map(int, code))
    return int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup)


def build(patterns: list[tuple[str | bytes, int]]) -> bytes:
    entries = {key: entry_of(*key) for key in patterns}
    for (pattern, flags), entry in entries.items():  # the same object re.compile would make
        made = _sre.compile(pattern, *entry)
        plain = re.compile(pattern, flags)
        if (made.flags, made.groups, made.groupindex) != (plain.flags, plain.groups, plain.groupindex):
            raise ValueError(f"the stored code of {pattern!r} does not make what re.compile makes")
    return marshal.dumps((_fingerprint(), entries))


def main(argv: list[str] | None = None) -> int:
    """python -m docproc.patterns DIR [DOCUMENT...]: write DIR/docproc/data/patterns.marshal."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(main.__doc__, file=sys.stderr)
        return 2
    out = Path(args[0]) / "docproc" / "data" / TABLE.name
    documents = [(Path(p).name, Path(p).read_bytes()) for p in args[1:]]
    # `python -m` runs this file as __main__: the modules import docproc.patterns, another copy.
    module: Any = importlib.import_module("docproc.patterns")
    try:
        patterns = module.record(documents)
    except ImportError as e:  # the package's native wheels do not load on this host (macOS, arm64)
        print(f"patterns: no table ({e}): the function compiles its patterns at cold start")
        return 0
    out.write_bytes(module.build(patterns))
    print(f"patterns: {len(patterns)} compiled into {out} ({out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

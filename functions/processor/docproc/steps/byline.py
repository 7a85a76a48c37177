"""Byline, editor and source lines leave the body and become metadata; the headline becomes
the title.

`青島財經日報/首頁新聞記者 張海杰` -> source 青島財經日報, author 張海杰;
`責任編輯:李賽男` -> editor 李賽男; `来源：南方周末 作者：柯玉圆 发布时间：2022-04-14` -> all three
(and `published`). Only whole short lines are taken: a reporter named inside a sentence
(`新华社记者 公磊 摄` in a photo caption) is article text and stays. The first line left after
that, if it reads like a headline, is recorded as `title` and also stays in the text.
The step runs before script conversion, so it converts the values it lifts to the target
script itself: metadata and text then agree (`title` is the text's first line, as converted).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from docproc.data import both_scripts, to_simplified
from docproc.patterns import compiled
from docproc.result import StepOutput, StepReport
from docproc.steps.script import Target, to_traditional
from docproc.steps.script import to_simplified as script_to_simplified

MAX_LINE: Final = 60  # a byline or meta line is short; longer lines are prose
MAX_TITLE: Final = 64  # a headline longer than this is a paragraph
MAX_VALUE: Final = 24  # a name, outlet or date in a meta line
_SENTENCE: Final = compiled(r"[。！？!?；;“”]")

# Role words of `role：value` meta lines, and the metadata key each fills (None: drop only).
_ROLE_WORDS: Final[dict[str | None, str]] = {
    "editor": "责任编辑 责编 编辑 本文编辑 值班编辑 网络编辑 编审 主编",
    "author": "作者 撰文 撰稿 记者 本报记者 通讯员 文字 采写 文",
    "source": "来源 稿源 出处 来自 信息来源 转自 稿件来源 文章来源 新闻来源",
    "published": "发布时间 发表时间 发布日期 更新时间 时间 日期 发布于 发表于",
    None: "审核 校对 审校 责任校对 监制 终审 初审 复审 美编 摄影 图 点击 点击数 浏览 浏览次数 阅读 阅读量 "
    "访问量 人气 字号 字体",
}
_ROLES: Final[dict[str, str | None]] = {
    role: key for key, words in _ROLE_WORDS.items() for role in words.split()
}
_ROLE_ALT: Final = "|".join(sorted(_ROLES, key=len, reverse=True))
_NAME: Final = r"(?!报道|摄影|发自|通讯员|实习生)[\u4e00-\u9fff·]{2,4}"
_NAMES: Final = rf"{_NAME}(?:[\s、，,和及]+{_NAME}){{0,4}}"

# `来源：X 作者：Y 浏览：12`: one or more role-value pairs filling the whole line.
_PAIR: Final = (
    rf"(?P<role>{_ROLE_ALT})\s*[:：]\s*(?P<value>.*?)\s*"
    rf"(?=(?:[|｜/]\s*)?(?:{_ROLE_ALT})\s*[:：]|[)）】\]]?$)"
)
# `青島財經日報/首頁新聞記者 張海杰`, `本报记者 张三 李四 报道`, `（记者 张三 通讯员 李四）`, `文/张三`.
_REPORTER: Final = (
    r"^[（(【\[]?\s*(?:(?P<source>[^\s/|｜：:]{2,16}?(?:报|日报|晚报|网|社|台|电视台|新闻|杂志|周刊|客户端))"
    r"\s*[/|｜·]?\s*)?"
    # A reporter's title may follow a section name (`首頁新聞記者`); `文` and `作者` must open the
    # line and take a separator, or `代表性论文专著目录` would read as a byline.
    r"(?:[^\s/|｜：:]{0,8}?(?:记者|特约记者|实习生|见习记者|实习记者)\s*[:：/|｜]?|(?:文|文/图|撰文)\s*[:：/|｜]|作者[:：/|｜\s])"
    rf"\s*(?P<names>{_NAMES})(?:\s*(?:通讯员|实习生)\s*[:：]?\s*(?P<more>{_NAMES}))?"
    r"(?:\s*(?:报道|摄|讯|发自\S{1,8}))?\s*[)）】\]]?$"
)
# `责任编辑 李赛男`: the editor without a colon.
_EDITOR: Final = rf"^[（(【\[]?\s*(?:责任编辑|责编|编辑)\s+(?P<names>{_NAMES})\s*[)）】\]]?$"
_DATE: Final = r"(?P<date>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)"
# Page controls left after a value: `来源: 21世纪经济报道 发表评论 查看评论`.
_TRAILING_CONTROLS: Final = compiled(
    r"(?:\s+(?:发表评论|查看评论|我要评论|评论|打印|收藏|分享|关闭|字号\S*))+$"
)
# A dateline: a short line with a date and a time and no sentence in it, as pages print above or
# below an article (`http://biz.163.com 2005-04-25 08:24:06 来源: 第一财经日报 网友评论 0 条`,
# `〓 网易娱乐 明星话题 发布时间 2005/03/15 22:36:13 by duscha`, `2022-02-13 09:57 光明网`).
_DATE_TIME: Final = compiled(
    r"(?P<date>\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)\s*(?:星期.|周.)?\s*\d{1,2}:\d{2}(?::\d{2})?"
)
_DATELINE_SOURCE: Final = compiled(
    r"(?:来源|來源|稿源)\s*[:：]?\s*[\[【(（]?\s*(?P<source>[^\s\]】)）|｜]{2,20})"
)
_NOT_DATELINE: Final = compiled(r"[。！？!?，；;“”]")
MAX_DATELINE: Final = 80
# `原标题：刺死辱母者于欢的罪与悔` under a reprinted article's new headline: the headline it was first
# published with, a meta line (the article's text repeats neither). Dropped; no metadata key.
_ORIGINAL_TITLE: Final = compiled(r"^[（(【\[]?\s*(?:原标题|原標題|原题|原題)\s*[:：]\s*\S")
MAX_ORIGINAL_TITLE: Final = 80
_HEADLINE_END: Final = compiled(r"[。！？!?…：:，,；;]$")


# Each pattern below is compiled when a line first needs it (2-4 ms each: every Chinese character
# is a class of its two scripts), and a line only needs it when it holds what every match holds:
# a meta line holds a colon after its role; a reporter line `记者`, `实习生`, `文` or `作者` with
# its separator; an editor line `编辑` or `责编`. Four documents in five need none of them.
# Each hint starts with a class of its words' first characters, then tells them apart by a
# lookbehind: re scans for a leading class in C, where an alternation of branches starting with
# classes (`[记記]者|[实實][习習]生|...`) got no scan and a match attempt at every character.
_REPORTER_HINT: Final = compiled(
    both_scripts(r"[记实文作](?:(?<=记)者|(?<=实)习生|(?<=文)\s*[:：/|｜]|(?<=作)者[:：/|｜\s])")
)  # a line holding 记者, 实习生, 文 and a separator, or 作者 and a separator
_EDITOR_HINT: Final = compiled(both_scripts("[编责](?:(?<=编)辑|(?<=责)编)"))  # 编辑 or 责编


@cache
def _pair() -> re.Pattern[str]:
    return compiled(both_scripts(_PAIR))


@cache
def _meta_line() -> re.Pattern[str]:
    # The whole line is pairs, optionally bracketed and separated by spaces or bars,
    # after an optional date (`2005-01-14 17:02:30 来源: 21世纪经济报道`).
    return compiled(both_scripts(rf"^[（(【\[]?\s*(?:{_DATE}\s*)?(?:{_PAIR}\s*[|｜/]?\s*)+$"))


@cache
def _reporter() -> re.Pattern[str]:
    return compiled(both_scripts(_REPORTER))


@cache
def _editor() -> re.Pattern[str]:
    return compiled(both_scripts(_EDITOR))


def _names(text: str) -> str:
    return " ".join(text.replace("、", " ").replace("，", " ").replace(",", " ").split())


def _lift(line: str, found: dict[str, str]) -> bool:
    """If `line` (stripped) is a byline or meta line, put its values in `found` and say so."""
    if not line:
        return False
    # `in` first, for each pattern below that needs a character most lines lack (原; the
    # time's colon): a substring test costs a fraction of a pattern's call.
    if len(line) <= MAX_ORIGINAL_TITLE and "原" in line and _ORIGINAL_TITLE.match(line):
        return True
    if len(line) > MAX_LINE:
        return False
    meta = _meta_line().match(line) if ":" in line or "：" in line else None
    if meta:
        values = [
            (
                _ROLES.get(to_simplified(p.group("role"))),
                _TRAILING_CONTROLS.sub("", p.group("value")).strip(" |｜/()（）【】[]"),
            )
            for p in _pair().finditer(line)
        ]
        if meta.group("date"):
            values.append(("published", meta.group("date")))
        # `记者：家乡的粉丝很热情啊？` is an interview question, not a byline: values are short
        # names, outlets or dates, never sentences.
        if all(len(v) <= MAX_VALUE and not _SENTENCE.search(v) for _, v in values):
            for key, value in values:
                if key and value:
                    found.setdefault(key, value)
            return True
    # A full stop or bar the page left at the end does not make a dateline a sentence.
    if len(line) <= MAX_DATELINE and ":" in line and not _NOT_DATELINE.search(line.rstrip("。.|｜ ")):
        dated = _DATE_TIME.search(line)
        if dated:
            found.setdefault("published", dated.group().strip())
            src = _DATELINE_SOURCE.search(line)
            if src:
                found.setdefault("source", src.group("source"))
            return True
    m = _reporter().match(line) if _REPORTER_HINT.search(line) else None
    if m:
        if m.group("source"):
            found.setdefault("source", m.group("source"))
        found.setdefault("author", _names(" ".join(filter(None, m.group("names", "more")))))
        return True
    m = _editor().match(line) if _EDITOR_HINT.search(line) else None
    if m:
        found.setdefault("editor", _names(m.group("names")))
        return True
    return False


def extract_byline(text: str, target: Target = "keep") -> StepOutput:
    """Move byline, editor and source lines into metadata; record the headline as the title.
    Values are converted to the `target` script (bind it with functools.partial)."""
    found: dict[str, str] = {}
    kept: list[str] = []
    removed = 0
    for line in text.split("\n"):
        if _lift(line.strip(), found):
            removed += 1
        else:
            kept.append(line)
    out = "\n".join(kept)
    first = next((line.strip() for line in kept if line.strip()), "")
    if first and len(first) <= MAX_TITLE and not _HEADLINE_END.search(first):
        found["title"] = first
    report = StepReport(
        "extract_byline",
        count=removed,
        chars_removed=len(text) - len(out),
        detail={k: 1 for k in found},
    )
    if target != "keep" and found:
        convert = to_traditional if target == "traditional" else script_to_simplified
        found = {k: convert(v) for k, v in found.items()}
    return StepOutput(out, report, found)

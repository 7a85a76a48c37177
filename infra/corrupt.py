"""Synthetic noise for measuring the cleaner: a clean article in, the same article as a messy
web page out, with the clean article as the gold.

Every kind of noise docproc removes is here, each in several forms: a keyword-stuffed spam first
line (varied separators), injected gambling brands, breadcrumbs, share bars, comment widgets,
captchas, copyright / ICP footers, bylines and editor lines, previous/next links, repeated
paragraphs, stray tags and entities, pinyin annotations (tone-marked, toneless, full-width
brackets), Traditional script, zero-width and control characters, and GBK text decoded one byte
out of step (the sample's garbling). Deterministic: the same article and seed give the same page.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import infra  # noqa: F401  (puts the function's code on sys.path)

NOISE_KINDS: tuple[str, ...] = (
    "spam_line",
    "injected_brand",
    "breadcrumb",
    "share_bar",
    "byline",
    "prev_next",
    "comments",
    "captcha",
    "footer",
    "repeats",
    "tags",
    "pinyin",
    "traditional",
    "invisible",
    "garble",
)

_SENTENCE_END = re.compile(r"(?<=[。！？])(?![”’」』）])|(?<=[。！？][”’」』）])")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# Phrases of the kind SEO spam lines are made of (the sample's first line, crawled page titles).
def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_SPAM_PHRASES = _words(
    "久久99激情综合网 色五月激情中文字幕 国产女主播在线播放 六月丁香深爱六月综合激情 五月丁香啪啪 "
    "国产精品一区二区熟女不卡 成人综合亚洲欧美一区 日韩欧美中文字幕在线 亚洲综合色在线视频 "
    "午夜福利免费观看 国产精品久久久久久 一本道高清无码在线 人妻熟女一区二区三区 欧美日韩国产在线 "
    "免费a片在线观看 中文字幕乱码免费 久久精品国产亚洲av 攵女乱h小说 大粗鳮巴在线 色综合久久天天综合 "
    "乐虎国际登录器下载 澳门新葡京官网 金沙娱乐平台 威尼斯人现金网网址 亚博体育app 欧宝体育官网 "
    "时时彩计划软件 北京赛车pk10开奖 六合彩特码资料 百家乐真人视讯 棋牌游戏大厅 幸运飞艇开奖直播"
)
_SEPARATORS = ("_", "_", "|", " | ", " ", "-", ",", "、", "/", " _ ", "｜", "，")
_BRANDS = ("乐虎国际", "澳门新葡京", "金沙娱乐", "欧宝体育", "亚博体育", "开云体育", "币游国际", "华体会")
_BRAND_SUFFIXES = ("", "", "app", "官网", "登录器下载", "平台", "官方网站")
_SITES = ("首页", "首頁", "网站首页", "主页")
_SECTIONS = ("新闻", "国内新闻", "财经", "体育", "娱乐", "科技", "教育", "房产", "时政", "资讯中心", "文章")
_NAMES = ("张海杰", "李赛男", "王伟", "刘洋", "陈静", "赵敏", "孙立", "周婷", "吴昊", "郑雪")
_OUTLETS = (
    "青岛财经日报",
    "新华社",
    "人民网",
    "中国新闻网",
    "南方周末",
    "北京晚报",
    "新浪财经",
    "央视新闻客户端",
)


@dataclass(slots=True)
class Corrupted:
    text: str  # the messy page
    gold: str  # the clean article it was made from
    noise: list[str] = field(default_factory=list)  # the kinds applied, in order


def split_paragraphs(article: str, rng: random.Random) -> list[str]:
    """Cut a one-line article into paragraphs of one to four sentences.

    Some articles repeat themselves (a summary echoing the lead, a body printed twice). A cut
    must not turn that into two identical paragraphs, which would be noise the page did not
    declare: a paragraph equal to an earlier one is joined to the paragraph before it."""
    sentences = [s for s in _SENTENCE_END.split(article.strip()) if s]
    paragraphs: list[str] = []
    seen: set[str] = set()
    while sentences:
        k = rng.randint(1, 4)
        paragraph = "".join(sentences[:k])
        sentences = sentences[k:]
        if paragraphs and ("".join(paragraph.split()) in seen or len(paragraph.strip()) < 4):
            paragraphs[-1] += paragraph
        else:
            paragraphs.append(paragraph)
        seen.add("".join(paragraphs[-1].split()))
    return paragraphs


def corrupt(
    article: str,
    seed: int,
    kinds: Iterable[str] | None = None,
    probability: float = 0.6,
) -> Corrupted:
    """`article` as a noisy page. `kinds` forces those noise kinds; otherwise each kind is
    applied with `probability`."""
    rng = random.Random(seed)
    chosen = set(kinds) if kinds is not None else {k for k in NOISE_KINDS if rng.random() < probability}
    unknown = chosen - set(NOISE_KINDS)
    if unknown:
        raise ValueError(f"unknown noise kinds: {sorted(unknown)}")
    applied = [k for k in NOISE_KINDS if k in chosen]
    paragraphs = split_paragraphs(article, rng)
    if "traditional" in chosen:
        paragraphs = [_converter("s2t").convert(p) for p in paragraphs]
    # Invisible characters and inline tags first: they sit between characters of the text, not
    # inside the pinyin annotations added next.
    if "invisible" in chosen:
        paragraphs = [_sprinkle(p, rng, _INVISIBLE, 0.004) for p in paragraphs]
    if "tags" in chosen:
        paragraphs = [_sprinkle(p, rng, _INLINE_TAGS, 0.002) for p in paragraphs]
    if "pinyin" in chosen:
        style = rng.choice(("tone", "toneless", "fullwidth"))
        paragraphs = [_annotate_pinyin(p, rng, style) for p in paragraphs]
    garbled: list[list[tuple[int, int]]] = [[] for _ in paragraphs]  # each paragraph's garbled spans
    if "garble" in chosen and paragraphs:
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(paragraphs))
            paragraphs[i], garbled[i] = _garble_span(paragraphs[i], rng, garbled[i])
    # Brands after the garbling: a garbled brand name is noise no cleaner could know.
    if "injected_brand" in chosen and paragraphs:
        forced = rng.randrange(len(paragraphs))  # at least one, at most one per paragraph
        trad = "traditional" in chosen
        paragraphs = [
            _inject_brand(p, rng, trad, garbled[i]) if i == forced or rng.random() < 0.3 else p
            for i, p in enumerate(paragraphs)
        ]
    if "repeats" in chosen and paragraphs:
        # A copy of a whole paragraph, noise and all, right after it or at the end.
        i = rng.randrange(len(paragraphs))
        paragraphs.insert(rng.choice([i + 1, len(paragraphs)]), paragraphs[i])

    head: list[str] = []
    tail: list[str] = []
    if "spam_line" in chosen:
        sep = rng.choice(_SEPARATORS)
        head.append(sep.join(rng.sample(_SPAM_PHRASES, rng.randint(5, 11))))
    if "breadcrumb" in chosen:
        head.append(_breadcrumb(rng))
    if "share_bar" in chosen:
        (head if rng.random() < 0.5 else tail).append(_share_bar(rng))
    if "byline" in chosen:
        where = head if rng.random() < 0.3 else tail
        where.extend(_byline(rng))
    if "prev_next" in chosen:
        tail.extend(_prev_next(rng))
    if "comments" in chosen:
        tail.extend(_comments(rng))
    if "captcha" in chosen:
        tail.append(rng.choice(("请输入验证码", "验证码：", "看不清？换一张", "请输入验证码 点击图片刷新")))
    if "footer" in chosen:
        tail.extend(_footer(rng))
    if "tags" in chosen:
        tail.extend(rng.sample(_TAG_LINES, 2))
    if "traditional" in chosen:
        head = [_converter("s2t").convert(x) if rng.random() < 0.5 else x for x in head]
        tail = [_converter("s2t").convert(x) if rng.random() < 0.5 else x for x in tail]
    blank = rng.choice(("\n\n", "\n"))
    text = blank.join([*head, *paragraphs, *tail]) + "\n"
    return Corrupted(text, article.strip(), applied)


@cache
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def _inject_brand(
    paragraph: str, rng: random.Random, traditional: bool, garbled: Sequence[tuple[int, int]] = ()
) -> str:
    phrase = rng.choice(_BRANDS) + rng.choice(_BRAND_SUFFIXES)
    if traditional:
        phrase = _converter("s2t").convert(phrase)
    form = rng.choice(("【{}】", "[{}]", "{}", "{}："))
    at = rng.randrange(len(paragraph) + 1)
    # Insert at a sentence boundary or between two characters, as spam templates do, but never
    # inside a garbled span: the spam was on the page before its bytes were misread, so a brand
    # there would be garbled with its neighbours; a clean brand splitting a garbled span is a
    # page no decoding could produce (and it hides the span's two halves from each other).
    at = next((end for start, end in garbled if start < at < end), at)
    return paragraph[:at] + form.format(phrase) + paragraph[at:]


def _annotate_pinyin(paragraph: str, rng: random.Random, style: str) -> str:
    from pypinyin import Style, pinyin

    out: list[str] = []
    for ch in paragraph:
        out.append(ch)
        if _CJK.match(ch) and rng.random() < 0.12:
            tone = style != "toneless"
            reading = pinyin(ch, style=Style.TONE if tone else Style.NORMAL)[0][0]
            if reading and reading != ch:
                out.append(f"（{reading}）" if style == "fullwidth" else f"({reading})")
    return "".join(out)


def _garble_span(
    paragraph: str, rng: random.Random, spans: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """GBK bytes read one byte out of step, as in the sample: the first character's lead byte is
    lost (written `?`), each following character is decoded from the trail byte of one character
    and the lead byte of the next, and the orphan last trail byte is written `?`.
    `spans` are the paragraph's garbled (start, end) so far; returned updated for the new text."""
    candidates = [m.start() for m in re.finditer(r"[\u4e00-\u9fff]{5,}", paragraph)]
    if not candidates:
        return paragraph, spans
    start = rng.choice(candidates)
    length = rng.randint(3, 8)
    span = paragraph[start : start + length]
    if not _CJK.fullmatch(span[0]):
        return paragraph, spans
    try:
        data = span.encode("gbk")
    except UnicodeEncodeError:
        return paragraph, spans
    shifted = data[1:]
    out = ["?"]
    i = 0
    while i < len(shifted):
        if shifted[i] < 0x80:
            out.append(chr(shifted[i]))
            i += 1
        elif i + 1 < len(shifted):
            try:
                out.append(shifted[i : i + 2].decode("gb18030"))
                i += 2
            except UnicodeDecodeError:
                out.append("?")
                i += 1
        else:
            out.append("?")
            i += 1
    garbled = "".join(out)
    return paragraph[:start] + garbled + paragraph[start + len(span) :], _shift_spans(
        spans, start, start + len(span), len(garbled)
    )


def _shift_spans(
    spans: list[tuple[int, int]], start: int, end: int, new_length: int
) -> list[tuple[int, int]]:
    """`spans` after paragraph[start:end] became a garbled run of new_length characters: later
    spans move, overlapping ones merge with the new run."""
    delta = new_length - (end - start)
    merged = (start, start + new_length)
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if e <= start:
            out.append((s, e))
        elif s >= end:
            out.append((s + delta, e + delta))
        else:  # overlaps the replaced text: one garbled run
            merged = (min(merged[0], s), max(merged[1], e + delta if e > end else merged[1]))
    return sorted([*out, merged])


_INVISIBLE = ("\u200b", "\u200c", "\u200d", "\ufeff", "\x08", "\x07", "\x05", "\u2060")
_INLINE_TAGS = ("<br/>", "&nbsp;", '<span id="x7k2">', "</span>", "<b>", "</b>", "&#8203;")
_TAG_LINES = (
    '<i id="q3nkr"></i>',
    '<noscript id="q3nkr"><input id="q3nkr"><div id="q3nkr"></div></input></noscript>',
    '<bdo id="q3nkr"><span id="q3nkr"><meter id="q3nkr"></meter></span></bdo>',
    '<address id="v1zp"><th id="v1zp"></th></address>',
    '<small id="a9"></small><tt id="a9"><del id="a9"></del></tt>',
)


def _sprinkle(paragraph: str, rng: random.Random, pieces: tuple[str, ...], rate: float) -> str:
    out: list[str] = []
    for ch in paragraph:
        out.append(ch)
        if rng.random() < rate:
            out.append(rng.choice(pieces))
    return "".join(out)


def _breadcrumb(rng: random.Random) -> str:
    site, section = rng.choice(_SITES), rng.choice(_SECTIONS)
    arrow = rng.choice((">", " > ", "»", " » ", "＞", " / ", "›"))
    return rng.choice(
        (
            f"我的位置:{site}{arrow}文章详情",
            f"当前位置：{site}{arrow}{section}{arrow}正文",
            f"您的位置: {site}{arrow}{section}",
            f"{site}{arrow}{section}{arrow}正文",
            f"位置：{site}{arrow}{section}{arrow}详情",
        )
    )


def _share_bar(rng: random.Random) -> str:
    targets = rng.sample(
        ("微信", "微博", "QQ空间", "QQ好友", "朋友圈", "豆瓣", "复制链接"), rng.randint(2, 5)
    )
    return rng.choice(
        (
            "分享到：" + " ".join(targets),
            "分享至 " + " | ".join(targets),
            " ".join(targets),
            "【字号：大 中 小】",
            "扫一扫分享到朋友圈",
            "【打印】",
        )
    )


def _byline(rng: random.Random) -> list[str]:
    outlet, name, editor = rng.choice(_OUTLETS), rng.choice(_NAMES), rng.choice(_NAMES)
    reporter = rng.choice(
        (
            f"{outlet}/首页新闻记者 {name}",
            f"{outlet}记者 {name}",
            f"（记者 {name}）",
            f"文/{name}",
            f"来源：{outlet} 作者：{name}",
            f"本报记者 {name} {rng.choice(_NAMES)} 报道",
        )
    )
    lines = [reporter]
    if rng.random() < 0.8:
        lines.append(
            rng.choice(
                (f"责任编辑:{editor}", f"责任编辑：{editor}", f"（编辑：{editor}）", f"【编辑：{editor}】")
            )
        )
    if rng.random() < 0.4:
        lines.append(
            f"发布时间：20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
            f" 浏览次数：{rng.randint(1, 9999)}"
        )
    return lines


def _prev_next(rng: random.Random) -> list[str]:
    a, b = rng.sample(_SECTIONS, 2)
    return rng.choice(
        (
            [f"上一篇：{a}工作会议召开", f"下一篇：{b}发展报告发布"],
            ["上一篇", "下一篇"],
            [f"上一篇：{a}动态", "返回列表"],
            ["返回顶部"],
        )
    )


def _comments(rng: random.Random) -> list[str]:
    n = rng.randint(0, 30)
    lines = rng.choice(
        (
            ["评论一下", f"评论 {n}人参与,{n}条评论", "还没有评论,快来抢沙发吧!", "最热评论", "最新评论"],
            ["发表评论", "网友评论仅供其表达个人看法，并不表明本站同意其观点或证实其描述", f"已有{n}人参与"],
            ["我要评论", "文明上网理性发言，请遵守新闻评论服务协议", f"共{n}条评论"],
            ["网友评论", "暂无评论", "查看更多评论"],
        )
    )
    if rng.random() < 0.5:
        lines.append(f"已有{n}人参与,点击查看更多精彩评论")
    return lines


def _footer(rng: random.Random) -> list[str]:
    year, host = rng.randint(2005, 2023), rng.choice(("example.com", "news.example.cn", "www.site.net"))
    return rng.sample(
        [
            f"Copyright © {year}-2024 {host} All Rights Reserved",
            f"版权所有 {rng.choice(_OUTLETS)} 未经授权禁止转载",
            f"京ICP备{rng.randint(10000000, 99999999)}号-{rng.randint(1, 9)}",
            f"粤公网安备 {rng.randint(10**13, 10**14 - 1)}号",
            "关于我们 | 联系我们 | 网站地图 | 免责声明",
            "增值电信业务经营许可证：京B2-20201234",
        ],
        rng.randint(1, 4),
    )

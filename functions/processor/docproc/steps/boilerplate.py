"""Page furniture left in the text: breadcrumbs, comment widgets, captchas, share bars,
previous/next links, copyright and ICP footers, login links, navigation rows.

Each rule matches a whole short line, never part of a sentence, so a heading between two
paragraphs or an article that talks about copyright stays. A comment widget or a "related
articles" header near the end also takes every line after it: what follows such a marker on a
page is comments, links and footers, never the article. The patterns are written in Simplified
and rewritten to match Traditional too (this step runs before script conversion).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import product
from typing import Final

from docproc.charclass import CharClass, Phrases
from docproc.data import both_scripts
from docproc.patterns import compiled
from docproc.result import StepOutput, StepReport

MAX_LINE: Final = 120  # longer lines are prose: no rule here applies to them
# A tail marker cuts the rest of the document only when at least this much text precedes it,
# relative to what follows: a "发表评论" link at the top of a page must not take the article.
TAIL_MIN_BEFORE: Final = 50
TAIL_BEFORE_AFTER_RATIO: Final = 0.5

_S: Final = r"[\s:：>›»＞/|｜\-]*"  # what may sit between the words of a widget line

# Lines that start the tail of a page: comments, related links. Everything after goes too.
_TAIL_WORDS: Final = (
    r"评论一下|发表评论|发表你的评论|我要评论|网友评论|用户评论|热门评论|全部评论|精彩评论|相关评论|"
    r"评论\s*\d+\s*人参与|已有\s*\d+\s*人参与|还没有评论|暂无评论|网友跟帖|我来说两句|参与评论|文明上网|"
    r"相关阅读|相关新闻|相关文章|相关推荐|相关报道|热门推荐|猜你喜欢|推荐阅读|延伸阅读|精彩推荐|热点推荐|"
    r"为您推荐|更多精彩|看了本文的人还看了|相关链接|相关连接|相关内容|相关专题|相关信息|相关条目|其他报道|"
    r"更多评论|最新评论·"
)
_TAIL_OPENERS: Final = "【[·"
_TAIL: Final = rf"^[{re.escape(_TAIL_OPENERS)}]?(?:{_TAIL_WORDS})"

# Prefilters: literal words at least one of which is in every line a rule matches. Testing for
# the words (charclass.Phrases, in C) is several times cheaper than the rule's own pattern (whose
# alternatives are character classes once written for both scripts), and most lines have none:
# all the hints in one set rule out every rule but the calendar's with one test.
# tests/unit/test_steps_boilerplate.py checks that no rule matches a line its hint misses.
_HINTS: Final[dict[str, str]] = {
    "breadcrumb": "位置 当前您在 首页 > › » ＞",
    "comments": "评论 查看更多 沙发 发表 参与",
    "share": (
        "分享 转发到 扫一扫 扫描 扫码 字号 字体 举报 点赞 收藏 打印 关闭 纠错 微信 微博 qq 朋友圈 豆瓣 "
        "人人网 复制链接"
    ),
    "login": "登录 注册 密码 用户名",
    "forum": "关闭 锁定 回复线索 游客",
    "captcha": "验证码 看不清 刷新",
    "prev_next": "上一 下一 前一篇 后一篇 回到顶部 返回 页",
    "footer": (
        "copyright © (c) icp 公网安备 网安备 许可证 违法和不良 rights 仅代表作者本人 信息存储空间 请勿转载 "
        "建立镜像 转载申请 反侵权 著作权声明 传输内容声明 郑 违者 禁止"
    ),
    "counter": "第 已被",
    "trackback": "trackback 引用通告 通告引用 引用该篇文章 引用这篇文章",
    "footer_prose": (
        "版权 未经 转载请注明 网站地图 联系我们 关于我们 免责声明 隐私政策 法律声明 广告服务 "
        "友情链接 网站导航 意见反馈 投稿邮箱 技术支持 欢迎批评指正 给编辑写信 热线电话"
    ),
}

# Whole-line rules, by kind. Each pattern is searched in the stripped, lower-cased line
# (re.IGNORECASE would make the unanchored footer pattern ten times slower).

_WEEKDAYS: Final = "日一二三四五六天"
CALENDAR_ROW_DAYS: Final = 7
_RULES: Final[tuple[tuple[str, str], ...]] = (
    (
        "breadcrumb",
        (
            r"^(?:(?:我的|当前|您的|你的|所在)?位置\s*[:：>]|(?:当前您在|您现在的位置|你现在的位置)|"
            r"首页\s*[>›»＞/]|[^。！？]{0,20}\s*[>›»＞]\s*(?:正文|文章详情|详情|内容|新闻详情)$)"
            # `人民网>>江苏频道>>教育`: three or more short items chained by arrows
            r"|^[^。！？，,>›»＞]{1,24}(?:\s*(?:>>|[>›»＞])\s*[^。！？，,>›»＞]{1,24}){2,}$"
        ),
    ),
    (
        "comments",
        (
            r"^(?:评论(?:$|\s*\d)|最热评论|最新评论|热门评论|查看更多评论|查看全部评论|点击查看更多|共\s*\d+\s*条评论|"
            r"\d+\s*条评论|还没有评论|暂无评论|快来抢沙发|抢沙发|网友评论仅供|发表(?:$|评论|于)|提交评论|"
            r"已有\s*\d+\s*人参与|评论\s*\d+\s*人参与|\d+\s*人参与)"
        ),
    ),
    ("captcha", r"^(?:请)?(?:输入)?验证码(?:$|[\s:：])|看不清.{0,6}换一张|点击(?:图片)?刷新"),
    (
        "share",
        (
            r"^[【\[]?(?:分享到|分享至|一键分享|转发到|微信扫一扫|扫一扫|扫描二维码|用微信扫描|手机扫码|"
            r"字号\s*[:：]|字体\s*[:：])"
            r"|^[【\[]?(?:举报|点赞|分享|收藏|打印|关闭|纠错|收藏本文|收藏本页|打印本页|关闭窗口)[】\]]?$"
            r"|^(?:微信|微博|qq空间|qq好友|新浪微博|腾讯微博|朋友圈|豆瓣|人人网|复制链接|收藏|打印)"
            rf"(?:{_S}(?:微信|微博|qq空间|qq好友|新浪微博|腾讯微博|朋友圈|豆瓣|人人网|复制链接|收藏|打印|更多))+$"
        ),
    ),
    (
        "prev_next",
        (
            r"^[【\[]?(?:上一篇|下一篇|上一页|下一页|上一条|下一条|上一章|下一章|前一篇|后一篇|"
            r"返回顶部|回到顶部|返回首页|返回列表|返回目录|返回上一页|返回页首|返回)(?:$|[\s:：】\]>»].{0,60}$)"
            # pagination anywhere in a short line: `1页/共1页 << 上一页 | 下一页 >>`
            r"|^[^。！？]{0,40}(?:上一页|下一页)[^。！？]{0,40}$|^第?\s*\d+\s*页\s*/\s*共\s*\d+\s*页"
        ),
    ),
    (
        # Wording only a footer or a platform disclaimer uses, even in a sentence.
        "footer",
        (
            r"copyright|©|\(c\)\s*\d{4}|icp[备证]|公网安备|网安备|增值电信业务经营许可证|经营许可证编号|"
            r"网络文化经营许可证|违法和不良信息举报|all rights reserved|仅代表作者本人|信息存储空间服务|"
            r"请勿转载|建立镜像|转载申请|反侵权公告|著作权声明|传输内容声明|^郑\s*重\s*声\s*明|"
            r"信息服务许可证|许可证编号|违者(?:必究|依法追究)|禁止.{0,4}转载"
        ),
    ),
    (
        # Wording an article may use too: only on a line that is not a sentence (see _PROSE).
        "footer_prose",
        (
            r"版权所有|版权声明|未经.{0,12}(?:授权|许可|同意).{0,12}(?:转载|复制|使用)|转载请注明|"
            r"^(?:网站地图|联系我们|关于我们|免责声明|隐私政策|法律声明|广告服务|友情链接|网站导航|意见反馈|"
            r"投稿邮箱|技术支持)|意见反馈|欢迎批评指正|给编辑写信|热线电话"
        ),
    ),
    (
        "login",
        (
            r"^(?:登录|注册|立即登录|请登录|免费注册|用户登录|会员登录|忘记密码|退出登录|用户名|密码|"
            rf"请先登录)(?:$|{_S}(?:注册|登录|忘记密码|找回密码|退出))"
        ),
    ),
    (
        # Visitor and reader counters: `你是第 344522 位访问者`, `您是本文第 154 个阅览者`,
        # `(本文发表于首页, 已被阅读178次)`.
        "counter",
        r"^[你您]是(?:本[文站帖页])?第[^。！？，]{0,8}?\d+\s*[个位名]|已被(?:阅读|浏览|点击|查看)\s*\d+\s*次",
    ),
    (
        # A forum's own status and greeting lines: `主题已经关闭，停止回复`, `| 回复线索：`, `游客 欢迎你！`.
        "forum",
        r"^[|｜\s]*(?:本?(?:主题|帖子?)已(?:经)?(?:被)?(?:关闭|锁定)|回复线索|游客\s*[,，]?\s*欢迎[你您]|欢迎[你您]\s*[,，]?\s*游客)",
    ),
    # A blog's trackback box: `本文通告引用(Trackback)链接: ...`, `你可以使用这个链接引用该篇文章 http://...`.
    ("trackback", r"trackback|引用通告|通告引用|引用该篇文章|引用这篇文章"),
    # A calendar widget's weekday row: `日 一 二 三 四 五 六`.
    ("calendar", rf"^(?:(?:星期|周)?[{_WEEKDAYS}]\s*){{{CALENDAR_ROW_DAYS}}}$"),
)

# A publisher's reprint notice (`未经书面许可，擅自转载本报社作品的，将涉嫌侵犯著作权人合法权益……本报社
# 郑重公告：`) is prose and may be long, but naming the site's own rights and reprinting together
# in a paragraph in the last third of the page marks the end of the article: it starts the tail
# like a comment widget does. (A one-line `未经本网授权，请勿转载` is a footer line: see _RULES.)
NOTICE_BEFORE_AFTER_RATIO: Final = 2.0
_NOTICE_SELF: Final = compiled(both_scripts("本报|本网|本站|本刊|本社|本台|本平台|本公众号"))
_NOTICE_RIGHTS: Final = compiled(both_scripts("著作权|版权|侵权|授权"))

# A row of page controls and counters only: `阅读全文(736) | 回复(0) | 引用(1)`, `阅读 ()`,
# `发送给朋友 发表评论 打印本文`. Possessive quantifiers keep the match linear.
_WIDGET_WORDS: Final = (
    "阅读全文|阅读|回复|引用|发表评论|查看评论|评论|打印本文|打印|发送给朋友|推荐给朋友|关闭窗口|返回页首|"
    "收藏本文|收藏|分享|推荐|点击数|点击|浏览次数|浏览|人气|支持|反对|举报|更多|pdf下载|word下载|下载|顶|踩|"
    "用户名|用\\s*户|密\\s*码|网易通行证|通行证|匿名发出|自动登陆|自动登录|记住我|游客|登录|注册|"
    "回复本贴|跟从标题|关闭本窗口|刷新|我来说两句|字体|关闭|打印"
)
_WIDGET_GAP: Final = r"[\s|｜/·•\-—:：()（）\[\]【】<>«»\d次]"
_WIDGETS_SOURCE: Final = rf"^(?:{_WIDGET_GAP}*+(?:{_WIDGET_WORDS}))++{_WIDGET_GAP}*+$"
_WIDGET_GAP_CHARS: Final = "|｜/·•-—:：()（）[]【】<>«»次"  # the gap's characters but spaces and digits


def _heads(words: str) -> frozenset[str]:
    """The characters, in both scripts, that the `|`-separated words start with."""
    return frozenset(both_scripts("".join(word[0] for word in words.split("|"))))


def _may_be_widgets(lowered: str, heads: frozenset[str]) -> bool:
    """Whether `lowered` (stripped, not empty) can start a widgets line: with one of the gap's
    characters (its `\\s` and `\\d` tested as re does) or a widget word's first character."""
    head = lowered[0]
    return head in heads or head.isdecimal() or head.isspace()

# A toolbar: three or more short bracketed items and nothing else
# (`页面功能 【我来说两句】【推荐】【字体： 】【打印】 【关闭`, `[ 回复本贴 ] [ 跟从标题 ] [ 刷新 ]`).
_TOOLBAR: Final = compiled(r"^[^\[【]{0,6}(?:\s*[\[【][^\]】]{0,10}[\]】]?){3,}\s*$")

# A link list: three or more lines in a row that start with a bullet or a `[section]` tag and are
# not sentences (`·富夫妻望子成龙假离婚（2005-04-03）`, `[头条] 内蒙一弱智少女...`).
_LINK_BULLETS: Final = "·•▪▸►◆◇■□★☆→"
_LINK_ITEM: Final = compiled(
    rf"^(?:[{_LINK_BULLETS}]|\[[^\]]{{1,8}}\]|【[^】]{{1,8}}】)\s*\S[^。！？]{{0,80}}$"
)
_LINK_ITEM_HEADS: Final = frozenset(_LINK_BULLETS + "[【")  # what one starts with: a test before the pattern
LINK_LIST_MIN: Final = 3

# A navigation row: several very short items separated by bars, bullets or wide spaces.
_NAV_SEPARATORS: Final = compiled(r"\s*[|｜·•]\s*|\s+[-–—]\s+|\s{2,}|\u3000+")
# Whether a line has one (`[|｜·•\u3000]|\s(?:[-–—]\s|\s)`): the same lines, found by a pattern
# that starts with one class, which re scans for in C (a leading alternation, even of classes,
# gets no scan: a match attempt at every character), then tells the separators apart by a
# lookbehind.
_HAS_NAV_SEPARATOR: Final = compiled(r"[|｜·•\s](?:(?<=[|｜·•\u3000])|(?<=\s)(?:[-–—]\s|\s))")
_SENTENCE: Final = CharClass(r"[。！？!?；;，,“”]")  # in C: one call a short line
# A sentence (a comma, or a full stop before the end) may mention copyright; a footer does not.
# (One class first, which re scans for quickly: `[，,；;]|[。！？](?=.)` tried both branches at
# every character.)
_PROSE: Final = compiled(r"[，,；;。！？](?:(?<=[，,；;])|(?=.))")
PROSE_LINE: Final = 40  # a prose-punctuated line longer than this is a sentence
PROSE_SHORT: Final = 24  # ... and one this short is not, commas or not
NAV_MIN_ITEMS: Final = 4
NAV_MAX_ITEM: Final = 12  # `About Sina`
NAV_MEAN_ITEM: Final = 6
CALENDAR_MIN_DAYS: Final = 5  # a week row cut by the month's start or end still has this many
MAX_CALENDAR_ROW: Final = 14  # seven two-digit days


class _Rule:
    """One whole-line rule. Its pattern is compiled on first use: each costs 0.2-1 ms to compile
    (every Chinese character a class of its two scripts), and a rule with a hint is only needed by
    a document with a line the hint finds (most have none for most rules)."""

    __slots__ = ("compiled", "hint", "kind", "source")

    def __init__(self, kind: str, source: str, hint: Phrases | None) -> None:
        self.kind = kind
        self.source = source
        self.hint = hint  # a line this does not match cannot match the pattern
        self.compiled: re.Pattern[str] | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        if self.compiled is None:
            self.compiled = compiled(self.source)
        return self.compiled

    def matches(self, lowered: str) -> bool:
        return (self.hint is None or self.hint.found_in(lowered)) and (
            self.pattern.search(lowered) is not None
        )


@dataclass(frozen=True, slots=True)
class _Patterns:
    tail: re.Pattern[str]
    rules: tuple[_Rule, ...]
    any_hint: Phrases  # every rule's hint words: a line without one can only be a calendar row
    calendar: _Rule  # the one rule without a hint (its lines are a week's day names)
    widgets: re.Pattern[str]
    footer: _Rule
    # What a line must start with to match the tail, widgets and calendar patterns (in both
    # scripts): tested first, as most lines fail them (over the corpus: tail 19 of 5,089 lines,
    # widgets 9 of 4,153, calendar rows 0 of 4,153).
    tail_heads: frozenset[str]
    widget_heads: frozenset[str]
    calendar_heads: frozenset[str]


def _spellings(word: str) -> set[str]:
    """Every spelling of `word` that its both_scripts pattern matches: each character in either
    script (the product is small: hints are a few characters long)."""
    options = []
    for c in word:
        form = both_scripts(c)
        options.append(form[1:-1] if len(form) > 1 and form.startswith("[") else c)
    return {"".join(p) for p in product(*options)}


def _hint(words: str) -> Phrases:
    return Phrases(s for w in words.split() for s in _spellings(w))


@cache
def _compiled() -> _Patterns:
    """The patterns, made to match both scripts, compiled once per process (the rules' on first use)."""
    rules = tuple(_Rule(k, both_scripts(p), _hint(_HINTS[k]) if k in _HINTS else None) for k, p in _RULES)
    unhinted = [r for r in rules if r.hint is None]
    assert [r.kind for r in unhinted] == ["calendar"], "each rule but the calendar's has a hint"
    return _Patterns(
        compiled(both_scripts(_TAIL)),
        rules,
        _hint(" ".join(_HINTS.values())),
        unhinted[0],
        compiled(both_scripts(_WIDGETS_SOURCE)),
        next(r for r in rules if r.kind == "footer"),
        frozenset(_TAIL_OPENERS) | _heads(_TAIL_WORDS),
        frozenset(_WIDGET_GAP_CHARS) | _heads(_WIDGET_WORDS),
        frozenset(both_scripts("星周" + _WEEKDAYS)),
    )


def _kind(line: str, patterns: _Patterns) -> str | None:
    """The kind of boilerplate `line` (stripped) is, or None for content."""
    if not line or len(line) > MAX_LINE:
        return None
    lowered = line.lower()
    prose = _PROSE.search(line) is not None
    if prose and len(line) > PROSE_LINE:
        # A longer line with commas or inner full stops is a sentence: of all the rules only a
        # platform disclaimer reads like one. Skipping the rest halves the step's time.
        return "footer" if patterns.footer.matches(lowered) else None
    if patterns.any_hint.found_in(lowered):
        for rule in patterns.rules:
            hint = rule.hint  # inlined rule.matches: this loop runs for every line with a hint word
            if hint is not None and not hint.found_in(lowered):
                continue
            if (rule.compiled or rule.pattern).search(lowered) is not None:
                if rule.kind == "footer_prose":
                    if prose and len(line) > PROSE_SHORT:
                        continue
                    return "footer"
                return rule.kind
    elif (
        len(line) >= CALENDAR_ROW_DAYS
        and lowered[0] in patterns.calendar_heads
        and patterns.calendar.pattern.search(lowered) is not None
    ):
        return "calendar"
    if line[0].isdigit() and _is_calendar_days(line):
        return "calendar"
    # A toolbar has three brackets: `in` first, as most lines have none.
    if (_may_be_widgets(lowered, patterns.widget_heads) and patterns.widgets.match(lowered)) or (
        ("[" in line or "【" in line) and _TOOLBAR.match(line)
    ):
        return "widgets"
    # Navigation needs separators: one search first, as most lines have none.
    if _SENTENCE.find(line) < 0 and _HAS_NAV_SEPARATOR.search(line):
        lengths = [len(i) for i in _NAV_SEPARATORS.split(line) if i]
        if len(lengths) >= NAV_MIN_ITEMS and _short_items(lengths):
            return "navigation"
        # A long menu row often ends in the date or a search prompt: `首页 | 时事 | ... | 贴图
        # 2006年12月27日（京港台时间）`. With twice the items, the last may be long.
        if len(lengths) >= 2 * NAV_MIN_ITEMS and _short_items(lengths[:-1]):
            return "navigation"
    return None


def _is_calendar_days(line: str) -> bool:
    """A calendar widget's row of day numbers, spaced or run together: `3 4 5 6 7 8 9`,
    `10111213141516`. At least CALENDAR_MIN_DAYS consecutive numbers and nothing else."""
    digits = "".join(line.split())
    if not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_CALENDAR_ROW:
        return False
    for first in (1, 2):
        day, pos, count = int(digits[:first]), first, 1
        while pos < len(digits) and digits.startswith(str(day + 1), pos):
            day, pos, count = day + 1, pos + len(str(day + 1)), count + 1
        if pos == len(digits) and count >= CALENDAR_MIN_DAYS and day <= 31:
            return True
    return False


def _short_items(lengths: list[int]) -> bool:
    return max(lengths) <= NAV_MAX_ITEM and sum(lengths) <= NAV_MEAN_ITEM * len(lengths)


def _drop_link_lists(lines: list[str], detail: dict[str, int]) -> list[str]:
    """Remove runs of LINK_LIST_MIN or more link-list items (blank lines inside a run allowed)."""
    drop: set[int] = set()
    run: list[int] = []
    for i, line in enumerate([*lines, "end of text"]):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] in _LINK_ITEM_HEADS and _LINK_ITEM.match(stripped):
            run.append(i)
            continue
        if len(run) >= LINK_LIST_MIN:
            drop.update(run)
        run = []
    if not drop:
        return lines
    detail["link_list"] = len(drop)
    return [line for i, line in enumerate(lines) if i not in drop]


def _is_reprint_notice(line: str) -> bool:
    # `in` first: most lines never mention reprinting.
    return (
        ("转载" in line or "轉載" in line)
        and _NOTICE_SELF.search(line) is not None
        and _NOTICE_RIGHTS.search(line) is not None
    )


def remove_boilerplate(text: str) -> StepOutput:
    """Drop boilerplate lines, and everything after a comment widget or related-links header."""
    patterns = _compiled()
    lines = text.split("\n")
    total = len(text)
    detail: dict[str, int] = {}
    kept: list[str] = []
    before = 0  # characters of content kept so far
    offset = 0  # where the current line starts in `text`
    for i, line in enumerate(lines):
        stripped = line.strip()
        offset += len(line) + 1
        after = total - offset + len(line) + 1  # characters from this line on
        if (
            stripped
            and len(stripped) <= MAX_LINE
            and stripped[0] in patterns.tail_heads
            and patterns.tail.search(stripped)
        ):
            if before >= TAIL_MIN_BEFORE and before >= TAIL_BEFORE_AFTER_RATIO * after:
                detail["tail_lines"] = sum(1 for x in lines[i:] if x.strip())
                break
            detail["tail_marker"] = detail.get("tail_marker", 0) + 1
            continue
        if (
            len(stripped) > PROSE_LINE
            and before >= NOTICE_BEFORE_AFTER_RATIO * after
            and _is_reprint_notice(stripped)
        ):
            detail["tail_lines"] = sum(1 for x in lines[i:] if x.strip())
            break
        kind = _kind(stripped, patterns)
        if kind is None:
            kept.append(line)
            before += len(stripped)
        else:
            detail[kind] = detail.get(kind, 0) + 1
    out = "\n".join(_drop_link_lists(kept, detail))
    return StepOutput(out, StepReport("remove_boilerplate", sum(detail.values()), total - len(out), detail))

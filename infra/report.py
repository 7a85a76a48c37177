"""The corpus report: one self-contained HTML page over the documents table.

Counts by status and reason, histograms of length, Han ratio, noise share and repetition
(stacked by status, so a threshold's cut is visible), top keywords and the largest duplicate
clusters. Charts are matplotlib SVG inlined in the page: no script, no file beside it, no
network. Everything below `collect` works on plain record dicts, so it is tested on records
built in the test, and it tolerates records that lack any statistic (older pipeline versions,
rejected documents): a missing number is left out of its chart, never guessed.
"""

from __future__ import annotations

import html
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from infra.queries import STATUSES, Totals, corpus_totals, daily_counters, list_documents

# Order and colours of statuses in every chart and table.
STATUS_COLOURS = {
    "kept": "#2e7d32",
    "dropped": "#ef6c00",
    "duplicate": "#1565c0",
    "rejected": "#6d4c41",
    "failed": "#c62828",
    "deleted": "#9e9e9e",
}
CHART_STATUSES = ("kept", "dropped", "duplicate")  # the ones that carry text statistics
TOP_KEYWORDS = 30
TOP_CLUSTERS = 10
CLUSTER_MEMBERS_SHOWN = 8


@dataclass(frozen=True, slots=True)
class Metric:
    """One histogram: a number read from a record's stats, by the first field name present."""

    title: str
    label: str
    fields: tuple[str, ...]
    bins: int = 30
    log: bool = False  # log-spaced bins (lengths span orders of magnitude)
    share: bool = False  # a share in [0, 1]: bins over the whole range, comparable across reports
    derive: Callable[[dict[str, Any]], float | None] | None = None


def _noise_from_lengths(stats: dict[str, Any]) -> float | None:
    chars_in, chars_out = stats.get("chars_in"), stats.get("chars_out")
    if isinstance(chars_in, int | float) and isinstance(chars_out, int | float) and chars_in > 0:
        return max(0.0, (chars_in - chars_out) / chars_in)
    return None


METRICS = (
    Metric("Length", "characters after cleaning", ("chars_out",), log=True),
    Metric("Han ratio", "Han characters / visible characters", ("han_ratio", "han_letter_ratio"), share=True),
    Metric(
        "Noise share",
        "share of the input removed as noise",
        ("noise_ratio",),
        share=True,
        derive=_noise_from_lengths,
    ),
    Metric(
        "Repetition",
        "share of characters in repeated 10-grams",
        ("char_10gram_rep_ratio", "dup_line_char_frac", "top_2gram_char_frac"),
        share=True,
    ),
)


@dataclass(slots=True)
class CorpusData:
    records: list[dict[str, Any]]
    counters: list[dict[str, Any]] = field(default_factory=list)
    source: str = ""
    generated_at: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


@dataclass(slots=True)
class Cluster:
    original: str
    members: list[dict[str, Any]]  # duplicate records pointing at the original

    @property
    def size(self) -> int:
        return 1 + len(self.members)


def collect(table: Any) -> CorpusData:
    """Every document record (through the ByStatus index) and every daily counter."""
    return CorpusData(records=list(list_documents(table)), counters=daily_counters(table), source=table.name)


# ---- summaries (plain data) -------------------------------------------------------------


def status_counts(records: Iterable[dict[str, Any]]) -> Counter[str]:
    return Counter(str(r.get("status", "")) for r in records)


def reason_counts(records: Iterable[dict[str, Any]]) -> dict[str, Counter[str]]:
    """status -> reason -> documents. Duplicates count as `exact` or `near`."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        status = str(r.get("status", ""))
        reasons = r.get("reasons") or ([f"{duplicate_kind(r)}_duplicate"] if status == "duplicate" else [])
        for reason in reasons:
            out[status][str(reason)] += 1
    return out


def duplicate_kind(record: dict[str, Any]) -> str:
    """`exact` or `near`: from the record's reason, else (older records) from its similarity."""
    reasons = record.get("reasons") or []
    if "exact_duplicate" in reasons or "near_duplicate" in reasons:
        return "exact" if "exact_duplicate" in reasons else "near"
    similarity = record.get("similarity")
    return "exact" if similarity is None or float(similarity) >= 1.0 else "near"


def metric_value(record: dict[str, Any], metric: Metric) -> float | None:
    stats = record.get("stats") or {}
    for name in metric.fields:
        value = stats.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return metric.derive(stats) if metric.derive else None


def metric_series(records: Iterable[dict[str, Any]], metric: Metric) -> dict[str, list[float]]:
    series: dict[str, list[float]] = {s: [] for s in CHART_STATUSES}
    for r in records:
        status = str(r.get("status", ""))
        value = metric_value(r, metric)
        if status in series and value is not None:
            series[status].append(value)
    return series


def keywords_of(record: dict[str, Any]) -> list[str]:
    """The record's keywords, whichever shape they come in (words, [word, score], {word: ..})."""
    raw = record.get("keywords") or (record.get("stats") or {}).get("keywords") or []
    words = []
    for entry in raw:
        if isinstance(entry, str):
            words.append(entry)
        elif isinstance(entry, list | tuple) and entry:
            words.append(str(entry[0]))
        elif isinstance(entry, dict) and entry.get("word"):
            words.append(str(entry["word"]))
    return words


def top_keywords(records: Iterable[dict[str, Any]], n: int = TOP_KEYWORDS) -> list[tuple[str, int]]:
    """Keywords of kept documents, by the number of documents listing them."""
    counts: Counter[str] = Counter()
    for r in records:
        if r.get("status") == "kept":
            counts.update(set(keywords_of(r)))
    return counts.most_common(n)


def duplicate_clusters(records: Iterable[dict[str, Any]], n: int = TOP_CLUSTERS) -> list[Cluster]:
    """Duplicates grouped by the original they point to, largest first."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        if r.get("status") == "duplicate" and r.get("duplicate_of"):
            groups[str(r["duplicate_of"])].append(r)
    clusters = [Cluster(orig, sorted(group, key=lambda m: str(m["key"]))) for orig, group in groups.items()]
    clusters.sort(key=lambda c: (-c.size, c.original))
    return clusters[:n]


def run_summary(records: Sequence[dict[str, Any]]) -> str:
    """A few lines for the end of `docproc local run`: documents per status, with reasons."""
    counts = status_counts(records)
    reasons = reason_counts(records)
    lines = [f"{len(records)} document(s):"]
    for status in [*STATUSES, *sorted(set(counts) - set(STATUSES))]:
        if not counts.get(status):
            continue
        why = ", ".join(f"{reason} {n}" for reason, n in reasons.get(status, Counter()).most_common())
        lines.append(f"  {status:<10}{counts[status]:>6}" + (f"   ({why})" if why else ""))
    return "\n".join(lines)


# ---- rendering --------------------------------------------------------------------------


def render_html(data: CorpusData) -> str:
    records = data.records
    counts = status_counts(records)
    totals = corpus_totals(data.counters)
    sections = [
        _section("Documents by status", _status_table(counts, totals) + _status_bar(counts)),
        _section("Reasons", _reasons_table(reason_counts(records))),
        _section("Distributions", _grid("".join(_figure(m, metric_series(records, m)) for m in METRICS))),
        _section("Top keywords of kept documents", _keywords_block(top_keywords(records))),
        _section("Largest duplicate clusters", _clusters_table(duplicate_clusters(records))),
    ]
    title = "docproc corpus report"
    subtitle = f"{len(records)} documents · table {html.escape(data.source or '?')} · {data.generated_at}"
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>{_CSS}</style></head><body>"
        f"<h1>{title}</h1><p class='sub'>{subtitle}</p>{''.join(sections)}</body></html>\n"
    )


def write_report(data: CorpusData, path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(render_html(data))


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Noto Sans",sans-serif;
 margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{margin-bottom:.2rem} .sub{color:#666;margin-top:0}
section{margin:1.8rem 0} h2{border-bottom:1px solid #ddd;padding-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0} td,th{padding:.25rem .7rem;border-bottom:1px solid #eee;
 text-align:left;vertical-align:top} td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:flex;height:22px;border-radius:3px;overflow:hidden;margin:.6rem 0;max-width:700px}
.bar span{display:block;height:100%}
.swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.35em}
.charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:1rem}
figure{margin:0} figure svg{width:100%;height:auto}
.kw{display:grid;grid-template-columns:9em 1fr 3em;gap:.15rem .6rem;align-items:center;max-width:700px}
.kw div.b{background:#2e7d32;height:.9em;border-radius:2px}
.muted{color:#888} code{font-size:.9em}
"""


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{body}</section>"


def _swatch(status: str) -> str:
    return f"<span class='swatch' style='background:{STATUS_COLOURS.get(status, '#000')}'></span>"


def _status_table(counts: Counter[str], totals: dict[str, Totals]) -> str:
    rows = []
    for status in STATUSES:
        t = totals.get(status, Totals())
        rows.append(
            f"<tr><td>{_swatch(status)}{status}</td><td class='n'>{counts.get(status, 0)}</td>"
            f"<td class='n'>{t.documents}</td><td class='n'>{t.characters:,}</td></tr>"
        )
    head = (
        "<tr><th>status</th><th class='n'>records</th><th class='n'>counted documents</th>"
        "<th class='n'>counted characters</th></tr>"
    )
    note = (
        "<p class='muted'>records: document records now in the table; counted: the daily counters "
        "(they agree unless a write is in flight).</p>"
    )
    return f"<table>{head}{''.join(rows)}</table>{note}"


def _status_bar(counts: Counter[str]) -> str:
    total = sum(counts.values())
    if not total:
        return "<p class='muted'>No documents yet.</p>"
    spans = "".join(
        f"<span title='{s}: {counts[s]}' style='width:{100 * counts[s] / total:.2f}%;"
        f"background:{STATUS_COLOURS.get(s, '#000')}'></span>"
        for s in STATUSES
        if counts.get(s)
    )
    return f"<div class='bar'>{spans}</div>"


def _reasons_table(reasons: dict[str, Counter[str]]) -> str:
    rows = [
        f"<tr><td>{_swatch(status)}{status}</td><td>{html.escape(reason)}</td><td class='n'>{n}</td></tr>"
        for status in STATUSES
        for reason, n in reasons.get(status, Counter()).most_common()
    ]
    if not rows:
        return "<p class='muted'>No reasons recorded.</p>"
    head = "<tr><th>status</th><th>reason</th><th class='n'>documents</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _figure(metric: Metric, series: dict[str, list[float]]) -> str:
    present = sum(len(v) for v in series.values())
    if not present:
        chart = f"<p class='muted'>{html.escape(metric.title)}: no document carries this statistic.</p>"
    else:
        chart = histogram_svg(metric, series)
    return f"<figure>{chart}</figure>"


def _grid(body: str) -> str:
    return f"<div class='charts'>{body}</div>"


def histogram_svg(metric: Metric, series: dict[str, list[float]]) -> str:
    """A stacked histogram (one colour per status) as an inline SVG element."""
    import matplotlib  # a dev requirement, imported only when a report is drawn

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    values = [v for vs in series.values() for v in vs]
    low, high = min(values), max(values)
    if metric.log:
        low = max(low, 1.0)
        high = max(high, low * 1.0001)
        ratio = (high / low) ** (1 / metric.bins)
        bins = [low * ratio**i for i in range(metric.bins)] + [high]  # exact top edge: max is counted
    else:
        if metric.share:
            low, high = 0.0, 1.0
        high = high if high > low else low + 1e-9
        step = (high - low) / metric.bins
        bins = [low + step * i for i in range(metric.bins + 1)]
    statuses = [s for s in CHART_STATUSES if series.get(s)]
    fig = Figure(figsize=(5.4, 3.0), dpi=100)
    ax = fig.add_subplot()
    ax.hist(
        [[max(v, bins[0]) for v in series[s]] for s in statuses],
        bins=bins,
        stacked=True,
        histtype="stepfilled",  # one polygon per status, not one rectangle per bin: 10x faster
        color=[STATUS_COLOURS[s] for s in statuses],
        label=[f"{s} ({len(series[s])})" for s in statuses],
    )
    if metric.log:
        from matplotlib.ticker import FuncFormatter, NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_title(metric.title, fontsize=11)
    ax.set_xlabel(metric.label, fontsize=9)
    ax.set_ylabel("documents", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False)
    fig.subplots_adjust(left=0.13, right=0.97, top=0.9, bottom=0.17)
    buffer = io.StringIO()
    # Text stays text (no glyph paths): smaller, and the browser's fonts render it.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "docproc"}):
        fig.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    return svg[svg.index("<svg") :]


def _keywords_block(keywords: list[tuple[str, int]]) -> str:
    if not keywords:
        return "<p class='muted'>No keywords recorded for kept documents.</p>"
    most = keywords[0][1]
    rows = "".join(
        f"<div>{html.escape(word)}</div><div><div class='b' style='width:{100 * n / most:.1f}%'></div></div>"
        f"<div class='n'>{n}</div>"
        for word, n in keywords
    )
    return f"<p class='muted'>Documents listing each keyword.</p><div class='kw'>{rows}</div>"


def _clusters_table(clusters: list[Cluster]) -> str:
    if not clusters:
        return "<p class='muted'>No duplicates found.</p>"
    rows = []
    for c in clusters:
        members = "<br>".join(
            f"<code>{html.escape(str(m['key']))}</code> "
            f"<span class='muted'>{_similarity_label(m)}</span>"
            for m in c.members[:CLUSTER_MEMBERS_SHOWN]
        )
        more = len(c.members) - CLUSTER_MEMBERS_SHOWN
        if more > 0:
            members += f"<br><span class='muted'>… and {more} more</span>"
        original = f"<code>{html.escape(c.original)}</code>"
        rows.append(f"<tr><td class='n'>{c.size}</td><td>{original}</td><td>{members}</td></tr>")
    head = "<tr><th class='n'>size</th><th>original (owner)</th><th>duplicates</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _similarity_label(record: dict[str, Any]) -> str:
    if duplicate_kind(record) == "exact":
        return "exact"
    return f"near, J≈{float(record['similarity']):.2f}"

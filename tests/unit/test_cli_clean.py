"""`docproc clean` and `docproc eval` as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from infra.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_9d31691385c9101d.txt"
ARTICLE = (
    "青岛市刑侦支队聚焦重点人群开展反诈宣传。针对老年人防范意识较弱的特点，青岛市刑侦支队联合团市委等部门"
    "组建420余人的社会青年反诈志愿者团队，今年上半年启动“守护银龄”行动，在6个区（市）的9个社区开展专项宣传，"
    "600余名老年人通过案例讲解、互动问答增强了防骗意识。青少年是反诈宣传的重点群体。"
)


def test_clean_prints_the_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("青岛:电信网络诈骗发案数持续下降")
    assert "久久" not in out and "评论" not in out


def test_clean_json_one_object_per_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "sub").mkdir()
    shutil.copy(SEED, tmp_path / "sub" / "a.txt")
    (tmp_path / "b.html").write_text(f"<html><body><p>{ARTICLE}</p></body></html>", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["clean", "--json", str(tmp_path)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(r["source"]).name for r in records] == ["b.html", "empty.txt", "a.txt"]
    for r in records:
        assert {"source", "status", "text", "metadata", "stats"} <= r.keys()
    html, empty, seed = records
    assert ARTICLE in html["text"]
    assert empty["status"] == "rejected"
    assert seed["status"] == "kept"
    assert seed["metadata"]["title"].startswith("青岛:电信网络诈骗")
    assert seed["metadata"]["author"] == "张海杰"
    assert seed["metadata"]["editor"] == "李赛男"
    assert seed["metadata"]["source"] == "青岛财经日报"


def test_clean_missing_file_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["clean", str(tmp_path / "nope.txt")]) == 1
    assert "nope.txt" in capsys.readouterr().err


def _tiny_corpus(root: Path) -> Path:
    (root / "thucnews").mkdir(parents=True)
    (root / "thucnews" / "cnews.val.txt").write_text(f"时政\t{ARTICLE}\n体育\t{ARTICLE}\n", encoding="utf-8")
    (root / "icwced" / "original").mkdir(parents=True)
    (root / "icwced" / "cleaned").mkdir(parents=True)
    page = f"<html><head><title>t</title></head><body><div>首页 > 新闻</div><p>{ARTICLE}</p></body></html>"
    (root / "icwced" / "original" / "p1.html").write_text(page, encoding="utf-8")
    (root / "icwced" / "cleaned" / "p1.txt").write_text(ARTICLE, encoding="utf-8")
    return root


def test_eval_json_reports_every_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _tiny_corpus(tmp_path / "corpus")
    assert main(["eval", "--corpus", str(corpus), "--json"]) == 0
    sets = {s["set"]: s for s in json.loads(capsys.readouterr().out)["sets"]}
    assert set(sets) == {"icwced", "synthetic", "false_positives"}
    assert sets["icwced"]["docs"] == 1 and sets["synthetic"]["docs"] == 2
    assert sets["false_positives"]["f1"] == 1.0
    assert sets["false_positives"]["not_kept"] == 0
    for s in sets.values():
        assert 0.0 <= s["precision"] <= 1.0 and 0.0 <= s["recall"] <= 1.0


def test_eval_table_and_skipped_sets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _tiny_corpus(tmp_path / "corpus")
    shutil.rmtree(corpus / "icwced")
    assert main(["eval", "--corpus", str(corpus), "--worst", "1"]) == 0
    captured = capsys.readouterr()
    assert "false_positives" in captured.out and "synthetic" in captured.out
    assert "skipping icwced" in captured.err


def test_eval_without_corpus_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--corpus", str(tmp_path / "absent")]) == 0
    assert "not found" in capsys.readouterr().err


def test_scores_are_script_and_whitespace_insensitive() -> None:
    from infra.evaluate import char_scores

    assert char_scores("青島 財經\n日報。", "青岛财经日报。") == (1.0, 1.0, 1.0)
    assert char_scores("ＡＢ１。", "AB1。") == (1.0, 1.0, 1.0)
    p, r, _ = char_scores("甲乙丙。丁戊己。甲乙丙。", "甲乙丙。丁戊己。")
    assert (p, r) == (8 / 12, 1.0)


def test_scores_align_a_self_repeating_text() -> None:
    from infra.evaluate import char_scores

    body = "".join(f"第{i}句话说的是同一件事情。" for i in range(30))
    gold = body + "中间一句。" + body
    # One sentence missing from the first copy: nearly everything still aligns.
    out = body.replace("第3句话说的是同一件事情。", "", 1) + "中间一句。" + body
    assert char_scores(out, gold)[1] > 0.98

"""The decision on the evaluation corpus (../shared/corpus): skipped where the corpus is absent."""

from __future__ import annotations

import pytest

from infra.calibrate import DEFAULT_CORPUS, SetResult, calibrate

pytestmark = pytest.mark.skipif(
    not (DEFAULT_CORPUS / "thucnews").exists(),
    reason=f"evaluation corpus not found at {DEFAULT_CORPUS} (it is not part of the repository)",
)


@pytest.fixture(scope="module")
def figures() -> dict[str, SetResult]:
    return calibrate(only={"seed", "thucnews", "cwt_clean", "cwt_dirty_spam", "cc_spam"})


def test_no_clean_news_article_is_dropped(figures: dict[str, SetResult]) -> None:
    thucnews = figures["thucnews"]
    assert thucnews.total == 1000
    assert thucnews.misses == []


def test_clean_web_documents_and_the_sample_are_kept(figures: dict[str, SetResult]) -> None:
    assert figures["cwt_clean"].misses == []
    assert figures["seed"].misses == []


def test_gambling_spam_pages_are_dropped_or_flagged_spam(figures: dict[str, SetResult]) -> None:
    assert figures["cwt_dirty_spam"].misses == []
    # All 8 Common Crawl pages with a gambling title, the one with stray control characters
    # (decoded, the controls stripped) and the 贵宾会 one included.
    assert figures["cc_spam"].misses == []

"""Every public page in real headless Chromium, at 375 and 1280 px, light and dark.

For each page: nothing wider than the window, no text under 14 px, the email's type
scale (body 16 px), and no Korean word broken across lines — checked also in a narrow
column, where a page without `word-break: keep-all` would split "브리핑" as "브|리핑".
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from newsletter.audience.tokens import confirmation_token, unsubscribe_token
from newsletter.runtime import Runtime
from newsletter.web.app import create_app
from newsletter.web.server import url_of
from tests.web.conftest import DAY, SECRET, write_config
from tests.web.test_site import make_edition

CHECKS = """(narrow) => {
  if (narrow) {
    for (const el of document.querySelectorAll('main, .wrap, body > div')) {
      el.style.maxWidth = '260px';  // a column a few words wide: lines must break
    }
  }
  const small = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    if (!rect.width || !rect.height || style.visibility === 'hidden') continue;
    if (rect.right < 0 || style.display === 'none') continue;  // the honeypot, off-screen
    if (el.closest('[aria-hidden="true"]') || el.closest('[style*="display:none"]')) continue;
    if (parseFloat(style.fontSize) < 14) small.push([el.tagName, el.textContent.trim().slice(0, 30),
                                                    style.fontSize]);
  }
  // every Hangul word: all of its syllables on one line box
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    const skip = '[aria-hidden="true"], [style*="display:none"], style, title';
    if (!parent || parent.closest(skip)) continue;
    for (const match of node.textContent.matchAll(/[\\uac00-\\ud7a3]{2,}/g)) {
      const tops = new Set();
      for (let i = 0; i < match[0].length; i++) {
        range.setStart(node, match.index + i);
        range.setEnd(node, match.index + i + 1);
        const box = range.getBoundingClientRect();
        if (box.width) tops.add(Math.round(box.top));
      }
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  const root = document.documentElement;
  return {overflow: root.scrollWidth - root.clientWidth, small, broken,
          body: parseFloat(getComputedStyle(document.body).fontSize)};
}"""


@pytest.fixture(scope="module")
def korean_site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from newsletter.web.server import bind, running

    tmp = tmp_path_factory.mktemp("korean-site")
    sock = bind("127.0.0.1", 0)
    settings = write_config(tmp, url_of(sock), language="ko", name="데일리 테크 브리핑")
    make_edition(settings, DAY, sending=True, language="ko")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEWSLETTER_SECRET_KEY", SECRET)
        with running(create_app(Runtime(settings)), sock) as url:
            yield settings, url
    sock.close()


def pages(settings: Any, url: str) -> dict[str, str]:
    list_id = settings.list_id
    confirm = confirmation_token(SECRET, list_id, "kim@example.com", stamp=0)
    return {
        "landing": f"{url}/",
        "archive": f"{url}/archive/",
        "edition": f"{url}/archive/{DAY}/",
        "not found": f"{url}/nowhere",
        "signup": f"{url}/subscribe",
        "confirm": f"{url}/confirm/{confirm}",
        "unsubscribe": f"{url}/u/{unsubscribe_token(SECRET, 1, list_id)}",
    }


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_every_page_reads_well(browser: Any, korean_site: Any, width: int, scheme: str) -> None:
    settings, url = korean_site
    problems = []
    for name, address in pages(settings, url).items():
        page = browser.new_page(viewport={"width": width, "height": 800}, color_scheme=scheme)
        page.goto(address)
        wide = page.evaluate(CHECKS, False)
        narrow = page.evaluate(CHECKS, True)
        page.close()
        if wide["overflow"] > 0:
            problems.append(f"{name}: {wide['overflow']} px wider than the window")
        if wide["small"]:
            problems.append(f"{name}: text under 14 px: {wide['small'][:3]}")
        if wide["body"] != 16:
            problems.append(f"{name}: body text {wide['body']} px, not the email's 16 px")
        for found in (wide, narrow):
            if found["broken"]:
                problems.append(f"{name}: Korean words broken: {found['broken'][:3]}")
    assert problems == []


def test_the_checks_catch_a_page_that_breaks_korean_words(browser: Any, tmp_path: Path) -> None:
    """The word check is not vacuous: the old stylesheet (no keep-all) fails it."""
    html = tmp_path / "old.html"
    html.write_text(
        '<!doctype html><html lang="ko"><meta charset="utf-8"><body style="font-size:16px">'
        "<main><p>구독 확인 메일을 보냈습니다. 데일리 테크 브리핑을 구독하시려면 메일의 "
        "버튼을 눌러 주세요. 아무 일도 일어나지 않습니다.</p></main></body></html>",
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(html.as_uri())
    found = page.evaluate(CHECKS, True)
    page.close()
    assert found["broken"]


def test_socket_helper_is_loopback(korean_site: Any) -> None:
    _, url = korean_site
    host = url.split("//")[1].split(":")[0]
    assert socket.inet_aton(host) == socket.inet_aton("127.0.0.1")

"""Article pages as publishers write them: navigation, the article, asides, a footer."""

from __future__ import annotations

from html import escape


def article_page(title: str, paragraphs: list[str], *, lang: str = "en", extra: str = "") -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)} | Wire</title></head>
<body>
<header><nav><a href="/">Home</a> <a href="/ai">AI</a> <a href="/chips">Chips</a>
<a href="/subscribe">Subscribe to our newsletter</a></nav></header>
<main><article>
<h1>{escape(title)}</h1>
<p class="byline">By Jane Doe | Wire News</p>
{body}
{extra}
</article>
<aside><h3>Most read</h3><ul><li><a href="/x">Celebrity wedding photos</a></li>
<li><a href="/y">Ten gadgets on sale this week</a></li></ul></aside>
</main>
<footer><p>© 2026 Wire News Media. All rights reserved.</p>
<p>Share this: Twitter · Facebook</p></footer>
</body></html>""".encode()


CHIP = [
    "The chip maker said on Thursday that its first 2 nm accelerator has shipped to three "
    "cloud providers, a quarter earlier than it had promised investors last year.",
    "Each accelerator carries 288 GB of high-bandwidth memory and, according to the company, "
    "doubles inference throughput per watt compared with the previous generation.",
    "Analysts said the early shipment puts pressure on rivals whose 2 nm parts are not "
    "expected before the second half of the year, and could lower the cost of serving "
    "large language models.",
    "The company did not disclose prices, but said volume production would start in May "
    "at its plant in Arizona.",
]
KOREAN = [
    "삼성전자가 2나노 공정으로 만든 첫 모바일 칩을 주요 스마트폰 업체에 공급하기 시작했다고 "
    "6일 밝혔다. 당초 계획보다 한 분기 앞선 일정이다.",
    "회사 측은 새 칩이 이전 세대보다 전력 효율이 25% 높고, 인공지능 연산 성능은 두 배 "
    "가까이 향상됐다고 설명했다.",
    "업계에서는 이번 공급이 파운드리 경쟁에서 삼성전자의 입지를 다시 끌어올리는 계기가 될 "
    "것으로 보고 있다.",
]

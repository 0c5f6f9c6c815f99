"""What is not news is demoted: each rule in English and Korean, and news passes."""

from __future__ import annotations

import pytest

from newsletter.brief.newsworthy import KINDS, not_news

NOT_NEWS = [
    ("question", "Any reason to keep 1G connections to my servers?"),
    ("question", "[Help] Proxmox cluster keeps rebooting"),
    ("question", "홈서버 NAS 추천 부탁드립니다"),
    ("question", "[질문] 맥북 램 16기가면 충분한가요?"),
    ("deal", "Best bike light deals: 40% off Lezyne and Cateye"),
    ("deal", "Save $200 on this gaming laptop during Prime Day"),
    ("deal", "자전거 용품 최대 50% 할인 특가"),
    ("deal", "오늘의 핫딜: 무선 이어폰 최저가"),
    ("live", "Arsenal v Chelsea: Premier League – live"),
    ("live", "Election night live updates"),
    ("live", "손흥민 토트넘 경기 문자중계"),
    ("live", "애플 신제품 발표 실시간 중계"),
    ("job", "We're hiring: senior Rust engineer (remote)"),
    ("job", "[Hiring] Backend developer, Berlin"),
    ("job", "[채용] 백엔드 개발자 모집"),
    ("job", "경력 데이터 엔지니어 채용 공고"),
    ("thread", "Weekly Self-Promotion Thread"),
    ("thread", "Daily discussion thread - February 06"),
    ("thread", "주간 잡담 스레드"),
    ("thread", "월간 토론: 여러분의 홈랩을 보여주세요"),
]

NEWS = [
    "Microsoft closes $69bn deal for Activision",
    "Nvidia halts sale of H20 chips to China",
    "Is the AI boom a bubble? Investors are split",
    "Tesla is hiring 1,000 engineers for its Dojo team",
    "OpenAI releases o5 reasoning model",
    "정부, 전기요금 할인 제도 개편",
    "AI 거품 꺼질까…투자자들 엇갈린 전망",
    "삼성전자, 하반기 신규 투자 계획 발표",
    "Apple's iPhone 18 goes on sale in 40 countries",
]


def test_every_kind_has_cases_in_both_languages() -> None:
    for kind in KINDS:
        titles = [title for k, title in NOT_NEWS if k == kind]
        assert any(t.isascii() for t in titles) and any(not t.isascii() for t in titles), kind


@pytest.mark.parametrize(("kind", "headline"), NOT_NEWS)
def test_not_news_is_recognised(kind: str, headline: str) -> None:
    assert not_news(headline) == kind


@pytest.mark.parametrize("headline", NEWS)
def test_news_is_news(headline: str) -> None:
    assert not_news(headline) == ""

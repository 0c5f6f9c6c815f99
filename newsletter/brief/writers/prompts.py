"""What the Bedrock writer asks the model: the prompt per language and the reply's schema.

The prompt is written in the edition's language, because models answer in the
language they are asked in. It describes the edition's tone (a calm, factual
summary, then an analysis of why it matters, then one quotable line) and forbids
anything not in the articles: the model rewords reporting, it does not report.
The reply is forced through a tool whose JSON schema mirrors `Story`, so the
answer arrives as data rather than prose to be parsed.
"""

from __future__ import annotations

from typing import Any

from newsletter.brief.select import Cluster

TOOL_NAME = "write_story"
MAX_ARTICLE_CHARS = 3000  # per article: the lead carries the facts, and tokens cost money

STORY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "headline": {"type": "string", "description": "One-line headline, no emoji."},
        "summary_title": {"type": "string", "description": "Short title of the summary."},
        "summary": {
            "type": "array",
            "items": {"type": "string"},
            "minItems": 1,
            "maxItems": 3,
            "description": "Paragraphs: what happened, facts only.",
        },
        "why_title": {"type": "string", "description": "Short title of the analysis."},
        "why": {
            "type": "array",
            "items": {"type": "string"},
            "maxItems": 2,
            "description": "Paragraphs: why it matters. Empty when the articles give no basis.",
        },
        "takeaway": {"type": "string", "description": "One quotable closing sentence."},
    },
    "required": ["headline", "summary_title", "summary", "why_title", "why", "takeaway"],
}

SYSTEM = {
    "ko": (
        "당신은 매일 아침 발송되는 한국어 테크 뉴스레터 「{name}」의 편집자입니다. "
        "주어진 기사만을 근거로 하나의 소식을 씁니다. 말투는 정중한 합니다체이며, "
        "과장 없이 사실을 먼저 전하고 그다음에 의미를 분석합니다. 기사에 없는 사실, 수치, "
        "인용은 절대 만들지 마세요. 외국 고유명사는 처음 나올 때 한글 표기 뒤 괄호에 원문을 "
        "적습니다. 답은 반드시 {tool} 도구로 제출합니다."
    ),
    "en": (
        "You are the editor of “{name}”, a daily tech newsletter sent every morning. "
        "Write one story using only the articles given. The tone is calm and factual: "
        "first what happened, then an analysis of why it matters. Never invent facts, "
        "figures or quotes that are not in the articles. Always answer with the {tool} tool."
    ),
}
TASK = {
    "ko": (
        "다음 기사{plural}를 하나의 소식으로 정리해 주세요.\n"
        "- headline: 핵심 사실이 드러나는 한 줄 제목 (60자 이내, 이모지 없이)\n"
        "- summary_title: 요약 단락의 짧은 소제목 (25자 이내)\n"
        "- summary: 무슨 일이 있었는지 사실 위주로 1~2개 단락, 단락마다 2~4문장\n"
        "- why_title: 분석 단락의 짧은 소제목 (25자 이내)\n"
        "- why: 업계와 사용자에게 어떤 의미인지 분석하는 1개 단락 "
        "(기사에 근거가 없으면 빈 목록, why_title도 빈 문자열)\n"
        "- takeaway: 인용하기 좋은 한 문장 결론\n"
    ),
    "en": (
        "Turn the following article{plural} into one story.\n"
        "- headline: one line that states the key fact (at most 80 characters, no emoji)\n"
        "- summary_title: a short title for the summary (at most 6 words)\n"
        "- summary: 1–2 paragraphs of what happened, facts only, 2–4 sentences each\n"
        "- why_title: a short title for the analysis (at most 6 words)\n"
        "- why: one paragraph on what it means for the industry and users "
        "(an empty list and an empty why_title when the articles give no basis)\n"
        "- takeaway: one quotable sentence that sums it up\n"
    ),
}
ARTICLE = {
    "ko": "\n[기사 {n}] {publisher}, {published}\n제목: {title}\n본문: {text}\n",
    "en": "\n[Article {n}] {publisher}, {published}\nTitle: {title}\nText: {text}\n",
}


def system_prompt(language: str, name: str) -> str:
    return SYSTEM.get(language, SYSTEM["en"]).format(name=name, tool=TOOL_NAME)


def user_prompt(cluster: Cluster, language: str) -> str:
    """The task and every article of the cluster (publisher, date, title, text)."""
    lang = language if language in TASK else "en"
    plural = ("들" if lang == "ko" else "s") if len(cluster.items) > 1 else ""
    parts = [TASK[lang].format(plural=plural)]
    for n, item in enumerate(cluster.items, start=1):
        text = item.body or item.title
        if len(text) > MAX_ARTICLE_CHARS:
            text = text[:MAX_ARTICLE_CHARS] + "…"
        parts.append(
            ARTICLE[lang].format(
                n=n,
                publisher=item.feed_title or item.feed_url,
                published=item.published.date().isoformat(),
                title=item.title,
                text=text,
            )
        )
    return "".join(parts)


def tool_config() -> dict[str, Any]:
    """One tool, and the model is told to use it: the reply is the tool's JSON input."""
    return {
        "tools": [
            {
                "toolSpec": {
                    "name": TOOL_NAME,
                    "description": "Submit the finished story for the newsletter.",
                    "inputSchema": {"json": STORY_SCHEMA},
                }
            }
        ],
        "toolChoice": {"tool": {"name": TOOL_NAME}},
    }

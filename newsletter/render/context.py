"""The view of one edition that all three templates share.

HTML, text and the archive post must say the same thing with the same labels:
every decision about *what* is shown (greeting, headings with their default
titles, publisher names, reference numbers, the preheader, the long date) is
made here once, so the templates only decide *how* it looks.

Per-recipient values are placeholders, never rendered values: the unsubscribe
URL is `UNSUBSCRIBE_PLACEHOLDER` in the HTML and the text. The same view renders
the public web copy of the edition (`web=True`): no preheader, no unsubscribe
placeholder, no "view in browser" — nothing personal and nothing pointing at itself.
The default templates do not greet by name (`NAME_PLACEHOLDER`): many subscribers
have no name on file. A custom template may use `v.name_placeholder`, but only with a `send` that
substitutes a fallback for an empty name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlsplit

from newsletter.brief.frame import section_name
from newsletter.brief.sentences import clip
from newsletter.i18n import catalog
from newsletter.model import NAME_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER, Briefing, Story
from newsletter.render.options import RenderOptions

PREHEADER_MIN = 90
PREHEADER_MAX = 140

__all__ = [
    "EditionView",
    "SourceView",
    "StoryView",
    "build_view",
    "long_date",
    "one_line",
    "preheader_for",
    "subject_for",
]


# The views are plain dataclasses, not frozen ones: a frozen dataclass sets each field
# through `object.__setattr__`, and that was a quarter of `build_view` for the seventy-odd
# views of a 30-story edition. Nothing changes a view once built (`web_copy` makes a new one).


@dataclass
class SourceView:
    number: int  # global reference number, shown as [n] in the text edition
    title: str
    url: str
    publisher: str


@dataclass
class StoryView:
    number: int
    emoji: str
    headline: str
    section: str  # as configured: the post's category slug
    section_name: str  # as the reader sees it: `policy` → `정책` in a Korean edition
    summary_label: str
    summary_title: str
    summary: list[str]
    why_label: str
    why_title: str
    why: list[str]
    takeaway: str
    sources_label: str
    sources: list[SourceView]

    @property
    def anchor(self) -> str:
        """The story's id in the HTML, target of the headline index at the top."""
        return f"story-{self.number}"

    @property
    def title_line(self) -> str:
        """Emoji + headline, the way the reference's `##` heading reads."""
        return f"{self.emoji} {self.headline}".strip()

    @property
    def summary_heading(self) -> str:
        """`요약: title`, or the label alone: a placeholder title would say nothing."""
        if not self.summary_title:
            return self.summary_label
        return f"{self.summary_label}: {self.summary_title}"

    @property
    def why_heading(self) -> str:
        return f"{self.why_label}: {self.why_title}" if self.why_title else self.why_label


@dataclass
class EditionView:
    language: str
    labels: dict[str, str]
    date: date
    title: str
    subject: str
    name: str
    date_long: str
    stories_count: str
    preheader: str
    greeting: str
    intro: list[str]
    stories: list[StoryView]
    outro: list[str]
    sender: str
    postal_address: str
    why_you_get_this: str
    unsubscribe_url: str
    web_url: str  # this edition on the public site: {base_url}/archive/YYYY-MM-DD/
    archive_url: str  # {base_url}/archive/
    subscribe_url: str  # {base_url}/subscribe
    accent: str  # newsletter.accent_color
    logo_url: str
    logo_alt: str
    footer_note: str
    web: bool = False  # rendering the public web copy, not the email
    name_placeholder: str = NAME_PLACEHOLDER

    @property
    def masthead_title(self) -> str:
        """The big line: the title, or the name alone when the title only adds the date
        (the date line right below says it), so the name is never printed twice."""
        return self.name if title_is_name_and_date(self.title, self.name, self.date) else self.title

    @property
    def masthead_kicker(self) -> str:
        """The small line above the title: the name, unless the title already is it."""
        return "" if self.masthead_title == self.name else self.name


def build_view(briefing: Briefing, options: RenderOptions, *, web: bool = False) -> EditionView:
    """Everything the templates print, derived from the briefing and the list's options.

    `web=True` is the copy on the public site (see the module's docstring)."""
    messages = catalog(briefing.language)
    words = messages.table("edition")
    intro = [one_line(p) for p in briefing.intro]
    greeting = words["greeting"]
    # A hand-written or generated intro may already open with the greeting: never say it twice.
    if intro and intro[0].strip() == greeting:
        intro = intro[1:]
    stories = []
    number = 0
    # each section named once: a 30-story edition has a handful
    names = {s.section: section_name(s.section, briefing.language) for s in briefing.stories}
    for index, story in enumerate(briefing.stories, start=1):
        sources = []
        for source in story.sources:
            number += 1
            title, url = one_line(source.title), one_line(source.url)
            publisher = one_line(source.publisher) or publisher_from_url(source.url)
            sources.append(SourceView(number, title, url, publisher))
        stories.append(_story_view(index, story, sources, words, names[story.section]))
    identity, brand = options.identity, options.brand
    name = identity.name
    site = identity.public_url
    return EditionView(
        language=briefing.language,
        labels=words,
        date=briefing.date,
        title=one_line(briefing.title),
        subject=subject_for(briefing),
        name=name,
        date_long=long_date(briefing.date, briefing.language),
        stories_count=messages.plural("edition.stories_count", len(stories)),
        preheader=preheader_for(briefing),
        greeting=greeting,
        intro=intro,
        stories=stories,
        outro=[one_line(p) for p in briefing.outro],
        sender=identity.sender,
        postal_address=one_line(identity.postal_address),
        why_you_get_this=words["why_you_get_this"].format(name=name),
        unsubscribe_url="" if web else UNSUBSCRIBE_PLACEHOLDER,
        web_url=f"{site}/archive/{briefing.date.isoformat()}/",
        archive_url=f"{site}/archive/",
        subscribe_url=f"{site}/subscribe",
        accent=brand.accent,
        logo_url=brand.logo_url,
        logo_alt=one_line(brand.logo_alt) or name,
        footer_note=one_line(brand.footer_note),
        web=web,
    )


def title_is_name_and_date(title: str, name: str, day: date) -> bool:
    """`2026-02-07 Daily AI & Tech News` (the drafted default) is the name and the date."""
    rest = title.replace(day.isoformat(), "").replace(name, "")
    return name in title and not rest.strip(" -–—·|:")


def _story_view(
    number: int, story: Story, sources: list[SourceView], words: dict[str, str], name: str
) -> StoryView:
    return StoryView(
        number=number,
        emoji=one_line(story.emoji),
        headline=one_line(story.headline),
        section=one_line(story.section),
        section_name=one_line(name),
        summary_label=words["summary"],
        summary_title=one_line(story.summary_title),
        summary=[one_line(p) for p in story.summary],
        why_label=words["why"],
        why_title=one_line(story.why_title),
        why=[one_line(p) for p in story.why],
        takeaway=one_line(story.takeaway),
        sources_label=words["sources"] if len(sources) > 1 else words["source"],
        sources=sources,
    )


def long_date(day: date, language: str) -> str:
    """`2026년 2월 7일 토요일` / `Saturday, February 7, 2026` (`edition.date_long`)."""
    return catalog(language).date("edition.date_long", day)


def subject_for(briefing: Briefing) -> str:
    """The email's subject: the briefing's own (the editor's hook), else its title."""
    return one_line(briefing.subject) or one_line(briefing.title)


def preheader_for(briefing: Briefing) -> str:
    """The inbox preview line: the editor's preheader, else the day's headlines.

    The intro starts with a greeting and a dateline the subject already says;
    the headlines are what makes somebody open the mail. Mail clients show
    ~90–140 characters after the subject, so more is cut.
    """
    if one_line(briefing.preheader):
        return clip(one_line(briefing.preheader), PREHEADER_MAX)
    text = ""
    for story in briefing.stories:
        if len(text) >= PREHEADER_MIN:
            break
        headline = one_line(story.headline)
        text = f"{text} · {headline}" if text else headline
    return clip(text, PREHEADER_MAX)


def publisher_from_url(url: str) -> str:
    """`techcrunch.com` for a source without a publisher name."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


#: Code points no part of a mail can carry: C0/C1 controls, DEL, lone surrogates (UTF-8
#: cannot encode them) and noncharacters (MJML refuses the whole edition over one).
UNRENDERABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(17))
    + "]"
)


def one_line(text: str) -> str:
    """One line of printable text: the JSON is hand-editable and may carry stray newlines
    or control characters, and feeds carry anything."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        # Already one line, as nearly every field is: in printable text the only whitespace
        # is the space, so splitting and joining would give `text` back (at twice the cost).
        return text
    collapsed = " ".join(text.split())  # str.split and `\s` share one idea of whitespace
    if collapsed.isprintable():  # every unrenderable code point is unprintable: none here
        return collapsed
    return UNRENDERABLE.sub("", collapsed).strip()


def web_copy(view: EditionView) -> EditionView:
    """The public web copy of an email view: `build_view(…, web=True)` without building twice."""
    return replace(view, unsubscribe_url="", web=True)

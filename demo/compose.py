"""Writing one contact record from the phrase material.

``draft_contact`` picks a channel, a length and the text of a contact of a
given kind (ordinary, angry but legitimate, borderline, harassment). It uses
only the random generator it is given, so a seed gives the same records.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from .categories import CATEGORIES
from .conduct import (
    ANGRY,
    CAME,
    CHANNEL_MODES,
    FALLBACK_OUTCOMES,
    LEFT,
    NOT_FOR,
    OPENINGS,
    ORDINARY_BEHAVIOUR,
    POLICY_RESPONSES,
    QUIET_FRAMES,
    QUOTE_FRAMES,
    UNSURE,
    WRITTEN,
    Conduct,
)
from .topics import DepartmentPlan, Topic

ORDINARY, ANGRY_KIND, UNSURE_KIND, HARASSMENT = "ordinary", "angry", "unsure", "harassment"

COUNTER_CHANNELS = {"counter": 55, "phone": 33, "visit": 2, "mail": 6, "letter": 3, "other": 1}
BACK_OFFICE_CHANNELS = {"phone": 52, "counter": 22, "visit": 12, "mail": 9, "letter": 4, "other": 1}


@dataclass
class Draft:
    """The recorded content of one contact, before it has people and times."""

    kind: str
    channel: str
    minutes: int
    summary: str = ""
    request_content: str = ""
    words_and_behaviour: str = ""
    staff_response: str = ""
    outcome: str = ""
    harassment: str = "no"
    categories: list[str] = field(default_factory=list)
    content_unreasonable: str = ""
    content_reason: str = ""
    manner_inappropriate: str = ""
    manner_reason: str = ""
    harms: list[str] = field(default_factory=list)
    harm_reason: str = ""


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def pick_primary(rng: random.Random) -> str:
    return weighted(rng, {code: c.weight for code, c in CATEGORIES.items()})


class _Writer:
    """Fills the slots of the phrase material for one contact, leaving out
    what only fits another channel (handing over a form on a phone call)."""

    def __init__(self, rng: random.Random, topic: Topic, channel: str, minutes: int):
        self.rng = rng
        self.channel = channel
        self.mode = CHANNEL_MODES[channel]
        self.slots = {
            "subject": topic.subject,
            "minutes": minutes,
            "times": rng.randint(3, 12),
            "came": CAME[channel],
            "left": LEFT[channel],
        }

    def fit(self, options) -> list[str]:
        """The texts that fit this contact's channel (no counter on a home visit)."""
        return [text for text in options if not any(marker in text for marker in NOT_FOR[self.channel])]

    def one(self, options) -> str:
        return self.rng.choice(options).format(**self.slots)

    def some(self, options, most: int) -> list[str]:
        count = self.rng.randint(1, min(most, len(options)))
        return [text.format(**self.slots) for text in self.rng.sample(list(options), count)]

    def action(self, options, most: int = 1) -> list[str]:
        """What staff did, or how it ended: only what fits the channel."""
        return self.some(self.fit(options) or FALLBACK_OUTCOMES[self.channel], most)

    def quote(self, frames, text: str) -> str:
        return self.rng.choice(frames.for_mode(self.mode)).format(q=text.format(**self.slots))

    def said(self, text: str) -> str:
        """An ordinary question or remark, quoted."""
        text = text.format(**self.slots)
        if self.mode == WRITTEN:
            return f"「{text}」との記載があった。"
        if text.endswith("か"):
            return f"「{text}」と質問された。"
        return self.rng.choice(("「{}」と話された。", "「{}」とのこと。")).format(text)

    def opening(self) -> str:
        return self.one(OPENINGS[self.channel])


def draft_contact(
    rng: random.Random,
    *,
    kind: str,
    department: DepartmentPlan,
    category_names: dict[str, str],
    primary: str | None = None,
    channel: str | None = None,
) -> Draft:
    """A contact of ``kind``; ``channel`` fixes the channel of an ordinary or
    angry contact (mail read on a closed day), harassment picks its own."""
    topic = rng.choice(department.topics)
    if kind == HARASSMENT:
        return _harassment(rng, topic, primary or pick_primary(rng), category_names)
    channel = channel or weighted(rng, COUNTER_CHANNELS if department.counters else BACK_OFFICE_CHANNELS)
    if kind == UNSURE_KIND:
        return _unsure(rng, topic, channel if channel not in ("mail", "letter") else "phone")
    return _ordinary(rng, topic, channel, angry=kind == ANGRY_KIND)


def _ordinary_minutes(rng: random.Random, channel: str) -> int:
    median = 15 if CHANNEL_MODES[channel] == "written" else 10
    return max(2, min(45, round(rng.lognormvariate(math.log(median), 0.45))))


def _ordinary(rng: random.Random, topic: Topic, channel: str, *, angry: bool) -> Draft:
    minutes = rng.randint(*ANGRY.minutes) if angry else _ordinary_minutes(rng, channel)
    w = _Writer(rng, topic, channel, minutes)
    words = [w.said(q) for q in w.some(topic.quotes, 2)]
    if w.mode == WRITTEN:
        words[0] = w.opening() + words[0]
    if angry:
        words += [w.quote(QUOTE_FRAMES, w.one(ANGRY.quotes)), w.one(w.fit(ANGRY.behaviour.for_mode(w.mode)))]
        responses = [*w.action(ANGRY.responses), *w.action(topic.responses)]
    else:
        words.append(w.one(w.fit(ORDINARY_BEHAVIOUR.for_mode(w.mode))))
        responses = w.action(topic.responses, 2)
    draft = Draft(
        kind=ANGRY_KIND if angry else ORDINARY,
        channel=channel,
        minutes=minutes,
        summary=w.one(topic.summaries) + ("（苦情）" if angry and rng.random() < 0.4 else ""),
        request_content=w.one(topic.requests),
        words_and_behaviour="".join(words),
        staff_response="".join(responses),
        outcome=w.action(ANGRY.outcomes + topic.outcomes if angry else topic.outcomes)[0],
    )
    if angry:
        draft.content_unreasonable, draft.content_reason = _answer(w, ANGRY.content)
        draft.manner_inappropriate, draft.manner_reason = "no", w.one(ANGRY.manner_reasons)
    return draft


def _answer(w: _Writer, options) -> tuple[str, str]:
    answer, reason = w.rng.choice(options)
    return answer, reason.format(**w.slots)


def _difficult_words(w: _Writer, conducts: list[Conduct]) -> str:
    """The opening, the resident's words and what they did: the main
    category's first, then one line from each companion."""
    main, *others = conducts
    frames = QUOTE_FRAMES if main.loud else QUIET_FRAMES
    sentences = []
    behaviour = w.fit(main.behaviour.for_mode(w.mode))
    w.rng.shuffle(behaviour)
    for i, quote in enumerate(w.some(main.quotes, 2)):
        sentences.append(w.quote(frames, quote))
        if behaviour and (i == 0 or w.rng.random() < 0.5):
            sentences.append(behaviour.pop().format(**w.slots))
    for other in others:
        sentences.append(w.quote(frames, w.one(other.quotes)))
        others_behaviour = w.fit(other.behaviour.for_mode(w.mode))
        if others_behaviour and w.rng.random() < 0.5:
            sentences.append(w.one(others_behaviour))
    return w.opening() + "".join(sentences)


def _harassment(rng: random.Random, topic: Topic, primary: str, category_names: dict[str, str]) -> Draft:
    main = CATEGORIES[primary]
    channel = weighted(rng, main.channels)
    companions = [
        code
        for code in rng.sample(main.companions, len(main.companions))
        if channel in CATEGORIES[code].channels and rng.random() < 0.35
    ][:2]
    conducts = [main, *(CATEGORIES[code] for code in companions)]
    lo, hi = main.minutes
    minutes = round(rng.triangular(lo, hi, lo + (hi - lo) * 0.2))
    if "long_detention" in companions:
        minutes = max(minutes, rng.randint(35, 90))
    w = _Writer(rng, topic, channel, minutes)
    codes = [primary, *companions]
    if rng.random() < 0.55:
        summary = w.one(main.summaries)
    else:
        summary = f"{w.one(topic.summaries)}（{'・'.join(category_names.get(c, c) for c in codes)}）"
    responses = w.action(main.responses, 2)
    if rng.random() < 0.7:
        responses.append(w.one(POLICY_RESPONSES))
    outcome = w.action(main.outcomes)[0]
    if companions and rng.random() < 0.3:
        outcome += w.action(CATEGORIES[companions[0]].outcomes)[0]
    content_answer, content_reason = _answer(w, main.content)
    manner_reason = w.one(main.manner_reasons)
    if companions and rng.random() < 0.4:
        manner_reason += w.one(CATEGORIES[companions[0]].manner_reasons)
    return Draft(
        kind=HARASSMENT,
        channel=channel,
        minutes=minutes,
        summary=summary,
        request_content=w.one(topic.requests),
        words_and_behaviour=_difficult_words(w, conducts),
        staff_response="".join(dict.fromkeys(responses)),
        outcome=outcome,
        harassment="yes",
        categories=sorted(codes),
        content_unreasonable=content_answer,
        content_reason=content_reason,
        manner_inappropriate="yes",
        manner_reason=manner_reason,
        harms=sorted({h for c in conducts for h in c.harms}),
        harm_reason=w.one(main.harm_reasons),
    )


def _unsure(rng: random.Random, topic: Topic, channel: str) -> Draft:
    minutes = rng.randint(*UNSURE.minutes)
    w = _Writer(rng, topic, channel, minutes)
    candidates = [rng.choice(UNSURE.companions)] if rng.random() < 0.5 else []
    harms = list(UNSURE.harms) if rng.random() < 0.5 else []
    content_answer, content_reason = _answer(w, UNSURE.content)
    return Draft(
        kind=UNSURE_KIND,
        channel=channel,
        minutes=minutes,
        summary=w.one(UNSURE.summaries) if rng.random() < 0.5 else w.one(topic.summaries),
        request_content=w.one(topic.requests),
        words_and_behaviour=_difficult_words(w, [UNSURE]),
        staff_response=w.action(topic.responses)[0] + w.one(UNSURE.responses),
        outcome=w.one(UNSURE.outcomes),
        harassment="unsure",
        categories=candidates,
        content_unreasonable=content_answer,
        content_reason=content_reason,
        manner_inappropriate="unknown",
        manner_reason=w.one(UNSURE.manner_reasons),
        harms=harms,
        harm_reason=w.one(UNSURE.harm_reasons) if harms else "",
    )

"""Hook points assessment offers to the apps built on it (``mamoru.lib.hooks``).

``suggestion_signals``: extra evidence for the suggestion panel of a saved contact,
from apps assessment does not import (evidence: the analysis of its recordings).
Called with ``user`` (whose panel it is: answer only from what they may see) and
``contact``; a receiver returns ``None`` or a list of ``Signal``. Suggestions, never
labels: staff accept or reject them like the others."""

from __future__ import annotations

from dataclasses import dataclass, field

from mamoru.lib.hooks import Hook


@dataclass(frozen=True)
class Signal:
    code: str  # a category code of the policy pack (long_detention, verbal_abuse…)
    score: float  # 0–1
    source: str  # what it comes from: "recording"
    evidence: list[str] = field(default_factory=list)  # shown as the reason, e.g. "録音 3:12〜3:20"


suggestion_signals = Hook(
    "assessment.suggestion_signals",
    "Extra suggestions for a saved contact: receivers(*, user, contact) -> list[Signal] | None.",
)

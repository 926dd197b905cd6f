"""The suggestion panel of the contact form (htmx partials)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from accounts.permissions import require_handler
from people.models import Resident
from records import selectors as record_selectors

from . import services
from .models import SuggestionDecision


def _posted_duration(request, contact) -> int | None:
    if contact is not None:
        if contact.duration_seconds is not None:
            return contact.duration_seconds
        if contact.is_live:
            return int((timezone.now() - contact.started_at).total_seconds())
    started = parse_datetime(request.POST.get("started_at", "") or "")
    ended = parse_datetime(request.POST.get("ended_at", "") or "")
    if started and ended and ended >= started:
        return int((ended - started).total_seconds())
    return None


def _posted_resident(request, contact):
    value = request.POST.get("resident", "")
    if value.isdigit():
        return Resident.objects.filter(pk=int(value)).first()
    return contact.resident if contact is not None and "resident" not in request.POST else None


@require_POST
def suggest(request, pk=None):
    """Suggestions for the text now in the form (debounced as staff type)."""
    require_handler(request.user)
    contact = record_selectors.contact_get(user=request.user, pk=pk) if pk is not None else None
    text = request.POST.get("words_and_behaviour", "")[: settings.MAMORU_TEXT_LIMIT]
    suggestions = services.suggestions_for_contact(
        user=request.user,
        text=text,
        duration_seconds=_posted_duration(request, contact),
        resident=_posted_resident(request, contact),
        contact=contact,
    )
    return render(
        request,
        "assessment/_suggestions.html",
        {"suggestions": suggestions, "contact": contact, "text": text, "has_text": bool(text.strip())},
    )


@require_POST
def decide(request, pk):
    """Store a staff member's accept or reject of one suggestion."""
    require_handler(request.user)
    contact = record_selectors.contact_get(user=request.user, pk=pk)
    decision = request.POST.get("decision", "")
    code = request.POST.get("code", "")
    text = request.POST.get("words_and_behaviour", contact.words_and_behaviour)[: settings.MAMORU_TEXT_LIMIT]
    try:
        suggestion = services.suggestion_decide_shown(
            actor=request.user,
            contact=contact,
            code=code,
            decision=decision,
            text=text,
            duration_seconds=_posted_duration(request, contact),
            resident=_posted_resident(request, contact),
        )
    except ValueError:
        return HttpResponseBadRequest("不正な提案です")
    return render(
        request,
        "assessment/_decision.html",
        {"suggestion": suggestion, "accepted": suggestion.decision == SuggestionDecision.ACCEPTED},
    )

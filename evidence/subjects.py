"""Other things evidence can belong to, registered by the apps that own them (in their
``AppConfig.ready()``), so that evidence imports none of them: e.g. a request from another
business (business_requests) keeps the files the business sent in the evidence locker,
with their SHA-256 and custody, seen only by those the owning app says.

An ``Evidence`` row names its subject generically (``subject_type``, ``subject_id``);
everything evidence needs to know about the subject — who sees its evidence, who adds,
which department it counts under, where its page is — comes from the registration."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType


@dataclass(frozen=True)
class Subject:
    key: str  # in URLs, e.g. "business_request"
    model: type  # the subject's model class
    name: str  # Japanese, e.g. 「他事業者からの申入れ」
    get: Callable[[Any, int], Any]  # (user, pk) → the subject as the user may read it (Http404 otherwise)
    may_view: Callable[[Any, Any], bool]  # (user, subject): sees its evidence
    may_add: Callable[[Any, Any], bool]  # (user, subject): adds files to it
    may_manage: Callable[[Any, Any], bool]  # (user, subject): holds, hands over, deletes its evidence
    visible_ids: Callable[[Any], Iterable[int]]  # (user) → pks of the subjects whose evidence the user sees
    department_id: Callable[[Any], int]  # (subject) → the department its evidence counts under
    url: Callable[[Any], str]  # (subject) → its page


_SUBJECTS: dict[str, Subject] = {}


def register_subject(subject: Subject) -> None:
    _SUBJECTS[subject.key] = subject


def subject_by_key(key: str) -> Subject | None:
    return _SUBJECTS.get(key)


def registered() -> list[Subject]:
    return list(_SUBJECTS.values())


def _content_type(subject: Subject) -> ContentType:
    return ContentType.objects.get_for_model(subject.model)


def subject_of(evidence) -> tuple[Subject, Any] | None:
    """The registration and the object ``evidence`` belongs to, when it belongs to a registered subject."""
    if not evidence.subject_type_id:
        return None
    for subject in _SUBJECTS.values():
        if _content_type(subject).pk == evidence.subject_type_id:
            obj = subject.model._default_manager.filter(pk=evidence.subject_id).first()
            return (subject, obj) if obj is not None else None
    return None


def attach_fields(subject: Subject, obj) -> dict:
    """The ``Evidence`` fields that name ``obj`` as the subject."""
    return {"subject_type": _content_type(subject), "subject_id": obj.pk}


def visible_condition(user):
    """A ``Q`` for the subject evidence ``user`` sees (nothing when no subject is registered)."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for subject in _SUBJECTS.values():
        condition |= Q(subject_type=_content_type(subject), subject_id__in=list(subject.visible_ids(user)))
    return condition

"""Finding residents, and a resident's history within the user's scope."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from mamoru.lib.japanese import normalize_compact, phone_digits, to_hiragana

from .models import Resident


def resident_list(*, user, query: str = "") -> QuerySet[Resident]:
    """Residents matching a name, kana or phone number. Every user who handles
    records may look residents up (intake in any department needs it)."""
    if not user.handles_records:
        return Resident.objects.none()
    residents = Resident.objects.prefetch_related("phones")
    query = query.strip()
    if not query:
        return residents
    conditions = Q()
    name = normalize_compact(query)
    if name:
        conditions |= Q(search_key__contains=name) | Q(search_key__contains=to_hiragana(query))
    digits = phone_digits(query)
    if len(digits) >= 3:
        conditions |= Q(phones__digits__contains=digits)
    return residents.filter(conditions).distinct()


def resident_get(*, user, pk: int) -> Resident:
    if not user.handles_records:
        raise Http404("住民等が見つかりません。")
    try:
        return Resident.objects.prefetch_related("phones").get(pk=pk)
    except (Resident.DoesNotExist, ValueError) as exc:
        raise Http404("住民等が見つかりません。") from exc


def resident_contact_list(*, user, resident: Resident):
    """The resident's contacts in the departments the user may see, newest
    first, loaded for the history table."""
    from records.selectors import ContactFilter, contact_table_list

    return contact_table_list(user=user, filters=ContactFilter(resident_id=resident.pk))


def resident_department_counts(*, user, resident: Resident):
    from records.selectors import contact_list

    return (
        contact_list(user=user)
        .filter(resident=resident)
        .values("department__name")
        .annotate(total=Count("id"), harassment=Count("id", filter=Q(harassment="yes")))
        .order_by("-total")
    )

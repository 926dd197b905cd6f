"""Finding residents within the user's scope. (A resident's contacts are
records' to read: records adds them to the resident's page as panels.)"""

from django.db.models import Q, QuerySet
from django.http import Http404

from mamoru.lib.japanese import normalize_compact, phone_digits, to_hiragana

from .hooks import resident_badges
from .matching import POSSIBLE_THRESHOLD, Candidate, PersonFields, resident_candidates, resident_match_keys, same_person
from .models import Resident, ResidentMerge

# Residents fetched at most to look for duplicates of the picker's results.
PICK_POOL_LIMIT = 500


def resident_list(*, user, query: str = "") -> QuerySet[Resident]:
    """Residents matching a name, kana or phone number. Every user who handles
    records may look residents up (intake in any department needs it)."""
    if not user.handles_records:
        return Resident.objects.none()
    residents = Resident.objects.filter(merged_into__isnull=True).prefetch_related("phones")
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


def resident_ids_named(query: str, *, limit: int) -> list[int]:
    """Ids of up to ``limit`` residents whose name or kana contains ``query``,
    typed with or without spaces, in kanji, hiragana or katakana (the indexed
    search key; no phone numbers). For finding their contacts by name."""
    name = normalize_compact(query)
    if not name:
        return []
    conditions = Q(search_key__contains=name) | Q(search_key__contains=to_hiragana(query))
    return list(
        Resident.objects.filter(conditions, merged_into__isnull=True).order_by().values_list("pk", flat=True)[:limit]
    )


def resident_get(*, user, pk: int) -> Resident:
    """One resident, also one merged away (its page says where it went)."""
    if not user.handles_records:
        raise Http404("住民等が見つかりません。")
    try:
        return Resident.objects.select_related("merged_into").prefetch_related("phones").get(pk=pk)
    except (Resident.DoesNotExist, ValueError) as exc:
        raise Http404("住民等が見つかりません。") from exc


def resident_list_with_badges(*, user, residents) -> list[Resident]:
    """The residents, each with ``badges`` (``[(label, css_class), …]``) from the
    apps built on people (``hooks.resident_badges``: 「繰り返し要確認」,
    「対応制限中」), each app reading the whole list at once."""
    residents = list(residents)
    found: dict[int, list] = {}
    if residents:
        for answer in resident_badges.collect(user=user, residents=residents):
            for resident_id, badges in answer.items():
                found.setdefault(resident_id, []).extend(badges)
    for resident in residents:
        resident.badges = found.get(resident.pk, [])
    return residents


def resident_duplicates(*, user, fields, exclude_ids=(), limit: int = 5) -> list:
    """Residents that may be the same person as ``fields`` (a
    people.matching.PersonFields), best first, each with the matcher's reasons.
    Residents merged away are never suggested."""
    if not user.handles_records:
        return []
    candidates = resident_candidates(fields, exclude_ids=tuple(exclude_ids), limit=limit)
    return [candidate for candidate in candidates if candidate.resident.merged_into_id is None]


def resident_pick_list(*, user, query: str, limit: int = 10) -> list[tuple[Resident, list]]:
    """The picker's results: up to ``limit`` residents matching the query, each
    with up to three other residents that may be the same person.

    The look-up is batched (a fixed number of queries whatever the number of
    results): one query fetches every resident sharing a blocking key (name,
    reading or phone, as people.matching blocks) with any result, and each pair
    is scored by people.matching.same_person."""
    query = query.strip()
    if not query or not user.handles_records:
        return []
    residents = list(resident_list(user=user, query=query)[:limit])
    if not residents:
        return []
    wanted = []
    for resident in residents:
        fields = PersonFields.of_resident(resident)
        keys = resident_match_keys(name=fields.name, kana=fields.kana, address=fields.address)
        reading = keys["reading_key"] if len(keys["reading_key"]) >= 2 else ""
        digits = phone_digits(fields.phone) if fields.phone else ""
        wanted.append((resident, fields, keys["name_key"], reading, digits if len(digits) >= 6 else ""))
    conditions = Q()
    names = {name for _r, _f, name, _k, _d in wanted if name}
    readings = {reading for _r, _f, _n, reading, _d in wanted if reading}
    numbers = {digits for _r, _f, _n, _k, digits in wanted if digits}
    if names:
        conditions |= Q(name_key__in=names)
    if readings:
        conditions |= Q(reading_key__in=readings)
    if numbers:
        conditions |= Q(phones__digits__in=numbers)
    pool = []
    if conditions:
        pool = list(
            Resident.objects.filter(conditions, merged_into__isnull=True)
            .distinct()
            .order_by("pk")
            .prefetch_related("phones")[:PICK_POOL_LIMIT]
        )
    results = []
    for resident, fields, name, reading, digits in wanted:
        found = []
        for other in pool:
            if other.pk == resident.pk:
                continue
            other_digits = {phone.digits for phone in other.phones.all()}
            if not (
                (name and other.name_key == name)
                or (reading and other.reading_key == reading)
                or (digits and digits in other_digits)
            ):
                continue
            decision = max(
                (
                    same_person(
                        fields,
                        PersonFields(name=other.name, kana=other.name_kana, phone=number, address=other.address),
                    )
                    for number in [phone.number for phone in other.phones.all()] or [""]
                ),
                key=lambda decision: decision.score,
            )
            if decision.score >= POSSIBLE_THRESHOLD:
                found.append(Candidate(resident=other, decision=decision))
        found.sort(key=lambda candidate: (-candidate.decision.score, candidate.resident.pk))
        results.append((resident, found[:3]))
    return results


def resident_active_merge(*, user, resident: Resident) -> ResidentMerge | None:
    """The merge (not undone) that took this resident into another one."""
    if not user.handles_records or resident.merged_into_id is None:
        return None
    return (
        ResidentMerge.objects.filter(source=resident, undone_at__isnull=True)
        .select_related("target", "merged_by")
        .first()
    )


def resident_merge_list(*, user) -> QuerySet[ResidentMerge]:
    """The merge history, newest first. Only the specialist section sees it."""
    if not user.is_specialist:
        raise Http404("統合の記録が見つかりません。")
    return ResidentMerge.objects.select_related("source", "target", "merged_by", "undone_by")


def resident_merge_get(*, user, pk: int) -> ResidentMerge:
    try:
        return resident_merge_list(user=user).get(pk=pk)
    except (ResidentMerge.DoesNotExist, ValueError) as exc:
        raise Http404("統合の記録が見つかりません。") from exc

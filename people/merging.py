"""Merging two records of the same person (名寄せ), and undoing a merge.

Only the specialist section merges. Everything that points at the resident
merged away (contacts, cases, and whatever other apps add later) moves to the
resident kept; what moved is written down in the ResidentMerge so that the
merge can be undone exactly."""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require_specialist
from audit.services import audit_record

from .hooks import resident_merged, resident_merging
from .models import Resident, ResidentMerge, ResidentPhone

PHONES_LABEL = ResidentPhone._meta.label_lower


def _require_specialist(actor) -> None:
    require_specialist(actor, _("住民等を統合できるのは専門部署のみです。"))


def resident_links() -> list[tuple[str, type[models.Model], str]]:
    """Every foreign key that points at a resident, as (key in ``moved``,
    model, field name). Found from the model registry, so that a new app's
    foreign key to Resident moves with a merge without changes here.

    The merge bookkeeping itself (ResidentMerge, Resident.merged_into) and the
    phones, which are merged by number, are left out. The key is the model
    label, with the field name added when a model has more than one foreign key
    to Resident."""
    relations = [
        relation
        for relation in Resident._meta.get_fields(include_hidden=True)
        if relation.auto_created
        and not relation.concrete
        and (relation.one_to_many or relation.one_to_one)
        and relation.related_model not in (Resident, ResidentMerge, ResidentPhone)
    ]
    per_model: dict[type[models.Model], int] = {}
    for relation in relations:
        per_model[relation.related_model] = per_model.get(relation.related_model, 0) + 1
    links = []
    for relation in relations:
        model = relation.related_model
        label = model._meta.label_lower
        key = label if per_model[model] == 1 else f"{label}.{relation.field.name}"
        links.append((key, model, relation.field.name))
    return sorted(links, key=lambda link: link[0])


def _link_for(key: str) -> tuple[type[models.Model], str]:
    parts = key.split(".")
    model = apps.get_model(parts[0], parts[1])
    if len(parts) == 3:
        return model, parts[2]
    for field in model._meta.get_fields():
        if field.is_relation and field.concrete and field.related_model is Resident:
            return model, field.name
    raise ValidationError(_("統合の記録が読み取れません（{key}）。").format(key=key))


def _snapshot(resident: Resident) -> dict:
    return {
        "id": resident.pk,
        "name": resident.name,
        "name_kana": resident.name_kana,
        "address": resident.address,
        "phones": [phone.number for phone in resident.phones.all()],
        "merged_into": resident.merged_into_id,
    }


def _lock(*residents: Resident) -> dict[int, Resident]:
    """Lock the residents' rows (in id order, so that two merges cannot wait
    on each other) and return fresh copies."""
    ids = sorted({resident.pk for resident in residents})
    locked = Resident.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {resident.pk: resident for resident in locked}


def _move(model, field: str, pks, resident: Resident, key: str) -> None:
    try:
        with transaction.atomic():
            model._default_manager.filter(pk__in=pks).update(**{field: resident})
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "「{model}」の記録が移動先の住民等の記録と重なるため移せません。"
                "重なっている「{model}」を先に整理してから、もう一度行ってください。"
            ).format(model=model._meta.verbose_name)
        ) from exc


def _merged_after_commit(actor, *residents: Resident) -> None:
    """Let the apps built on people act once the change is committed
    (``hooks.resident_merged``; repetition counts the rules again). Robust: a
    failure there is logged and never undoes the merge."""
    resident_ids = [resident.pk for resident in residents]
    transaction.on_commit(lambda: resident_merged.send(actor=actor, resident_ids=resident_ids), robust=True)


@transaction.atomic
def resident_merge(*, actor, source: Resident, target: Resident, reason: str) -> ResidentMerge:
    """Merge ``source`` into ``target``: everything that pointed at the source
    now points at the target, the source's phone numbers the target lacks move
    too, and the source stays, hidden, with ``merged_into`` set."""
    _require_specialist(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("統合の理由を入力してください。")})
    if source.pk == target.pk:
        raise ValidationError(_("同じ住民等どうしは統合できません。"))
    locked = _lock(source, target)
    if source.pk not in locked or target.pk not in locked:
        raise ValidationError(_("住民等が見つかりません。"))
    source, target = locked[source.pk], locked[target.pk]
    if source.merged_into_id:
        raise ValidationError(
            _("「{name}」はすでに「{other}」に統合されています。").format(name=source, other=source.merged_into)
        )
    if target.merged_into_id:
        raise ValidationError(
            _("統合先の「{name}」はすでに「{other}」に統合されているため、統合先にできません。").format(
                name=target, other=target.merged_into
            )
        )
    before = {"source": _snapshot(source), "target": _snapshot(target)}

    # The apps built on people make way (repetition: open proposals of one rule on both records would collide).
    kept: dict = {}
    for answer in resident_merging.collect(actor=actor, source=source, target=target):
        kept.update(answer)
    moved: dict[str, list[int]] = {}
    for key, model, field in resident_links():
        pks = sorted(model._default_manager.filter(**{field: source}).values_list("pk", flat=True))
        if pks:
            _move(model, field, pks, target, key)
            moved[key] = pks
    target_digits = set(target.phones.values_list("digits", flat=True))
    phone_pks = []
    for phone in source.phones.all():
        if phone.digits not in target_digits:
            target_digits.add(phone.digits)
            phone_pks.append(phone.pk)
    if phone_pks:
        ResidentPhone.objects.filter(pk__in=phone_pks).update(resident=target)
        moved[PHONES_LABEL] = phone_pks

    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    merge = ResidentMerge.objects.create(source=source, target=target, reason=reason, moved=moved, merged_by=actor)
    audit_record(
        actor=actor,
        action="people.resident.merged",
        obj=source,
        before=before,
        after={
            "merge": merge.pk,
            "source": _snapshot(source),
            "target": _snapshot(target),
            "moved": moved,
            "reason": reason,
            **({"made_way": kept} if kept else {}),
        },
    )
    _merged_after_commit(actor, target)
    return merge


@transaction.atomic
def resident_merge_undo(*, actor, merge: ResidentMerge, reason: str) -> ResidentMerge:
    """Undo a merge: what moved goes back to the source, except rows that have
    since been moved elsewhere; what was recorded on the target after the merge
    stays there. The source is shown again."""
    _require_specialist(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("取消の理由を入力してください。")})
    merge = ResidentMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        raise ValidationError(_("この統合はすでに取り消されています。"))
    locked = _lock(merge.source, merge.target)
    source, target = locked[merge.source_id], locked[merge.target_id]
    if target.merged_into_id:
        later = ResidentMerge.objects.filter(source=target, undone_at__isnull=True).select_related("target").first()
        raise ValidationError(
            _(
                "統合先の「{name}」はその後「{other}」に統合されています。"
                "先に「{name}」→「{other}」の統合を取り消してください。"
            ).format(name=target, other=later.target if later else target.merged_into)
        )
    before = {"source": _snapshot(source), "target": _snapshot(target), "moved": merge.moved}

    returned: dict[str, list[int]] = {}
    for key, pks in merge.moved.items():
        if key == PHONES_LABEL:
            model, field = ResidentPhone, "resident"
        else:
            try:
                model, field = _link_for(key)
            except LookupError:
                # The app that held these rows has since been removed.
                continue
        still_there = sorted(model._default_manager.filter(pk__in=pks, **{field: target}).values_list("pk", flat=True))
        if still_there:
            _move(model, field, still_there, source, key)
            returned[key] = still_there

    source.merged_into = None
    source.save(update_fields=["merged_into", "updated_at"])
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.undo_reason = reason
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    audit_record(
        actor=actor,
        action="people.resident.merge_undone",
        obj=source,
        before=before,
        after={
            "merge": merge.pk,
            "source": _snapshot(source),
            "target": _snapshot(target),
            "returned": returned,
            "reason": reason,
        },
    )
    _merged_after_commit(actor, source, target)
    return merge

"""What records adds to the pages of people (residents), registered in
``RecordsConfig.ready()``: the buttons that start a contact with the resident,
the resident's contacts counted by department, their history, and the counts
beside each other on the merge page. Reads only."""

from mamoru.lib.panels import register_panel

from .selectors import contact_department_counts, contact_resident_page


def resident_start_panel(*, request, obj):
    """▶ 対応開始 with this resident (the page shows it only for a resident not merged away)."""
    if obj.merged_into_id is not None or not request.user.handles_records:
        return None
    return {"resident": obj}


def resident_department_counts_panel(*, request, obj):
    """課ごとの対応件数 of the resident, in the departments the user may see."""
    return {"department_counts": contact_department_counts(user=request.user, resident=obj)}


def resident_contacts_panel(*, request, obj):
    """対応履歴: a page of the resident's contacts the user may see, newest first."""
    return {"page": contact_resident_page(user=request.user, resident=obj, number=request.GET.get("page"))}


def resident_merge_counts_panel(*, request, obj):
    """A row of the merge page's comparison (``obj``: the residents side by side)."""
    return {"columns": [contact_department_counts(user=request.user, resident=resident) for resident in obj]}


def register() -> None:
    register_panel(
        page="people.resident_detail",
        slot="actions",
        name="records.resident_start",
        template="records/_resident_start.html",
        context=resident_start_panel,
        order=10,
    )
    register_panel(
        page="people.resident_detail",
        slot="main",
        name="records.resident_department_counts",
        template="records/_resident_department_counts.html",
        context=resident_department_counts_panel,
        order=10,
    )
    register_panel(
        page="people.resident_detail",
        slot="bottom",
        name="records.resident_contacts",
        template="records/_resident_contacts.html",
        context=resident_contacts_panel,
        order=10,
    )
    register_panel(
        page="people.resident_merge",
        slot="compare",
        name="records.resident_merge_counts",
        template="records/_resident_merge_counts.html",
        context=resident_merge_counts_panel,
        order=10,
    )

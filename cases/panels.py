"""What cases adds to the pages of the apps it builds on, registered in
``CasesConfig.ready()``: the contact's case (or 「事案として報告」) on the
contact page. Reads only."""

from mamoru.lib.panels import register_panel

from .selectors import case_for_contact


def contact_case_panel(*, request, obj):
    """The case the contact belongs to, if the user may see it; else the button that reports it."""
    return {"contact": obj, "case": case_for_contact(user=request.user, contact=obj)}


def register() -> None:
    register_panel(
        page="records.contact_detail",
        slot="main",
        name="cases.contact_case",
        template="cases/_contact_case.html",
        context=contact_case_panel,
        order=20,
    )

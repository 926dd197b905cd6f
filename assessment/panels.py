"""What assessment adds to the pages of the apps it builds on, registered in
``AssessmentConfig.ready()``: the category suggestions on the contact form, and
saving the clicks on them made before the contact existed. Reads only."""

from mamoru.lib.panels import register_panel


def contact_form_suggestions_panel(*, request, obj):
    """The suggestion panel (``obj``: the contact, ``None`` for a new one).
    The clicks made on a contact not saved yet wait in the form, and come back
    with a refused save."""
    decisions = request.POST.getlist("suggestion_decisions") if request.method == "POST" else []
    return {"contact": obj, "suggestion_decisions": [(value.partition(":")[0], value) for value in decisions]}


def on_contact_form_saved(*, request, created, **kwargs):
    """``records.hooks.contact_form_saved``: the clicks waiting in the form of a
    new contact are stored with it, in its transaction. Nothing to do (``None``)
    without clicks, as for most contacts."""
    decisions = request.POST.getlist("suggestion_decisions")
    if not created or not decisions:
        return None

    def save(*, contact):
        from .services import suggestion_decisions_record  # numpy and the model: loaded when first needed

        suggestion_decisions_record(actor=request.user, contact=contact, decisions=decisions)

    return save


def register() -> None:
    register_panel(
        page="records.contact_form",
        slot="assist",
        name="assessment.suggestions",
        template="assessment/_contact_form_panel.html",
        context=contact_form_suggestions_panel,
        order=10,
    )

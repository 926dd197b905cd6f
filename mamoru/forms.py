from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: field errors next to their
    fields, anything else at the top."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def applied_filters(form) -> dict[str, str]:
    """The filters a list, search or export was drawn with, as its audit entry and an
    export's first line give them: field label → the value as shown (a choice's label,
    an object's name). An invalid form filters nothing, so it gives nothing."""
    if not form.is_bound or not form.is_valid():
        return {}
    shown = {}
    for name, value in form.cleaned_data.items():
        if value in (None, "", [], (), False):
            continue
        field = form.fields[name]
        choices = getattr(field, "choices", None)
        if choices is not None and isinstance(value, str | int) and not isinstance(value, bool):
            value = dict((str(key), label) for key, label in choices if not isinstance(label, (list, tuple))).get(
                str(value), value
            )
        shown[str(field.label or name)] = str(value)[:200]
    return shown


def filters_text(filters: dict[str, str]) -> str:
    """``applied_filters`` as one line: 「担当課: 市民課、キーワード: 苦情」."""
    return "、".join(f"{label}: {value}" for label, value in filters.items())


class NarrowingForm(forms.Form):
    """The GET filters a figure's link adds to a list (issue 16: 「統計」 → the records
    behind a number). Each list's form lists its fields; the list's selector applies them."""

    def describe(self) -> dict[str, str]:
        """The filters in use, for the audit entry, an export's first line and the page's note."""
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in ("", None)}


def narrow_list(request, form_class: type[NarrowingForm], items, narrow):
    """``items`` narrowed by ``form_class``'s filters in ``request.GET`` through
    ``narrow(items, **cleaned_data)``, and the filters in use. Filters that do not hold
    narrow nothing and are told in a message (the list still shows)."""
    from django.contrib import messages

    form = form_class(request.GET)
    if not form.is_valid():
        messages.error(request, "、".join(e for errors in form.errors.values() for e in errors))
        return items, {}
    return narrow(items, **form.cleaned_data), form.describe()

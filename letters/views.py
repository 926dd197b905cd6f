from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mamoru.forms import add_service_errors
from mamoru.lib.pdf import FontMissingError
from mamoru.policy.loader import current

from . import kinds, permissions, placeholders, selectors, services
from .forms import LetterTemplateForm
from .models import IssuedLetter


def pdf_response(content: bytes, filename: str, *, as_attachment: bool = False) -> HttpResponse:
    """A PDF to show in the browser (or to download), never cached."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["Cache-Control"] = "no-store"
    return response


def issued_letter_response(letter: IssuedLetter, *, as_attachment: bool = False) -> HttpResponse:
    """The stored bytes of an issued letter, exactly as issued (for the measures app's download view)."""
    return pdf_response(bytes(letter.pdf), letter.filename, as_attachment=as_attachment)


def _measure_names() -> dict[str, str]:
    return {**{kind.code: kind.name for kind in kinds.all_kinds()}, **{m.code: m.name for m in current().measures}}


def template_list(request):
    """Letter templates of the measures in the pack in force (system administrator, specialist section)."""
    if not permissions.may_edit_templates(request.user):
        raise Http404
    services.letter_templates_ensure()
    names = _measure_names()
    templates = [(t, names.get(t.measure_code, "")) for t in selectors.letter_template_list(user=request.user)]
    return render(request, "letters/template_list.html", {"templates": templates})


@require_http_methods(["GET", "POST"])
def template_edit(request, pk):
    template = selectors.letter_template_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = LetterTemplateForm(request.POST)
        if form.is_valid():
            try:
                services.letter_template_update(
                    actor=request.user,
                    template=template,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("文書テンプレート「{title}」を保存しました。").format(title=template.title))
                return redirect("letters:template_list")
    else:
        form = LetterTemplateForm(initial={"title": template.title, "body": template.body})
    return _edit_page(request, template, form)


def _edit_page(request, template, form, status=200):
    context = {
        "template": template,
        "form": form,
        "measure_name": _measure_names().get(template.measure_code, ""),
        "placeholders": list(placeholders.PLACEHOLDERS.items()),
    }
    return render(request, "letters/template_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def template_preview(request, pk):
    """A 見本 PDF with made-up facts: of the saved template (GET) or of the text being edited (POST)."""
    template = selectors.letter_template_get(user=request.user, pk=pk)
    title = body = None
    if request.method == "POST":
        form = LetterTemplateForm(request.POST)
        if not form.is_valid():
            return _edit_page(request, template, form, status=400)
        title, body = form.cleaned_data["title"], form.cleaned_data["body"]
    try:
        content = services.letter_preview(
            measure_code=template.measure_code,
            context=services.sample_context(template.measure_code),
            title=title,
            body=body,
        )
    except ValidationError as error:
        messages.error(request, "　".join(error.messages))
        return redirect("letters:template_edit", pk=template.pk)
    except FontMissingError as error:
        messages.error(request, str(error))
        return redirect("letters:template_edit", pk=template.pk)
    return pdf_response(content, _("見本_{title}.pdf").format(title=title or template.title))

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import PolicyPackUploadForm
from .loader import current
from .models import PolicyPackRevision
from .schema import PolicyPackError


def policy_detail(request):
    """The policy pack in force, readable by every signed-in user; an
    administrator can upload a replacement."""
    form = PolicyPackUploadForm()
    if request.method == "POST":
        if not request.user.is_administrator:
            raise PermissionDenied(_("ポリシーパックを変更できるのはシステム管理者のみです。"))
        form = PolicyPackUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                revision = services.policy_pack_activate(actor=request.user, source=form.source())
            except (PolicyPackError, ValidationError) as error:
                form.add_error("pack_file", str(error) if isinstance(error, PolicyPackError) else error.messages)
            else:
                messages.success(request, _("ポリシーパック「{title}」を適用しました。").format(title=revision.title))
                return redirect("policy:detail")
    revisions = PolicyPackRevision.objects.select_related("uploaded_by")[:20] if request.user.is_administrator else []
    return render(request, "policy/policy_detail.html", {"pack": current(), "form": form, "revisions": revisions})


@require_POST
def policy_revert(request):
    services.policy_pack_revert_to_file(actor=request.user)
    messages.success(request, _("設定ファイルのポリシーパックに戻しました。"))
    return redirect("policy:detail")

"""Forms of the online posts' pages; the services validate (messages in Japanese)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import is_specialist
from mamoru.forms import NarrowingForm
from mamoru.policy.loader import current as current_policy

from .choices import (
    Answer,
    DisclosureDecision,
    Exposure,
    LegalAction,
    LetterKind,
    OnBehalf,
    RequestRoute,
    Right,
    StepKind,
)
from .services import platform_choices

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PostReportForm(forms.Form):
    urls = forms.CharField(
        label=_("投稿の URL（1行に1件）"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://"}),
        help_text=_("同じ投稿が既に登録されていれば、その投稿に追加されます。"),
    )
    platform = forms.ChoiceField(label=_("サイト・サービス"))
    platform_name = forms.CharField(label=_("サイト名（その他のとき）"), required=False, max_length=100)
    affected_staff = forms.ModelMultipleChoiceField(
        label=_("対象の職員"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    exposures = forms.MultipleChoiceField(
        label=_("公開されているもの"), choices=Exposure.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    exposure_note = forms.CharField(label=_("公開されているもの（その他の内容）"), required=False, max_length=200)
    content = forms.CharField(
        label=_("投稿の内容（原文どおり）"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    posted_at = forms.DateTimeField(label=_("投稿日時（分かれば）"), required=False, widget=DATETIME)
    found_at = forms.DateTimeField(label=_("発見日時"), required=False, widget=DATETIME)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].choices = [("", "---------"), *platform_choices()]
        if is_specialist(user):
            self.fields["affected_staff"].queryset = (
                User.objects.filter(is_active=True)
                .exclude(role="administrator")
                .order_by("department__sort_order", "full_name_kana", "username")
            )
            self.fields["affected_staff"].help_text = _("投稿の対象になっている職員（複数可）")
        else:
            del self.fields["affected_staff"]  # staff report posts about themselves

    def url_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["urls"].splitlines() if line.strip()]


class StepForm(forms.Form):
    prefix = "step"  # the post page has several forms (steps, letters, evidence)
    kind = forms.ChoiceField(label=_("段階"), choices=[c for c in StepKind.choices if c[0] != StepKind.FOUND])
    happened_on = forms.DateField(label=_("日付"), required=False, widget=DATE)
    route = forms.ChoiceField(label=_("申出の方法"), choices=[("", "---------"), *RequestRoute.choices], required=False)
    to_whom = forms.CharField(label=_("申出先"), required=False, max_length=200)
    answer_due = forms.DateField(label=_("回答期限（決めた場合）"), required=False, widget=DATE)
    answer = forms.ChoiceField(label=_("回答"), choices=[("", "---------"), *Answer.choices], required=False)
    archive_url = forms.CharField(label=_("アーカイブの URL（作成した場合）"), required=False, max_length=2000)
    court = forms.CharField(label=_("裁判所"), required=False, max_length=100)
    provision_order = forms.BooleanField(label=_("提供命令を申し立てた"), required=False)
    erasure_ban_order = forms.BooleanField(label=_("消去禁止命令を申し立てた"), required=False)
    decision = forms.ChoiceField(
        label=_("決定"), choices=[("", "---------"), *DisclosureDecision.choices], required=False
    )
    decided_on = forms.DateField(label=_("決定日"), required=False, widget=DATE)
    identified_poster = forms.CharField(label=_("特定された発信者"), required=False, max_length=200)
    identified_on = forms.DateField(label=_("発信者を知った日"), required=False, widget=DATE)
    action = forms.ChoiceField(
        label=_("法的措置の種類"), choices=[("", "---------"), *LegalAction.choices], required=False
    )
    against = forms.CharField(label=_("相手方"), required=False, max_length=200)
    filed_with = forms.CharField(label=_("提出先（警察署・裁判所・弁護士）"), required=False, max_length=200)
    reason = forms.CharField(label=_("理由（回答・終結）"), required=False, max_length=300)
    note = forms.CharField(label=_("メモ"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    DETAIL_FIELDS = (
        "route",
        "to_whom",
        "answer_due",
        "answer",
        "archive_url",
        "court",
        "provision_order",
        "erasure_ban_order",
        "decision",
        "decided_on",
        "identified_poster",
        "identified_on",
        "action",
        "against",
        "filed_with",
        "reason",
    )

    def details(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.DETAIL_FIELDS}


class UrlAddForm(forms.Form):
    prefix = "address"
    url = forms.CharField(label=_("別の URL"), max_length=2000)


class LetterForm(forms.Form):
    prefix = "letter"
    kind = forms.ChoiceField(label=_("文書の種類"), choices=LetterKind.choices)
    on_behalf = forms.ChoiceField(
        label=_("名義"),
        choices=OnBehalf.choices,
        widget=forms.RadioSelect,
        help_text=_("権利は職員本人のものです。組織を対象とする投稿のときは市の名義にします。"),
    )
    requester = forms.ModelChoiceField(
        label=_("依頼者（職員本人の名義のとき）"), queryset=User.objects.none(), required=False
    )
    provider = forms.CharField(label=_("宛先（事業者・サイト管理者）"), max_length=200)
    provider_address = forms.CharField(label=_("宛先の住所（分かれば）"), max_length=200, required=False)
    rights = forms.MultipleChoiceField(
        label=_("侵害されたとする権利"), choices=Right.choices, widget=forms.CheckboxSelectMultiple
    )
    reasons = forms.CharField(label=_("権利が侵害されたとする理由"), widget=forms.Textarea(attrs={"rows": 3}))
    content = forms.CharField(
        label=_("掲載されている情報（原文どおり）"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, post, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester"].queryset = post.affected_staff.all()
        self.fields["content"].initial = post.content
        platform = current_policy().online_posts.platform(post.platform)
        if platform is not None:
            self.fields["provider"].initial = platform.name
            if not platform.is_designated:
                self.fields["kind"].initial = LetterKind.DELETION


class PostListFilterForm(NarrowingForm):
    """The list's narrowing by GET (the statistics link here): the site, the staff's
    department, the days found."""

    platform = forms.CharField(required=False, max_length=40)
    department = forms.IntegerField(required=False, min_value=1)
    found_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    found_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

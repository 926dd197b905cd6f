"""The period and departments of the figures, with the messages a user reads
when they do not hold together."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from mamoru.lib.wareki import fiscal_year, fiscal_year_label

from .periods import fiscal_year_period, month_period, range_period

MAX_PERIOD_YEARS = 10
EARLIEST_YEAR = 1989


class DepartmentIdsField(forms.Field):
    """Department ids, as many as chosen. Unlike a choice field it takes any id, so
    that an unknown one reads a message and another department's a 404."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return [int(v) for v in values]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("所属の指定が正しくありません。")) from None


class PeriodKind:
    FISCAL_YEAR = "fiscal_year"
    MONTH = "month"
    RANGE = "range"
    CHOICES = [(FISCAL_YEAR, _("年度")), (MONTH, _("月")), (RANGE, _("期間を指定"))]


class StatsFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("集計の単位"), choices=PeriodKind.CHOICES, required=False)
    fiscal_year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False)
    month = forms.CharField(
        label=_("月"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    date_from = forms.DateField(label=_("開始日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("終了日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    department = DepartmentIdsField(label=_("所属"), required=False)

    def __init__(self, *args, user, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.style = getattr(user, "date_style", "wareki") or "wareki"
        this_year = fiscal_year(timezone.localdate())
        self.fiscal_year_default = this_year
        self.fields["fiscal_year"].choices = [
            (year, fiscal_year_label(year, self.style)) for year in range(this_year, EARLIEST_YEAR - 1, -1)
        ]
        self.departments = list(departments)
        self.fields["department"].widget.choices = [(d.pk, d.name) for d in self.departments]

    def clean_department(self):
        # An id no department has is a mistake in the address; one the user may not read
        # is answered 404 by the selector, so the check here is against every department.
        chosen = self.cleaned_data.get("department") or []
        known = set(Department.objects.filter(pk__in=chosen).values_list("pk", flat=True))
        if any(pk not in known for pk in chosen):
            raise forms.ValidationError(_("指定された所属はありません。"))
        return chosen

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("period") or PeriodKind.FISCAL_YEAR
        cleaned["period"] = kind
        if kind == PeriodKind.MONTH:
            cleaned["month_value"] = self._month(cleaned.get("month"))
        elif kind == PeriodKind.RANGE:
            start, end = cleaned.get("date_from"), cleaned.get("date_to")
            if start is None or end is None:
                if "date_from" not in self.errors and "date_to" not in self.errors:
                    raise forms.ValidationError(_("期間を指定する場合は開始日と終了日を入力してください。"))
                return cleaned
            if end < start:
                raise forms.ValidationError(_("期間の終わりが始まりより前になっています。"))
            if end >= _add_years(start, MAX_PERIOD_YEARS):
                raise forms.ValidationError(_("期間は{years}年以内で指定してください。").format(years=MAX_PERIOD_YEARS))
            if start.year < EARLIEST_YEAR or end.year > 2999:
                raise forms.ValidationError(
                    _("期間は{first}年から{last}年までの日付で指定してください。").format(
                        first=EARLIEST_YEAR, last=2999
                    )
                )
        return cleaned

    def _month(self, text):
        try:
            year, month = (int(part) for part in (text or "").split("-"))
            dt.date(year, month, 1)
        except ValueError:
            self.add_error("month", _("月は「2025-11」の形で入力してください。"))
            return None
        if not EARLIEST_YEAR <= year <= 2999:
            self.add_error(
                "month", _("月は{first}年から{last}年までで指定してください。").format(first=EARLIEST_YEAR, last=2999)
            )
            return None
        return year, month

    def period_value(self):
        """The chosen period; the current fiscal year when the form is empty or invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        kind = data.get("period") or PeriodKind.FISCAL_YEAR
        if kind == PeriodKind.MONTH and data.get("month_value"):
            return month_period(*data["month_value"], style=self.style)
        if kind == PeriodKind.RANGE and data.get("date_from") and data.get("date_to"):
            return range_period(data["date_from"], data["date_to"], style=self.style)
        return fiscal_year_period(data.get("fiscal_year") or self.fiscal_year_default, style=self.style)

    def department_ids(self) -> list[int]:
        if self.is_bound and self.is_valid():
            return list(self.cleaned_data.get("department") or [])
        return []


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class ReportForm(forms.Form):
    """What to report: monthly or yearly, the fiscal year and month, the departments,
    public or internal, the suppression threshold and the file's format."""

    kind = forms.ChoiceField(
        label=_("報告の種類"),
        choices=[("yearly", _("年次報告（年度）")), ("monthly", _("月次報告"))],
        initial="yearly",
        widget=forms.RadioSelect,
    )
    fiscal_year = forms.TypedChoiceField(label=_("年度"), coerce=int)
    month = forms.CharField(
        label=_("月（月次報告）"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text=_("例: 2025-11。選んだ年度の中の月"),
    )
    department = DepartmentIdsField(
        label=_("所属"), required=False, help_text=_("選ばなければ、集計できるすべての所属")
    )
    public = forms.BooleanField(
        label=_("公表用（全所属・少数秘匿つき。年次報告のみ）"),
        required=False,
        help_text=_("職員の名前が出る表は、公表用にも内部資料にも含めません。"),
    )
    threshold = forms.IntegerField(
        label=_("少数秘匿の基準（件）"),
        required=False,
        min_value=1,
        max_value=1000,
        error_messages={
            "invalid": _("秘匿の基準は1以上の整数で指定してください。"),
            "min_value": _("秘匿の基準は1以上の整数で指定してください。"),
            "max_value": _("秘匿の基準は1000以下で指定してください。"),
        },
        help_text=_("この件数未満を「N未満」と表示します（公表用のみ）。"),
    )
    format = forms.ChoiceField(
        label=_("形式"),
        choices=[("pdf", "PDF（A4）"), ("xlsx", "Excel（xlsx）")],
        initial="pdf",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, departments, may_publish: bool, default_threshold: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.may_publish = may_publish
        self.style = getattr(user, "date_style", "wareki") or "wareki"
        this_year = fiscal_year(timezone.localdate())
        self.fields["fiscal_year"].choices = [
            (year, fiscal_year_label(year, self.style)) for year in range(this_year, EARLIEST_YEAR - 1, -1)
        ]
        self.fields["fiscal_year"].initial = this_year
        self.fields["threshold"].initial = default_threshold
        self.departments = list(departments)
        self.fields["department"].widget.choices = [(d.pk, d.name) for d in self.departments]
        if not may_publish:
            del self.fields["public"]
            del self.fields["threshold"]

    clean_department = StatsFilterForm.clean_department

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        public = cleaned.get("public", False)
        if public and kind == "monthly":
            self.add_error("public", _("公表用の報告は年次報告だけです。"))
        if public and cleaned.get("department"):
            self.add_error("department", _("公表用の報告は全所属を集計します。所属は選ばないでください。"))
        cleaned["month_value"] = None
        if kind == "monthly":
            text = cleaned.get("month") or ""
            if not text:
                self.add_error("month", _("月次報告の月を入力してください（例: 2025-11）。"))
                return cleaned
            month = self._month(text)
            if month is None:
                return cleaned
            year = cleaned.get("fiscal_year")
            if year is not None and not (year, 4) <= month <= (year + 1, 3):
                self.add_error(
                    "month",
                    _("月は{label}（{year}年4月〜{next}年3月）の中で指定してください。").format(
                        label=fiscal_year_label(year, self.style), year=year, next=year + 1
                    ),
                )
                return cleaned
            cleaned["month_value"] = month
        return cleaned

    _month = StatsFilterForm._month

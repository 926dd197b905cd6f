"""What business_requests adds to the pages of the apps it builds on, registered in
``BusinessRequestsConfig.ready()``: on the specialist section's home page, the due dates of
open requests from other businesses that are near or passed. Reads only."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import is_specialist
from mamoru.lib.panels import register_panel
from mamoru.lib.todo import TodoItem, deadline_shown, panel_context

from .deadlines import request_deadlines
from .selectors import request_list


def home_request_deadlines_panel(*, request, obj):
    """The hearing of the staff member concerned and the answer to the business, from the
    day their reminder starts, overdue first. The open requests with their staff and
    hearings are read in three queries however many there are."""
    today = timezone.localdate()
    requests = request_list(user=obj).filter(closed_on__isnull=True).prefetch_related("staff", "hearings")
    items = [
        TodoItem(
            obj=business_request,
            url=deadline.url,
            label=_("{request}：{what}").format(
                request=business_request.business_name, what=deadline.title.split("：", 1)[-1]
            ),
            detail=_("担当 {name}").format(name=business_request.handler.display_name)
            if business_request.handler_id
            else _("担当者未定"),
            due=deadline.due_on,
            overdue=deadline.due_on < today,
        )
        for business_request in requests
        for deadline in request_deadlines(business_request)
        if deadline_shown(deadline, today)
    ]
    return panel_context(items, list_url=reverse("business_requests:list"))


def register() -> None:
    register_panel(
        page="records.home",
        slot="todo",
        name="business_requests.home_request_deadlines",
        template="business_requests/_home_request_deadlines.html",
        context=home_request_deadlines_panel,
        order=70,
        audience=is_specialist,
    )

"""The statistics dashboard (issue 16) in a real browser on a 1024×768 screen: the
charts are drawn, the page body never scrolls sideways, a month can be picked and
a figure leads to the contacts behind it. The staff exposure page fits too."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from records.choices import HarassmentJudgement
from tests.factories import make_contact

from .conftest import log_in

pytestmark = pytest.mark.browser

YES = dict(
    harassment=HarassmentJudgement.YES,
    categories=["verbal_abuse"],
    content_unreasonable="no",
    manner_inappropriate="yes",
    manner_reason="大声で職員を罵倒し続けた",
)


def _this_month(hour):
    """A moment of the month just begun (of the one before on its first two days), whatever the hour the test runs."""
    day = timezone.localdate() - dt.timedelta(days=2)
    return dt.datetime.combine(day.replace(day=1), dt.time(hour), timezone.get_current_timezone())


def _contact(actor, start, minutes=10, **fields):
    return make_contact(actor, started_at=start, ended_at=start + dt.timedelta(minutes=minutes), **fields)


def _no_sideways_scroll(page):
    widths = page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth})"
    )
    assert widths["page"] <= widths["view"], widths


def test_dashboard_at_1024_pick_a_month_and_follow_a_figure(new_page, city):
    started = _this_month(10)
    _contact(city.staff, started, minutes=45, other_staff=[city.supervisor], **YES)
    _contact(city.zeimu_staff, _this_month(14))
    page = new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in(page, city.specialist.username)

    page.goto("/stats/")
    expect(page.locator("h1")).to_contain_text("統計")
    charts = page.locator("svg.chart")
    assert charts.count() >= 3
    expect(charts.first).to_be_visible()
    box = charts.first.bounding_box()
    assert box["width"] > 200 and box["height"] > 20
    _no_sideways_scroll(page)

    page.select_option("select[name=period]", "month")
    page.fill("input[name=month]", f"{started:%Y-%m}")
    page.get_by_role("button", name="集計").click()
    page.wait_for_url(re.compile(r"period=month"))
    months = page.locator("#table-contacts_by_month")
    expect(months.locator("tbody tr")).to_have_count(1)
    expect(months.locator("tbody td").first).to_have_text("2")
    _no_sideways_scroll(page)

    months.locator("tbody th a").first.click()
    page.wait_for_url(re.compile(r"/contacts/\?"))
    expect(page.locator("h1")).to_have_text("対応記録")
    expect(page.locator("input[name=date_from]")).to_have_value(f"{started:%Y-%m}-01")
    expect(page.get_by_role("cell", name="市民 一郎", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="税務 花子", exact=True)).to_be_visible()
    expect(page.get_by_text("全2件")).to_be_visible()


def test_staff_exposure_at_1024(new_page, city):
    started = _this_month(10)
    _contact(city.staff, started, minutes=45, other_staff=[city.supervisor], **YES)
    page = new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    log_in(page, city.manager.username)
    page.goto(f"/stats/?period=month&month={started:%Y-%m}")
    page.get_by_role("link", name="職員ごとの対応状況").click()  # keeps the period chosen
    page.wait_for_url(re.compile(r"/stats/staff/\?period=month"))
    first = page.locator("table.staff-exposure tbody tr").first
    expect(first.locator("th")).to_contain_text("市民 一郎")
    _no_sideways_scroll(page)
    first.locator("td a").first.click()  # カスハラ（計）: the contacts handled or attended
    page.wait_for_url(re.compile(r"/contacts/\?.*involved="))
    expect(page.locator("select[name=involved]")).to_have_value(str(city.staff.pk))

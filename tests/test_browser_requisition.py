# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The spare-parts keeper approves requisitions in sao (R-PART-5, R-ROLE-5)."
import re

import pytest
from playwright.sync_api import expect

from test_browser import click_tab, login

pytestmark = pytest.mark.demo_server


def open_row(page, row):
    "Open the list row in its form"
    number = re.search(r'LY\d+', row.inner_text()).group()
    row.get_by_text(number).click()
    page.locator('button#switch_:visible').click()
    expect(page.locator('input[name=number]:visible')).to_have_value(number)


def test_keeper_approves_requisitions(demo_server, new_page, artifacts):
    page = new_page()
    login(page, demo_server, 'keeper', 'service-demo')
    menu = page.locator('#menu')
    menu.get_by_text('Service', exact=True).click()
    menu.get_by_text('Spare Parts', exact=True).click()
    menu.get_by_text('Requisitions', exact=True).dblclick()

    # the demo has two requisitions waiting: one of field2's visits and
    # a touch frame worth more than the keeper may approve
    tab = page.locator('#tabs')
    click_tab(page, tab, re.compile(r'^\s*To Approve'))
    rows = tab.locator('table tbody tr:visible')
    expect(rows).to_have_count(2)
    page.screenshot(path=artifacts / 'browser-requisitions-to-approve.png')
    texts = [rows.nth(i).inner_text() for i in range(2)]
    field2 = next(i for i, t in enumerate(texts) if '赵磊' in t)
    other = re.search(r'LY\d+', texts[1 - field2]).group()

    open_row(page, rows.nth(field2))
    page.get_by_role('button', name='Approve').click()
    state = page.locator('select[name=state]:visible option:checked')
    expect(state).to_have_text('Approved')
    page.get_by_role('tab', name='Approval').click()
    expect(page.locator('input[name=approved_by]:visible')).to_have_value(
        re.compile('陈静'))
    page.screenshot(path=artifacts / 'browser-requisition-approved.png')

    # back to the list: the expensive one is for the manager
    page.locator('button#switch_:visible').click()
    click_tab(page, tab, re.compile(r'^\s*To Approve'))
    expect(rows).to_have_count(1)
    assert other in rows.first.inner_text()
    open_row(page, rows.first)
    page.get_by_role('button', name='Approve').click()
    message = page.get_by_text(
        re.compile('only the service manager can approve it'))
    expect(message).to_be_visible()
    page.screenshot(path=artifacts / 'browser-requisition-manager.png')
    page.get_by_role('button', name='OK').click()
    expect(state).to_have_text('Requested')

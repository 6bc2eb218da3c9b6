# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The field engineer does today's visits in sao (R-ROLE-3, R-REP-2)."
import re

import pytest
from playwright.sync_api import expect

from test_browser import login, open_list

pytestmark = pytest.mark.demo_server


def enter(page, selector, text):
    "Type text in the visible widget, committed as when leaving it"
    widget = page.locator(f'{selector}:visible')
    widget.fill(text)
    # sao takes the value on change: without it, focusing the next widget
    # redisplays the form from the record and loses what was typed
    widget.dispatch_event('change')
    expect(widget).to_have_value(text)


def test_field_engineer_records_a_report(demo_server, new_page, artifacts):
    page = new_page()
    login(page, demo_server, 'field', 'service-demo')
    tab = open_list(page, 'Service', 'Work Orders', 'My Work Orders Today')

    # the demo plans three visits today for this engineer, in time order
    rows = tab.locator('table tbody tr:visible')
    expect(rows).to_have_count(3)
    assert all('Scheduled' in rows.nth(i).inner_text() for i in range(3))
    page.screenshot(path=artifacts / 'browser-work-orders-today.png')

    # open the first visit (its link cells open the site or the ticket)
    first = rows.first
    number = re.search(r'WO\d+', first.inner_text()).group()
    first.get_by_text('Repair').click()
    expect(first.locator('input[type=checkbox]').first).to_be_checked()
    page.locator('button#switch_:visible').click()
    expect(page.locator('input[name=number]:visible')).to_have_value(number)
    page.get_by_role('button', name='Start').click()
    state = page.locator('select[name=state]:visible option:checked')
    expect(state).to_have_text('In Progress')
    page.get_by_role('tab', name='Report').click()
    enter(page, 'textarea[name=fault_found]', "电源适配器损坏")
    enter(page, 'textarea[name=action_taken]', "更换电源适配器")
    page.locator('select[name=equipment_state_after]:visible').select_option(
        label='In Service')
    enter(page, 'input[name=customer_signatory]', "值班老师")
    page.get_by_role('button', name='Done').click()
    expect(state).to_have_text('Done')
    page.screenshot(path=artifacts / 'browser-work-order-done.png')

    # in a fresh list, the visit is done and the others still to do
    page.locator('#menu').get_by_text(
        'My Work Orders Today', exact=True).dblclick()
    rows = page.locator('#tabs .tab-pane.active table tbody tr:visible')
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text='Done')).to_have_count(1)
    expect(rows.filter(has_text='Scheduled')).to_have_count(2)

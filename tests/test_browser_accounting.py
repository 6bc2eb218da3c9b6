# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The accountant reconciles the parts cost of the month in the demo, a
difference explained by an entry booked by hand (R-PART-6, R-ROLE-6)."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from conftest import TIMEZONE, check_no_error
from test_browser import login, open_list, wait_idle

pytestmark = pytest.mark.demo_server


def test_accountant_reconciles_the_month(demo_server, new_page, artifacts):
    page = new_page()
    login(page, demo_server, 'accountant', 'service-demo')
    tab = open_list(
        page, 'Service', 'Spare Parts', 'Parts Cost Reconciliation')
    wait_idle(page)

    # the context opens on the current month of the company
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    expect(tab.locator('input[name=period]')).to_have_value(
        re.compile(today.strftime('%Y-%m')))

    # the warranty repairs' parts on 5601, the faulty lamp on 1901: the
    # books say what the report says, but for the courier fee of the parts
    # the accountant booked by hand on 5601
    rows = tab.locator('table tbody tr:visible')
    expect(rows.filter(has_text='5601')).to_have_count(1)
    expect(rows.filter(has_text='1901')).to_have_count(1)
    for row in rows.all():
        # amounts show with the currency's symbol
        cells = [re.sub(r'[¥\s]', '', c)
            for c in row.locator('td').all_inner_texts()]
        numbers = [c for c in cells if re.fullmatch(r'-?[\d,]+\.\d\d', c)]
        expected = ({'-36.00'} if any(c.startswith('5601') for c in cells)
            else {'0.00', '-0.00'})
        assert numbers and numbers[-1] in expected, cells
    check_no_error(page)
    page.screenshot(path=artifacts / 'browser-accountant-reconciliation.png')

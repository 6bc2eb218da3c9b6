# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The customer-service demo user works in sao (R-ROLE-4, R-INFRA-3)."
import re

import pytest

pytestmark = pytest.mark.demo_server

TIMEOUT = 30_000


def login(page, url, login, password):
    page.goto(url)
    page.fill('#login', login)
    page.click('.login-dialog button.btn-primary')
    page.fill('.ask-dialog input[type=password]', password)
    page.keyboard.press('Enter')
    page.locator('#menu').get_by_text('Service', exact=True).wait_for(
        timeout=TIMEOUT)


def test_customer_service_sees_equipment_then_chinese_menu(
        demo_server, browser, artifacts):
    page = browser.new_page(viewport={'width': 1280, 'height': 800})
    page.set_default_timeout(TIMEOUT)
    errors = []
    page.on('pageerror', lambda error: errors.append(error))
    login(page, demo_server, 'cs', 'service-demo')
    menu = page.locator('#menu')

    menu.get_by_text('Service', exact=True).click()
    menu.get_by_text('Installed Base', exact=True).click()
    menu.get_by_text('Equipment', exact=True).dblclick()
    tab = page.locator('#tabs')
    tab.get_by_role('tab', name='In Service').wait_for()
    first_row = tab.locator('table tbody tr:visible').first
    first_row.wait_for()
    assert 'EQ000001' in first_row.inner_text()
    assert tab.get_by_text('Interactive Panel').count() > 0
    page.screenshot(path=artifacts / 'browser-equipment.png')

    menu.get_by_text('Tickets', exact=True).dblclick()
    tab.get_by_role('tab', name='Overdue').wait_for()
    first_row = tab.locator('table tbody tr:visible').first
    first_row.wait_for()
    assert re.search(r'T\d{9}', first_row.inner_text())
    page.screenshot(path=artifacts / 'browser-tickets.png')

    # The Today board lists the drafts to classify (R-CS-6)
    menu.get_by_text('Today', exact=True).dblclick()
    tab.get_by_text('Tickets to Classify').wait_for()
    tab.get_by_role('tab', name='Draft').wait_for()
    assert tab.get_by_text('Callbacks Due Today').count() == 1
    page.screenshot(path=artifacts / 'browser-today.png')

    page.get_by_text('Liu Fang').click()
    page.get_by_text('Preferences...').click()
    # sao closes the open tabs before changing the preferences
    page.locator('.modal-dialog', has_text='close all tabs').locator(
        'button.btn-primary').click()
    dialog = page.locator('.modal-dialog:has(select[name=language])')
    dialog.get_by_role('tab', name='Preferences').click()
    dialog.locator('select[name=language]').select_option(
        label='Chinese Simplified')
    dialog.locator('.modal-footer button.btn-primary').click()

    menu.get_by_text('售后服务', exact=True).wait_for()
    menu.get_by_text('售后服务', exact=True).click()
    menu.get_by_text('装机档案', exact=True).wait_for()
    assert menu.get_by_text('Service', exact=True).count() == 0
    page.screenshot(path=artifacts / 'browser-menu-zh_CN.png')
    assert not errors, errors

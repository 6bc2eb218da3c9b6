# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The customer-service demo user works in sao (R-ROLE-4, R-INFRA-3)."
import itertools
import json
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from conftest import BROWSER_TIMEOUT as TIMEOUT
from conftest import check_no_error

pytestmark = pytest.mark.demo_server


def login(page, url, login, password, menu='Service'):
    page.goto(url)
    # a server just started answers sao's first calls slowly: a click on
    # the login button before they are done is lost
    wait_idle(page)
    page.fill('#login', login)
    field = page.locator('.ask-dialog input[type=password]')
    # a click while sao still loads the login dialog is lost: the user
    # clicks again
    for _ in range(3):
        page.click('.login-dialog button.btn-primary')
        try:
            field.wait_for(timeout=TIMEOUT // 3)
        except PlaywrightError:
            continue
        break
    field.fill(password)
    page.keyboard.press('Enter')
    page.locator('#menu').get_by_text(menu, exact=True).wait_for(
        timeout=TIMEOUT)
    # the user menu is built after the main menu
    page.locator('#user-preferences > a.dropdown-toggle').wait_for()


def wait_idle(page):
    "Wait until sao has no call to the server pending, as a user waits"
    for _ in range(2):
        page.wait_for_function('() => window.jQuery && jQuery.active === 0')
        # a call may start right after the last one ends
        page.wait_for_timeout(200)


def user_menu_item(page, text):
    """Click an item of the user menu (the name at the top right) once the
    page is done loading (a tab still loading closes the menu), opened
    again as a user would when it closed before the click"""
    toggle = page.locator('#user-preferences > a.dropdown-toggle')
    item = page.locator('#user-preferences').get_by_role(
        'menuitem', name=text)
    for _ in range(3):
        wait_idle(page)
        if not item.is_visible():
            toggle.click()
        try:
            # the items come with the notifications, from the server
            item.click(timeout=TIMEOUT // 3)
        except PlaywrightError:
            continue
        return
    raise AssertionError(f"{text} not shown in the user menu")


def open_list(page, *path, tab_name=None):
    "Open a menu entry, wait for its list and check it shows no error"
    menu = page.locator('#menu')
    for parent, name in itertools.pairwise(path):
        child = menu.get_by_text(name, exact=True)
        if not child.is_visible():
            # unfolded by its arrow: a click on a parent's name opens its
            # own list, in a tab that may come after the one opened here
            menu.locator('tr', has=page.get_by_text(parent, exact=True)
                ).locator('.expander').first.click()
        child.wait_for()
    menu.get_by_text(path[-1], exact=True).dblclick()
    tab = page.locator('#tabs .tab-pane.active')
    tab.locator('table').first.wait_for()
    if tab_name:
        click_tab(page, tab, tab_name)
    tab.locator('table tbody tr:visible').first.wait_for()
    check_no_error(page)
    return tab


def click_tab(page, tab, name):
    """Click a tab of a list once the list is loaded, as a user does (a
    click while the first tab still loads shows its rows under the new
    tab)"""
    wait_idle(page)
    tab.get_by_role('tab', name=name).click()
    wait_idle(page)


# The codes of the languages formerly picked by their English names
LANGUAGE_CODES = {'Chinese Simplified': 'zh_CN', 'English': 'en'}


def set_language(page, code):
    """Change the user's language in the preferences to the language of
    code (zh_CN): its name depends on the translations loaded, its code
    does not"""
    code = LANGUAGE_CODES.get(code, code)
    user_menu_item(page, 'Preferences...')
    # sao closes the open tabs before changing the preferences
    close = page.locator('.modal-dialog', has_text='close all tabs')
    dialog = page.locator('.modal-dialog:has(select[name=language])')
    expect(close.or_(dialog)).to_be_visible()
    if close.is_visible():
        close.locator('button.btn-primary').click()
    dialog.get_by_role('tab', name='Preferences').click()
    # the preferences offer the languages by code (the option's value is
    # the code as JSON)
    dialog.locator('select[name=language]').select_option(
        value=json.dumps(code))
    dialog.locator('.modal-footer button.btn-primary').click()
    expect(dialog).to_have_count(0)


def test_customer_service_sees_equipment_then_chinese_menu(
        demo_server, new_page, artifacts):
    page = new_page()
    login(page, demo_server, 'cs', 'service-demo')
    menu = page.locator('#menu')

    tab = open_list(page, 'Service', 'Installed Base', 'Equipment')
    expect(tab.get_by_role('tab', name='In Service')).to_be_visible()
    first_row = tab.locator('table tbody tr:visible').first
    expect(first_row).to_contain_text('EQ000001')
    assert tab.get_by_text('Interactive Panel').count() > 0
    page.screenshot(path=artifacts / 'browser-equipment.png')

    tab = open_list(page, 'Service', 'Tickets')
    expect(tab.get_by_role('tab', name='Overdue')).to_be_visible()
    first_row = tab.locator('table tbody tr:visible').first
    expect(first_row).to_contain_text(re.compile(r'T\d{9}'))
    page.screenshot(path=artifacts / 'browser-tickets.png')

    # the overdue tickets say which promise is broken, and the deadline
    # columns fit on a 1366-pixel screen (R-CS-3)
    click_tab(page, tab, re.compile(r'^\s*Overdue'))
    rows = tab.locator('table tbody tr:visible')
    expect(rows.first).to_contain_text(re.compile(r'Response|Resolution'))
    for header in ['Next Deadline', 'Late for']:
        box = tab.locator('table thead th:visible', has_text=header).first
        box = box.bounding_box()
        assert box and box['x'] + box['width'] <= 1366, header
    check_no_error(page)
    page.screenshot(path=artifacts / 'browser-tickets-overdue.png')

    # The Today board lists the drafts to classify (R-CS-6)
    menu.get_by_text('Today', exact=True).dblclick()
    tab = page.locator('#tabs .tab-pane.active')
    tab.get_by_text('Tickets to Classify').wait_for()
    tab.get_by_role('tab', name='Draft').wait_for()
    assert tab.get_by_text('Callbacks Due Today').count() == 1
    check_no_error(page)
    page.screenshot(path=artifacts / 'browser-today.png')

    set_language(page, 'zh_CN')
    menu.get_by_text('售后服务', exact=True).wait_for()
    menu.get_by_text('售后服务', exact=True).click()
    menu.get_by_text('装机档案', exact=True).wait_for()
    assert menu.get_by_text('Service', exact=True).count() == 0
    page.screenshot(path=artifacts / 'browser-menu-zh_CN.png')

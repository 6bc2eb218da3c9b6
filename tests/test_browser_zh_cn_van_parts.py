# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The field engineer closes a visit with a part from his van, in Chinese
(R-REP-3, R-PART-5, R-PART-6, R-ROLE-3).

After test_browser_zh_cn.py: the demo user's language is Chinese for the
rest of the session.
"""
import itertools
import re

import pytest
from playwright.sync_api import expect

from conftest import BROWSER_TIMEOUT, check_no_error
from test_browser import set_language, wait_idle
from test_browser_work_order import enter

pytestmark = pytest.mark.demo_server

# Words of an English label; codes such as HDMI, WO or LY are not labels
ENGLISH = re.compile(r'\b[A-Za-z][a-z]{2,}\b')


def login(page, url, login, password):
    "Log in, whatever the user's language is"
    page.goto(url)
    # a server just started answers sao's first calls slowly: a click on
    # the login button before they are done is lost
    wait_idle(page)
    page.fill('#login', login)
    page.click('.login-dialog button.btn-primary')
    page.fill('.ask-dialog input[type=password]', password)
    page.keyboard.press('Enter')
    page.locator('#menu').get_by_text(
        re.compile(r'^(Service|售后服务)$')).wait_for(
        timeout=BROWSER_TIMEOUT)
    page.locator('#user-preferences > a.dropdown-toggle').wait_for()
    if page.locator('#menu').get_by_text('Service', exact=True).count():
        set_language(page, 'Chinese Simplified')
        page.locator('#menu').get_by_text('售后服务', exact=True).wait_for()


def open_menu(page, *path):
    """Double-click a menu entry, unfolding its parents by their arrows
    (a click on a parent's name opens its own list in a later tab)"""
    menu = page.locator('#menu')
    for parent, child in itertools.pairwise(path):
        child = menu.get_by_text(child, exact=True)
        if not child.is_visible():
            menu.locator('tr', has=page.get_by_text(parent, exact=True)
                ).locator('.expander').first.click()
        child.wait_for()
    menu.get_by_text(path[-1], exact=True).dblclick()
    tab = page.locator('#tabs .tab-pane.active')
    tab.locator('table').first.wait_for()
    return tab


def check_chinese(page, scope):
    """Fail on an English label, tab, column, button or selection shown in
    scope, or an error"""
    check_no_error(page)
    texts = scope.locator(
        'label:visible, .nav-tabs a:visible, th:visible, button:visible, '
        'select:visible option:checked, .form-separator:visible, '
        '.form-one2many-string:visible').all_inner_texts()
    english = [t.strip() for t in texts if ENGLISH.search(t)]
    assert not english, english


def test_field_engineer_closes_visit_with_van_parts(
        demo_server, new_page, artifacts):
    page = new_page(viewport={'width': 1440, 'height': 900})
    login(page, demo_server, 'field', 'service-demo')

    # the week's plan opens at the start of the working day, 08:00 (R-ENG-6)
    tab = open_menu(page, '售后服务', '派工单', '每周维修保养计划')
    expect(tab.locator('.fc-event').first).to_be_visible()
    page.wait_for_function("""() => {
        const scroller = document.querySelector(
            '#tabs .tab-pane.active .fc-time-grid-container');
        const eight = document.querySelector(
            '#tabs .tab-pane.active .fc-slats tr[data-time="08:00:00"]');
        return scroller && eight && scroller.scrollTop > 0
            && Math.abs(scroller.scrollTop - eight.offsetTop) < 2;
    }""")
    check_chinese(page, tab)
    page.screenshot(path=artifacts / 'browser-zh-week-plan.png')

    # today's first visit still to do, with one of the vans
    tab = open_menu(page, '售后服务', '派工单', '我今天的派工单')
    tab.locator('table tbody tr:visible').first.wait_for()
    row = tab.locator('table tbody tr:visible').filter(has_text='已排程').first
    number = re.search(r'WO\d+', row.inner_text()).group()
    row.get_by_text(number).click()
    page.locator('button#switch_:visible').click()
    expect(page.locator('input[name=number]:visible')).to_have_value(number)
    expect(page.locator('input[name=vehicle]:visible')).to_have_value(
        re.compile(r'服务车'))
    page.get_by_role('button', name='开始上门').click()
    state = page.locator('select[name=state]:visible option:checked')
    expect(state).to_have_text('处理中', timeout=BROWSER_TIMEOUT)

    # he asks for an HDMI cable on the visit: it comes from his van
    page.get_by_role('tab', name='备件', exact=True).click()
    parts = page.locator('.form-one2many:visible', has=page.locator(
            '.form-one2many-string', has_text='备件领用单'))
    parts.get_by_role('button', name='新建', exact=True).click()
    dialog = page.locator('.modal-dialog:visible').last
    wait_idle(page)
    lines = dialog.locator('.form-one2many', has=page.locator(
            '.form-one2many-string', has_text='明细'))
    lines.get_by_role('button', name='新建', exact=True).click()
    line = dialog.locator('table tbody tr').first
    product = line.locator('input[name=product]')
    product.click()
    product.press_sequentially('HDMI')
    page.locator('.dropdown-menu:visible').get_by_text('HDMI').click()
    # the part's changes come back from the server before he types on
    wait_idle(page)
    # sao swaps the number's text input for a numeric one on focus: he
    # clicks it, then types
    line.locator('input[name=quantity]:visible').click()
    page.keyboard.type('1')
    page.keyboard.press('Tab')
    wait_idle(page)
    expect(line.locator('input[name=quantity]').first).to_have_value('1')
    expect(line.locator('input[name=from_location]')).to_have_value(
        re.compile(r'车载备件'))
    check_chinese(page, dialog)
    page.screenshot(path=artifacts / 'browser-zh-van-parts-line.png')
    dialog.get_by_role('button', name='添加', exact=True).click()
    expect(dialog).to_be_hidden()
    wait_idle(page)
    # the visit is saved with its toolbar's button: the slip takes its number
    page.locator('#tabs .tab-pane.active button#save').click()
    wait_idle(page)
    check_no_error(page)

    # opened again, it is submitted, then issued from the van
    requisition = parts.locator('table tbody tr:visible').first
    expect(requisition).to_contain_text(
        re.compile(r'LY\d+'), timeout=BROWSER_TIMEOUT)
    requisition.locator('td').nth(2).click()
    parts.get_by_role('button', name='打开', exact=True).click()
    dialog = page.locator('.modal-dialog:visible').last
    requisition_state = dialog.locator(
        'select[name=state] option:checked')
    dialog.get_by_role('button', name='提交申请').click()
    expect(requisition_state).to_have_text('已申请', timeout=BROWSER_TIMEOUT)
    check_chinese(page, dialog)
    dialog.get_by_role('button', name='车载备件出库').click()
    expect(requisition_state).to_have_text('已发放', timeout=BROWSER_TIMEOUT)
    expect(dialog.locator('table tbody tr').first).to_contain_text(
        re.compile(r'HDMI.*车载备件'))
    issued = dialog.locator('table thead th').all_inner_texts().index(
        '已发数量')
    expect(dialog.locator('table tbody tr').first.locator('td').nth(
            issued)).to_have_text('1')
    check_chinese(page, dialog)
    page.screenshot(path=artifacts / 'browser-zh-van-parts-issued.png')
    dialog.get_by_role('button', name='应用更改').click()
    wait_idle(page)

    # the report, then the visit is done
    page.get_by_role('tab', name='报告', exact=True).click()
    enter(page, 'textarea[name=fault_found]', "HDMI 线缆接口松动")
    enter(page, 'textarea[name=action_taken]', "更换 HDMI 线缆")
    page.locator('select[name=equipment_state_after]:visible').select_option(
        label='在用')
    check_chinese(page, page.locator('#tabs .tab-pane.active'))
    page.get_by_role('button', name='完工').click()
    expect(state).to_have_text('已完成', timeout=BROWSER_TIMEOUT)
    wait_idle(page)
    check_chinese(page, page.locator('#tabs .tab-pane.active'))
    page.screenshot(path=artifacts / 'browser-zh-van-parts-done.png')

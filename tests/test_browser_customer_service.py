# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Customer service's day in Chinese: a call taken by the caller's number,
a visit agreed on the phone, a callback recorded (R-CS-1, R-CS-4, R-CS-6).

The demo user stays in Chinese for the rest of the session.
"""
import re
import sqlite3

import pytest
from playwright.sync_api import expect

from conftest import check_no_error
from test_browser import login, set_language, wait_idle

pytestmark = pytest.mark.demo_server

SCHOOL = '城关镇中心小学'
# a word of English in a label, a tab, a column or a button
ENGLISH = re.compile(r'\b[A-Za-z]{2,}\b')


def check_chinese(page, scope):
    """Fail on an error cell or dialog, or on a label, tab, column title or
    button of scope that is not in Chinese"""
    check_no_error(page)
    texts = scope.locator(
        'label:visible, .nav-tabs a:visible, th:visible, button:visible, '
        '.form-separator:visible, .form-one2many-string:visible, '
        '.modal-title:visible').all_inner_texts()
    english = [t.strip() for t in texts if ENGLISH.search(t)]
    assert not english, english


def enter(widget, text):
    "Type text as a user does, committed when leaving the field"
    widget.fill(text)
    widget.dispatch_event('change')
    expect(widget).to_have_value(text)


def school_number(database):
    """The school's phone as customer service hears it: 0839-5335003, not
    as it is kept (+86 839 533 5003)"""
    with sqlite3.connect(database) as connection:
        compact, = connection.execute(
            'SELECT c.value_compact FROM party_contact_mechanism c '
            'JOIN party_party p ON p.id = c.party '
            "WHERE p.name = ? AND c.type = 'phone' ORDER BY c.id",
            (SCHOOL,)).fetchone()
    assert compact.startswith('+86839'), compact
    return f'0{compact[3:6]}-{compact[6:]}'


def test_customer_service_day_in_chinese(
        demo_server, demo_database, new_page, artifacts):
    number = school_number(demo_database)
    page = new_page(viewport={'width': 1440, 'height': 900})
    login(page, demo_server, 'cs', 'service-demo',
        menu=re.compile(r'^(Service|售后服务)$'))
    menu = page.locator('#menu')
    if not menu.get_by_text('售后服务', exact=True).count():
        set_language(page, 'zh_CN')
    menu.get_by_text('售后服务', exact=True).click()
    tab = page.locator('#tabs .tab-pane.active')

    # the school calls: its number, as said on the phone, fills the
    # customer, the contact and the site of a new ticket
    menu.get_by_text('服务工单', exact=True).dblclick()
    tab.locator('table').first.wait_for()
    wait_idle(page)
    tab.get_by_role('button', name='新建').first.click()
    enter(page.locator('input[name=subject]:visible'), "投影仪无法开机")
    # a number misheard is refused in words she reads, and what she typed
    # stays there to correct
    caller = page.locator('input[name=caller_phone]:visible')
    enter(caller, '12345')
    page.get_by_role('button', name='受理').click()
    error = page.locator('.modal-dialog:visible', has_text='12345')
    expect(error).to_contain_text('来电号码')
    assert not ENGLISH.search(error.inner_text()), error.inner_text()
    error.get_by_role('button', name='确定').click()
    expect(error).to_be_hidden()
    wait_idle(page)
    expect(caller).to_have_value('12345')
    enter(caller, number)
    wait_idle(page)
    expect(page.locator('input[name=party]:visible')).to_have_value(SCHOOL)
    expect(page.locator('input[name=site]:visible')).to_have_value(SCHOOL)
    expect(page.locator('input[name=contact]:visible')).to_have_value(
        re.compile(SCHOOL))
    channel = page.locator('select[name=channel]:visible option:checked')
    expect(channel).to_have_text('电话')
    check_chinese(page, tab)
    page.screenshot(path=artifacts / 'browser-cs-phone-intake.png')
    page.get_by_role('button', name='受理').click()
    state = page.locator('select[name=state]:visible option:checked')
    expect(state).to_have_text('已受理')
    expect(channel).to_have_text('电话')
    ticket = page.locator('input[name=number]:visible').input_value()
    assert re.fullmatch(r'T\d{9}', ticket), ticket

    # still on the phone, a visit is agreed: a technician is suggested, the
    # person it was agreed with is kept, the visit is scheduled
    page.get_by_role('button', name='预约上门').click()
    dialog = page.locator('.modal-dialog:visible').last
    expect(dialog.locator('input[name=lead]')).to_have_value(
        re.compile(r'\S'))
    expect(dialog.locator('input[name=planned_start]')).to_have_value(
        re.compile(r'\d'))
    lead = dialog.locator('input[name=lead]').input_value()
    enter(dialog.locator('input[name=appointment_contact]'), "王老师")
    check_chinese(page, dialog)
    page.screenshot(path=artifacts / 'browser-cs-schedule.png')
    dialog.get_by_role('button', name='排程').click()
    expect(dialog).to_be_hidden()
    page.get_by_role('tab', name='派工单', exact=True).click()
    visits = page.locator('.form-one2many:visible', has=page.locator(
            '.form-one2many-string', has_text='派工单'))
    row = visits.locator('tbody tr:visible').first
    expect(row).to_contain_text(lead)
    expect(row).to_contain_text(re.compile(r'WO\d+'))
    visit = re.search(r'WO\d+', row.inner_text()).group()
    check_chinese(page, tab)

    # the work orders open on her visits, this one among them
    menu.get_by_text('派工单', exact=True).dblclick()
    mine = tab.get_by_role('tab').first
    expect(mine).to_contain_text('我的')
    expect(tab.locator('tbody tr:visible', has_text=visit)).to_have_count(1)
    expect(tab.locator('tbody tr:visible', has_text=visit)).to_contain_text(
        '已排程')
    check_chinese(page, tab)
    page.screenshot(path=artifacts / 'browser-cs-work-orders.png')

    # the callback: the answers filled in, one click records them
    menu.get_by_text('回访', exact=True).dblclick()
    pending = tab.get_by_role('tab', name=re.compile(r'^\s*待回访'))
    pending.wait_for()
    wait_idle(page)
    pending.click()
    wait_idle(page)
    row = tab.locator('tbody tr:visible').first
    row.locator('td:visible').nth(1).click()
    page.locator('button#switch_:visible').click()
    reached = page.locator('input[name=reached]:visible')
    reached.check()
    solved = page.locator('select[name=solved]:visible')
    solved.select_option(label='是')
    satisfaction = page.locator('select[name=satisfaction]:visible')
    satisfaction.select_option(label='5 - 非常满意')
    check_chinese(page, tab)
    # the comment typed last, the button clicked at once: leaving the
    # comment displays the form again while the button reads the answers
    page.locator('textarea[name=comment]:visible').click()
    page.keyboard.type("已经修好了")
    page.get_by_role('button', name='记录回访').click()
    expect(page.locator(
            'select[name=state]:visible option:checked')).to_have_text(
        '已完成')
    expect(solved.locator('option:checked')).to_have_text('是')
    expect(satisfaction.locator('option:checked')).to_have_text(
        '5 - 非常满意')
    check_chinese(page, tab)
    page.screenshot(path=artifacts / 'browser-cs-callback.png')

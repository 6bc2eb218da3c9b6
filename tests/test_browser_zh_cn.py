# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The staff work in Chinese (R-ROLE-3, R-PART-5, R-DATA-6).

Run last: the demo user's language is changed for the rest of the session.
"""
import re

import pytest
from playwright.sync_api import expect

from conftest import check_no_error
from test_browser import (
    click_tab, login, open_list, set_language, wait_idle)

pytestmark = pytest.mark.demo_server


def test_field_engineer_lists_all_requisitions_in_chinese(
        demo_server, new_page, artifacts):
    page = new_page()
    login(page, demo_server, 'field', 'service-demo')
    set_language(page, 'zh_CN')
    page.locator('#menu').get_by_text('售后服务', exact=True).wait_for()

    # his requisitions include one for another engineer's visit: the list
    # shows its work order instead of an error in every cell
    tab = open_list(page, '售后服务', '备件管理', '备件领用单')
    click_tab(page, tab, re.compile(r'^\s*全部'))
    rows = tab.locator('table tbody tr:visible')
    expect(rows.first).to_contain_text(re.compile(r'LY\d+'))
    expect(rows.filter(has_text=re.compile(r'WO\d+')).first).to_be_visible()
    check_no_error(page)
    page.screenshot(path=artifacts / 'browser-zh-requisitions-all.png')

    # opened, it shows its number, requester and visit: sao blanks every
    # field of a record the server refuses to read
    row = rows.filter(has_text=re.compile(r'WO\d+')).first
    number = re.search(r'LY\d+', row.inner_text()).group()
    row.get_by_text(number).click()
    page.locator('button#switch_:visible').click()
    expect(page.locator('input[name=number]:visible')).to_have_value(number)
    for name in ['requester', 'work_order', 'site']:
        expect(page.locator(f'input[name={name}]:visible')).to_have_value(
            re.compile(r'\S'))
    page.locator('button#switch_:visible').click()

    # a requisition is asked for from the visit's Parts tab: its site and
    # equipment come from the visit
    tab = open_list(page, '售后服务', '派工单', '我今天的派工单')
    row = tab.locator('table tbody tr:visible').filter(has_text='已排程').first
    number = re.search(r'WO\d+', row.inner_text()).group()
    row.get_by_text(number).click()
    page.locator('button#switch_:visible').click()
    expect(page.locator('input[name=number]:visible')).to_have_value(number)
    page.get_by_role('tab', name='备件', exact=True).click()
    parts = page.locator('.form-one2many:visible', has=page.locator(
            '.form-one2many-string', has_text='备件领用单'))
    new = parts.get_by_role('button', name='新建', exact=True)
    expect(new).to_be_enabled()
    new.click()
    dialog = page.locator('.modal-dialog:visible').last
    for name in ['requester', 'site', 'equipment']:
        expect(dialog.locator(f'input[name={name}]')).to_have_value(
            re.compile(r'\S'))
    check_no_error(page)
    page.screenshot(path=artifacts / 'browser-zh-work-order-requisition.png')


def test_keeper_sees_parts_below_minimum_in_chinese(
        demo_server, new_page, artifacts):
    "R-PART-2: the keeper's quotas, what is on hand and what is on order"
    page = new_page()
    login(page, demo_server, 'keeper', 'service-demo')
    set_language(page, 'zh_CN')
    page.locator('#menu').get_by_text('售后服务', exact=True).wait_for()

    tab = open_list(page, '售后服务', '备件管理', '备件定额（订货点）')
    for header in ['现有库存', '在途/已申购']:
        expect(tab.locator('table thead th:visible', has_text=header)
            ).to_be_visible()
    check_no_error(page)
    # the quotas are the keeper's: he can add one
    expect(tab.get_by_role('button', name='新建')).to_be_enabled()
    expect(page.locator('#menu').get_by_text('备件补货', exact=True)
        ).to_be_visible()
    page.screenshot(path=artifacts / 'browser-zh-order-points.png')



def test_manager_board_draws_its_charts_in_chinese(
        demo_server, new_page, artifacts):
    "R-DATA-6: the manager's board, its key figures and charts, in Chinese"
    page = new_page(viewport={'width': 1600, 'height': 1400})
    login(page, demo_server, 'manager', 'service-demo')
    set_language(page, 'zh_CN')
    page.locator('#menu').get_by_text('售后服务', exact=True).wait_for()
    board = open_list(page, '售后服务', '统计分析', '服务总览')

    # the key figures come first, under their Chinese headers
    for header in ['未结工单', '已超时', '今日到期', '待回访', '备件资金占用']:
        expect(board.locator('table thead th:visible', has_text=header)
            ).to_be_visible()
    figures = board.locator('table', has=page.locator(
            'thead th', has_text='未结工单')).locator('tbody tr:visible')
    expect(figures.first).to_contain_text(re.compile(r'\d'))

    # the charts are drawn, each with the demo's figures in it (a series
    # without data draws a shape of no size); sao may draw a chart again
    # when its data arrives, so the page is asked in one go until it holds
    page.wait_for_function("""() => {
        const charts = [...document.querySelectorAll(
                '#tabs .tab-pane.active svg')].filter(
            svg => svg.querySelector('.bb-chart'));
        return charts.length === 5 && charts.every(svg => [
                ...svg.querySelectorAll('.bb-chart-bar path,'
                    + ' .bb-chart-line path.bb-line, .bb-chart-arc path')
            ].some(shape => {
                const box = shape.getBoundingClientRect();
                return box.height > 1 || box.width > 1;
            }));
    }""", timeout=60_000)
    wait_idle(page)
    check_no_error(page)
    page.screenshot(
        path=artifacts / 'browser-zh-manager-board.png', full_page=True)

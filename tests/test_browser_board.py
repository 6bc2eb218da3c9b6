# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The manager's board (服务总览) fits the usual office screens, 1366 and
1920 pixels wide: nothing runs off the right edge and no label of a chart
covers another (R-DATA-6).

The manager works in Chinese, as in test_browser_zh_cn.py.
"""
import pytest
from playwright.sync_api import Error as PlaywrightError

from conftest import check_no_error
from test_browser import open_list, set_language, wait_idle

pytestmark = pytest.mark.demo_server

# The labels of every chart of the active tab that overlap another of the
# same chart (bars' values, axes' ticks, legends), as pairs of texts, and
# the panels and charts of the tab whose right edge is past the window's
LAYOUT = """() => {
    const pane = document.querySelector('#tabs .tab-pane.active');
    const shown = element => {
        const style = getComputedStyle(element);
        const box = element.getBoundingClientRect();
        return style.display !== 'none' && style.visibility !== 'hidden'
            && parseFloat(style.opacity || '1') > 0
            && box.width > 0 && box.height > 0;
    };
    const overlaps = [];
    for (const svg of pane.querySelectorAll('svg')) {
        for (const selector of ['.bb-chart-texts text',
                '.bb-axis-x .tick text', '.bb-axis-y .tick text',
                '.bb-legend-item text']) {
            const boxes = [...svg.querySelectorAll(selector)]
                .filter(text => text.textContent.trim() && shown(text))
                .map(text => [text.textContent.trim(),
                    text.getBoundingClientRect()]);
            for (let i = 0; i < boxes.length; i++) {
                for (let j = i + 1; j < boxes.length; j++) {
                    const [a, ra] = boxes[i], [b, rb] = boxes[j];
                    // a pixel of anti-aliasing is not an overlap
                    if (ra.left < rb.right - 1 && rb.left < ra.right - 1
                            && ra.top < rb.bottom - 1
                            && rb.top < ra.bottom - 1) {
                        overlaps.push(`${selector}: "${a}" / "${b}"`);
                    }
                }
            }
        }
    }
    const width = document.documentElement.clientWidth;
    // a list wider than its panel scrolls inside it
    const overflow = [...pane.querySelectorAll('.board-action, svg')]
        .filter(shown)
        .filter(element => element.getBoundingClientRect().right > width + 1)
        .map(element => `${element.tagName}.${element.className.baseVal
            ?? element.className} right=${
            Math.round(element.getBoundingClientRect().right)}`);
    return {overlaps, overflow,
        scroll: document.documentElement.scrollWidth - width};
}"""

CHARTS_DRAWN = """() => {
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
}"""


@pytest.mark.parametrize('width,height', [(1366, 768), (1920, 1080)])
def test_manager_board_fits_the_screen(
        demo_server, new_page, artifacts, width, height):
    page = new_page(viewport={'width': width, 'height': height})
    page.goto(demo_server)
    page.fill('#login', 'manager')
    password = page.locator('.ask-dialog input[type=password]')
    # a click while sao still loads the login dialog is lost: the user
    # clicks again
    for _ in range(3):
        page.click('.login-dialog button.btn-primary')
        try:
            password.wait_for(timeout=10_000)
        except PlaywrightError:
            continue
        break
    password.fill(demo_server.password)
    page.keyboard.press('Enter')
    menu = page.locator('#menu')
    menu.get_by_text('售后服务', exact=True).or_(
        menu.get_by_text('Service', exact=True)).wait_for()
    page.locator('#user-preferences > a.dropdown-toggle').wait_for()
    english = bool(menu.get_by_text('Service', exact=True).count())
    if english:
        set_language(page, 'zh_CN')
        menu.get_by_text('售后服务', exact=True).wait_for()
    try:
        _check_board(page, artifacts, width)
    finally:
        # the manager's language as the other tests expect it, set as sao
        # sets the preferences (the preferences dialog is now in Chinese)
        if english:
            page.evaluate("""() => new Promise((resolve, reject) =>
                Sao.rpc({
                    method: 'model.res.user.set_preferences',
                    params: [{language: 'en'}, {}],
                }, Sao.Session.current_session).then(resolve, reject))""")


def _check_board(page, artifacts, width):
    open_list(page, '售后服务', '统计分析', '服务总览')
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
    wait_idle(page)
    # billboard.js draws again when its size settles
    page.wait_for_timeout(500)
    check_no_error(page)
    page.screenshot(
        path=artifacts / f'browser-zh-manager-board-{width}.png',
        full_page=True)
    layout = page.evaluate(LAYOUT)
    assert not layout['overflow'], layout['overflow']
    assert layout['scroll'] <= 1, f"{layout['scroll']} px off the screen"
    assert not layout['overlaps'], layout['overlaps']

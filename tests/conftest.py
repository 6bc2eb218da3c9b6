# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Fixtures of the system tests: a real trytond serving sao and the demo."
import datetime as dt
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import sync_playwright

from demo import PASSWORD
from service_desk.tests.tools import USERS

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATABASE = 'service_desk'
# the time zone of the demo company and of its users' browsers
TIMEZONE = 'Asia/Shanghai'
# how long a browser step waits for what the user waits for
BROWSER_TIMEOUT = 30_000

# Nothing is written outside the checkout: pytest's temporary directories
# and Tryton's file store (~/db by default) go to a directory of .cache
# removed at the end of the run.  Set before trytond reads its settings.
(ROOT / '.cache').mkdir(exist_ok=True)
RUN_DIR = pathlib.Path(tempfile.mkdtemp(prefix='run-', dir=ROOT / '.cache'))
os.environ.setdefault('TRYTOND_DATABASE__PATH', str(RUN_DIR / 'data'))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    if not config.option.basetemp:
        config.option.basetemp = str(RUN_DIR / 'pytest')


def pytest_unconfigure(config):
    shutil.rmtree(RUN_DIR, ignore_errors=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    "Keep each phase's report on the test, for the fixtures' teardown"
    outcome = yield
    report = outcome.get_result()
    setattr(item, f'report_{report.when}', report)


def _progress(request, message):
    "Print a line on the terminal even while the output is captured"
    reporter = request.config.pluginmanager.get_plugin('terminalreporter')
    if reporter:
        reporter.write_line(message)


class DemoURL(str):
    """The URL of the demo server, which knows its database, its file and
    its users' logins and password"""
    database = DATABASE
    database_file = None
    logins = list(USERS)
    password = PASSWORD


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _wait_http(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"trytond exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(url)


@pytest.fixture(scope='session')
def artifacts():
    path = pathlib.Path(os.environ.get(
            'TRYTOND_TEST_ARTIFACTS', ROOT / 'test-artifacts'))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope='session')
def demo_database(demo_server):
    "The SQLite file of the demo server"
    return demo_server.database_file


@pytest.fixture(scope='session')
def demo_server(request, tmp_path_factory):
    "Serve the demo database with sao on a free port of 127.0.0.1"
    sao_root = os.environ.get('SERVICE_DESK_SAO_ROOT')
    if not sao_root:
        pytest.fail("SERVICE_DESK_SAO_ROOT is not set: run bin/test")
    env = {k: v for k, v in os.environ.items()
        if k not in {'TRYTOND_DATABASE_URI', 'DB_NAME', 'DB_CACHE'}}
    workdir = tmp_path_factory.mktemp('server')
    port = _free_port()
    config_file = workdir / 'trytond.conf'
    config_file.write_text(subprocess.run([
                sys.executable, '-m', 'service_desk.tools.config',
                '--database-path', str(workdir),
                '--listen', f'127.0.0.1:{port}', '--sao-root', sao_root],
            check=True, capture_output=True, text=True, env=env).stdout)

    # The demo database is built once per version of the module.
    cache = os.environ.get('DB_CACHE')
    # The demo's visits are planned from the day it is built.
    today = dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    cached = (pathlib.Path(cache) / f'demo-{today}.sqlite'
        if cache else None)
    database_file = workdir / f'{DATABASE}.sqlite'
    if cached and cached.exists():
        shutil.copy(cached, database_file)
    else:
        _progress(request, "Building the demo database (a minute or two)")
        subprocess.run([
                sys.executable, '-m', 'demo',
                '--config', str(config_file), '--database', DATABASE],
            check=True, env=env, cwd=ROOT)
        if cached:
            shutil.copy(database_file, cached)

    log = (workdir / 'trytond.log').open('w')
    process = subprocess.Popen([
            shutil.which('trytond', path=os.path.dirname(sys.executable)),
            '-c', str(config_file), '-d', DATABASE],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    url = DemoURL(f'http://127.0.0.1:{port}/')
    url.database_file = str(database_file)
    try:
        _wait_http(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def browser(artifacts, tmp_path_factory):
    """A headless Debian Chromium driven by Playwright; its crash reports
    go to a temporary directory, not the user's home"""
    executable = shutil.which('chromium') or '/usr/bin/chromium'
    config_home = tmp_path_factory.mktemp('chromium-config')
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True,
            env={**os.environ, 'XDG_CONFIG_HOME': str(config_home)},
            args=['--no-sandbox', '--disable-gpu',
                '--disable-background-networking',
                '--disable-component-update', '--no-first-run'])
        try:
            yield browser
        finally:
            browser.close()


# What sao shows in a cell whose value the server refused, in each language
CELL_ERRORS = ('#ERROR', '#错误')


def check_no_error(page):
    "Fail when the page shows an error cell or an application error"
    body = page.locator('body').inner_text()
    for text in CELL_ERRORS:
        assert text not in body, f"{text} shown in {page.url}"
    dialog = page.locator('.error-dialog:visible')
    assert not dialog.count(), dialog.first.inner_text()


@pytest.fixture
def new_page(request, browser, artifacts):
    """Open pages in the demo's time zone; when the test fails, keep a
    screenshot and the console of each page in the artifacts"""
    pages = []
    for stale in artifacts.glob(f'FAILED-{request.node.name}-*'):
        stale.unlink()

    def open_page(**options):
        options.setdefault('viewport', {'width': 1366, 'height': 768})
        options.setdefault('timezone_id', TIMEZONE)
        page = browser.new_page(**options)
        page.set_default_timeout(BROWSER_TIMEOUT)
        console = []
        page.on('console', lambda message: console.append(
                f'{message.type}: {message.text}'))
        page.on('pageerror', lambda error: console.append(f'error: {error}'))
        page.errors = []
        page.on('pageerror', lambda error: page.errors.append(error))
        pages.append((page, console))
        return page

    yield open_page
    failed = any(
        getattr(request.node, f'report_{when}', None) is not None
        and getattr(request.node, f'report_{when}').failed
        for when in ('setup', 'call'))
    problem = None
    for n, (page, console) in enumerate(pages):
        if not failed and problem is None:
            try:
                check_no_error(page)
                assert not page.errors, page.errors
            except AssertionError as error:
                problem = error
        if failed or problem is not None:
            stem = f'FAILED-{request.node.name}-{n}'
            try:
                page.screenshot(path=artifacts / f'{stem}.png')
            except Exception as error:
                console.append(f'(no screenshot: {error})')
            (artifacts / f'{stem}.log').write_text(
                f'{page.url}\n' + '\n'.join(console) + '\n')
        page.close()
    if problem is not None:
        raise problem

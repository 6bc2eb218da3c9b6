# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The installation of doc/deployment.rst, as written (R-INFRA-2, R-CS-1).

The module's wheel is built from the checkout and the shell blocks of
"Installing on a new server" are run as they are, with the test's values
in the first block: a PostgreSQL role and database, a fresh virtual
environment with the wheel (no site packages: every dependency comes from
the wheel's metadata), the configuration file, ``trytond-admin``
activating the module with its optional modules, then gunicorn,
trytond-cron and trytond-worker started with the documented commands.
Each answers: the module's optional modules are activated as seen through
JSON-RPC, the cron runs a due job and the worker a queued task.  The
database and the role are dropped and the processes stopped at the end;
pip's cache is kept in .cache/pip of the checkout."""
import base64
import json
import os
import pathlib
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import psycopg
import pytest

pytestmark = pytest.mark.postgresql

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / 'service_desk' / 'doc' / 'deployment.rst'
OPTIONAL = ['timesheet', 'attendance', 'stock_supply', 'account_invoice',
    'account_stock_continental']
# how long a step may take on a busy machine
DEADLINE = 300
# a step of the installation that has not ended by then hangs: the
# activation alone takes minutes, and far more when the cores are shared
INSTALL_DEADLINE = 45 * 60


def blocks(document):
    "The named code blocks of the document: {name: text}"
    found = {}
    lines = document.read_text(encoding='utf-8').splitlines()
    for i, line in enumerate(lines):
        match = re.match(r'\s*:name:\s*(deploy-\S+)', line)
        if not match:
            continue
        assert lines[i - 1].strip().startswith('.. code-block::'), line
        body = []
        for text in lines[i + 1:]:
            if text.strip() and not text.startswith('   '):
                break
            body.append(text[3:])
        found[match.group(1)] = '\n'.join(body).strip() + '\n'
    return found


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _wait(condition, what, processes=()):
    deadline = time.monotonic() + DEADLINE
    while not (result := condition()):
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"{what}: {process.log.name} exited with "
                    f"{process.returncode}: {process.log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {DEADLINE} s")
        time.sleep(0.5)
    return result


def _rpc(url, method, *params, session=None):
    request = urllib.request.Request(url, json.dumps({
                'id': 1, 'method': method, 'params': params}).encode(),
        {'Content-Type': 'application/json'})
    if session:
        request.add_header('Authorization', f'Session {session}')
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.load(response)
    assert not answer.get('error'), answer['error']
    return answer['result']


@pytest.mark.skipif(
    not os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    reason="the documented deployment is on PostgreSQL")
def test_deployment(tmp_path):
    documented = blocks(DOCUMENT)
    assert set(documented) == {
        'deploy-settings', 'deploy-database', 'deploy-install',
        'deploy-config', 'deploy-init', 'deploy-processes'}

    uri = urllib.parse.urlsplit(os.environ['TRYTOND_DATABASE_URI'])
    name = f'test_sd_deploy_{os.getpid()}'
    admin_password = secrets.token_hex(12)
    port = _free_port()
    settings = {
        'DB': name,
        'DB_USER': name,
        'DB_PASSWORD': secrets.token_hex(12),
        'DB_HOST': uri.hostname or '127.0.0.1',
        'DB_PORT': str(uri.port or 5432),
        'PG_ADMIN': 'psql ' + shlex.quote(
            urllib.parse.urlunsplit(uri._replace(path='/postgres'))),
        'TRYTON': str(tmp_path / 'srv'),
        'PACKAGE': None,
        'ADMIN_PASSWORD': admin_password,
        'PORT': str(port),
        'PUBLIC_HOST': 'service.example.com',
        }
    # every variable of the documented settings gets the test's value
    assert set(re.findall(r'^(\w+)=', documented['deploy-settings'],
            re.MULTILINE)) == set(settings)

    env = {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_', 'VIRTUAL_ENV', 'PYTHON'))
        and k not in {'DB_NAME', 'DB_CACHE'}}
    # the shared environment's programs are not on the path
    env['PATH'] = os.pathsep.join(
        p for p in env['PATH'].split(os.pathsep)
        if pathlib.Path(p).resolve()
        != pathlib.Path(sys.executable).parent.resolve())
    env['PIP_CACHE_DIR'] = str(ROOT / '.cache' / 'pip')
    env['PIP_DISABLE_PIP_VERSION_CHECK'] = '1'

    dist = tmp_path / 'dist'
    subprocess.run(
        [sys.executable, '-m', 'pip', 'wheel', '--quiet', '--no-deps',
            '-w', str(dist), str(ROOT)],
        check=True, env=env, capture_output=True)
    wheel, = dist.glob('trytond_service_desk-*.whl')
    settings['PACKAGE'] = str(wheel)
    prelude = ''.join(
        f'{key}={shlex.quote(value)}\n' for key, value in settings.items())

    def admin_sql(query):
        with psycopg.connect(urllib.parse.urlunsplit(
                    uri._replace(path='/postgres')), autocommit=True) as c:
            c.execute(query)

    processes = []
    try:
        # each block in turn, as an administrator types them
        for block in ['deploy-database', 'deploy-install', 'deploy-config',
                'deploy-init']:
            script = tmp_path / f'{block}.sh'
            script.write_text(
                'set -euo pipefail\n' + prelude + documented[block])
            log = tmp_path / f'{block}.log'
            start = time.monotonic()
            with log.open('w') as output:
                process = subprocess.Popen(
                    ['bash', str(script)], stdin=subprocess.DEVNULL,
                    stdout=output, stderr=subprocess.STDOUT, env=env,
                    cwd=tmp_path, start_new_session=True)
                process.log = log
                processes.append(process)
                returncode = process.wait(timeout=INSTALL_DEADLINE)
            processes.remove(process)
            assert returncode == 0, log.read_text()
            print(f"{block}: {time.monotonic() - start:.0f} s")
        srv = pathlib.Path(settings['TRYTON'])
        # the environment is a new one, without the site packages
        assert 'include-system-site-packages = false' in (
            srv / 'venv' / 'pyvenv.cfg').read_text()
        assert not (srv / 'admin.password').exists()

        for n, line in enumerate(
                documented['deploy-processes'].splitlines()):
            process_log = tmp_path / f'process-{n}.log'
            with process_log.open('w') as output:
                process = subprocess.Popen(
                    ['bash', '-c', prelude + line],
                    stdout=output, stderr=subprocess.STDOUT, env=env,
                    cwd=tmp_path, start_new_session=True)
            process.log = process_log
            processes.append(process)
        assert len(processes) == 3

        database = f'postgresql://{settings["DB_HOST"]}:' \
            f'{settings["DB_PORT"]}/{name}'

        def sql(query, *params):
            with psycopg.connect(database, autocommit=True) as connection:
                cursor = connection.execute(query, params or None)
                return cursor.fetchall() if cursor.description else None

        # gunicorn's workers answer JSON-RPC with the activated modules
        url = f'http://127.0.0.1:{port}/{name}/rpc/'

        def login():
            try:
                return _rpc(url, 'common.db.login', 'admin',
                    {'password': admin_password}, 'en')
            except (urllib.error.URLError, ConnectionError):
                return None
        user_id, key, _ = _wait(login, "gunicorn", processes)
        session = base64.b64encode(
            f'admin:{user_id}:{key}'.encode()).decode()
        modules = _rpc(url, 'model.ir.module.search_read',
            [['name', 'in', ['service_desk', *OPTIONAL]]], 0, None, None,
            ['name', 'state'], {}, session=session)
        assert {m['name']: m['state'] for m in modules} == {
            m: 'activated' for m in ['service_desk', *OPTIONAL]}
        languages = _rpc(url, 'model.ir.lang.search_read',
            [['translatable', '=', True]], 0, None, None, ['code'], {},
            session=session)
        assert 'zh_CN' in {lang['code'] for lang in languages}

        # trytond-cron runs a job once it is due
        job = 'ir.queue|requeue_interrupted'
        sql("UPDATE ir_cron SET next_call = '2000-01-01' WHERE method = %s",
            job)
        _wait(lambda: sql(
                "SELECT 1 FROM ir_cron WHERE method = %s "
                "AND next_call > '2000-01-02'", job),
            "trytond-cron's run of the due job", processes)

        # trytond-worker runs a queued task (trytond-admin set the e-mail
        # address of admin to admin@PUBLIC_HOST)
        assert sql("SELECT email FROM res_user WHERE id = %s", user_id) == [
            ('admin@service.example.com',)]
        (task,), = sql(
            "INSERT INTO ir_queue (name, data, enqueued_at, create_uid, "
            "create_date) VALUES ('default', %s, "
            "CURRENT_TIMESTAMP AT TIME ZONE 'UTC', 0, "
            "CURRENT_TIMESTAMP AT TIME ZONE 'UTC') RETURNING id",
            json.dumps({'model': 'res.user', 'method': 'write',
                    'instances': [user_id],
                    'args': [{'email': 'desk@service.example.com'}],
                    'kwargs': {}, 'context': {}, 'user': 0}))
        sql('NOTIFY "ir.queue"')
        _wait(lambda: sql(
                "SELECT 1 FROM ir_queue WHERE id = %s "
                "AND finished_at IS NOT NULL", task),
            "trytond-worker's run of the task", processes)
        assert sql("SELECT email FROM res_user WHERE id = %s", user_id) == [
            ('desk@service.example.com',)]
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_sql(f'DROP ROLE IF EXISTS "{name}"')

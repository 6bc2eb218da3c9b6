# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tickets saved at the same moment by customer service and the mailbox are
all recorded, each with its own number, and nobody sees an error (R-CS-1,
R-CS-7).

Two trytond processes serve one PostgreSQL database.  Eight processes save
tickets at the same time, one request per ticket and without retrying
anything: four through JSON-RPC as the customer service form does, four by
posting e-mails to the inbound e-mail route.
"""
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psycopg
import pytest

pytestmark = pytest.mark.postgresql

WORKER = pathlib.Path(__file__).with_name('intake_concurrency_worker.py')
PROCESSES = 8
TICKETS = int(os.environ.get('SERVICE_DESK_INTAKE_TICKETS', 200))
CUSTOMERS = 20
DEADLINE = 90


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _wait_up(url, process):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"trytond exited: {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"trytond not up at {url} within {DEADLINE} s")


@pytest.mark.skipif(
    not os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    reason="concurrent transactions need PostgreSQL")
def test_concurrent_intake(tmp_path):
    from service_desk.tools.config import build

    uri = os.environ['TRYTOND_DATABASE_URI']
    database = f'test_sd_intake_{os.getpid()}'
    # the module is activated once, from the tests' database cache
    env = dict(os.environ, DB_NAME=database)
    password = secrets.token_hex(16)

    def worker(*args, **kwargs):
        process = subprocess.run(
            [sys.executable, str(WORKER), *args], env=env,
            capture_output=True, text=True, **kwargs)
        assert process.returncode == 0, process.stderr
        return process.stdout

    config = build(str(tmp_path), '', str(tmp_path), uri=uri)
    del config['web']['listen']
    with (tmp_path / 'trytond.conf').open('w') as file:
        config.write(file)
    server_env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_') and k not in {'DB_NAME', 'DB_CACHE'}}
    server_env['TRYTOND_CONFIG'] = str(tmp_path / 'trytond.conf')

    servers, clients = [], []
    try:
        setup = json.loads(worker('setup', password, str(CUSTOMERS)))
        urls = []
        for n in range(2):
            port = _free_port()
            log = (tmp_path / f'trytond-{n}.log').open('w')
            process = subprocess.Popen(
                [shutil.which('trytond', path=os.path.dirname(
                            sys.executable)),
                    '-d', database],
                stdout=log, stderr=subprocess.STDOUT,
                env={**server_env,
                    'TRYTOND_WEB__LISTEN': f'127.0.0.1:{port}'},
                start_new_session=True)
            servers.append(process)
            urls.append(f'http://127.0.0.1:{port}/')
            _wait_up(urls[-1], process)

        go = tmp_path / 'go'
        for n in range(PROCESSES):
            url = f'{urls[n % 2]}{database}/'
            first = n * TICKETS
            if n < PROCESSES // 2:
                args = ['rpc', f'{url}rpc/', 'cs', password]
            else:
                args = ['mail', url, setup['identifier']]
            args += [str(go), str(first), str(TICKETS)]
            if args[0] == 'mail':
                args.append(str(CUSTOMERS))
            process = subprocess.Popen(
                [sys.executable, str(WORKER), *args], env=env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True)
            process.stdin.write(json.dumps(setup['sites']))
            process.stdin.close()
            clients.append(process)
        go.touch()
        answers = []
        for process in clients:
            out = process.stdout.read()
            err = process.stderr.read()
            assert process.wait(timeout=600) == 0, err
            answers.extend(json.loads(out))

        # no client saw an error
        errors = [a for a in answers if a != 'ok']
        assert not errors, errors[:5]
        assert len(answers) == PROCESSES * TICKETS

        with psycopg.connect(uri + database) as connection:
            numbers = [n for n, in connection.execute(
                    'SELECT number FROM service_ticket')]
            channels = dict(connection.execute(
                    'SELECT channel, COUNT(*) FROM service_ticket '
                    'GROUP BY channel').fetchall())
            emails = dict(connection.execute(
                    'SELECT service_status, COUNT(*) FROM inbound_email '
                    'GROUP BY service_status').fetchall())
        # every one saved, as what it is
        assert channels == {
            'phone': PROCESSES // 2 * TICKETS,
            'email': PROCESSES // 2 * TICKETS,
            }
        assert emails == {'ticket': PROCESSES // 2 * TICKETS}
        # ticket numbers: unique and consecutive (doc/engineering.rst)
        assert None not in numbers
        assert len(set(numbers)) == len(numbers)
        prefix = {re.sub(r'\d{5}$', '', n) for n in numbers}
        assert len(prefix) == 1, prefix
        assert sorted(int(n[-5:]) for n in numbers) == list(
            range(1, len(numbers) + 1))
    finally:
        for process in clients:
            if process.poll() is None:
                process.kill()
                process.wait()
        for process in servers:
            os.killpg(process.pid, signal.SIGTERM)
        for process in servers:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        worker('drop')

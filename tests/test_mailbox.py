# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The mailbox bridge between a real IMAP server and trytond (R-INFRA-2,
R-CS-1).

An IMAP server (pymap) on 127.0.0.1 with STARTTLS and a certificate of its
own holds the department's mailbox; a trytond of its own serves a copy of
the demo database with a small ``[inbound_email] max_size``, so that a
message with an attachment is refused for good.  ``service-desk-mailbox``
runs as installed, with the password in a file: the messages become
tickets and are marked seen only once trytond answered; while trytond is
stopped they stay unseen in the mailbox and queued on disk, and are
delivered once it is back; the refused one is moved to the Refused folder
and logged, once.  The pipe of a mail server queues its message while
trytond is stopped, and the flush delivers it later."""
import email.policy
import email.utils
import imaplib
import os
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import EmailMessage

import pytest

pytestmark = pytest.mark.demo_server

DATABASE = 'service_desk'
USER = 'service@yunxi.example'
# the largest message the test's trytond takes: a 100 kB attachment is more
MAX_SIZE = 64 * 1024
# how long a step may take on a busy machine
DEADLINE = 120


def _bin(name):
    return shutil.which(name, path=os.path.dirname(sys.executable))


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _wait(condition, what, process=None):
    deadline = time.monotonic() + DEADLINE
    while not (result := condition()):
        if process is not None and process.poll() is not None:
            pytest.fail(f"{what}: {process.args[0]} exited with "
                f"{process.returncode}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {DEADLINE} s")
        time.sleep(0.3)
    return result


def _env():
    return {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_')
        and k not in {'DB_NAME', 'DB_CACHE'}}


def _stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Tryton:
    "A trytond serving a copy of the demo database, stopped and started"

    def __init__(self, directory, demo_database):
        from service_desk.tools.config import build
        self.directory = directory
        self.port = _free_port()
        self.database = directory / f'{DATABASE}.sqlite'
        source = sqlite3.connect(demo_database)
        target = sqlite3.connect(self.database)
        source.backup(target)
        source.close()
        target.close()
        config = build(
            str(directory), f'127.0.0.1:{self.port}', str(directory))
        config['inbound_email']['max_size'] = str(MAX_SIZE)
        self.config = directory / 'trytond.conf'
        with self.config.open('w') as file:
            config.write(file)
        identifier, = self.sql(
            'SELECT identifier FROM inbound_email_inbox')[0]
        self.url = (f'http://127.0.0.1:{self.port}/{DATABASE}'
            f'/inbound_email/inbox/{identifier}')
        self.process = None

    def sql(self, query, *params):
        db = sqlite3.connect(self.database)
        try:
            return db.execute(query, params).fetchall()
        finally:
            db.close()

    def tickets(self, subject):
        return self.sql(
            'SELECT number FROM service_ticket WHERE subject = ?', subject)

    def start(self):
        log = (self.directory / 'trytond.log').open('a')
        self.process = subprocess.Popen(
            [_bin('trytond'), '-c', str(self.config), '-d', DATABASE],
            stdout=log, stderr=subprocess.STDOUT, env=_env(),
            start_new_session=True)
        log.close()

        def up():
            try:
                with urllib.request.urlopen(
                        f'http://127.0.0.1:{self.port}/', timeout=2):
                    return True
            except urllib.error.HTTPError:
                return True
            except OSError:
                return False
        _wait(up, "trytond", self.process)

    def stop(self):
        if self.process:
            _stop(self.process)
            self.process = None


class IMAPServer:
    "pymap on 127.0.0.1 with STARTTLS, holding the department's mailbox"

    def __init__(self, directory):
        self.cert = directory / 'imap-cert.pem'
        key = directory / 'imap-key.pem'
        subprocess.run([
                'openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
                '-keyout', str(key), '-out', str(self.cert), '-days', '1',
                '-subj', '/CN=127.0.0.1',
                '-addext', 'subjectAltName=IP:127.0.0.1'],
            check=True, capture_output=True)
        self.port = _free_port()
        self.password = 'imap-' + os.urandom(8).hex()
        self.log = directory / 'pymap.log'
        with self.log.open('w') as log:
            self.process = subprocess.Popen([
                    _bin('pymap'), '--host', '127.0.0.1',
                    '--port', str(self.port),
                    '--cert', str(self.cert), '--key', str(key),
                    'dict', '--demo-user', USER,
                    '--demo-password', self.password],
                stdout=log, stderr=subprocess.STDOUT, env=_env(),
                start_new_session=True)

        def up():
            try:
                socket.create_connection(
                    ('127.0.0.1', self.port), timeout=2).close()
                return True
            except OSError:
                return False
        _wait(up, "pymap", self.process)

    def connect(self):
        imap = imaplib.IMAP4('127.0.0.1', self.port, timeout=DEADLINE)
        imap.starttls(ssl_context=ssl.create_default_context(
                cafile=str(self.cert)))
        imap.login(USER, self.password)
        return imap

    def append(self, message):
        imap = self.connect()
        try:
            typ, _ = imap.append('INBOX', None, None, message.as_bytes())
            assert typ == 'OK'
        finally:
            imap.logout()

    def folder(self, name):
        "{subject: seen} of the folder's messages (None: no such folder)"
        imap = self.connect()
        try:
            typ, _ = imap.select(name, readonly=True)
            if typ != 'OK':
                return None
            typ, data = imap.search(None, 'ALL')
            messages = {}
            for number in data[0].split():
                typ, data = imap.fetch(
                    number, '(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
                flags, header = data[0]
                subject = email.message_from_bytes(
                    header, policy=email.policy.default)['Subject']
                messages[str(subject)] = b'\\Seen' in flags
            return messages
        finally:
            imap.logout()

    def stop(self):
        _stop(self.process)


def _message(subject, attachment=None):
    message = EmailMessage()
    message['From'] = '李老师 <teacher@school.example>'
    message['To'] = USER
    message['Subject'] = subject
    message['Date'] = email.utils.formatdate(localtime=True)
    message['Message-ID'] = email.utils.make_msgid(domain='school.example')
    message.set_content(f"{subject}，请派人来看看。")
    if attachment:
        message.add_attachment(
            attachment, maintype='application', subtype='octet-stream',
            filename='录像.mp4')
    return message


@pytest.fixture
def tryton(demo_database, tmp_path):
    tryton = Tryton(tmp_path, demo_database)
    try:
        yield tryton
    finally:
        tryton.stop()


@pytest.fixture
def imap_server(tmp_path):
    server = IMAPServer(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def bridge(request, tmp_path, tryton, imap_server):
    """Run service-desk-mailbox with its configuration and password file;
    a delivered message is marked seen, or as the test's parameter says"""
    after = getattr(request, 'param', 'seen')
    password_file = tmp_path / 'mailbox.password'
    password_file.write_text(imap_server.password + '\n')
    password_file.chmod(0o600)
    config = tmp_path / 'mailbox.conf'
    config.write_text(
        '[mailbox]\n'
        f'url = {tryton.url}\n'
        f'queue = {tmp_path / "queue"}\n'
        '[imap]\n'
        'host = 127.0.0.1\n'
        f'port = {imap_server.port}\n'
        'security = starttls\n'
        f'cafile = {imap_server.cert}\n'
        f'user = {USER}\n'
        f'password_file = {password_file}\n'
        f'after = {after}\n'
        # a new message is noticed through IDLE, not by polling
        'interval = 3600\n')
    command = [_bin('service-desk-mailbox'), '-c', str(config)]

    def run(*args, data=None):
        return subprocess.run(
            [*command, *args], input=data, capture_output=True,
            env=_env(), timeout=DEADLINE)
    run.command = command
    run.queue = tmp_path / 'queue'
    return run


def _queued(bridge, directory='new'):
    return sorted((bridge.queue / directory).iterdir())


def test_imap(tryton, imap_server, bridge):
    "Delivered once trytond answered, refused ones set aside, none lost"
    first, big, second = (
        "教学楼3楼投影仪不亮", "监控录像太大", "机房交换机指示灯全灭")
    imap_server.append(_message(first))
    imap_server.append(_message(big, attachment=os.urandom(100_000)))
    imap_server.append(_message(second))

    # trytond is stopped: nothing is marked seen, everything is queued
    result = bridge('imap', '--once')
    assert result.returncode == 75, result.stderr
    assert b'trytond cannot be reached' in result.stderr
    assert imap_server.folder('INBOX') == {
        first: False, big: False, second: False}
    assert len(_queued(bridge)) == 3
    # and a second round does not queue them twice
    assert bridge('imap', '--once').returncode == 75
    assert len(_queued(bridge)) == 3

    tryton.start()
    result = bridge('imap', '--once')
    assert result.returncode == 0, result.stderr
    assert imap_server.folder('INBOX') == {first: True, second: True}
    assert imap_server.folder('Refused') == {big: False}
    assert b'refused by trytond (413)' in result.stderr
    assert len(tryton.tickets(first)) == 1
    assert len(tryton.tickets(second)) == 1
    assert not tryton.tickets(big)
    assert _queued(bridge) == []

    # nothing is posted twice
    emails = tryton.sql('SELECT COUNT(*) FROM inbound_email')
    refused = tryton.sql('SELECT refused_count FROM inbound_email_inbox')
    result = bridge('imap', '--once')
    assert result.returncode == 0, result.stderr
    assert tryton.sql('SELECT COUNT(*) FROM inbound_email') == emails
    assert tryton.sql(
        'SELECT refused_count FROM inbound_email_inbox') == refused

    # left running, the bridge waits for new mail with IDLE
    log = bridge.queue.parent / 'bridge.log'
    with log.open('w') as output:
        process = subprocess.Popen(
            [*bridge.command, '-v', 'imap'], stdout=output,
            stderr=subprocess.STDOUT, env=_env(), start_new_session=True)
    try:
        _wait(lambda: 'waiting for new mail (IDLE' in log.read_text(),
            "the bridge's IDLE", process)
        third = "打印机卡纸"
        imap_server.append(_message(third))
        _wait(lambda: tryton.tickets(third), "the ticket of new mail",
            process)
        _wait(lambda: imap_server.folder('INBOX').get(third),
            "the new mail marked seen", process)
    finally:
        _stop(process)


@pytest.mark.parametrize('bridge', ['delete'], indirect=True)
def test_imap_delete(tryton, imap_server, bridge):
    "With after = delete, a delivered message leaves the mailbox"
    kept, big = "办公室路由器断网", "会议室录像"
    imap_server.append(_message(kept))
    imap_server.append(_message(big, attachment=os.urandom(100_000)))
    tryton.start()
    result = bridge('imap', '--once')
    assert result.returncode == 0, result.stderr
    assert len(tryton.tickets(kept)) == 1
    assert imap_server.folder('INBOX') == {}
    assert imap_server.folder('Refused') == {big: False}


def test_pipe(tryton, bridge):
    "A mail server's delivery is queued while trytond is stopped"
    subject = "幼儿园广播功放没有声音"
    result = bridge('pipe', data=_message(subject).as_bytes())
    assert result.returncode == 0, result.stderr
    assert len(_queued(bridge)) == 1
    assert bridge('flush').returncode == 75
    assert not tryton.tickets(subject)

    tryton.start()
    result = bridge('flush')
    assert result.returncode == 0, result.stderr
    assert len(tryton.tickets(subject)) == 1
    assert _queued(bridge) == []

    big = "卫生院监控录像"
    result = bridge('pipe', data=_message(
            big, attachment=os.urandom(100_000)).as_bytes())
    assert result.returncode == 0, result.stderr
    assert b'refused by trytond (413)' in result.stderr
    assert _queued(bridge) == []
    refused, = _queued(bridge, 'refused')
    assert email.message_from_bytes(
        refused.read_bytes(), policy=email.policy.default)['Subject'] == big
    assert not tryton.tickets(big)


def test_configuration(tmp_path):
    "The password is never on the command line; bad settings are clear"
    result = subprocess.run(
        [_bin('service-desk-mailbox'), '--help'], capture_output=True,
        text=True, env=_env())
    assert result.returncode == 0
    assert 'password' not in result.stdout.replace(
        'The password is in the configuration file', '')
    config = tmp_path / 'mailbox.conf'
    config.write_text(
        '[mailbox]\nurl = http://127.0.0.1:1/db/inbound_email/inbox/x\n'
        f'queue = {tmp_path / "queue"}\n'
        '[imap]\nhost = imap.example.com\nsecurity = none\nuser = u\n'
        'password = p\n')
    result = subprocess.run(
        [_bin('service-desk-mailbox'), '-c', str(config), 'imap'],
        capture_output=True, text=True, env=_env())
    assert result.returncode == 78
    assert 'sends the password in clear' in result.stderr


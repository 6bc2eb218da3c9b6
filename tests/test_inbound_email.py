# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Real mail posted to the inbound e-mail route of a running trytond
(R-CS-1, R-CS-7, R-INFRA-2): every message of the corpus is stored and
answered without error; it creates a ticket, threads into one, is
recognised as already received, is ignored as written by a program, or
keeps a clear error to be checked.  The served configuration takes a
message with 25 MB of attachments and refuses a larger one clearly."""
import datetime as dt
import http.client
import pathlib
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from mail_corpus import CONTACTS, corpus

pytestmark = pytest.mark.demo_server


def _post(url, data):
    request = urllib.request.Request(
        url, data=data, method='POST',
        headers={'Content-Type': 'message/rfc822'})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _inbox_url(demo_server, db):
    identifier, = db.execute(
        'SELECT identifier FROM inbound_email_inbox').fetchone()
    return (f'{demo_server}{demo_server.database}'
        f'/inbound_email/inbox/{identifier}')


def _add_contacts(db):
    "Give the demo's first customer, another one and the company an e-mail"
    (company_party,), = db.execute(
        'SELECT party FROM company_company ORDER BY id LIMIT 1').fetchall()
    customer, other = [p for p, in db.execute(
            'SELECT party FROM service_site GROUP BY party '
            'HAVING COUNT(*) = 1 ORDER BY party LIMIT 2')]
    parties = {'customer': customer, 'other': other,
        'company': company_party}
    now = dt.datetime.now().isoformat(' ')
    for key, address in CONTACTS.items():
        db.execute(
            'INSERT INTO party_contact_mechanism '
            '(active, party, type, value, value_compact, create_date, '
            'create_uid) VALUES (1, ?, \'email\', ?, ?, ?, 0)',
            (parties[key], address, address, now))
    db.commit()
    return parties


def _replace_numbers(value, numbers):
    for key, number in numbers.items():
        marker = f'%NUMBER:{key}%'
        if isinstance(value, bytes):
            value = value.replace(marker.encode(), number.encode())
        else:
            value = value.replace(marker, number)
    return value


def _set_state(db, ticket_id, state, days):
    "Resolve or close the ticket that many days ago"
    when = (dt.datetime.now() - dt.timedelta(days=days)).isoformat(' ')
    db.execute(
        'UPDATE service_ticket SET state = ?, resolved_at = ?, '
        'closed_at = ? WHERE id = ?',
        (state, when, when if state == 'closed' else None, ticket_id))
    db.commit()


def test_mail_corpus_through_http(demo_server, demo_database):
    db = sqlite3.connect(demo_database)
    url = _inbox_url(demo_server, db)
    parties = _add_contacts(db)
    last_email, = db.execute(
        'SELECT COALESCE(MAX(id), 0) FROM inbound_email').fetchone()
    tickets_before, = db.execute(
        'SELECT COUNT(*) FROM service_ticket').fetchone()
    db.close()

    messages = list(corpus())
    assert len(messages) >= 60
    assert len({k for k, _, _ in messages}) == len(messages)
    numbers, results, tickets = {}, {}, {}
    for key, raw, expected in messages:
        # a message written with the numbers of the tickets already made
        raw = raw(numbers) if callable(raw) else _replace_numbers(
            raw, numbers)
        assert b'%NUMBER:' not in raw, key
        if expected.get('before'):
            state, of, days = expected['before']
            db = sqlite3.connect(demo_database)
            _set_state(db, tickets[of], state, days)
            db.close()
        status, _ = _post(url, raw)
        assert status == 204, key
        db = sqlite3.connect(demo_database)
        result, = db.execute(
            'SELECT result FROM inbound_email ORDER BY id DESC LIMIT 1'
            ).fetchone()
        if expected['kind'] == 'new':
            tickets[key] = int(result.split(',')[1])
            numbers[key], = db.execute(
                'SELECT number FROM service_ticket WHERE id = ?',
                (tickets[key],)).fetchone()
        if expected.get('state'):
            # the state just after, before anything else changes it
            assert db.execute(
                'SELECT state FROM service_ticket WHERE id = ?',
                (int(result.split(',')[1]),)).fetchone() == (
                expected['state'],), key
        db.close()

    db = sqlite3.connect(demo_database)
    emails = db.execute(
        'SELECT id, result, error, service_status, ignored_reason '
        'FROM inbound_email WHERE id > ? ORDER BY id',
        (last_email,)).fetchall()
    # every message is stored
    assert len(emails) == len(messages)

    def ticket_of(result):
        model, ticket_id = result.split(',')
        assert model == 'service.ticket'
        return int(ticket_id)

    def attachments(ticket_id):
        return sorted(n for n, in db.execute(
                'SELECT name FROM ir_attachment WHERE resource = ?',
                (f'service.ticket,{ticket_id}',)))

    def thread(ticket_id):
        return [c for c, in db.execute(
                'SELECT m.content FROM ir_chat_message m '
                'JOIN ir_chat_channel c ON m.channel = c.id '
                'WHERE c.resource = ? ORDER BY m.id',
                (f'service.ticket,{ticket_id}',))]

    for (key, _, expected), (_, result, error, status, reason) in zip(
            messages, emails, strict=True):
        kind = expected['kind']
        if kind == 'error':
            assert (status, result) == ('error', None), key
            assert error, key
            continue
        assert error is None, (key, error)
        if kind == 'ignored':
            assert (status, reason, result) == (
                'ignored', expected['reason'], None), key
            continue
        assert reason is None, key
        results[key] = ticket_of(result)
        if kind == 'new':
            assert status == expected['status'], key
            subject, description, party, unknown, referenced, altered = (
                db.execute(
                    'SELECT subject, description, party, unknown_sender, '
                    'email_referenced_ticket, email_altered_copy '
                    'FROM service_ticket WHERE id = ?',
                    (results[key],)).fetchone())
            assert bool(altered) == expected['altered'], key
            assert subject == _replace_numbers(
                expected['subject'], numbers), key
            assert (description or '') == expected['text'], key
            assert '\x00' not in subject + (description or ''), key
            assert (party is not None) == expected['party'], key
            assert unknown == expected['unknown'], key
            assert referenced == (results[expected['referenced']]
                if expected['referenced'] else None), key
            assert attachments(results[key]) == sorted(
                expected['attachments'] + [a for _, _, e in messages
                    if e['kind'] == 'thread' and e['ticket'] == key
                    for a in e['attachments']]), key
            assert thread(results[key])[0] == (
                expected['text'] or subject), key
        elif kind == 'thread':
            assert status == expected['status'], key
            assert results[key] == results[expected['ticket']], key
            assert expected['content'] in thread(results[key]), key
        else:
            assert status == 'duplicate', key
            assert results[key] == results[expected['ticket']], key

    new = [k for k, _, e in messages if e['kind'] == 'new']
    tickets_after, = db.execute(
        'SELECT COUNT(*) FROM service_ticket').fetchone()
    assert tickets_after - tickets_before == len(new)
    assert len({results[k] for k in new}) == len(new)

    # a known customer's mail is the customer's ticket
    party, = db.execute(
        'SELECT party FROM service_ticket WHERE id = ?',
        (results['utf8_b64'],)).fetchone()
    assert party == parties['customer']
    # the thread of the first ticket, in the order received
    assert thread(results['utf8_b64']) == [
        "机房交换机所有指示灯熄灭。", "已经重启，恢复正常。",
        "交换机又坏了。", "工程师已到现场。"]
    # an attachment of a reply is kept on the ticket
    assert attachments(results['gbk_b64']) == ['现场.jpg']
    # no ticket, chat message or stored text holds a NUL
    assert not db.execute(
        'SELECT COUNT(*) FROM service_ticket '
        'WHERE instr(description, char(0)) OR instr(subject, char(0))'
        ).fetchone()[0]
    # the messages to check are those which could not be read
    to_check = [k for k, _, e in messages if e['kind'] == 'error']
    assert db.execute(
        'SELECT COUNT(*) FROM inbound_email WHERE id > ? '
        'AND service_status = \'error\'', (last_email,)).fetchone()[0] == (
        len(to_check))
    db.close()


def _big_message(size, message_id):
    message = MIMEMultipart()
    message['From'] = 'teacher@school.example'
    message['To'] = 'service@desk.example'
    message['Subject'] = 'Recording of the classroom camera'
    message['Message-ID'] = message_id
    message.attach(MIMEText('The recording is attached.', 'plain', 'utf-8'))
    part = MIMEApplication(b'\x00\x01video' * (size // 7), Name='record.mp4')
    part.add_header('Content-Disposition', 'attachment',
        filename='record.mp4')
    message.attach(part)
    return message.as_bytes()


def test_mail_size(demo_server, demo_database):
    "25 MB of attachments are received, a larger message is refused"
    db = sqlite3.connect(demo_database)
    url = _inbox_url(demo_server, db)
    refused_before, = db.execute(
        'SELECT COALESCE(refused_count, 0) FROM inbound_email_inbox'
        ).fetchone()
    db.close()

    status, _ = _post(url, _big_message(25 * 1024 * 1024, '<big@school>'))
    assert status == 204
    db = sqlite3.connect(demo_database)
    result, = db.execute(
        'SELECT result FROM inbound_email ORDER BY id DESC LIMIT 1'
        ).fetchone()
    ticket_id = int(result.split(',')[1])
    names = [n for n, in db.execute(
            'SELECT name FROM ir_attachment WHERE resource = ?',
            (f'service.ticket,{ticket_id}',))]
    assert names == ['record.mp4']
    db.close()

    status, answer = _post(
        url, _big_message(28 * 1024 * 1024, '<bigger@school>'))
    assert status == 413
    assert 'larger than the 37748736 bytes accepted' in answer
    db = sqlite3.connect(demo_database)
    refused, = db.execute(
        'SELECT refused_count FROM inbound_email_inbox').fetchone()
    assert refused == refused_before + 1
    db.close()


def _last_email(db, demo_server):
    """The last e-mail received, with its data (which Tryton's file store
    keeps beside the database)"""
    *values, data, data_id = db.execute(
        'SELECT service_status, sender, subject, size, error, result, '
        'data, data_id FROM inbound_email ORDER BY id DESC LIMIT 1'
        ).fetchone()
    if data is None and data_id:
        path = pathlib.Path(demo_server.database_file).parent
        data = (path / demo_server.database / data_id[0:2] / data_id[2:4]
            / data_id).read_bytes()
    return (*values, data)


def test_mail_size_kept(demo_server, demo_database):
    """A refused message is kept with its sender, subject and size, not
    its body, among the e-mails to check (R-CS-1, R-CS-7)"""
    db = sqlite3.connect(demo_database)
    url = _inbox_url(demo_server, db)
    db.close()
    data = _big_message(28 * 1024 * 1024, '<bigger-kept@school>')
    status, _ = _post(url, data)
    assert status == 413
    db = sqlite3.connect(demo_database)
    status, sender, subject, size, error, result, kept = _last_email(
        db, demo_server)
    db.close()
    assert (status, sender, subject, size, result) == (
        'too_large', 'teacher@school.example',
        'Recording of the classroom camera', len(data), None)
    assert f'{len(data)} bytes' in error
    assert 'teacher@school.example' in error
    # the headers only
    assert kept.startswith(b'Content-Type: multipart/mixed')
    assert b'record.mp4' not in kept and len(kept) < 64 * 1024


def _post_chunked(url, chunks):
    """Post the chunks without Content-Length; the status, or None when
    the server closed the connection before the client read its answer"""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(
        parts.hostname, parts.port, timeout=300)
    try:
        connection.putrequest('POST', parts.path)
        connection.putheader('Content-Type', 'message/rfc822')
        connection.putheader('Transfer-Encoding', 'chunked')
        connection.endheaders()
        try:
            for chunk in chunks:
                connection.send(b'%x\r\n%s\r\n' % (len(chunk), chunk))
            connection.send(b'0\r\n\r\n')
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            response = connection.getresponse()
            return response.status, response.read().decode()
        except (ConnectionResetError, http.client.RemoteDisconnected,
                BrokenPipeError):
            return None, None
    finally:
        connection.close()


def test_mail_size_chunked(demo_server, demo_database):
    """The size limit holds on the bytes read: a message sent chunked,
    without Content-Length, is received under the limit and refused over
    it, read no further than the limit, and kept with its sender and
    subject (R-CS-1, R-CS-7, R-INFRA-2)"""
    db = sqlite3.connect(demo_database)
    url = _inbox_url(demo_server, db)
    refused_before, = db.execute(
        'SELECT COALESCE(refused_count, 0) FROM inbound_email_inbox'
        ).fetchone()
    tickets_before, = db.execute(
        'SELECT COUNT(*) FROM service_ticket').fetchone()
    db.close()

    small = _big_message(1024 * 1024, '<chunked-small@school>')
    status, _ = _post_chunked(
        url, [small[i:i + 65536] for i in range(0, len(small), 65536)])
    assert status == 204
    db = sqlite3.connect(demo_database)
    status, sender, _, size, _, result, kept = _last_email(db, demo_server)
    assert (status, sender, size) == (
        'ticket', 'teacher@school.example', len(small))
    assert kept == small
    assert result.startswith('service.ticket,')
    db.close()

    # 37 MB, over the 36 MB served (25 MB of attachments)
    big = _big_message(27 * 1024 * 1024, '<chunked-big@school>')
    assert len(big) > 37 * 1000 * 1000
    status, answer = _post_chunked(
        url, [big[i:i + 65536] for i in range(0, len(big), 65536)])
    if status is not None:
        assert status == 413
        assert 'larger than the 37748736 bytes accepted' in answer
    db = sqlite3.connect(demo_database)
    status, sender, subject, size, error, result, kept = _last_email(
        db, demo_server)
    refused, = db.execute(
        'SELECT refused_count FROM inbound_email_inbox').fetchone()
    tickets_after, = db.execute(
        'SELECT COUNT(*) FROM service_ticket').fetchone()
    db.close()
    # read up to one byte over the limit, not the whole message
    assert (status, sender, subject, size, result) == (
        'too_large', 'teacher@school.example',
        'Recording of the classroom camera', 37748736 + 1, None)
    assert 'larger than the 37748736 bytes accepted' in error
    assert b'record.mp4' not in kept
    assert refused == refused_before + 1
    # the small one only
    assert tickets_after == tickets_before + 1

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Real mail posted to the inbound e-mail route of a running trytond
(R-CS-1, R-INFRA-2): every message of the corpus is accepted, creates a
ticket, threads into one, is recognised as already received, or keeps a
clear error."""
import sqlite3
import urllib.request

import pytest
from mail_corpus import corpus

pytestmark = pytest.mark.demo_server


def _post(url, data):
    request = urllib.request.Request(
        url, data=data, method='POST',
        headers={'Content-Type': 'message/rfc822'})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


def test_mail_corpus_through_http(demo_server, demo_database):
    db = sqlite3.connect(demo_database)
    identifier, = db.execute(
        'SELECT identifier FROM inbound_email_inbox').fetchone()
    url = (f'{demo_server}{demo_server.database}'
        f'/inbound_email/inbox/{identifier}')
    last_email, = db.execute(
        'SELECT COALESCE(MAX(id), 0) FROM inbound_email').fetchone()
    tickets_before, = db.execute(
        'SELECT COUNT(*) FROM service_ticket').fetchone()
    db.close()

    messages = list(corpus())
    assert len(messages) >= 20
    for key, raw, _ in messages:
        assert _post(url, raw) == 204, key

    db = sqlite3.connect(demo_database)
    emails = db.execute(
        'SELECT id, result, error FROM inbound_email WHERE id > ? '
        'ORDER BY id', (last_email,)).fetchall()
    assert len(emails) == len(messages)
    results = {}
    for (key, _, expected), (_, result, error) in zip(
            messages, emails, strict=True):
        kind = expected[0]
        if kind == 'error':
            assert error and result is None, key
            continue
        assert error is None, (key, error)
        model, ticket_id = result.split(',')
        assert model == 'service.ticket', key
        results[key] = int(ticket_id)
        if kind == 'new':
            subject, snippet = expected[1:]
            row = db.execute(
                'SELECT subject, description, channel FROM service_ticket '
                'WHERE id = ?', (int(ticket_id),)).fetchone()
            assert row[0] == subject, key
            assert snippet in (row[1] or ''), (key, row[1])
            assert row[2] == 'email', key
        else:
            assert results[key] == results[expected[1]], key

    new = {k for k, _, e in messages if e[0] == 'new'}
    tickets_after, = db.execute(
        'SELECT COUNT(*) FROM service_ticket').fetchone()
    assert tickets_after - tickets_before == len(new)
    assert len({results[k] for k in new}) == len(new)

    # The Chinese file name of the attachment is kept
    names = [n for n, in db.execute(
            'SELECT name FROM ir_attachment WHERE resource = ?',
            (f'service.ticket,{results["attachment_cn_name"]}',))]
    assert names == ['告警照片.jpg']
    # Replies are in the thread of the ticket they answer
    contents = [c for c, in db.execute(
            'SELECT m.content FROM ir_chat_message m '
            'JOIN ir_chat_channel c ON m.channel = c.id '
            'WHERE c.resource = ? ORDER BY m.id',
            (f'service.ticket,{results["utf8_b64"]}',))]
    assert contents == ["机房交换机所有指示灯熄灭。", "已经重启，恢复正常。"]
    # The unknown sender is kept for customer service to link
    unknown, = db.execute(
        'SELECT party, unknown_sender FROM service_ticket WHERE id = ?',
        (results['unknown_sender'],)).fetchall()
    assert unknown == (None, 'it@nowhere.example')
    db.close()

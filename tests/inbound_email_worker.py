# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A process of the inbound e-mail concurrency test, on the database DB_NAME.

    python inbound_email_worker.py setup
    python inbound_email_worker.py post GO_FILE BARRIER_DIR PROCESSES
    python inbound_email_worker.py count
    python inbound_email_worker.py drop

``post`` sends the message through the real route (the WSGI application of
trytond), every process holding back just before the Message-ID is taken
until all of them are there.
"""
import json
import os
import pathlib
import sys
import time
from email.message import EmailMessage

from service_desk.tests.tools import service_database


def message():
    message = EmailMessage()
    message['From'] = 'teacher@school.example'
    message['To'] = 'service@desk.example'
    message['Subject'] = "机房交换机故障"
    message['Message-ID'] = '<same@school.example>'
    message.set_content("机房交换机所有指示灯熄灭。")
    return message.as_bytes()


def setup():
    from trytond.pool import Pool

    with service_database(create=True) as (transaction, company):
        Inbox = Pool().get('inbound.email.inbox')
        inbox, = Inbox.create([{
                    'name': "Service",
                    'rules': [('create', [{
                                    'action': (
                                        'service.ticket|from_inbound_email'),
                                    'service_company': company.id,
                                    }])],
                    }])
        Inbox.new_identifier([inbox])
        transaction.commit()


def post(go_file, barrier_dir, processes):
    from werkzeug.test import Client

    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    from trytond.wsgi import app

    with service_database():
        inbox, = Pool().get('inbound.email.inbox').search([])
        identifier = inbox.identifier

    TicketEmail = Pool(DB_NAME).get('service.ticket.email')
    claim = TicketEmail.claim
    waited = []

    def barrier(cls, *args):
        if not waited:
            waited.append(True)
            pathlib.Path(barrier_dir, str(os.getpid())).touch()
            deadline = time.monotonic() + 60
            while (len(os.listdir(barrier_dir)) < processes
                    and time.monotonic() < deadline):
                time.sleep(0.01)
        return claim(*args)
    TicketEmail.claim = classmethod(barrier)

    data = message()
    while not os.path.exists(go_file):
        time.sleep(0.01)
    response = Client(app).post(
        f'/{DB_NAME}/inbound_email/inbox/{identifier}', data=data,
        headers={'Content-Type': 'message/rfc822'})
    print(response.status_code)


def count():
    with service_database() as (transaction, _):
        cursor = transaction.connection.cursor()
        cursor.execute('SELECT COUNT(*) FROM service_ticket')
        tickets, = cursor.fetchone()
        cursor.execute(
            'SELECT service_status, COUNT(*) FROM inbound_email '
            'GROUP BY service_status')
        emails = dict(cursor.fetchall())
        cursor.execute('SELECT COUNT(*) FROM ir_chat_message')
        messages, = cursor.fetchone()
    print(json.dumps(
            {'tickets': tickets, 'emails': emails, 'messages': messages}))


def drop():
    from trytond.tests.test_tryton import drop_db
    drop_db()


if __name__ == '__main__':
    command, *args = sys.argv[1:]
    if command == 'setup':
        setup()
    elif command == 'post':
        post(args[0], args[1], int(args[2]))
    elif command == 'count':
        count()
    elif command == 'drop':
        drop()

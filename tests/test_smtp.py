# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The acknowledgement of a ticket goes through a real SMTP server on
127.0.0.1 and reaches a Chinese school's mailbox readable (R-CS-3, R-CS-4).

The scenarios patch the SMTP server; this test sends over the wire, as the
server does once the transaction is committed."""
import datetime as dt
import email
import socket
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from proteus import Model

from trytond import config as trytond_config


class Mailbox:
    "Keep what the SMTP server receives"

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(
                envelope.content, policy=default))
        return '250 OK'


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture
def mailbox():
    "A local SMTP server which trytond sends to, stopped at the end"
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname='127.0.0.1', port=port)
    saved = {option: trytond_config.get('email', option)
        for option in ['uri', 'from']}
    controller.start()
    trytond_config.set('email', 'uri', f'smtp://127.0.0.1:{port}')
    trytond_config.set('email', 'from', 'service@desk.example')
    try:
        yield mailbox
    finally:
        for option, value in saved.items():
            trytond_config.set('email', option, value)
        controller.stop()


@pytest.fixture
def database():
    "service_desk activated in DB_NAME with a company, dropped at the end"
    from trytond.modules.company.tests.tools import create_company
    from trytond.tests.test_tryton import drop_db
    from trytond.tests.tools import activate_modules

    config = activate_modules('service_desk', create_company)
    try:
        yield config
    finally:
        drop_db()


def test_acknowledgement_reaches_the_school(mailbox, database):
    from service_desk.tests.tools import create_service_user, load_language
    from trytond.tests.tools import set_user

    load_language('zh_CN')
    Company = Model.get('company.company')
    company, = Company.find()
    company.timezone = 'Asia/Shanghai'
    company.save()
    set_user(create_service_user('cs', 'customer_service', company))

    Lang = Model.get('ir.lang')
    Party = Model.get('party.party')
    school = Party(name="石桥镇中心小学")
    school.lang, = Lang.find([('code', '=', 'zh_CN')])
    school.contact_mechanisms.new(type='email', value='head@school.example')
    school.save()
    Ticket = Model.get('service.ticket')
    ticket = Ticket(party=school, subject="电子白板无法触控")
    ticket.received_at = dt.datetime(2026, 4, 3, 11, 30)
    ticket.save()
    ticket.click('open')

    acknowledgement, = mailbox.messages
    assert acknowledgement['From'] == 'service@desk.example'
    assert acknowledgement['To'] == '石桥镇中心小学 <head@school.example>'
    assert acknowledgement['Subject'] == f'[{ticket.number}] 电子白板无法触控'
    body = acknowledgement.get_content()
    assert ticket.number in body and '尊敬的客户' in body

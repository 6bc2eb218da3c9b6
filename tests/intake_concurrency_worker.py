# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A process of the intake concurrency test, on the database DB_NAME.

    python intake_concurrency_worker.py setup PASSWORD CUSTOMERS
    python intake_concurrency_worker.py rpc URL LOGIN PASSWORD GO FIRST COUNT
        < SITES
    python intake_concurrency_worker.py mail URL IDENTIFIER GO FIRST COUNT
        CUSTOMERS
    python intake_concurrency_worker.py drop

``rpc`` saves COUNT tickets one by one as the customer service form does
(one JSON-RPC ``create`` each), ``mail`` posts COUNT e-mails one by one to
the inbound e-mail route; neither retries anything.  Both wait for the GO
file, then print as JSON what each request answered.
"""
import base64
import json
import os
import sys
import time
import urllib.error
import urllib.request
from email.message import EmailMessage

from service_desk.tests.tools import service_database

TIMEOUT = 300


def customer_email(i):
    return f'teacher{i}@school{i}.example'


def setup(password, customers):
    from trytond.pool import Pool

    with service_database(create=True) as (transaction, company):
        pool = Pool()
        Party = pool.get('party.party')
        Employee = pool.get('company.employee')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Site = pool.get('service.site')
        Inbox = pool.get('inbound.email.inbox')

        employee = Employee(party=Party(name="刘芳"), company=company)
        employee.party.save()
        employee.save()
        User.create([{
                    'login': 'cs',
                    'name': "刘芳",
                    'password': password,
                    'groups': [('add', [ModelData.get_id(
                                    'service_desk',
                                    'group_service_customer_service')])],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id,
                    }])
        parties = Party.create([{
                    'name': f"第{i}小学",
                    'contact_mechanisms': [('create', [{
                                    'type': 'email',
                                    'value': customer_email(i),
                                    }, {
                                    'type': 'phone',
                                    'value': f'+86 898 6{i:03d} 0000',
                                    }])],
                    } for i in range(customers)])
        sites = Site.create([{
                    'name': p.name, 'party': p.id, 'company': company.id}
                for p in parties])
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
        print(json.dumps({
                    'identifier': inbox.identifier,
                    'sites': [[s.id, s.party.id,
                            s.party.contact_mechanisms[1].id]
                        for s in sites],
                    }))


def _wait(go):
    while not os.path.exists(go):
        time.sleep(0.01)


def _answer(call, *args):
    "What the request answered: 'ok' or the error the client would show"
    try:
        return call(*args)
    except urllib.error.HTTPError as error:
        return f'HTTP {error.code}: {error.read().decode(errors="replace")}'
    except OSError as error:
        return f'{type(error).__name__}: {error}'


class Client:
    "A user of trytond, through JSON-RPC"

    def __init__(self, url, login, password):
        self.url = url
        self.session = None
        user_id, key, _ = self.call(
            'common.db.login', login, {'password': password}, 'en')
        self.session = base64.b64encode(
            f'{login}:{user_id}:{key}'.encode()).decode()
        self.context = self.call('model.res.user.get_preferences', True, {})

    def call(self, method, *params):
        request = urllib.request.Request(self.url, json.dumps({
                    'id': 1, 'method': method, 'params': params,
                    }).encode(), {'Content-Type': 'application/json'})
        if self.session:
            request.add_header('Authorization', f'Session {self.session}')
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            answer = json.load(response)
        if answer.get('error'):
            raise RuntimeError(answer['error'])
        return answer['result']


def _create(client, i, sites):
    site, party, contact = sites[i % len(sites)]
    try:
        ids = client.call('model.service.ticket.create', [{
                    'channel': 'phone',
                    'type': 'repair',
                    'party': party,
                    'site': site,
                    'contact': contact,
                    'subject': f"电话报修 {i}",
                    }], client.context)
    except RuntimeError as error:
        return f'error: {error}'
    return 'ok' if len(ids) == 1 else f'created {ids}'


def rpc(url, login, password, go, first, count, sites):
    client = Client(url, login, password)
    _wait(go)
    print(json.dumps([_answer(_create, client, i, sites)
                for i in range(first, first + count)]))


def _post(url, identifier, i, customers):
    message = EmailMessage()
    message['From'] = customer_email(i % customers)
    message['To'] = 'service@desk.example'
    message['Subject'] = f"机房交换机故障 {i}"
    message['Message-ID'] = f'<intake-{i}@school.example>'
    message.set_content("机房交换机所有指示灯熄灭。")
    request = urllib.request.Request(
        f'{url}inbound_email/inbox/{identifier}',
        message.as_bytes(), {'Content-Type': 'message/rfc822'})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
        return 'ok' if answer.status == 204 else str(answer.status)


def mail(url, identifier, go, first, count, customers):
    _wait(go)
    print(json.dumps([_answer(_post, url, identifier, i, customers)
                for i in range(first, first + count)]))


def drop():
    from trytond.tests.test_tryton import drop_db
    drop_db()


if __name__ == '__main__':
    command, *args = sys.argv[1:]
    if command == 'setup':
        setup(args[0], int(args[1]))
    elif command == 'rpc':
        url, login, password, go, first, count = args
        rpc(url, login, password, go, int(first), int(count),
            json.loads(sys.stdin.read()))
    elif command == 'mail':
        url, identifier, go, first, count, customers = args
        mail(url, identifier, go, int(first), int(count), int(customers))
    elif command == 'drop':
        drop()

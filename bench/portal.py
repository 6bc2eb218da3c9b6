#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: reporting a fault on the customer portal against JSON-RPC.

Through trytond's WSGI application (``trytond.wsgi.app``, in the process,
with werkzeug's test client: no socket), --clients threads send --reports
"report a fault" forms of the portal in all (POST of a label's link, as a
phone sends it after scanning the QR code: name, phone, description), next
to as many tickets created by customer service over JSON-RPC
(``model.service.ticket.create`` then the ``open`` button, as a logged-in
user, the same values).  Both make an open ticket with its number and
deadlines.  The two alternate round by round (the order turns every
round), so that the load of the machine weighs on each the same; the ratio
is the median of the per-round ratios.  Target: the portal within 1.5
times JSON-RPC.

It also prints the weight in bytes and the time to the first byte of the
portal's pages (report form, follow page).  The portal's rate limits and
daily caps are lifted for the run; the customer has no e-mail, so that no
acknowledgement is sent.

    bench/portal.py [--reports 400] [--clients 20] [--rounds 3]
        [--uri postgresql://127.0.0.1:5432/]
"""
import logging
import os
import re
import statistics
import threading
import time

import benchtools

PASSWORD = 'bench-portal-password-1'


def main():
    arguments = benchtools.parser(__doc__)
    arguments.add_argument('--reports', type=int, default=400,
        help="reports (and JSON-RPC tickets) a round")
    arguments.add_argument('--clients', type=int, default=20,
        help="threads sending at the same time")
    arguments.add_argument('--rounds', type=int, default=3)
    args = benchtools.configure(arguments.parse_args())
    # the notifications of the tickets (both ways alike) have no mail
    # server to go to here, which is not an error of the run
    logging.getLogger('trytond.sendmail').setLevel(logging.CRITICAL)

    from trytond.pool import Pool

    from service_desk.tests.tools import service_database

    database = f'bench_portal_{os.getpid()}'
    try:
        with service_database(name=database, uri=args.uri, create=True) as (
                transaction, company):
            tokens = base(Pool(), company, args.clients)
            transaction.commit()
        # the requests start their own transactions, as a server's do
        benchtools.as_served()
        lift_limits()
        results, pages = measure(args, database, tokens)
    finally:
        from trytond.tests.test_tryton import drop_db
        drop_db()

    portal, rpc = results['portal'], results['json-rpc']
    count = args.reports
    print(f"{args.clients} clients, {count} reports a round, "
        f"{args.rounds} rounds alternated on {args.uri}; {benchtools.load()}")
    for name, times in results.items():
        rates = [count / t for t in times]
        print(f"{name:<9} {statistics.median(rates):8.1f} tickets/s (median;"
            f" {min(rates):.1f} to {max(rates):.1f})")
    for name, (size, seconds) in pages.items():
        print(f"page {name:<7} {size:6d} bytes, first byte in "
            f"{seconds * 1000:6.1f} ms")
    ratio = statistics.median(p / r for p, r in zip(portal, rpc, strict=True))
    print(f"portal/json-rpc median ratio: {ratio:.2f} (target <= 1.50)")
    weights = ', '.join(f'{n} page {s} B' for n, (s, _) in pages.items())
    benchtools.figures(
        f"portal report by {args.clients} clients: {count} a round, "
        f"median ratio {ratio:.2f} to JSON-RPC ticket create (target <= "
        f"1.50); {weights}")


def base(pool, company, clients):
    """Create a school with an item per client, its label links and a
    customer service user; return the links' tokens"""
    Equipment = pool.get('service.equipment')
    Group = pool.get('res.group')
    Link = pool.get('service.access.link')
    ModelData = pool.get('ir.model.data')
    Party = pool.get('party.party')
    Site = pool.get('service.site')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    User = pool.get('res.user')
    school, = Party.create([{'name': "Township School"}])
    site, = Site.create([{
                'name': school.name, 'party': school.id,
                'company': company.id}])
    unit, = Uom.search([('name', '=', 'Unit')])
    template, = Template.create([{
                'name': "Projector", 'default_uom': unit.id,
                'type': 'goods', 'products': [('create', [{}])]}])
    items = Equipment.create([{
                'site': site.id, 'company': company.id,
                'product': template.products[0].id, 'label': f'B-{i:04d}'}
            for i in range(clients)])
    User.create([{
                'login': 'bench_cs', 'name': "Customer Service",
                'password': PASSWORD,
                'groups': [('add', [Group(ModelData.get_id(
                                    'service_desk',
                                    'group_service_customer_service')).id])],
                'companies': [('add', [company.id])],
                'company': company.id,
                }])
    return [Link.issue('report', item)[1] for item in items]


def lift_limits():
    from service_desk import portal
    portal.IP_LIMIT = portal.IP_POST_LIMIT = (10 ** 9, 1)
    portal.TOKEN_POST_LIMIT = (10 ** 9, 1)
    portal.DAILY_LINK_TICKETS = portal.DAILY_SITE_TICKETS = 10 ** 9


def measure(args, database, tokens):
    "Alternate rounds of portal reports and JSON-RPC tickets"
    from trytond.pool import Pool
    pool = Pool(database)
    Site = pool.get('service.site')
    Equipment = pool.get('service.equipment')
    from trytond.transaction import Transaction
    with Transaction().start(database, 0, readonly=True):
        site, = Site.search([])
        items = [i.id for i in Equipment.search([], order=[('id', 'ASC')])]
        site_id, party_id = site.id, site.party.id
        context = {'company': site.company.id}
    pages = page_weights(database, tokens[0])
    session = rpc_login(database)
    results = {'portal': [], 'json-rpc': []}
    per_client = max(args.reports // args.clients, 1)
    args.reports = per_client * args.clients
    for round_ in range(args.rounds):
        kinds = ['portal', 'json-rpc']
        if round_ % 2:
            kinds.reverse()
        for kind in kinds:
            if kind == 'portal':
                def job(n):
                    return portal_client(database, tokens[n], per_client, n)
            else:
                def job(n):
                    return rpc_client(
                        database, session, context, per_client, party_id,
                        site_id, items[n], n)
            results[kind].append(run_threads(job, args.clients))
    return results, pages


def run_threads(job, clients):
    "Time the clients from the go to the last answer"
    go = threading.Event()
    errors = []

    def run(n):
        prepared = job(n)
        ready.release()
        go.wait()
        try:
            prepared()
        except Exception as exception:
            errors.append(exception)
    ready = threading.Semaphore(0)
    threads = [threading.Thread(target=run, args=(n,))
        for n in range(clients)]
    for thread in threads:
        thread.start()
    for _ in threads:
        ready.acquire()
    start = time.perf_counter()
    go.set()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - start


def client():
    from werkzeug.test import Client

    from trytond.wsgi import app
    return Client(app, use_cookies=True)


def page_weights(database, token):
    "The bytes and the time to the first byte of the portal's pages"
    phone = client()
    environ = {'REMOTE_ADDR': '10.1.0.1'}
    path = f'/{database}/service/l/{token}'
    start = time.perf_counter()
    response = phone.get(path, environ_base=environ)
    report = (len(response.data), time.perf_counter() - start)
    csrf, = re.findall(r'name="csrf" value="([^"]+)"', response.text)
    response = phone.post(path, data=report_form(csrf, 0),
        environ_base=environ)
    assert response.status_code == 303, response.text
    start = time.perf_counter()
    response = phone.get(response.headers['Location'], environ_base=environ)
    follow = (len(response.data), time.perf_counter() - start)
    return {'report': report, 'follow': follow}


def report_form(csrf, i):
    return {
        'csrf': csrf,
        'name': "Li Hua",
        'phone': '13812345678',
        'description': f"The projector shows no picture ({i}).",
        }


def portal_client(database, token, count, n):
    "Return the work of a phone: opens the label's page, then reports"
    phone = client()
    environ = {'REMOTE_ADDR': f'10.2.{n // 250}.{n % 250 + 1}'}
    path = f'/{database}/service/l/{token}'
    response = phone.get(path, environ_base=environ)
    csrf, = re.findall(r'name="csrf" value="([^"]+)"', response.text)

    def work():
        for i in range(count):
            response = phone.post(
                path, data=report_form(csrf, i), environ_base=environ)
            if response.status_code != 303:
                raise RuntimeError(f"portal answered {response.status_code}")
    return work


def rpc_login(database):
    "Log customer service in over JSON-RPC; return the Authorization value"
    import base64
    response = client().post(f'/{database}/rpc/', json={
            'id': 0, 'method': 'common.db.login',
            'params': ['bench_cs', {'password': PASSWORD}, 'en']})
    result = response.json['result']
    user_id, session = result[0], result[1]
    credentials = f'bench_cs:{user_id}:{session}'.encode()
    return 'Session ' + base64.b64encode(credentials).decode()


def rpc_client(database, session, context, count, party, site, item, n):
    "Return the work of customer service creating and opening tickets"
    desk = client()
    headers = {'Authorization': session}

    def call(method, *params):
        response = desk.post(f'/{database}/rpc/', headers=headers, json={
                'id': 1, 'method': method, 'params': list(params) + [context]})
        body = response.json
        if response.status_code != 200 or body.get('error'):
            raise RuntimeError(f"{method}: {body.get('error')}")
        return body['result']

    def work():
        for i in range(count):
            ticket_id, = call('model.service.ticket.create', [{
                        'party': party, 'site': site, 'equipment': item,
                        'caller_name': "Li Hua",
                        'caller_phone': '13812345678',
                        'subject': f"No picture ({n}-{i})",
                        'description': "The projector shows no picture.",
                        }])
            call('model.service.ticket.open', [ticket_id])
    return work


if __name__ == '__main__':
    main()

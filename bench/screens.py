#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: the module's screens at 1,000 and 100,000 tickets on PostgreSQL.

Builds one database per size from the same base and replays, as the user
of the role that opens each screen, the calls sao 8.0.11 makes for the
module's lists, tab counters, searches, the weekly calendar, a ticket form
and the reports; the sizes alternate call by call over several rounds.
Prints the min and median of each operation per size, the rows it returns
and the growth factor (median at the largest size / median at the
smallest).  Target: every operation whose result is bounded grows <= 1.5x.

The base is made through the ORM, as users make it: the company, 1,000
customers with a phone each, 1,000 sites, 10,000 pieces of equipment,
technicians, parts and one user per role.  The history is inserted in SQL
(INSERT ... SELECT generate_series) into each copy of the base: tickets
over the two years before last week, one work order for two tickets, one
callback for four, one requisition for ten with its done stock move, one
faulty return for fifty.  Whatever the size, the same records are open
(the current workload: tickets of the last days, visits of this week); the
rest is closed history.  An operation is bounded when what it returns does not
grow with the history: counters, a form, and lists returning fewer than 100
rows at every size.

    bench/screens.py [--sizes 1000,100000] [--rounds 5]
        [--uri postgresql://127.0.0.1:5432/] [--keep]
"""
import datetime as dt
import os
import statistics
import time
from decimal import Decimal

import benchtools

NOW = dt.datetime(2026, 11, 27, 6, 0)
OPEN = 40  # open tickets, upcoming visits, pending callbacks


def main():
    parser = benchtools.parser(__doc__)
    parser.add_argument('--sizes', default='1000,100000')
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--customers', type=int, default=1000,
        help="customers of the base, each with a site and 10 items")
    parser.add_argument(
        '--keep', action='store_true',
        help="keep the databases (bench_screens*); the base kept is reused")
    parser.add_argument(
        '--only', help="run only the operations containing this text")
    parser.add_argument(
        '--reuse', metavar='BASE',
        help="measure the databases BASE_<size> kept by --keep")
    args = benchtools.configure(parser.parse_args())
    sizes = [int(s) for s in args.sizes.split(',')]
    base = 'bench_screens' if args.keep else f'bench_screens_{os.getpid()}'
    os.environ['DB_NAME'] = base
    os.environ.setdefault('DB_CACHE', '')

    if args.reuse:
        base = args.reuse
    names = [f'{base}_{s}' for s in sizes]
    try:
        if not args.reuse:
            build(base, names, sizes, args.customers)
        results, rows = measure(names, args)
    finally:
        if not args.keep and not args.reuse:
            for name in [base] + names:
                close(name)
                admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    report(sizes, names, results, rows, args)


def build(base, names, sizes, customers):
    "Create the base through the ORM and a copy with its history per size"
    from service_desk.tests.tools import service_database
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    begin = time.perf_counter()
    if not exists(base):  # kept by --keep
        with service_database(create=True) as (transaction, company):
            populate(Pool(), company, customers)
            transaction.commit()
        close(base)
    orm = time.perf_counter() - begin
    for name in names:
        admin(f'DROP DATABASE IF EXISTS "{name}"')
        admin(f'CREATE DATABASE "{name}" TEMPLATE "{base}"')
    begin = time.perf_counter()
    for name, size in zip(names, sizes, strict=True):
        Pool(name).init()
        with Transaction().start(name, 0) as transaction:
            generate(Pool(name), transaction, size, customers)
            transaction.commit()
        close(name)
        admin('VACUUM ANALYZE', name)
    sql = time.perf_counter() - begin
    print(f"base through the ORM: {orm:.0f} s; history in SQL for "
        f"{' + '.join(map(str, sizes))} tickets: {sql:.0f} s")


def admin(query, database='postgres'):
    import psycopg
    uri = os.environ['TRYTOND_DATABASE_URI'].rstrip('/') + '/' + database
    with psycopg.connect(uri, autocommit=True) as connection:
        connection.execute(query)


def exists(name):
    import psycopg
    uri = os.environ['TRYTOND_DATABASE_URI'].rstrip('/') + '/postgres'
    with psycopg.connect(uri) as connection:
        return bool(connection.execute(
                'SELECT 1 FROM pg_database WHERE datname = %s',
                (name,)).fetchone())


def close(name):
    from trytond import backend
    backend.Database(name).close()


def populate(pool, company, count=1000):
    "Create the base through the ORM"
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Site = pool.get('service.site')
    Equipment = pool.get('service.equipment')

    customers = Party.create([{
                'name': f"School {i:04d}",
                'contact_mechanisms': [('create', [{
                                'type': 'phone',
                                'value': f'+86 10 6{i:03d} {i:04d}',
                                }])],
                } for i in range(count)])
    Site.create([{
                'name': f"Campus {i:04d}", 'code': f'S{i:04d}',
                'party': c.id, 'company': company.id,
                } for i, c in enumerate(customers)])
    unit, = Uom.search([('name', '=', 'Unit')])
    projector, = Template.create([{
                'name': "Projector", 'default_uom': unit.id,
                'type': 'goods', 'products': [('create', [{}])]}])
    Template.create([{
                'name': f"Part {i}", 'default_uom': unit.id,
                'type': 'goods',
                'products': [('create', [{'cost_price': Decimal(10 + i)}])],
                } for i in range(20)])
    sites = Site.search([], order=[('id', 'ASC')])
    for i in range(0, 10 * count, 2000):
        Equipment.create([{
                    'site': sites[j % count].id,
                    'product': projector.products[0].id,
                    'company': company.id,
                    } for j in range(i, min(i + 2000, 10 * count))])

    parties = Party.create([{'name': f"Staff {i}"} for i in range(26)])
    employees = Employee.create([{
                'party': p.id, 'company': company.id,
                'service_technician': i < 20,
                } for i, p in enumerate(parties)])
    for i, role in enumerate([
                'customer_service', 'manager', 'technical_engineer',
                'field_engineer', 'parts_keeper', 'accountant']):
        employee = employees[20 + i] if role != 'field_engineer' \
            else employees[0]
        group = ModelData.get_id('service_desk', f'group_service_{role}')
        User.create([{
                    'login': role, 'name': role,
                    'groups': [('add', [group])],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id,
                    }])


def generate(pool, transaction, size, customers=1000):
    "Insert the history of size tickets in SQL"
    cursor = transaction.connection.cursor()
    ModelData = pool.get('ir.model.data')
    consumption = ModelData.get_id(
        'service_desk', 'location_service_consumption')
    lost_found = ModelData.get_id('stock', 'location_lost_found')

    def execute(query, params=None):
        cursor.execute(query, params)

    execute('SELECT id FROM company_company')
    company, = cursor.fetchone()
    execute("SELECT id FROM stock_location WHERE type = 'warehouse'")
    warehouse, = cursor.fetchone()
    execute('SELECT storage_location FROM stock_location WHERE id = %s',
        (warehouse,))
    storage, = cursor.fetchone()
    execute("SELECT id FROM product_uom WHERE name = 'Unit'")
    unit, = cursor.fetchone()
    execute('SELECT min(id) FROM company_employee')
    tech0, = cursor.fetchone()
    execute("SELECT min(p.id) FROM product_product p "
        "JOIN product_template t ON p.template = t.id "
        "WHERE t.name LIKE 'Part %%'")
    part0, = cursor.fetchone()
    execute('SELECT currency FROM company_company WHERE id = %s',
        (company,))
    currency, = cursor.fetchone()

    # sites, parties, contacts and equipment numbered from 0 in their order
    execute("CREATE TEMP TABLE b_site AS SELECT row_number() OVER "
        "(ORDER BY s.id) - 1 AS n, s.id AS site, s.party, c.id AS contact "
        "FROM service_site s JOIN party_contact_mechanism c "
        "ON c.party = s.party")
    execute("CREATE TEMP TABLE b_equipment AS SELECT row_number() OVER "
        "(PARTITION BY site ORDER BY id) - 1 AS n, site, id AS equipment "
        "FROM service_equipment")
    execute('CREATE INDEX ON b_site (n)')
    execute('CREATE INDEX ON b_equipment (site, n)')

    params = {
        'now': NOW, 'company': company, 'size': size, 'open': OPEN,
        'sites': customers,
        'tech': tech0, 'start': NOW - dt.timedelta(days=738),
        'span': dt.timedelta(days=730), 'unit': unit, 'part': part0,
        'warehouse': warehouse, 'storage': storage, 'currency': currency,
        'consumption': consumption, 'lost_found': lost_found,
        }
    # tickets: the last OPEN ones are open, the others closed
    execute("""
        INSERT INTO service_ticket (
            id, create_uid, create_date, company, number, channel, type,
            party, contact, site, equipment, subject, description,
            priority, received_at, after_hours, paused_hours,
            response_deadline, resolution_deadline, promised_at,
            responded_at, resolved_at, closed_at, escalation_level,
            escalated, assigned_to, state)
        SELECT g, 0, %(now)s, %(company)s, 'T' || lpad(g::text, 7, '0'),
            'phone', CASE WHEN g %% 50 = 0 THEN 'complaint'
                ELSE 'repair' END,
            s.party, s.contact, s.site, e.equipment,
            'Projector fault ' || g, 'The projector does not start.',
            (ARRAY['urgent', 'high', 'normal', 'low'])[g %% 4 + 1],
            r.at, false, 0,
            r.at + interval '4 hours', r.at + interval '3 days',
            r.at + interval '4 hours',
            CASE WHEN g <= %(size)s - %(open)s / 2
                THEN r.at + interval '1 hour' END,
            CASE WHEN g <= %(size)s - %(open)s
                THEN r.at + interval '2 days' END,
            CASE WHEN g <= %(size)s - %(open)s
                THEN r.at + interval '9 days' END,
            0, false,
            CASE WHEN g %% 3 = 0 THEN %(tech)s + g %% 20 END,
            CASE WHEN g <= %(size)s - %(open)s THEN 'closed'
                WHEN g <= %(size)s - %(open)s / 2 THEN 'in_progress'
                ELSE 'open' END
        FROM generate_series(1, %(size)s) AS g
        CROSS JOIN LATERAL (SELECT CASE WHEN g <= %(size)s - %(open)s
                THEN %(start)s::timestamp
                    + (g::float / %(size)s) * %(span)s::interval
                ELSE %(now)s::timestamp
                    - (%(size)s - g) * interval '1 hour' END AS at) AS r
        JOIN b_site s ON s.n = g %% %(sites)s
        JOIN b_equipment e ON e.site = s.site AND e.n = g %% 10
        """, params)
    # work orders: one for two tickets, planned a day after; the last
    # OPEN / 2 are the visits of the coming days
    execute("""
        INSERT INTO service_work_order (
            id, create_uid, create_date, company, number, kind, ticket,
            party, site, equipment, description, lead, planned_start,
            planned_end, planned_date, escalation_level, escalated,
            done_at, state)
        SELECT t.id / 2, 0, %(now)s, %(company)s,
            'W' || lpad((t.id / 2)::text, 7, '0'), 'repair', t.id,
            t.party, t.site, t.equipment, 'Repair the projector.',
            %(tech)s + t.id %% 20, p.start, p.start + interval '2 hours',
            p.start::date, 0, false,
            CASE WHEN t.state = 'closed' THEN p.start + interval '2 hours'
                END,
            CASE WHEN t.state = 'closed' THEN 'done' ELSE 'scheduled' END
        FROM service_ticket t
        CROSS JOIN LATERAL (SELECT CASE WHEN t.state = 'closed'
                THEN date_trunc('hour', t.received_at) + interval '1 day'
                ELSE %(now)s::timestamp + (t.id %% 7) * interval '1 day'
                    + (t.id %% 8) * interval '1 hour' END AS start) AS p
        WHERE t.id %% 2 = 0
        """, params)
    # callbacks: one for four tickets, done once the ticket is closed
    execute("""
        INSERT INTO service_callback (
            id, create_uid, create_date, company, kind, ticket, party,
            contact, site, due_date, attempts, reached, solved,
            satisfaction, called_at, state)
        SELECT t.id / 4, 0, %(now)s, %(company)s, 'repair', t.id, t.party,
            t.contact, t.site, CASE WHEN t.state = 'closed'
                THEN (t.received_at + interval '10 days')::date
                ELSE %(now)s::date + (t.id %% 3 - 1) END,
            CASE WHEN t.state = 'closed' THEN 1 ELSE 0 END,
            t.state = 'closed',
            CASE WHEN t.state = 'closed' THEN
                CASE WHEN t.id %% 40 = 0 THEN 'no' ELSE 'yes' END END,
            CASE WHEN t.state = 'closed' THEN 'satisfied' END,
            CASE WHEN t.state = 'closed'
                THEN t.received_at + interval '10 days' END,
            CASE WHEN t.state = 'closed' THEN 'done' ELSE 'pending' END
        FROM service_ticket t WHERE t.id %% 4 = 0
        """, params)
    # requisitions: one for ten tickets (their work order), one line and
    # its done move to the service consumption location
    execute("""
        INSERT INTO service_requisition (
            id, create_uid, create_date, company, number, purpose,
            requester, work_order, ticket, party, site, equipment,
            warehouse, urgency, critical, requested_at, approved_at,
            issued_at, state)
        SELECT w.id / 5, 0, %(now)s, %(company)s,
            'R' || lpad((w.id / 5)::text, 7, '0'), 'repair', w.lead, w.id,
            w.ticket, w.party, w.site, w.equipment, %(warehouse)s, 'normal',
            false, w.planned_start - interval '1 hour', w.planned_start,
            w.planned_start, 'issued'
        FROM service_work_order w
        WHERE w.id %% 5 = 0 AND w.state = 'done'
        """, params)
    execute("""
        INSERT INTO service_requisition_line (
            id, create_uid, create_date, requisition, product, quantity,
            unit, from_location)
        SELECT r.id, 0, %(now)s, r.id, %(part)s + r.id %% 20, 1,
            %(unit)s, %(storage)s
        FROM service_requisition r
        """, params)
    execute("SELECT COALESCE(max(id), 0) FROM stock_move")
    moves, = cursor.fetchone()
    params['moves'] = moves
    execute("""
        INSERT INTO stock_move (
            id, create_uid, create_date, company, product, unit, quantity,
            internal_quantity, from_location, to_location, planned_date,
            effective_date, state, origin, cost_price, currency)
        SELECT %(moves)s + l.id, 0, %(now)s, %(company)s, l.product,
            l.unit, 1, 1, l.from_location, %(consumption)s,
            r.issued_at::date, r.issued_at::date, 'done',
            'service.requisition.line,' || l.id, 10 + l.product %% 20,
            %(currency)s
        FROM service_requisition_line l
        JOIN service_requisition r ON r.id = l.requisition
        """, params)
    # faulty parts removed: one for fifty tickets
    execute("""
        INSERT INTO service_requisition_return (
            id, create_uid, create_date, requisition, kind, product,
            quantity, equipment, fault_note, installed_date,
            returned_date, days_in_service, state)
        SELECT r.id, 0, %(now)s, r.id, 'faulty', l.product, 1,
            r.equipment, 'Burnt.', r.issued_at::date - 200,
            r.issued_at::date, 200, 'done'
        FROM service_requisition r
        JOIN service_requisition_line l ON l.requisition = r.id
        WHERE r.id %% 5 = 0
        """, params)
    for table in [
            'service_ticket', 'service_work_order', 'service_callback',
            'service_requisition', 'service_requisition_line', 'stock_move',
            'service_requisition_return']:
        execute(f"SELECT setval('{table}_id_seq', "
            f"(SELECT max(id) FROM {table}))")


def sao_fields(Model, view_type):
    "The field names sao reads for the view (names of relations included)"
    fields = Model.fields_view_get(view_type=view_type)['fields']
    names = []
    for name, description in fields.items():
        names.append(name)
        if description['type'] in {'many2one', 'one2one', 'reference'}:
            names.append(f'{name}.rec_name')
    return names + ['rec_name', '_timestamp', '_write', '_delete']


def list_screen(Model, domain, order=None, view_type='tree'):
    """What sao does to show a list: search 1,000 ids, count them when the
    limit is reached, read the first batch of the view's fields"""
    names = sao_fields(Model, view_type)
    ids = [r.id for r in Model.search(domain, 0, 1000, order)]
    if len(ids) == 1000:
        Model.search_count(domain, 0, 100000)
    Model.read(ids[:1000 // min(len(names), 10)], names)
    return len(ids)


def counter(Model, tab, domain=()):
    "A tab counter: sao counts up to 1,000"
    return Model.search_count(['AND', tab, list(domain)], 0, 1000)


def week_domain(dtstart, dtend):
    "The domain sao 8.0.11 adds for the calendar's current week"
    monday = dt.datetime.combine(
        NOW.date() - dt.timedelta(days=NOW.weekday()), dt.time())
    start, end = monday, monday + dt.timedelta(days=7)
    return [
        (dtstart, '!=', None),
        (dtend, '!=', None),
        ['OR',
            ['AND', (dtstart, '>=', start), (dtstart, '<', end)],
            ['AND', (dtend, '>=', start), (dtend, '<', end)],
            ['AND', (dtstart, '<', start), (dtend, '>', end)],
            ],
        ]


def operations():
    """Yield (name, role, bounded, function(pool) -> rows)

    bounded: the result does not grow with the history"""
    def model(name):
        def decorator(function):
            return lambda pool: function(pool.get(name))
        return decorator

    def tabs(name, xml_id):
        "The tab domains of the action with a counter"
        def function(pool):
            ModelData = pool.get('ir.model.data')
            Domain = pool.get('ir.action.act_window.domain')
            from trytond.pyson import PYSONDecoder
            from trytond.transaction import Transaction
            decoder = PYSONDecoder(Transaction().context)
            action = ModelData.get_id('service_desk', xml_id)
            return [(d.name, decoder.decode(d.domain))
                for d in Domain.search([('act_window', '=', action)])
                if d.count]
        return function

    tickets = tabs('service.ticket', 'act_ticket_form')
    yield ('ticket list, first tab (Draft)', 'customer_service', True,
        lambda pool: list_screen(
            pool.get('service.ticket'), tickets(pool)[0][1]))
    yield ('ticket list, All tab', 'customer_service', False,
        lambda pool: list_screen(pool.get('service.ticket'), []))
    for i, label in enumerate([
                'Draft', 'Open', 'Mine', 'To Link', 'Unassigned',
                'Overdue', 'Due Soon']):
        def count(pool, i=i, label=label):
            name, domain = tickets(pool)[i]
            assert name == label, (name, label)
            return counter(pool.get('service.ticket'), domain)
        yield (f'ticket tab counter {label}', 'customer_service', True,
            count)
    for label, domain in [
            ('site name substring', [('site.rec_name', 'ilike', '%0980%')]),
            ('contact phone', [('contact.rec_name', 'ilike', '%6980 0980%')]),
            ('customer phone', [('party.rec_name', 'ilike', '%6980 0980%')]),
            ]:
        yield (f'ticket search by {label}, Open tab', 'customer_service',
            True, lambda pool, domain=domain: list_screen(
                pool.get('service.ticket'),
                ['AND', tickets(pool)[1][1], domain]))
        yield (f'ticket search by {label}, All tab', 'customer_service',
            False, lambda pool, domain=domain: list_screen(
                pool.get('service.ticket'), domain))

    def ticket_form(pool):
        Ticket = pool.get('service.ticket')
        ticket, = Ticket.search([], limit=1)
        Ticket.read([ticket.id], sao_fields(Ticket, 'form'))
        return 1
    yield ('ticket form', 'customer_service', True, ticket_form)

    yield ('work order calendar week', 'technical_engineer', True,
        lambda pool: list_screen(pool.get('service.work_order'),
            [('state', '!=', 'cancelled'), ('planned_start', '!=', None),
                week_domain('planned_start', 'planned_end')],
            view_type='calendar'))
    orders = tabs('service.work_order', 'act_work_order_form')
    yield ('work order tab counters', 'technical_engineer', True,
        lambda pool: sum(counter(pool.get('service.work_order'), d)
            for _, d in orders(pool)))
    yield ('work order list, first tab (Mine)', 'field_engineer', True,
        lambda pool: list_screen(
            pool.get('service.work_order'), orders(pool)[0][1]))
    def today(pool):
        "The action's own domain and order, as sao sends them"
        from trytond.pyson import PYSONDecoder
        from trytond.transaction import Transaction
        Action = pool.get('ir.action.act_window')
        ModelData = pool.get('ir.model.data')
        decoder = PYSONDecoder(Transaction().context)
        action = Action(ModelData.get_id(
                'service_desk', 'act_work_order_today'))
        return list_screen(pool.get('service.work_order'),
            decoder.decode(action.domain), decoder.decode(action.order))
    yield ('work orders of today', 'field_engineer', True, today)
    callbacks = tabs('service.callback', 'act_callback')
    yield ('callback list, Due tab', 'customer_service', True,
        lambda pool: list_screen(
            pool.get('service.callback'), callbacks(pool)[0][1]))
    yield ('callback tab counters', 'customer_service', True,
        lambda pool: sum(counter(pool.get('service.callback'), d)
            for _, d in callbacks(pool)))
    requisitions = tabs('service.requisition', 'act_requisition_form')
    yield ('requisition tab counters', 'parts_keeper', True,
        lambda pool: sum(counter(pool.get('service.requisition'), d)
            for _, d in requisitions(pool)))
    yield ('Parts Failures report', 'parts_keeper', True,
        lambda pool: list_screen(pool.get('service.part.failure'), []))

    def parts_cost(pool):
        from trytond.transaction import Transaction
        with Transaction().set_context(
                from_date=NOW.date() - dt.timedelta(days=30),
                to_date=NOW.date()):
            return list_screen(pool.get('service.parts.cost'), [])
    yield ('Parts Cost, last 30 days', 'accountant', True, parts_cost)
    yield ('duty board, On Duty tab', 'manager', True,
        lambda pool: list_screen(pool.get('company.employee'), [
                ('service_technician', '=', True),
                ('service_on_duty', '=', True)]))


def measure(names, args):
    "Run the operations, alternating the databases; return the timings"
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    contexts, users = {}, {}
    for name in names:
        Pool(name).init()
        with Transaction().start(name, 0, readonly=True):
            Company = Pool().get('company.company')
            User = Pool().get('res.user')
            company, = Company.search([])
            contexts[name] = company.id
            users[name] = {
                u.login: (u.id, u.employee.id) for u in User.search([])
                if u.employee}
    ops = [o for o in operations()
        if not args.only or args.only in o[0]]
    results = {(o[0], n): [] for o in ops for n in names}
    rows = {}
    for round_ in range(args.rounds + 1):  # the first round warms up
        order = names if round_ % 2 else names[::-1]
        for name, role, _, function in ops:
            for database in order:
                user, employee = users[database][role]
                context = {
                    'company': contexts[database], 'employee': employee,
                    'language': 'en', 'date': NOW.date(),
                    }
                begin = time.perf_counter()
                with Transaction().start(
                        database, user, readonly=True,
                        context=context) as transaction, \
                        transaction.set_context(_check_access=True):
                    count = function(Pool(database))
                elapsed = time.perf_counter() - begin
                if round_:
                    results[name, database].append(elapsed)
                rows[name, database] = count
    return results, rows


def report(sizes, names, results, rows, args):
    ops = list(dict.fromkeys(k[0] for k in results))
    first, last = names[0], names[-1]
    print(f"{args.rounds} rounds, sizes alternated; " + benchtools.load())
    header = f"{'operation':<46}"
    for _ in sizes:
        header += f" {'min':>7} {'median':>7} {'rows':>5}"
    print(header + "  growth")
    print(' ' * 46 + ''.join(f" {f'{s} tickets':>21}" for s in sizes))
    failed = []
    growths = []
    for op in ops:
        line = f"{op:<46}"
        for name in names:
            times = results[op, name]
            line += (f" {min(times) * 1000:7.1f} "
                f"{statistics.median(times) * 1000:7.1f} "
                f"{rows[op, name]:>5}")
        growth = (statistics.median(results[op, last])
            / statistics.median(results[op, first]))
        bounded = (next(o[2] for o in operations() if o[0] == op)
            and all(rows[op, n] < 100 for n in names))
        mark = '' if bounded else ' (result grows)'
        if bounded:
            growths.append(growth)
        if bounded and growth > 1.5:
            mark = ' > 1.5x'
            failed.append(op)
        print(f"{line}  {growth:5.2f}x{mark}")
    print("times in ms; bounded operations over 1.5x: "
        + (', '.join(failed) or 'none'))
    benchtools.figures(
        f"screens at {sizes[-1]} tickets: median ratio "
        f"{statistics.median(growths or [0]):.2f} to {sizes[0]} tickets "
        f"over the {len(growths)} bounded operations (target <= 1.50)")


if __name__ == '__main__':
    main()

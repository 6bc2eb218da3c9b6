#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: the analysis reports on PostgreSQL.

Generates tickets over 2 years with SQL (``INSERT ... SELECT
generate_series``): a repair in two out of three, each repair with a done
visit and a callback, on sites spread over areas with 3 items of equipment
each.  Then, for each report's default screen, it times the RPC calls sao
makes (``search`` with the default order and a limit of 1000, ``read`` of
the list fields, ``search_count``) next to a raw SQL ``GROUP BY`` of the same
figures, in the same run on the same database.

    bench/analysis.py [--tickets 200000] [--sites 360]
        [--uri postgresql://127.0.0.1:5432/]

Materialized reports are not measured: Tryton's ``table_query_materialized``
builds the table without the user's context, and these reports depend on
it (company, dates, period, filters).
"""
import argparse
import datetime as dt
import os
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tickets', type=int, default=200000)
    parser.add_argument('--sites', type=int, default=360)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument(
        '--uri', default=os.environ.get(
            'TRYTOND_DATABASE_URI', 'postgresql://127.0.0.1:5432/'))
    args = parser.parse_args()

    from service_desk.tests.tools import service_database

    with service_database(name=f'bench_analysis_{os.getpid()}',
            uri=args.uri, create=True, drop=True) as (
            transaction, company):
        company.timezone = 'Asia/Shanghai'
        company.save()
        start = time.perf_counter()
        generate(transaction, company, args)
        print(f"generated {args.tickets} tickets on {args.sites} "
            f"sites in {time.perf_counter() - start:.1f} s")
        transaction.commit()
        run(transaction, company, args)


def generate(transaction, company, args):
    from trytond.pool import Pool
    pool = Pool()
    Party = pool.get('party.party')
    Area = pool.get('service.area')
    Site = pool.get('service.site')
    Equipment = pool.get('service.equipment')
    Employee = pool.get('company.employee')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    cursor = transaction.connection.cursor()

    unit, = Uom.search([('name', '=', "Unit")])
    templates = Template.create([{
                'name': f"Product {i}", 'type': 'goods',
                'default_uom': unit.id, 'products': [('create', [{}])]}
            for i in range(20)])
    products = [t.products[0].id for t in templates]
    areas = Area.create([{'name': f"Area {i}"} for i in range(12)])
    parties = Party.create([{'name': f"Site {i}"} for i in range(args.sites)])
    sites = Site.create([{
                'name': f"Site {i}", 'party': p.id,
                'area': areas[i % len(areas)].id,
                'site_type': 'school'}
            for i, p in enumerate(parties)])
    equipment = Equipment.create([{
                'site': s.id, 'product': products[(i * 3 + j) % 20],
                'installation_date': dt.date(2023, 1, 1)}
            for i, s in enumerate(sites) for j in range(3)])
    employee_parties = Party.create([{'name': f"Tech {i}"} for i in range(20)])
    employees = Employee.create([{
                'party': p.id, 'company': company.id}
            for p in employee_parties])
    first_equipment = min(e.id for e in equipment)
    first_employee = min(e.id for e in employees)
    n_equipment = len(equipment)
    params = {
        'company': company.id,
        'count': args.tickets,
        'equipment0': first_equipment,
        'n_equipment': n_equipment,
        'employee0': first_employee,
        }
    # equipment ids and employee ids are consecutive
    cursor.execute("""
        INSERT INTO service_ticket (
            company, number, channel, type, priority, subject, state,
            party, site, equipment, assigned_to, received_at,
            responded_at, resolved_at, response_deadline,
            resolution_deadline, promised_at, paused_hours,
            escalation_level, after_hours, escalated, create_uid,
            create_date)
        SELECT %(company)s, 'B' || g,
            (ARRAY['phone', 'email', 'web', 'chat'])[1 + g %% 4],
            CASE WHEN g %% 3 = 0 THEN 'complaint' ELSE 'repair' END,
            (ARRAY['urgent', 'high', 'normal', 'low'])[1 + g %% 4],
            'bench', 'closed', s.party, s.id, e.id,
            %(employee0)s + g %% 20, r.at,
            r.at + (g %% 7) * INTERVAL '1 hour',
            r.at + (g %% 50) * INTERVAL '1 hour',
            r.at + INTERVAL '4 hour', r.at + INTERVAL '24 hour',
            r.at + INTERVAL '4 hour', 0, 0, false, false, 0, NOW()
        FROM generate_series(1, %(count)s) AS g
        CROSS JOIN LATERAL (SELECT TIMESTAMP '2025-01-01'
            + (g::float / %(count)s) * INTERVAL '730 days' AS at) AS r
        JOIN service_equipment AS e
            ON e.id = %(equipment0)s + (g * 7919) %% %(n_equipment)s
        JOIN service_site AS s ON s.id = e.site
        """, params)
    cursor.execute("""
        INSERT INTO service_work_order (
            company, number, kind, ticket, party, site, equipment, lead,
            planned_start, planned_end, planned_date, started_at, done_at,
            state, escalation_level, escalated, create_uid, create_date)
        SELECT t.company, 'W' || t.id, 'repair', t.id, t.party, t.site,
            t.equipment, t.assigned_to, t.responded_at,
            t.responded_at + INTERVAL '2 hour', t.responded_at::date,
            t.responded_at, t.responded_at + INTERVAL '2 hour', 'done', 0,
            false, 0, NOW()
        FROM service_ticket AS t WHERE t.type = 'repair'
        """)
    cursor.execute("""
        INSERT INTO service_callback (
            company, kind, ticket, party, site, due_date, attempts,
            reached, solved, satisfaction, called_at, state, create_uid,
            create_date)
        SELECT t.company, 'repair', t.id, t.party, t.site,
            t.resolved_at::date, 1, true,
            CASE WHEN t.id % 10 = 0 THEN 'no' ELSE 'yes' END,
            (1 + t.id % 5)::varchar, t.resolved_at + INTERVAL '1 day',
            'done', 0, NOW()
        FROM service_ticket AS t WHERE t.type = 'repair'
        """)
    cursor.execute("ANALYZE")


SCREENS = [
    # model, list fields, raw SQL of the same figures
    ('service.analysis.ticket.timeseries',
        ['date', 'tickets', 'repair', 'complaint'],
        """SELECT date_trunc('week', (received_at AT TIME ZONE 'UTC')
                AT TIME ZONE 'Asia/Shanghai')::date AS d, COUNT(*),
            SUM(CASE WHEN type = 'repair' THEN 1 ELSE 0 END),
            SUM(CASE WHEN type = 'complaint' THEN 1 ELSE 0 END)
        FROM service_ticket WHERE company = %(company)s
            AND state NOT IN ('draft', 'cancelled')
            AND received_at >= %(start)s AND received_at < %(end)s
        GROUP BY d ORDER BY d"""),
    ('service.analysis.ticket',
        ['date', 'channel', 'type', 'priority', 'party', 'site', 'area',
            'site_type', 'employee', 'tickets', 'resolved'],
        """SELECT date_trunc('week', (t.received_at AT TIME ZONE 'UTC')
                AT TIME ZONE 'Asia/Shanghai')::date AS d, t.channel,
            t.type, t.priority, t.party, t.site, s.area, s.site_type,
            t.assigned_to, COUNT(*), COUNT(t.resolved_at)
        FROM service_ticket AS t LEFT JOIN service_site AS s
            ON s.id = t.site
        WHERE t.company = %(company)s
            AND t.state NOT IN ('draft', 'cancelled')
            AND t.received_at >= %(start)s AND t.received_at < %(end)s
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 ORDER BY 1 DESC, 10 DESC
        LIMIT 1000"""),
    ('service.analysis.promise.timeseries',
        ['date', 'tickets', 'response_rate', 'resolution_rate',
            'response_hours', 'resolution_hours'],
        """SELECT date_trunc('week', (received_at AT TIME ZONE 'UTC')
                AT TIME ZONE 'Asia/Shanghai')::date AS d, COUNT(*),
            AVG(CASE WHEN responded_at <= response_deadline
                THEN 1.0 ELSE 0 END),
            AVG(CASE WHEN resolved_at <= resolution_deadline
                THEN 1.0 ELSE 0 END),
            AVG(EXTRACT(EPOCH FROM responded_at - received_at) / 3600),
            AVG(EXTRACT(EPOCH FROM resolved_at - received_at) / 3600)
        FROM service_ticket WHERE company = %(company)s
            AND state NOT IN ('draft', 'cancelled')
            AND received_at >= %(start)s AND received_at < %(end)s
        GROUP BY d ORDER BY d"""),
    ('service.analysis.satisfaction.timeseries',
        ['date', 'callbacks', 'reached', 'satisfaction'],
        """SELECT date_trunc('week', (called_at AT TIME ZONE 'UTC')
                AT TIME ZONE 'Asia/Shanghai')::date AS d, COUNT(*),
            SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END),
            AVG(satisfaction::int)
        FROM service_callback WHERE company = %(company)s
            AND state IN ('done', 'failed')
            AND called_at >= %(start)s AND called_at < %(end)s
        GROUP BY d ORDER BY d"""),
    ('service.analysis.top_equipment',
        ['equipment', 'product', 'site', 'failures', 'last_failure'],
        """SELECT t.equipment, e.product, e.site, COUNT(*),
            MAX(t.received_at)
        FROM service_ticket AS t JOIN service_equipment AS e
            ON e.id = t.equipment
        WHERE t.company = %(company)s AND t.type = 'repair'
            AND t.state NOT IN ('draft', 'cancelled')
            AND t.received_at >= %(start)s AND t.received_at < %(end)s
        GROUP BY 1, 2, 3 ORDER BY 4 DESC, 5 DESC LIMIT 1000"""),
    ('service.analysis.scorecard',
        ['date', 'employee', 'visits', 'repairs', 'first_visit_fix_rate',
            'repeat_failures', 'satisfaction'],
        """SELECT lead, date_trunc('week', (done_at AT TIME ZONE 'UTC')
                AT TIME ZONE 'Asia/Shanghai')::date AS d, COUNT(*),
            SUM(EXTRACT(EPOCH FROM done_at - started_at) / 3600)
        FROM service_work_order WHERE company = %(company)s
            AND state = 'done'
            AND done_at >= %(start)s AND done_at < %(end)s
        GROUP BY 1, 2"""),
    ('service.analysis.reliability.product',
        ['product', 'equipment_count', 'unit_days', 'failures', 'mttr',
            'availability', 'mtbf'],
        """SELECT e.product, COUNT(*),
            AVG(EXTRACT(EPOCH FROM t.resolved_at - t.received_at) / 3600)
        FROM service_ticket AS t JOIN service_equipment AS e
            ON e.id = t.equipment
        WHERE t.company = %(company)s AND t.type = 'repair'
            AND t.received_at >= %(start)s AND t.received_at < %(end)s
        GROUP BY 1"""),
    ]


def run(transaction, company, args):
    from trytond.pool import Pool
    pool = Pool()
    cursor = transaction.connection.cursor()
    context = {
        'company': company.id,
        'from_date': dt.date(2026, 1, 1),
        'to_date': dt.date(2026, 6, 30),
        'period': 'week',
        }
    params = {
        'company': company.id,
        'start': dt.datetime(2025, 12, 31, 16),
        'end': dt.datetime(2026, 6, 30, 16),
        }
    print(f"context: {context['from_date']} to {context['to_date']} "
        "by week")
    print(f"{'report':45} {'rows':>6} {'live s':>8} {'raw s':>8} "
        f"{'live/raw':>8}")
    for name, names, sql in SCREENS:
        Model = pool.get(name)

        def live(Model=Model, names=names):
            with transaction.set_context(context):
                records = Model.search(
                    [], limit=1000, order=None)
                Model.read([r.id for r in records], names)
                Model.search_count([])
            return len(records)

        def raw(sql=sql):
            cursor.execute(sql, params)
            return len(cursor.fetchall())

        rows = live()  # warm the caches
        raw()
        live_time = best(live, args.repeat)
        raw_time = best(raw, args.repeat)
        print(f"{name:45} {rows:6d} {live_time:8.3f} {raw_time:8.3f} "
            f"{live_time / raw_time:8.2f}")

    board(transaction, company, args)


BOARD = [
    # model, domain, order, list fields, context of the board's action
    ('service.analysis.key_figures', [], None,
        ['open_tickets', 'overdue', 'due_today', 'callbacks_due',
            'first_visit_fix_rate', 'satisfaction', 'parts_capital'], {}),
    ('service.ticket', [('state', 'in', ['open', 'in_progress', 'waiting'])],
        [('resolution_deadline', 'ASC NULLS LAST')],
        ['number', 'subject', 'state', 'resolution_deadline'], {}),
    ('service.callback', [('due', '=', True)], None,
        ['ticket', 'party', 'due_date', 'state'], {}),
    ('service.analysis.ticket.timeseries', [], None,
        ['date', 'tickets', 'repair', 'complaint', 'inquiry', 'suggestion'],
        {'period': 'week', 'from_date': -84}),
    ('service.analysis.promise.timeseries', [], None,
        ['date', 'response_rate', 'resolution_rate'],
        {'period': 'month', 'from_date': -183}),
    ('service.analysis.satisfaction.timeseries', [], None,
        ['date', 'satisfaction', 'satisfied_rate'],
        {'period': 'month', 'from_date': -183}),
    ('service.analysis.top_equipment', [], None,
        ['equipment', 'failures'], {'from_date': -92}),
    ('service.analysis.scorecard', [], None,
        ['employee', 'visits', 'first_visit_fix_rate'],
        {'period': 'month', 'from_date': 'month'}),
    ('service.analysis.parts.capital', [], None,
        ['location', 'product', 'quantity', 'value'], {}),
    ]


def board(transaction, company, args):
    """Time the calls of the manager's board: for each action a search with
    its order and a limit, a read of its list fields, a count"""
    from trytond.pool import Pool
    pool = Pool()
    Date = pool.get('ir.date')
    with transaction.set_context(company=company.id):
        today = Date.today()

    def context_of(action):
        context = {'company': company.id}
        for key, value in action.items():
            if key == 'from_date' and value == 'month':
                value = today.replace(day=1)
            elif key == 'from_date':
                value = today + dt.timedelta(days=value)
            context[key] = value
        return context

    def load():
        rows = 0
        for name, domain, order, names, action in BOARD:
            Model = pool.get(name)
            with transaction.set_context(context_of(action)):
                records = Model.search(domain, order=order, limit=1000)
                Model.read([r.id for r in records], names)
                Model.search_count(domain)
            rows += len(records)
        return rows

    rows = load()
    elapsed = best(load, args.repeat)
    print(f"manager board: {len(BOARD)} actions, {rows} rows, "
        f"{elapsed:.3f} s")
    for name, domain, order, names, action in BOARD:
        Model = pool.get(name)

        def one(Model=Model, domain=domain, order=order, names=names,
                action=action):
            with transaction.set_context(context_of(action)):
                records = Model.search(domain, order=order, limit=1000)
                Model.read([r.id for r in records], names)
                Model.search_count(domain)
        print(f"  {name:45} {best(one, args.repeat):8.3f} s")


def best(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


if __name__ == '__main__':
    main()

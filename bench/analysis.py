#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: the analysis reports on PostgreSQL, live and materialized.

Generates tickets over 2 years with SQL (``INSERT ... SELECT
generate_series``): a repair in two out of three, each repair with a done
visit and a callback, on sites spread over areas with 3 items of equipment
each.  The analysis facts are materialized views, as the served
configuration has them on PostgreSQL; their refresh is timed.  Then, for
each report's default screen, it times the RPC calls sao makes, each in a
read-only transaction of its own (``search`` with the default order and a
limit of 1000, ``read`` of the list fields by batches of 100,
``search_count`` when the limit is reached) with the reports reading the
records (live) and, for the reports that have facts, their facts
(materialized), next to a raw SQL ``GROUP BY`` of the same figures, in the
same run on the same database; and the same for the manager's board.

    bench/analysis.py [--tickets 200000] [--sites 360] [--repeat 3]
        [--live-repeat 3] [--uri postgresql://127.0.0.1:5432/]
"""
import contextlib
import datetime as dt
import os
import statistics
import time

import benchtools


def main():
    parser = benchtools.parser(__doc__)
    parser.add_argument('--tickets', type=int, default=200000)
    parser.add_argument('--sites', type=int, default=360)
    parser.add_argument('--repeat', type=int, default=3)
    parser.add_argument('--live-repeat', type=int, default=3,
        help="the runs of the live reports (0: not measured)")
    args = benchtools.configure(parser.parse_args())

    from trytond import config

    from service_desk.tests.tools import insert_history, service_database
    from service_desk.tools.config import MATERIALIZED

    if not config.has_section('table_query_materialized'):
        config.add_section('table_query_materialized')
    for name in MATERIALIZED:
        config.set('table_query_materialized', name, '300')

    with service_database(name=f'bench_analysis_{os.getpid()}',
            uri=args.uri, create=True, drop=True) as (
            transaction, company):
        company.timezone = 'Asia/Shanghai'
        company.save()
        start = time.perf_counter()
        insert_history(company, args.tickets, args.sites)
        print(f"generated {args.tickets} tickets on {args.sites} "
            f"sites in {time.perf_counter() - start:.1f} s")
        transaction.commit()
        refresh(transaction)
        run(transaction, company, args)


def refresh(transaction):
    "Refresh the facts and print the time of each"
    from trytond.pool import Pool

    from service_desk.tools.config import MATERIALIZED
    pool = Pool()
    total = 0
    for name in MATERIALIZED:
        Fact = pool.get(name)
        start = time.perf_counter()
        Fact._table_query_refresh(concurrently=True, force=True)
        transaction.commit()
        elapsed = time.perf_counter() - start
        total += elapsed
        cursor = transaction.connection.cursor()
        cursor.execute(f'SELECT COUNT(*) FROM "{Fact._table}"')
        rows, = cursor.fetchone()
        print(f"refresh {name:35} {rows:9d} rows {elapsed:8.2f} s")
    print(f"refresh of the facts: {total:.2f} s")


@contextlib.contextmanager
def materialized(on):
    "Let the reports read their facts, or the records"
    from trytond import config

    from service_desk.tools.config import MATERIALIZED
    values = {n: config.get('table_query_materialized', n)
        for n in MATERIALIZED}
    if not on:
        for name in MATERIALIZED:
            config.set('table_query_materialized', name, '0')
    try:
        yield
    finally:
        for name, value in values.items():
            config.set('table_query_materialized', name, value)


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
    ('service.analysis.hot_spot.product',
        ['product', 'failures', 'equipment_count'],
        """SELECT e.product, COUNT(*), COUNT(DISTINCT t.equipment)
        FROM service_ticket AS t JOIN service_equipment AS e
            ON e.id = t.equipment
        WHERE t.company = %(company)s AND t.type = 'repair'
            AND t.state NOT IN ('draft', 'cancelled')
            AND t.received_at >= %(start)s AND t.received_at < %(end)s
        GROUP BY 1 ORDER BY 2 DESC"""),
    # its figures (visits, repairs, first-visit fixes, repeat failures,
    # callbacks, inspections) are the report's own query, run once
    ('service.analysis.scorecard',
        ['date', 'employee', 'visits', 'repairs', 'first_visit_fix_rate',
            'repeat_failures', 'satisfaction'],
        None),
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
        f"by week; {max(args.repeat, args.live_repeat)} rounds alternated "
        f"(live: {args.live_repeat}); {benchtools.load()}")
    print(f"{'report':42} {'rows':>5} {'live s':>7} {'mat. s':>7} "
        f"{'raw s':>7} {'live/raw':>8} {'mat./raw':>8}  (medians)")
    ratios = {}
    for name, names, sql in SCREENS:
        Model = pool.get(name)

        def screen(Model=Model, names=names):
            return sao_list(transaction, Model, [], None, names, context)

        if sql is None:
            with materialized(False), transaction.set_context(context):
                query = Model.table_query()
            sql, params_ = str(query), query.params
        else:
            params_ = params

        def raw(sql=sql, params=params_):
            cursor.execute(sql, params)
            return len(cursor.fetchall())

        rows = raw()
        # the report live and materialized alternate with the raw query
        # round by round, in a turning order; the ratios are the medians
        # of the rounds' ratios (live only in its first rounds)
        runs = {}
        for on in [False, True]:
            with materialized(on):
                with transaction.set_context(context):
                    if on and not Model._from_facts():
                        continue
            if on or args.live_repeat:
                with materialized(on):
                    rows = screen()  # warm the caches
                runs[on] = []
        raws = []
        rounds = max(args.repeat, args.live_repeat)
        for round_ in range(rounds):
            order = [None] + [
                on for on in runs
                if on or round_ < args.live_repeat]
            shift = round_ % len(order)
            for run in order[shift:] + order[:shift]:
                if run is None:
                    raws.append(timed(raw))
                else:
                    with materialized(run):
                        runs[run].append(timed(screen))
        figures = []
        for on in [False, True]:
            figures.append(
                f"{statistics.median(runs[on]):7.3f}" if runs.get(on)
                else f"{'-':>7}")
        for on in [False, True]:
            if runs.get(on):
                ratio = statistics.median(
                    t / r for t, r in zip(runs[on], raws, strict=False))
                ratios[name, on] = ratio
                figures.append(f"{ratio:8.2f}")
            else:
                figures.append(f"{'-':>8}")
        print(f"{name[17:]:42} {rows:5d} {figures[0]} {figures[1]} "
            f"{statistics.median(raws):7.3f} {figures[2]} {figures[3]}")

    for on in [False, True]:
        if on or args.live_repeat:
            with materialized(on):
                board(transaction, company, args, on)
    top = 'service.analysis.top_equipment'
    benchtools.figures(
        f"analysis at {args.tickets} tickets, top equipment: median ratio "
        + ', '.join(f"{ratios[top, on]:.2f} "
            f"{'materialized' if on else 'live'}" for on in [False, True]
            if (top, on) in ratios)
        + " to the raw GROUP BY (target <= 2.00)")


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


def board(transaction, company, args, on):
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
            rows += sao_list(transaction, pool.get(name), domain, order,
                names, context_of(action))
        return rows

    repeat = args.repeat if on else args.live_repeat
    rows = load()
    elapsed = best(load, repeat)
    print(f"manager board, {'materialized' if on else 'live'}: "
        f"{len(BOARD)} actions, {rows} rows, {elapsed:.3f} s")
    for name, domain, order, names, action in BOARD:
        Model = pool.get(name)

        def one(Model=Model, domain=domain, order=order, names=names,
                action=action):
            sao_list(transaction, Model, domain, order, names,
                context_of(action))
        print(f"  {name:45} {best(one, repeat):8.3f} s")


def sao_list(transaction, Model, domain, order, names, context,
        limit=1000, batch=100):
    """Make the calls of sao showing a list, each in a read-only
    transaction of its own as an RPC call: search with a limit, read of the
    list fields by batches of 100 (sao reads the rows as they are shown;
    here all of them), and search_count when the list is full.  Return the
    number of rows"""
    def call(method, *args, **kwargs):
        with transaction.new_transaction(readonly=True) as rpc, \
                rpc.set_context(context):
            return getattr(Model, method)(*args, **kwargs)

    ids = [r.id for r in call('search', domain, limit=limit, order=order)]
    for i in range(0, len(ids), batch):
        call('read', ids[i:i + batch], names + ['rec_name'])
    if len(ids) == limit:
        call('search_count', domain, 0, limit * 100)
    return len(ids)


def timed(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def best(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


if __name__ == '__main__':
    main()

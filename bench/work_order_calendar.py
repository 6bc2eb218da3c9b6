#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: the weekly plan calendar of work orders on PostgreSQL.

With T technicians and N work orders spread over four weeks (through the
ORM) after a year of done visits (copied in SQL, as many per week), times
the calls sao 8.0.11 makes for one week of the calendar, as a technical
engineer with access checks on: ``search`` with the action's domain and the
calendar's own (start or end in the week, or spanning it) and ``read`` of
the calendar view's fields, related names included.  The baseline is a
``search`` + ``read`` of as many ``timesheet.line`` rows of that week,
with a year of lines before it too.  The two alternate call by call; the
ratio is the median of the per-round ratios.  Target: work orders <= 1.2x
timesheet lines.

    bench/work_order_calendar.py [--technicians 50] [--count 5000]
        [--repeat 20] [--uri postgresql://127.0.0.1:5432/]
"""
import datetime as dt
import os
import statistics
import time

import benchtools

WEEK_START = dt.datetime(2026, 11, 2)


def main():
    parser = benchtools.parser(__doc__)
    parser.add_argument('--technicians', type=int, default=50)
    parser.add_argument('--count', type=int, default=5000)
    parser.add_argument('--repeat', type=int, default=20)
    parser.add_argument(
        '--profile', action='store_true',
        help="print where the work order search_read spends its time")
    args = benchtools.configure(parser.parse_args())

    from service_desk.tests.tools import service_database
    from trytond.pool import Pool

    with service_database(['service_desk', 'timesheet'],
            name=f'bench_calendar_{os.getpid()}', uri=args.uri, create=True,
            drop=True) as (transaction, company):
        user, week = populate(Pool(), company, args)
        user = (user.id, company.id, user.employee.id)
        transaction.commit()
        results = measure(user, week, args)

    rows = results.pop('rows')
    history = results.pop('history')
    print(f"{args.technicians} technicians, {args.count} work orders over "
        f"4 weeks after {history} done in the year before, on {args.uri}; "
        f"one week = {rows} rows, {args.repeat} rounds alternated; "
        + benchtools.load())
    work_orders = results['service.work_order calendar week']
    lines = results['timesheet.line week']
    for name, times in results.items():
        print(f"{name:<34} min {min(times) * 1000:8.1f} ms  "
            f"median {statistics.median(times) * 1000:8.1f} ms")
    ratio = statistics.median(
        w / t for w, t in zip(work_orders, lines, strict=True))
    print(f"work order/timesheet line median ratio: {ratio:.2f} "
        "(target <= 1.20)")
    benchtools.figures(
        f"work order calendar week: {args.count} work orders, "
        f"median ratio {ratio:.2f} to timesheet lines (target <= 1.20)")


def populate(pool, company, args):
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    Group = pool.get('res.group')
    ModelData = pool.get('ir.model.data')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Site = pool.get('service.site')
    Equipment = pool.get('service.equipment')
    WorkOrder = pool.get('service.work_order')
    Work = pool.get('timesheet.work')
    Line = pool.get('timesheet.line')

    parties = Party.create([
            {'name': f"Technician {i}"} for i in range(args.technicians)]
        + [{'name': f"School {i}"} for i in range(100)])
    technicians = Employee.create([{
                'party': p.id, 'company': company.id,
                'service_technician': True}
            for p in parties[:args.technicians]])
    customers = parties[args.technicians:]
    sites = Site.create([
            {'name': c.name, 'party': c.id, 'company': company.id}
            for c in customers])
    unit, = Uom.search([('name', '=', 'Unit')])
    template, = Template.create([{
                'name': "Projector", 'default_uom': unit.id,
                'type': 'goods', 'products': [('create', [{}])]}])
    equipment = Equipment.create([{
                'site': s.id, 'product': template.products[0].id,
                'company': company.id} for s in sites])

    def start(i):
        return WEEK_START + dt.timedelta(
            days=(i * 28) // args.count, hours=1 + (i % 8))

    for i in range(0, args.count, 1000):
        WorkOrder.create([{
                    'company': company.id,
                    'kind': 'repair' if j % 3 else 'maintenance',
                    'party': customers[j % 100].id,
                    'site': sites[j % 100].id,
                    'equipment': equipment[j % 100].id,
                    'lead': technicians[j % args.technicians].id,
                    'planned_start': start(j),
                    'planned_end': start(j) + dt.timedelta(hours=2),
                    'description': f"Visit {j}",
                    } for j in range(i, min(i + 1000, args.count))])

    # the action's domain and the one sao adds for the displayed week
    first = WEEK_START + dt.timedelta(days=7)
    last = first + dt.timedelta(days=7)
    week = [
        ('state', '!=', 'cancelled'),
        ('planned_start', '!=', None),
        [
            ('planned_start', '!=', None),
            ('planned_end', '!=', None),
            ['OR',
                ['AND', ('planned_start', '>=', first),
                    ('planned_start', '<', last)],
                ['AND', ('planned_end', '>=', first),
                    ('planned_end', '<', last)],
                ['AND', ('planned_start', '<', first),
                    ('planned_end', '>', last)],
                ],
            ],
        ]
    rows = WorkOrder.search(week, count=True)
    works = Work.create([
            {'name': f"Work {i}", 'company': company.id}
            for i in range(100)])
    Line.create([{
                'company': company.id,
                'employee': technicians[j % args.technicians].id,
                'work': works[j % 100].id,
                'date': (WEEK_START + dt.timedelta(days=7 + j % 7)).date(),
                'duration': dt.timedelta(hours=2),
                'description': f"Visit {j}",
                } for j in range(rows)])

    from trytond.transaction import Transaction
    history(Transaction().connection.cursor())

    group = Group(ModelData.get_id(
            'service_desk', 'group_service_technical_engineer'))
    user, = User.create([{
                'login': 'engineer', 'name': "Engineer",
                'groups': [('add', [group.id])],
                'companies': [('add', [company.id])],
                'company': company.id,
                'employees': [('add', [technicians[0].id])],
                'employee': technicians[0].id,
                }])
    return user, week


def history(cursor):
    """Copy in SQL the work orders and timesheet lines of the four weeks
    to each of the 48 four-week periods of the year before, done"""
    cursor.execute("""
        INSERT INTO service_work_order (
            create_uid, create_date, company, number, kind, party, site,
            equipment, description, lead, planned_start, planned_end,
            planned_date, escalation_level, escalated, state)
        SELECT 0, now(), company, 'H' || k || '-' || number, kind, party,
            site, equipment, description, lead,
            planned_start - k * interval '4 weeks',
            planned_end - k * interval '4 weeks',
            planned_date - k * 28, 0, false, 'done'
        FROM service_work_order
        CROSS JOIN generate_series(1, 12) AS k
        """)
    cursor.execute("""
        INSERT INTO timesheet_line (
            create_uid, create_date, company, employee, work, date,
            duration, description)
        SELECT 0, now(), company, employee, work, date - k * 28, duration,
            description
        FROM timesheet_line
        CROSS JOIN generate_series(1, 12) AS k
        """)
    cursor.execute('ANALYZE')


def measure(user, week, args):
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    first = WEEK_START.date() + dt.timedelta(days=7)
    calendar = [
        'planned_start', 'planned_end', 'calendar_color', 'lead.rec_name',
        'site.rec_name', 'kind', 'state', 'rec_name']
    timesheet = [
        'date', 'duration', 'employee.rec_name', 'work.rec_name',
        'description', 'company', 'rec_name', 'uuid']
    user_id, company_id, employee_id = user
    with Transaction(new=True).start(
            os.environ['DB_NAME'], user_id, readonly=True,
            context={'company': company_id,
                'employee': employee_id}) as transaction, \
            transaction.set_context(_check_access=True):
        pool = Pool()
        WorkOrder = pool.get('service.work_order')
        Line = pool.get('timesheet.line')
        rows = len(WorkOrder.search(week))
        lines = [
            ('date', '>=', first), ('date', '<', first + dt.timedelta(7))]
        calls = [
            ('service.work_order calendar week', WorkOrder, week, calendar),
            ('timesheet.line week', Line, lines, timesheet),
            ]
        results = {c[0]: [] for c in calls}
        for round_ in range(args.repeat + 1):  # the first warms up
            for name, model, domain, fields in (
                    calls if round_ % 2 else calls[::-1]):
                transaction.cache.clear()
                begin = time.perf_counter()
                ids = [r.id for r in model.search(domain, 0, 1000)]
                result = model.read(ids, fields)
                if round_:
                    results[name].append(time.perf_counter() - begin)
                assert len(result) == rows, (name, len(result), rows)
        if args.profile:
            import cProfile
            import pstats
            transaction.cache.clear()
            profile = cProfile.Profile()
            profile.runcall(WorkOrder.search_read, week, fields_names=calendar)
            pstats.Stats(profile).sort_stats('cumulative').print_stats(40)
        results['history'] = WorkOrder.search(
            [('state', '=', 'done')], count=True)
    results['rows'] = rows
    return results


if __name__ == '__main__':
    main()

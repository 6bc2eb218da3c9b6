#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: the weekly plan calendar of work orders on PostgreSQL.

With T technicians and N work orders spread over four weeks, times the
``search_read`` sao makes for one week of the calendar (the fields of the
calendar view, related names included, with access checks on, as a
technical engineer) and prints it next to a ``search_read`` of as many
``timesheet.line`` rows with a comparable set of fields, in the same run.
Target: work orders <= 1.2x timesheet lines.

    bench/work_order_calendar.py [--technicians 50] [--count 5000]
        [--repeat 20] [--uri postgresql://127.0.0.1:5432/]
"""
import argparse
import datetime as dt
import os
import statistics
import time

WEEK_START = dt.datetime(2026, 11, 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--technicians', type=int, default=50)
    parser.add_argument('--count', type=int, default=5000)
    parser.add_argument('--repeat', type=int, default=20)
    parser.add_argument(
        '--profile', action='store_true',
        help="print where the work order search_read spends its time")
    parser.add_argument(
        '--uri', default=os.environ.get(
            'TRYTOND_DATABASE_URI', 'postgresql://127.0.0.1:5432/'))
    args = parser.parse_args()
    os.environ['TRYTOND_DATABASE_URI'] = args.uri
    os.environ['DB_NAME'] = f'bench_calendar_{os.getpid()}'
    os.environ.setdefault('DB_CACHE', '')

    from trytond.modules.company.tests import create_company, set_company
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
    from trytond.transaction import Transaction

    activate_module(['service_desk', 'timesheet'])
    try:
        with Transaction().start(DB_NAME, 0) as transaction:
            company = create_company()
            with set_company(company):
                user, week = populate(Pool(), company, args)
                user = (user.id, company.id, user.employee.id)
                transaction.commit()
        results = measure(user, week, args)
    finally:
        drop_db()

    rows = results.pop('rows')
    print(f"{args.technicians} technicians, {args.count} work orders over "
        f"4 weeks on {args.uri}; one week = {rows} rows, "
        f"median of {args.repeat} runs")
    base = results['timesheet.line search_read']
    for name, seconds in results.items():
        print(f"{name:<32} {seconds * 1000:8.1f} ms  {seconds / base:5.2f}x")
    ratio = results['service.work_order search_read'] / base
    print(f"work order/timesheet line ratio: {ratio:.2f} (target <= 1.20)")


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

    week = [
        ('planned_start', '>=', WEEK_START + dt.timedelta(days=7)),
        ('planned_start', '<', WEEK_START + dt.timedelta(days=14)),
        ('state', '!=', 'cancelled'),
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
    results = {}
    user_id, company_id, employee_id = user
    with Transaction().start(
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
        for name, model, domain, fields in [
                ('service.work_order search_read', WorkOrder, week,
                    calendar),
                ('timesheet.line search_read', Line, lines, timesheet),
                ]:
            times = []
            for _ in range(args.repeat):
                transaction.cache.clear()
                begin = time.perf_counter()
                result = model.search_read(domain, fields_names=fields)
                times.append(time.perf_counter() - begin)
                assert len(result) == rows, (name, len(result), rows)
            results[name] = statistics.median(times)
        if args.profile:
            import cProfile
            import pstats
            transaction.cache.clear()
            profile = cProfile.Profile()
            profile.runcall(WorkOrder.search_read, week, fields_names=calendar)
            pstats.Stats(profile).sort_stats('cumulative').print_stats(40)
    results['rows'] = rows
    return results


if __name__ == '__main__':
    main()

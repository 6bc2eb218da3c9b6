#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: generating one inspection cycle on PostgreSQL.

With S sites of E equipment items each and a checklist of one point for
the middle phase, generates the three visits of every site and the S x E
lines of the middle visits through ``service.inspection.plan``, then
deletes them and builds the same rows with raw ``INSERT ... SELECT``; the
two alternate over the rounds (the order turns each round, the tables
emptied before each run).  Prints the median times, the median of the
per-round ratios (target <= 5) and the peak memory of the generation
(Python allocations and the process).

    bench/inspection_generate.py [--sites 10000] [--equipment 20]
        [--rounds 3] [--uri postgresql://127.0.0.1:5432/]
"""
import datetime as dt
import os
import resource
import statistics
import time
import tracemalloc

import benchtools


def main():
    parser = benchtools.parser(__doc__)
    parser.add_argument('--sites', type=int, default=10000)
    parser.add_argument('--equipment', type=int, default=20)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument(
        '--profile', action='store_true',
        help="print where the generator spends its time")
    args = benchtools.configure(parser.parse_args())

    from service_desk.tests.tools import service_database
    from trytond.pool import Pool

    with service_database(name=f'bench_inspection_{os.getpid()}',
            uri=args.uri, create=True, drop=True) as (
            transaction, company):
        plan = populate(Pool(), transaction, company, args)
        transaction.commit()

        Plan = Pool().get('service.inspection.plan')
        generated, raw, peak, counts = [], [], 0, set()
        for round_ in range(args.rounds):
            for run in (['module', 'raw'] if round_ % 2 == 0
                    else ['raw', 'module']):
                clear(transaction)
                if run == 'raw':
                    raw.append(raw_insert(transaction, company, plan))
                    transaction.commit()
                    counts.add(count(transaction))
                    continue
                tracemalloc.start()
                begin = time.perf_counter()
                if args.profile and not round_:
                    import cProfile
                    import pstats
                    profile = cProfile.Profile()
                    profile.runcall(
                        Plan.generate_inspections, [plan])
                    pstats.Stats(profile).sort_stats(
                        'cumulative').print_stats(25)
                else:
                    Plan.generate_inspections([Plan(plan.id)])
                generated.append(time.perf_counter() - begin)
                peak = max(peak, tracemalloc.get_traced_memory()[1])
                tracemalloc.stop()
                transaction.commit()
                counts.add(count(transaction))
        (visits, lines), = counts  # both built the same rows

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.sites} sites x {args.equipment} items on {args.uri}: "
        f"{visits} visits, {lines} lines; {args.rounds} rounds alternated; "
        + benchtools.load())
    print(f"generator              median "
        f"{statistics.median(generated):8.2f} s")
    print(f"raw INSERT ... SELECT  median {statistics.median(raw):8.2f} s")
    ratio = statistics.median(
        g / r for g, r in zip(generated, raw, strict=True))
    print(f"generator/raw median ratio: {ratio:.2f} (target <= 5.00)")
    print(f"peak Python memory of the generator: {peak / 2**20:.1f} MiB; "
        f"peak process RSS: {rss:.0f} MiB")
    benchtools.figures(
        f"inspection generator: {args.sites} sites x {args.equipment} "
        f"items, median ratio {ratio:.2f} to raw INSERT ... SELECT "
        "(target <= 5.00)")


def populate(pool, transaction, company, args):
    "Sites and equipment in SQL, the plan and the checklist in the ORM"
    Party = pool.get('party.party')
    Site = pool.get('service.site')
    Equipment = pool.get('service.equipment')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Checklist = pool.get('service.inspection.checklist')
    Plan = pool.get('service.inspection.plan')
    cursor = transaction.connection.cursor()

    customer, = Party.create([{'name': "County Education Bureau"}])
    unit, = Uom.search([('name', '=', 'Unit')])
    template, = Template.create([{
                'name': "Projector", 'default_uom': unit.id,
                'type': 'goods', 'products': [('create', [{}])]}])
    site = Site.__table__()
    cursor.execute(*site.insert(
            [site.company, site.party, site.name, site.criticality,
                site.site_type, site.active],
            [[company.id, customer.id, f"School {i}", 'normal',
                    Site.default_site_type(), True]
                for i in range(args.sites)]))
    product = template.products[0].id
    cursor.execute(
        f'INSERT INTO "{Equipment._table}" '
        '(company, site, product, label, criticality, state, active) '
        "SELECT %s, s.id, %s, 'B' || s.id || '-' || n, 'normal', "
        "'in_service', true "
        f'FROM "{Site._table}" s, generate_series(1, %s) n',
        (company.id, product, args.equipment))
    Checklist.create([{
                'name': "Projector",
                'items': [('create', [{
                                'name': "Lamp lights", 'phase': 'middle'}])],
                }])
    site_ids = [s.id for s in Site.search([])]
    plan, = Plan.create([{
                'name': "Semester",
                'start_date': dt.date.today(),
                'horizon_days': 150,
                'sites': [('add', site_ids)],
                'phases': [('create', Plan.default_phases())],
                }])
    return plan


def count(transaction):
    cursor = transaction.connection.cursor()
    cursor.execute('SELECT COUNT(*) FROM service_inspection')
    visits, = cursor.fetchone()
    cursor.execute('SELECT COUNT(*) FROM service_inspection_line')
    lines, = cursor.fetchone()
    return visits, lines


def clear(transaction):
    "Empty the visits and their lines"
    cursor = transaction.connection.cursor()
    cursor.execute('DELETE FROM service_inspection_line')
    cursor.execute('DELETE FROM service_inspection')
    transaction.commit()


def raw_insert(transaction, company, plan):
    "The same rows straight from the sites, phases and checklist"
    cursor = transaction.connection.cursor()
    begin = time.perf_counter()
    cursor.execute(
        'INSERT INTO service_inspection '
        '(company, plan, site, cycle_start, phase, planned_date, state, '
        'create_uid, create_date) '
        "SELECT %s, r.plan, r.site, %s, p.phase, %s::date + p.offset_days, "
        "'planned', 0, now() "
        'FROM "service_inspection_plan-service_site" r '
        'JOIN service_inspection_plan_phase p ON p.plan = r.plan '
        'WHERE r.plan = %s',
        (company.id, plan.start_date, plan.start_date, plan.id))
    cursor.execute(
        'INSERT INTO service_inspection_line '
        '(inspection, equipment, item, create_uid, create_date) '
        'SELECT i.id, e.id, it.id, 0, now() '
        'FROM service_inspection i '
        'JOIN service_equipment e ON e.site = i.site '
        'JOIN service_inspection_checklist_item it '
        'ON it.phase IS NULL OR it.phase = i.phase '
        'WHERE i.plan = %s', (plan.id,))
    return time.perf_counter() - begin


if __name__ == '__main__':
    main()

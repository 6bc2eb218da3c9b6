#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: ticket intake with service contracts against without.

Builds twice --contracts schools, each with a site and its share of
--items equipment, and --contracts running contracts covering half of the
schools: by item, by product category, by site or by customer (a quarter
each).  Then creates tickets in batches through ``service.ticket.create``
(number, cover, promised times), alternately for the equipment of covered
schools and of schools without a contract (the order turns every round),
so that the load of the machine weighs on each the same.  Both look for
their cover (one query for the batch); the covered ones also take their
promised times from the contract's calendar.  The ratio is the median of
the per-round ratios.  Target: with contracts at most 10 % slower
(ratio <= 1.10).

    bench/contract_intake.py [--contracts 5000] [--items 50000]
        [--count 5000] [--batch 500] [--uri postgresql://127.0.0.1:5432/]
"""
import datetime as dt
import os
import statistics
import time
from decimal import Decimal

import benchtools

START = dt.datetime(2026, 4, 3, 11, 30)
KINDS = ['equipment', 'category', 'site', 'customer']


def main():
    arguments = benchtools.parser(__doc__)
    arguments.add_argument('--contracts', type=int, default=5000)
    arguments.add_argument('--items', type=int, default=50000)
    arguments.add_argument('--count', type=int, default=5000,
        help="tickets of each kind")
    arguments.add_argument('--batch', type=int, default=500)
    args = benchtools.configure(arguments.parse_args())

    from trytond.pool import Pool

    from service_desk.tests.tools import service_database

    database = f'bench_contract_{os.getpid()}'
    with service_database(name=database, uri=args.uri, create=True,
            drop=True) as (transaction, company):
        pool = Pool()
        Ticket = pool.get('service.ticket')
        begin = time.perf_counter()
        covered, uncovered = base(transaction, company, args)
        print(f"{args.contracts} contracts, {args.items} items and "
            f"{2 * args.contracts} schools built in "
            f"{time.perf_counter() - begin:.0f} s")
        benchtools.as_served()

        def creator(items):
            def create(i):
                return Ticket.create([ticket_values(items[j % len(items)], j)
                        for j in range(i, i + args.batch)])
            return create
        creators = {
            'with contracts': creator(covered),
            'without contracts': creator(uncovered),
            }
        results = measure(transaction, args, creators)
        found = Ticket.search([('contract', '!=', None)], count=True)

    rounds = len(results['without contracts'])
    print(f"{args.count} tickets of each kind in batches of {args.batch} "
        f"on {args.uri}, {rounds} rounds alternated; {found} covered; "
        f"{benchtools.load()}")
    without = results['without contracts']
    for name, times in results.items():
        seconds = sum(times)
        ratio = statistics.median(
            t / w for t, w in zip(times, without, strict=True))
        print(f"{name:<20} {seconds:8.2f} s "
            f"{args.count / seconds:10.0f} /s  median batch "
            f"{statistics.median(times):6.3f} s  {ratio:5.2f}x without")
    ratio = statistics.median(t / w for t, w in zip(
            results['with contracts'], without, strict=True))
    print(f"with/without median ratio: {ratio:.2f} (target <= 1.10)")
    benchtools.figures(
        f"service.ticket.create with {args.contracts} contracts and "
        f"{args.items} items: {args.count} in batches of {args.batch}, "
        f"median ratio {ratio:.2f} to tickets without contracts "
        f"(target <= 1.10)")


def ticket_values(item, i):
    equipment, site, party = item
    return {
        'party': party,
        'site': site,
        'equipment': equipment,
        'subject': f"Ticket {i}",
        'received_at': START + dt.timedelta(minutes=i),
        'priority': ['urgent', 'high', 'normal', 'low'][i % 4],
        }


def base(transaction, company, args):
    """Create the schools, their sites and equipment, and the running
    contracts of half of them; return the (equipment, site, party) of the
    covered schools and of the others"""
    from trytond.pool import Pool
    pool = Pool()
    Party = pool.get('party.party')
    Site = pool.get('service.site')
    Equipment = pool.get('service.equipment')
    Template = pool.get('product.template')
    Category = pool.get('product.category')
    Uom = pool.get('product.uom')
    Contract = pool.get('service.contract')

    unit, = Uom.search([('name', '=', 'Unit')])
    category, = Category.create([{'name': "Projectors"}])
    template, = Template.create([{
                'name': "Projector", 'default_uom': unit.id,
                'type': 'goods', 'categories': [('add', [category.id])],
                'products': [('create', [{}])]}])
    product = template.products[0]
    schools = 2 * args.contracts
    per_school = max(args.items // schools, 1)
    step = 1000
    items = []
    for first in range(0, schools, step):
        names = range(first, min(first + step, schools))
        parties = Party.create([{'name': f"School {i}"} for i in names])
        sites = Site.create([{
                    'name': p.name, 'party': p.id, 'company': company.id}
                for p in parties])
        equipment = Equipment.create([{
                    'site': s.id, 'company': company.id,
                    'product': product.id}
                for s in sites for _ in range(per_school)])
        for n, site in enumerate(sites):
            items.append([(e.id, site.id, site.party.id)
                    for e in equipment[n * per_school:(n + 1) * per_school]])
        transaction.commit()
    covered, uncovered = [], []
    for first in range(0, args.contracts, step):
        vlist = []
        for i in range(first, min(first + step, args.contracts)):
            school = items[2 * i]
            equipment, site, party = school[0]
            kind = KINDS[i % len(KINDS)]
            line = {
                'parts_coverage': 'all', 'labour_covered': True,
                'normal_response_hours': 4, 'normal_resolution_hours': 16,
                'high_response_hours': 2, 'high_resolution_hours': 8,
                }
            if kind == 'equipment':
                line['equipment'] = equipment
                line['site'] = site
            elif kind == 'category':
                line['product_category'] = category.id
            elif kind == 'site':
                line['site'] = site
            vlist.append({
                    'party': party, 'company': company.id,
                    'start_date': dt.date(2026, 1, 1),
                    'end_date': dt.date(2026, 12, 31),
                    'price': Decimal(1000), 'calendar': 'working',
                    'lines': [('create', [line])],
                    })
            covered.append(school[0] if kind == 'equipment' else school[-1])
        contracts = Contract.create(vlist)
        Contract.run(contracts)
        transaction.commit()
    for i in range(args.contracts):
        uncovered.append(items[2 * i + 1][-1])
    return covered, uncovered


def measure(transaction, args, creators):
    "Time one batch of each creator per round, in a turning order"
    names = list(creators)
    results = {n: [] for n in names}
    for round_, i in enumerate(range(0, args.count, args.batch)):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            begin = time.perf_counter()
            creators[name](i)
            transaction.commit()
            results[name].append(time.perf_counter() - begin)
    return results


if __name__ == '__main__':
    main()

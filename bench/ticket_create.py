#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: creating tickets through the ORM on PostgreSQL.

Creates tickets in batches through ``service.ticket.create`` (number from
the company sequence, deadlines on the working calendar; each ticket with
its customer, site, equipment and contact, as the intake form fills them)
next to ``party.party.create`` of as many parties (which also takes a
sequence number per record) and a raw SQL insert of as many ticket rows.
The three alternate batch by batch (the order turns every round), so that
the load of the machine weighs on each the same; the ratio is the median
of the per-round ratios.  Target: tickets at least as fast as parties.

    bench/ticket_create.py [--count 20000] [--batch 1000]
        [--uri postgresql://127.0.0.1:5432/]
"""
import argparse
import datetime as dt
import os
import statistics
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=20000)
    parser.add_argument('--batch', type=int, default=1000)
    parser.add_argument(
        '--uri', default=os.environ.get(
            'TRYTOND_DATABASE_URI', 'postgresql://127.0.0.1:5432/'))
    args = parser.parse_args()

    from service_desk.tests.tools import service_database
    from trytond.pool import Pool

    with service_database(name=f'bench_ticket_{os.getpid()}',
            uri=args.uri, create=True, drop=True) as (
            transaction, company):
        pool = Pool()
        Party = pool.get('party.party')
        Ticket = pool.get('service.ticket')
        Site = pool.get('service.site')
        Equipment = pool.get('service.equipment')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        customers = Party.create([{
                    'name': f"School {i}",
                    'contact_mechanisms': [('create', [{
                                    'type': 'phone',
                                    'value': f'+86 10 6{i:03d} 0000',
                                    }])],
                    } for i in range(100)])
        sites = Site.create([{
                    'name': c.name, 'party': c.id,
                    'company': company.id} for c in customers])
        unit, = Uom.search([('name', '=', 'Unit')])
        template, = Template.create([{
                    'name': "Projector", 'default_uom': unit.id,
                    'type': 'goods', 'products': [('create', [{}])]}])
        equipment = Equipment.create([{
                    'site': s.id, 'company': company.id,
                    'product': template.products[0].id}
                for s in sites])
        transaction.commit()
        start = dt.datetime(2026, 4, 3, 11, 30)

        def ticket_values(i):
            customer = customers[i % 100]
            return {
                'party': customer.id,
                'site': sites[i % 100].id,
                'equipment': equipment[i % 100].id,
                'contact': customer.contact_mechanisms[0].id,
                'subject': f"Ticket {i}",
                'received_at': start + dt.timedelta(minutes=i),
                'priority': ['urgent', 'high', 'normal', 'low'][i % 4],
                }

        table = Ticket.__table__()
        columns = [
            table.company, table.party, table.site, table.equipment,
            table.contact, table.subject, table.received_at,
            table.priority, table.state, table.channel, table.type,
            table.number]
        cursor = transaction.connection.cursor()
        creators = {
            'party.party.create': lambda i: Party.create([
                    {'name': f"Party {j}"}
                    for j in range(i, i + args.batch)]),
            'service.ticket.create': lambda i: Ticket.create([
                    ticket_values(j)
                    for j in range(i, i + args.batch)]),
            'raw SQL insert': lambda i: cursor.execute(
                *table.insert(columns, [[
                            company.id, customers[j % 100].id,
                            sites[j % 100].id,
                            equipment[j % 100].id,
                            customers[j % 100].contact_mechanisms[
                                0].id,
                            f"Raw {j}", start, 'normal', 'draft',
                            'phone', 'repair', f"R{j}"]
                        for j in range(i, i + args.batch)])),
            }
        results = measure(transaction, args, creators)

    rounds = len(results['party.party.create'])
    print(f"{args.count} records in batches of {args.batch} on {args.uri}, "
        f"{rounds} rounds alternated; load: "
        + os.popen('uptime').read().strip())
    party = results['party.party.create']
    for name, times in results.items():
        seconds = sum(times)
        ratio = statistics.median(t / p for t, p in zip(
                times, party, strict=True))
        print(f"{name:<24} {seconds:8.2f} s {args.count / seconds:10.0f} /s"
            f"  median batch {statistics.median(times):6.3f} s"
            f"  {ratio:5.2f}x party")
    ratio = statistics.median(t / p for t, p in zip(
            results['service.ticket.create'], party, strict=True))
    print(f"ticket/party median ratio: {ratio:.2f} (target <= 1.00)")


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

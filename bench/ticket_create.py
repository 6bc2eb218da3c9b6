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

With --clients N, N processes instead create the tickets at the same time,
one per transaction as customer service and the mailbox save them, next to
N processes creating as many parties the same way; tickets and parties
alternate over --rounds rounds.  It prints the tickets and parties per
second, the retries the database asked for and the median ratio.

    bench/ticket_create.py [--count 20000] [--batch 1000]
        [--clients N] [--rounds 3] [--uri postgresql://127.0.0.1:5432/]
"""
import argparse
import datetime as dt
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import benchtools

START = dt.datetime(2026, 4, 3, 11, 30)


def ticket_values(i, customers, sites, equipment):
    customer = customers[i % len(customers)]
    return {
        'party': customer.id,
        'site': sites[i % len(sites)].id,
        'equipment': equipment[i % len(equipment)].id,
        'contact': customer.contact_mechanisms[0].id,
        'subject': f"Ticket {i}",
        'received_at': START + dt.timedelta(minutes=i),
        'priority': ['urgent', 'high', 'normal', 'low'][i % 4],
        }


def main():
    arguments = benchtools.parser(__doc__)
    arguments.add_argument('--count', type=int, default=20000)
    arguments.add_argument('--batch', type=int, default=1000)
    arguments.add_argument('--clients', type=int, default=0,
        help="processes creating at the same time, one record per "
        "transaction")
    arguments.add_argument('--rounds', type=int, default=3,
        help="rounds of tickets and parties with --clients")
    arguments.add_argument('--worker', nargs=4,
        metavar=('DATABASE', 'KIND', 'FIRST', 'COUNT'),
        help=argparse.SUPPRESS)
    args = benchtools.configure(arguments.parse_args())
    if args.worker:
        return worker(*args.worker)

    from trytond.pool import Pool

    from service_desk.tests.tools import service_database

    database = f'bench_ticket_{os.getpid()}'
    with service_database(name=database, uri=args.uri, create=True,
            drop=True) as (transaction, company):
        pool = Pool()
        Party = pool.get('party.party')
        Ticket = pool.get('service.ticket')
        customers, sites, equipment = base(company)
        transaction.commit()
        benchtools.as_served()
        if args.clients:
            return concurrent(args, database)

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
                    ticket_values(j, customers, sites, equipment)
                    for j in range(i, i + args.batch)]),
            'raw SQL insert': lambda i: cursor.execute(
                *table.insert(columns, [[
                            company.id, customers[j % 100].id,
                            sites[j % 100].id,
                            equipment[j % 100].id,
                            customers[j % 100].contact_mechanisms[
                                0].id,
                            f"Raw {j}", START, 'normal', 'draft',
                            'phone', 'repair', f"R{j}"]
                        for j in range(i, i + args.batch)])),
            }
        results = measure(transaction, args, creators)

    rounds = len(results['party.party.create'])
    print(f"{args.count} records in batches of {args.batch} on {args.uri}, "
        f"{rounds} rounds alternated; {benchtools.load()}")
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
    benchtools.figures(
        f"service.ticket.create: {args.count} in batches of {args.batch}, "
        f"median ratio {ratio:.2f} to party.party.create (target <= 1.00)")


def base(company):
    "Create 100 customers with a phone, their sites and equipment"
    from trytond.pool import Pool
    pool = Pool()
    Party = pool.get('party.party')
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
    return customers, sites, equipment


def concurrent(args, database):
    """Run --rounds rounds of --clients processes creating tickets, then
    parties (the order turns every round), one per transaction"""
    per_client = max(args.count // args.clients, 1)
    results = {'tickets': [], 'parties': []}
    retries = {'tickets': 0, 'parties': 0}
    for round_ in range(args.rounds):
        kinds = ['tickets', 'parties']
        if round_ % 2:
            kinds.reverse()
        for kind in kinds:
            seconds, retried = run_clients(
                args, database, kind, round_ * per_client * args.clients,
                per_client)
            results[kind].append(seconds)
            retries[kind] += retried
    count = per_client * args.clients
    print(f"{args.clients} clients creating {count} records each round, one "
        f"per transaction, {args.rounds} rounds alternated on {args.uri}; "
        f"{benchtools.load()}")
    for kind, times in results.items():
        rates = [count / t for t in times]
        print(f"{kind:<8} {statistics.median(rates):8.1f} /s (median; "
            f"{min(rates):.1f} to {max(rates):.1f}), "
            f"{retries[kind]} retries")
    ratio = statistics.median(t / p for t, p in zip(
            results['tickets'], results['parties'], strict=True))
    print(f"{args.clients} clients: ticket/party median ratio: {ratio:.2f}")
    benchtools.figures(
        f"service.ticket.create by {args.clients} clients: {count} a round, "
        f"median ratio {ratio:.2f} to party.party.create")


def run_clients(args, database, kind, first, per_client):
    "Time the clients from the go to the last commit"
    with tempfile.TemporaryDirectory() as directory:
        go = pathlib.Path(directory, 'go')
        env = dict(os.environ, GO_FILE=str(go))
        processes = [subprocess.Popen([
                    sys.executable, __file__, '--uri', args.uri,
                    '--worker', database, kind,
                    str(first + n * per_client), str(per_client)],
                env=env, stdout=subprocess.PIPE, text=True)
            for n in range(args.clients)]
        while len(list(pathlib.Path(directory).glob('ready-*'))) < len(
                processes):
            if any(p.poll() not in {None, 0} for p in processes):
                raise RuntimeError(f"a {kind} client failed")
            time.sleep(0.05)
        go.touch()
        reports = []
        for process in processes:
            out, _ = process.communicate()
            if process.returncode:
                raise RuntimeError(f"a {kind} client failed")
            reports.append(json.loads(out))
    seconds = (max(r['end'] for r in reports)
        - min(r['start'] for r in reports))
    return seconds, sum(r['retries'] for r in reports)


def worker(database, kind, first, count):
    "Create count records one per transaction, retrying as trytond does"
    os.environ['DB_NAME'] = database
    from trytond import backend
    from trytond.pool import Pool

    from service_desk.tests.tools import service_database

    first, count = int(first), int(count)
    with service_database() as (transaction, company):
        pool = Pool()
        Party = pool.get('party.party')
        Ticket = pool.get('service.ticket')
        Site = pool.get('service.site')
        Equipment = pool.get('service.equipment')
        customers = Party.search(
            [('name', 'like', 'School %')], order=[('id', 'ASC')])
        sites = Site.search([], order=[('id', 'ASC')])
        equipment = Equipment.search([], order=[('id', 'ASC')])
        benchtools.as_served()
        if kind == 'tickets':
            def create(i):
                Ticket.create([ticket_values(
                            i, customers, sites, equipment)])
        else:
            def create(i):
                Party.create([{'name': f"Party {i}"}])
        transaction.commit()
        go = pathlib.Path(os.environ['GO_FILE'])
        go.with_name(f'ready-{os.getpid()}').touch()
        while not go.exists():
            time.sleep(0.005)
        start, retries = time.time(), 0
        for i in range(first, first + count):
            while True:
                try:
                    create(i)
                    transaction.commit()
                    break
                except backend.DatabaseOperationalError:
                    transaction.rollback()
                    retries += 1
        end = time.time()
    print(json.dumps({'start': start, 'end': end, 'retries': retries}))


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

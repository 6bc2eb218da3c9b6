#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: creating tickets through the ORM on PostgreSQL.

Creates N tickets in batches through ``service.ticket.create`` (number from
the company sequence, deadlines on the working calendar) and prints the
rate next to ``party.party.create`` of N parties (which also takes a
sequence number per record) and a raw SQL insert of N ticket rows, all in
the same run on the same database.  Target: tickets at least as fast as
parties.

    bench/ticket_create.py [--count 20000] [--batch 1000]
        [--uri postgresql://127.0.0.1:5432/]
"""
import argparse
import datetime as dt
import os
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=20000)
    parser.add_argument('--batch', type=int, default=1000)
    parser.add_argument(
        '--uri', default=os.environ.get(
            'TRYTOND_DATABASE_URI', 'postgresql://127.0.0.1:5432/'))
    args = parser.parse_args()
    os.environ['TRYTOND_DATABASE_URI'] = args.uri
    os.environ['DB_NAME'] = f'bench_ticket_{os.getpid()}'
    os.environ.setdefault('DB_CACHE', '')

    from trytond.modules.company.tests import create_company, set_company
    from trytond.pool import Pool
    from trytond.tests.test_tryton import (
        DB_NAME, activate_module, drop_db)
    from trytond.transaction import Transaction

    activate_module('service_desk')
    try:
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            Party = pool.get('party.party')
            Ticket = pool.get('service.ticket')
            company = create_company()
            customer, = Party.create([{'name': "Customer"}])
            transaction.commit()
            start = dt.datetime(2026, 4, 3, 11, 30)

            def ticket_values(i):
                return {
                    'party': customer.id,
                    'subject': f"Ticket {i}",
                    'received_at': start + dt.timedelta(minutes=i),
                    'priority': ['urgent', 'high', 'normal', 'low'][i % 4],
                    }

            results = {}
            with set_company(company):
                results['party.party.create'] = measure(
                    transaction, args, lambda i: Party.create([
                            {'name': f"Party {j}"}
                            for j in range(i, i + args.batch)]))
                results['service.ticket.create'] = measure(
                    transaction, args, lambda i: Ticket.create([
                            ticket_values(j)
                            for j in range(i, i + args.batch)]))
                table = Ticket.__table__()
                columns = [
                    table.company, table.party, table.subject,
                    table.received_at, table.priority, table.state,
                    table.channel, table.type, table.number]
                cursor = transaction.connection.cursor()
                results['raw SQL insert'] = measure(
                    transaction, args, lambda i: cursor.execute(
                        *table.insert(columns, [[
                                    company.id, customer.id, f"Raw {j}",
                                    start, 'normal', 'draft', 'phone',
                                    'repair', f"R{j}"]
                                for j in range(i, i + args.batch)])))
    finally:
        drop_db()

    print(f"{args.count} records in batches of {args.batch} on {args.uri}")
    base = results['party.party.create']
    for name, seconds in results.items():
        print(f"{name:<24} {seconds:8.2f} s {args.count / seconds:10.0f} /s"
            f"  {seconds / base:5.2f}x party")
    ratio = results['service.ticket.create'] / base
    print(f"ticket/party time ratio: {ratio:.2f} (target <= 1.00)")


def measure(transaction, args, create):
    begin = time.perf_counter()
    for i in range(0, args.count, args.batch):
        create(i)
        transaction.commit()
    return time.perf_counter() - begin


if __name__ == '__main__':
    main()

#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: approving and issuing spare-parts requisitions on PostgreSQL.

With R requisitions of L lines each (one per part, one unit, the parts in
stock in the warehouse), already requested (their draft moves created),
times ``service.requisition`` approve then issue of all of them at once
and prints it next to ``stock.move`` assign_try then do of as many draft
moves created directly (same parts, locations and quantities, from the
same stock: the requisitions are rolled back first), in the same run.
The baseline is also printed with the creation of its moves, which the
requisitions do at request, outside the timing.  Target: requisitions
<= 1.3x moves.

    bench/requisition_issue.py [--requisitions 5000] [--lines 3]
        [--batch 500] [--reserve] [--uri postgresql://127.0.0.1:5432/]
"""
import argparse
import os
import time
from decimal import Decimal


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--requisitions', type=int, default=5000)
    parser.add_argument('--lines', type=int, default=3)
    parser.add_argument('--batch', type=int, default=500)
    parser.add_argument(
        '--reserve', action='store_true',
        help="keep one unit of each part for critical equipment")
    parser.add_argument(
        '--profile', action='store_true',
        help="print where approve and issue spend their time")
    parser.add_argument(
        '--uri', default=os.environ.get(
            'TRYTOND_DATABASE_URI', 'postgresql://127.0.0.1:5432/'))
    args = parser.parse_args()
    os.environ['TRYTOND_DATABASE_URI'] = args.uri
    os.environ['DB_NAME'] = f'bench_requisition_{os.getpid()}'
    os.environ.setdefault('DB_CACHE', '')

    from trytond.modules.company.tests import create_company, set_company
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
    from trytond.transaction import Transaction

    activate_module('service_desk')
    try:
        with Transaction().start(DB_NAME, 0) as transaction:
            company = create_company()
            with set_company(company):
                ids, values = populate(Pool(), transaction, company, args)
                transaction.commit()
                vacuum(transaction)

                Requisition = Pool().get('service.requisition')
                requisitions = Requisition.browse(ids)
                begin = time.perf_counter()
                if args.profile:
                    import cProfile
                    import pstats
                    profile = cProfile.Profile()
                    profile.runcall(issue, Requisition, requisitions)
                    pstats.Stats(profile).sort_stats('cumulative').print_stats(
                        40)
                else:
                    issue(Requisition, requisitions)
                issued = time.perf_counter() - begin
                done = check(transaction, Requisition, ids)
                # The baseline starts from the same stock
                transaction.rollback()
                vacuum(transaction)

                created, moved = baseline(transaction, values)
    finally:
        drop_db()

    print(f"{args.requisitions} requisitions x {args.lines} lines on "
        f"{args.uri}: {done} moves issued"
        + (", 1 unit of each part reserved" if args.reserve else ""))
    print(f"requisition approve + issue        {issued:8.2f} s")
    print(f"stock.move assign_try + do         {moved:8.2f} s")
    print(f"stock.move create + assign_try + do {created + moved:7.2f} s")
    print(f"requisition/move ratio: {issued / moved:.2f} (target <= 1.30); "
        f"with the moves' creation: {issued / (created + moved):.2f}")


def populate(pool, transaction, company, args):
    """Parts in stock, a requester and the requested requisitions; return
    their ids and the values of the same moves"""
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Location = pool.get('stock.location')
    Move = pool.get('stock.move')
    ModelData = pool.get('ir.model.data')
    Date = pool.get('ir.date')
    Configuration = pool.get('service.configuration')
    Requisition = pool.get('service.requisition')

    party, = Party.create([{'name': "Field Engineer"}])
    requester, = Employee.create([{
                'party': party.id, 'company': company.id}])
    unit, = Uom.search([('name', '=', 'Unit')])
    reserve = 1 if args.reserve else None
    templates = Template.create([{
                'name': f"Part {i}", 'default_uom': unit.id,
                'type': 'goods', 'service_critical_reserve': reserve,
                'products': [('create', [{'cost_price': Decimal(10)}])],
                } for i in range(args.lines)])
    products = [t.products[0] for t in templates]
    warehouse, = Location.search([('type', '=', 'warehouse')])
    storage = warehouse.storage_location
    lost_found = ModelData.get_id('stock', 'location_lost_found')
    today = Date.today()
    stock = Move.create([{
                'product': p.id, 'unit': unit.id,
                'quantity': args.requisitions + (reserve or 0),
                'from_location': lost_found, 'to_location': storage.id,
                'company': company.id, 'planned_date': today,
                } for p in products])
    Move.do(stock)

    ids = []
    for i in range(0, args.requisitions, args.batch):
        requisitions = Requisition.create([{
                    'company': company.id,
                    'requester': requester.id,
                    'warehouse': warehouse.id,
                    'reason': f"Repair {j}",
                    'lines': [('create', [{
                                    'product': p.id, 'quantity': 1,
                                    'unit': unit.id,
                                    'from_location': storage.id,
                                    } for p in products])],
                    } for j in range(
                    i, min(i + args.batch, args.requisitions))])
        Requisition.request(requisitions)
        ids.extend(r.id for r in requisitions)
        transaction.commit()

    destination = Configuration(1).consumption_location
    values = [{
            'product': p.id, 'unit': unit.id, 'quantity': 1,
            'from_location': storage.id, 'to_location': destination.id,
            'company': company.id, 'planned_date': today,
            } for _ in range(args.requisitions) for p in products]
    return ids, values


def issue(Requisition, requisitions):
    Requisition.approve(requisitions)
    Requisition.issue(requisitions)


def check(transaction, Requisition, ids):
    "Assert all the requisitions are issued with all their moves done"
    cursor = transaction.connection.cursor()
    cursor.execute(
        'SELECT COUNT(*) FROM service_requisition WHERE state = %s',
        ('issued',))
    issued, = cursor.fetchone()
    assert issued == len(ids), (issued, len(ids))
    cursor.execute(
        'SELECT m.state, COUNT(*) FROM stock_move m '
        'JOIN service_requisition_line l '
        "ON m.origin = 'service.requisition.line,' || l.id "
        'GROUP BY m.state')
    states = dict(cursor.fetchall())
    cursor.execute('SELECT COUNT(*) FROM service_requisition_line')
    lines, = cursor.fetchone()
    assert states == {'done': lines}, states
    return lines


def baseline(transaction, values):
    "Return the times to create the moves and to assign_try and do them"
    from trytond.pool import Pool
    Move = Pool().get('stock.move')

    begin = time.perf_counter()
    moves = Move.create(values)
    created = time.perf_counter() - begin
    transaction.commit()
    vacuum(transaction)

    moves = Move.browse([m.id for m in moves])
    begin = time.perf_counter()
    assigned = Move.assign_try(moves)
    Move.do(moves)
    moved = time.perf_counter() - begin
    assert assigned
    assert {m.state for m in Move.browse([m.id for m in moves])} == {'done'}
    return created, moved


def vacuum(transaction):
    "Clean and analyze the tables so that both runs see the same database"
    database = transaction.database
    connection = database.get_connection(autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute('VACUUM ANALYZE')
    finally:
        database.put_connection(connection)


if __name__ == '__main__':
    main()

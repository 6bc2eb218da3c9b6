#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: approving and issuing spare-parts requisitions on PostgreSQL.

With R requisitions of L lines each (one per part, one unit, the parts in
stock in the warehouse, one unit of each kept for critical equipment
unless --no-reserve), already requested (their draft moves created),
times ``service.requisition`` approve then issue, as the parts keeper with
access checks on (the value under the manager's limit is checked), next
to ``stock.move`` assign_try then do, as the same keeper, of as many draft
moves created directly (same parts, locations and quantities; their
creation is outside the timing, as the requisitions create theirs at
request).  The two alternate batch by batch over the rounds, in a turning
order, from the same stock; the ratio is the median of the per-round
ratios.  Target: requisitions <= 1.3x moves.

    bench/requisition_issue.py [--requisitions 5000] [--lines 3]
        [--batch 500] [--no-reserve] [--uri postgresql://127.0.0.1:5432/]
"""
import os
import statistics
import time
from decimal import Decimal

import benchtools


def main():
    parser = benchtools.parser(__doc__)
    parser.add_argument('--requisitions', type=int, default=5000)
    parser.add_argument('--lines', type=int, default=3)
    parser.add_argument('--batch', type=int, default=500)
    parser.add_argument(
        '--no-reserve', dest='reserve', action='store_false',
        help="keep no unit of the parts for critical equipment")
    args = benchtools.configure(parser.parse_args())

    from service_desk.tests.tools import service_database
    from trytond.pool import Pool

    with service_database(name=f'bench_requisition_{os.getpid()}',
            uri=args.uri, create=True, drop=True) as (
            transaction, company):
        ids, values, keeper = populate(
            Pool(), transaction, company, args)
        transaction.commit()
        vacuum(transaction)
        issued, moved = [], []
        batches = range(0, args.requisitions, args.batch)
        for round_, i in enumerate(batches):
            batch = ids[i:i + args.batch]
            moves = values[i * args.lines:
                (i + args.batch) * args.lines]
            runs = [
                lambda batch=batch: issued.append(
                    issue(transaction, keeper, batch, args)),
                lambda moves=moves: moved.append(
                    baseline(transaction, keeper, moves)),
                ]
            for run in runs if round_ % 2 else runs[::-1]:
                run()
        done = check(transaction, ids)

    ratio = statistics.median(
        i / m for i, m in zip(issued, moved, strict=True))
    print(f"{args.requisitions} requisitions x {args.lines} lines on "
        f"{args.uri}: {done} moves issued"
        + (", 1 unit of each part reserved" if args.reserve else "")
        + f"; {len(issued)} rounds of {args.batch} alternated; "
        + benchtools.load())
    print(f"requisition approve + issue (keeper) {sum(issued):8.2f} s  "
        f"median batch {statistics.median(issued):6.2f} s")
    print(f"stock.move assign_try + do (keeper)  {sum(moved):8.2f} s  "
        f"median batch {statistics.median(moved):6.2f} s")
    print(f"requisition/move median ratio: {ratio:.2f} (target <= 1.30)")
    benchtools.figures(
        f"requisitions issued: {args.requisitions} x {args.lines} lines, "
        f"median ratio {ratio:.2f} to stock.move assign + do "
        "(target <= 1.30)")


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
    # enough for the requisitions and the baseline's moves
    stock = Move.create([{
                'product': p.id, 'unit': unit.id,
                'quantity': 2 * args.requisitions + (reserve or 0),
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
    User = pool.get('res.user')
    party, = Party.create([{'name': "Keeper"}])
    employee, = Employee.create([{
                'party': party.id, 'company': company.id}])
    keeper, = User.create([{
                'login': 'keeper', 'name': "Keeper",
                'groups': [('add', [ModelData.get_id(
                                'service_desk',
                                'group_service_parts_keeper')])],
                'companies': [('add', [company.id])],
                'company': company.id,
                'employees': [('add', [employee.id])],
                'employee': employee.id,
                }])
    return ids, values, (keeper.id, employee.id)


def issue(transaction, keeper, ids, args):
    "Approve and issue the requisitions as the keeper; return the time"
    from trytond.pool import Pool
    user, employee = keeper
    begin = time.perf_counter()
    with transaction.set_user(user), transaction.set_context(
            employee=employee, _check_access=True):
        Requisition = Pool().get('service.requisition')
        requisitions = Requisition.browse(ids)
        Requisition.approve(requisitions)
        Requisition.issue(requisitions)
    transaction.commit()
    return time.perf_counter() - begin


def check(transaction, ids):
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


def baseline(transaction, keeper, values):
    """Create the moves (not timed), then assign_try and do them as the
    keeper; return the time"""
    from trytond.pool import Pool
    Move = Pool().get('stock.move')
    user, employee = keeper

    moves = Move.create(values)
    transaction.commit()
    begin = time.perf_counter()
    with transaction.set_user(user), transaction.set_context(
            employee=employee, _check_access=True):
        moves = Move.browse([m.id for m in moves])
        assigned = Move.assign_try(moves)
        Move.do(moves)
    transaction.commit()
    elapsed = time.perf_counter() - begin
    assert assigned
    assert {m.state for m in Move.browse([m.id for m in moves])} == {'done'}
    return elapsed


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

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A process of the requisition concurrency test, on the database DB_NAME.

    python requisition_concurrency_worker.py setup REQUISITIONS UNITS
    python requisition_concurrency_worker.py issue GO_FILE ID...
    python requisition_concurrency_worker.py count
    python requisition_concurrency_worker.py drop

``issue`` issues each requisition in its own transaction and retries it
when the database refuses the transaction, as trytond's dispatcher does
for a request; it prints what happened to each requisition as JSON.
"""
import json
import os
import sys
import time
from decimal import Decimal

from service_desk.tests.tools import service_database


def setup(requisitions, units):
    from trytond.pool import Pool

    with service_database(create=True) as (transaction, company):
        pool = Pool()
        Party = pool.get('party.party')
        Employee = pool.get('company.employee')
        Template = pool.get('product.template')
        Uom = pool.get('product.uom')
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')
        Requisition = pool.get('service.requisition')
        employee = Employee(
            party=Party(name="Field"), company=company)
        employee.party.save()
        employee.save()
        unit, = Uom.search([('name', '=', 'Unit')])
        template, = Template.create([{
                    'name': "Projector lamp", 'default_uom': unit.id,
                    'type': 'goods', 'products': [('create', [{}])]}])
        lamp, = template.products
        lamp.cost_price = Decimal(300)
        lamp.save()
        warehouse, = Location.search([('type', '=', 'warehouse')])
        storage = warehouse.storage_location
        requisitions = Requisition.create([{
                    'requester': employee.id,
                    'lines': [('create', [{
                                    'product': lamp.id,
                                    'quantity': 1,
                                    'unit': unit.id,
                                    'from_location': storage.id,
                                    }])],
                    } for _ in range(requisitions)])
        # requested and approved while the warehouse is empty: all
        # wait for the lamps
        Requisition.request(requisitions)
        Requisition.approve(requisitions)
        lost_found = Location(pool.get('ir.model.data').get_id(
                'stock', 'location_lost_found'))
        moves = Move.create([{
                    'product': lamp.id,
                    'quantity': units,
                    'unit': unit.id,
                    'from_location': lost_found.id,
                    'to_location': storage.id,
                    'company': company.id,
                    }])
        Move.do(moves)
        transaction.commit()
        print(json.dumps([r.id for r in requisitions]))


def issue(go_file, ids):
    from trytond import backend
    from trytond.exceptions import UserError
    from trytond.pool import Pool

    while not os.path.exists(go_file):
        time.sleep(0.01)
    results, retries = {}, 0
    for id_ in ids:
        deadline = time.monotonic() + 120
        attempt = 0
        while True:
            with service_database() as (transaction, _):
                Requisition = Pool().get('service.requisition')
                try:
                    Requisition.issue([Requisition(id_)])
                    transaction.commit()
                    results[id_] = 'issued'
                    break
                except UserError as exception:
                    transaction.rollback()
                    results[id_] = exception.message
                    break
                except backend.DatabaseOperationalError:
                    transaction.rollback()
                    if time.monotonic() > deadline:
                        raise
                    retries += 1
                    attempt += 1
                    time.sleep(0.02 * attempt)
    print(json.dumps({'results': results, 'retries': retries}))


def count():
    from trytond.pool import Pool

    with service_database() as (transaction, _):
        pool = Pool()
        Location = pool.get('stock.location')
        Product = pool.get('product.product')
        Move = pool.get('stock.move')
        warehouse, = Location.search([('type', '=', 'warehouse')])
        storage = warehouse.storage_location
        product, = Product.search([('type', '=', 'goods')])
        with transaction.set_context(locations=[storage.id]):
            stock = Product(product.id).quantity
        done = Move.search([
                ('origin', 'like', 'service.requisition.line,%'),
                ('state', '=', 'done'),
                ])
        assigned = Move.search([
                ('origin', 'like', 'service.requisition.line,%'),
                ('state', '=', 'assigned'),
                ])
        print(json.dumps({
                    'stock': stock,
                    'issued': sum(m.quantity for m in done),
                    'reserved': sum(m.quantity for m in assigned),
                    }))


def drop():
    from trytond.tests.test_tryton import drop_db
    drop_db()


if __name__ == '__main__':
    command, *args = sys.argv[1:]
    if command == 'setup':
        setup(int(args[0]), int(args[1]))
    elif command == 'issue':
        issue(args[0], [int(a) for a in args[1:]])
    elif command == 'count':
        count()
    elif command == 'drop':
        drop()

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A process of the inspection generator test, on the database DB_NAME.

    python inspection_generator_worker.py setup SITES
    python inspection_generator_worker.py generate GO_FILE
    python inspection_generator_worker.py count
    python inspection_generator_worker.py drop
"""
import datetime as dt
import json
import os
import sys
import time

from service_desk.tests.tools import create_inspected_sites, service_database


def setup(sites):
    from trytond.pool import Pool

    with service_database(create=True) as (transaction, company):
        Plan = Pool().get('service.inspection.plan')
        sites = create_inspected_sites(sites, items=2)
        Plan.create([{
                    'name': "Semester",
                    'start_date': dt.date.today(),
                    'horizon_days': 150,
                    'sites': [('add', [s.id for s in sites])],
                    'phases': [('create', Plan.default_phases())],
                    }])
        transaction.commit()


def generate(go_file):
    from trytond.pool import Pool

    with service_database() as (transaction, _):
        # start the transaction before the other process generates
        transaction.connection.cursor().execute('SELECT 1')
        while not os.path.exists(go_file):
            time.sleep(0.01)
        Plan = Pool().get('service.inspection.plan')
        Plan.generate_inspections()
        transaction.commit()


def count():
    with service_database() as (transaction, _):
        cursor = transaction.connection.cursor()
        cursor.execute('SELECT COUNT(*) FROM service_inspection')
        visits, = cursor.fetchone()
        cursor.execute(
            'SELECT COUNT(*) FROM (SELECT plan, site, cycle_start, phase '
            'FROM service_inspection '
            'GROUP BY plan, site, cycle_start, phase HAVING COUNT(*) > 1) d')
        duplicates, = cursor.fetchone()
        cursor.execute('SELECT COUNT(*) FROM service_inspection_line')
        lines, = cursor.fetchone()
    print(json.dumps(
            {'visits': visits, 'duplicates': duplicates, 'lines': lines}))


def drop():
    from trytond.tests.test_tryton import drop_db
    drop_db()


if __name__ == '__main__':
    command, *args = sys.argv[1:]
    if command == 'setup':
        setup(int(args[0]))
    elif command == 'generate':
        generate(args[0])
    elif command == 'count':
        count()
    elif command == 'drop':
        drop()

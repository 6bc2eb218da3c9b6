# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The database of the scale-out test, DB_NAME on TRYTOND_DATABASE_URI.

    python scale_out_database.py setup PLANS SITES PASSWORD
    python scale_out_database.py drop

setup prints the ids of the plans as JSON; the last plan is inactive.  The
crons other than the inspection generator and the requeuing of interrupted
tasks are deactivated, and those two wait for the test to make them due.
"""
import datetime as dt
import json
import sys

CRONS = [
    'service.inspection.plan|generate_inspections',
    'ir.queue|requeue_interrupted',
    ]


def setup(plans, sites, password):
    from trytond.modules.company.tests import create_company, set_company
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, activate_module
    from trytond.transaction import Transaction

    from service_desk.tests.tools import create_inspected_sites

    activate_module('service_desk')
    with Transaction().start(DB_NAME, 0) as transaction:
        pool = Pool()
        User = pool.get('res.user')
        Cron = pool.get('ir.cron')
        Plan = pool.get('service.inspection.plan')

        Cron.write(Cron.search([('method', 'not in', CRONS)]), {
                'active': False})
        Cron.write(Cron.search([('method', 'in', CRONS)]), {
                'next_call': dt.datetime.now() + dt.timedelta(days=365)})

        company = create_company()
        admin, = User.search([('login', '=', 'admin')])
        User.write([admin], {
                'password': password,
                'companies': [('add', [company.id])],
                'company': company.id,
                })
        with set_company(company):
            records = create_inspected_sites(plans * sites)
            created = Plan.create([{
                        'name': f"Semester {i}",
                        'start_date': dt.date.today(),
                        'horizon_days': 150,
                        'sites': [('add', [
                                    s.id for s in
                                    records[i * sites:(i + 1) * sites]])],
                        'phases': [('create', Plan.default_phases())],
                        'active': i < plans - 1,
                        } for i in range(plans)])
        transaction.commit()
    print(json.dumps([p.id for p in created]))


def drop():
    from trytond.tests.test_tryton import drop_db
    drop_db()


if __name__ == '__main__':
    command, *args = sys.argv[1:]
    if command == 'setup':
        setup(int(args[0]), int(args[1]), args[2])
    elif command == 'drop':
        drop()

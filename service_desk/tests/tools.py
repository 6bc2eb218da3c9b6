# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Helpers for the proteus scenarios of service_desk."
import os
from contextlib import contextmanager
from unittest import mock

from proteus import Model
from proteus.config import get_config

__all__ = ['ROLES', 'USERS', 'create_service_user', 'load_language',
    'set_now', 'service_database']

# role: XML id of its access group in service_desk (R-ROLE-1..6)
ROLES = {
    'manager': 'group_service_manager',
    'technical_engineer': 'group_service_technical_engineer',
    'field_engineer': 'group_service_field_engineer',
    'customer_service': 'group_service_customer_service',
    'parts_keeper': 'group_service_parts_keeper',
    'accountant': 'group_service_accountant',
    }

# roles sent to customer sites
TECHNICIAN_ROLES = {'technical_engineer', 'field_engineer'}

# The users of the service department as the scenarios, the demo and the
# system tests know them: login: (name, role, language)
USERS = {
    'manager': ("王军", 'manager', 'en'),
    'engineer': ("李明", 'technical_engineer', 'en'),
    'field': ("张伟", 'field_engineer', 'en'),
    'field2': ("赵磊", 'field_engineer', 'en'),
    'cs': ("刘芳", 'customer_service', 'en'),
    'keeper': ("陈静", 'parts_keeper', 'en'),
    'accountant': ("孙丽", 'accountant', 'en'),
    }


def create_service_user(
        login, role=None, company=None, language=None, config=None):
    """Create a user of the role, employee of the company

    A login of USERS takes its name, role and language from there, unless
    given."""
    User = Model.get('res.user', config=config)
    Group = Model.get('res.group', config=config)
    Party = Model.get('party.party', config=config)
    Employee = Model.get('company.employee', config=config)
    Lang = Model.get('ir.lang', config=config)
    Company = Model.get('company.company', config=config)
    ModelData = Model.get('ir.model.data', config=config)

    name, default_role, default_language = USERS.get(
        login, (login.title(), None, None))
    role = role or default_role
    language = language or default_language
    context = (config or get_config()).context

    employee = Employee(party=Party(name=name), company=company)
    employee.service_technician = role in TECHNICIAN_ROLES
    employee.party.save()
    employee.save()
    user = User(login=login, name=name)
    user.groups.append(Group(ModelData.get_id(
                'service_desk', ROLES[role], context)))
    user.companies.append(Company(company.id))
    user.company = Company(company.id)
    user.employees.append(Employee(employee.id))
    user.employee = Employee(employee.id)
    if language:
        user.language, = Lang.find([('code', '=', language)])
    user.save()
    return user


def load_language(code, config=None):
    "Make the language translatable and load the translations"
    Lang = Model.get('ir.lang', config=config or get_config())
    lang, = Lang.find([('code', '=', code)])
    lang.click('load_translations')
    return lang


def set_now(value, config=None):
    """Make tickets take value (naive UTC) as the current time, until the
    next call or the end of the scenario (Tryton's doctest tear-down stops
    every patch)"""
    global _now
    config = config or get_config()
    Ticket = config.pool.get('service.ticket')
    if _now:
        _now.stop()
    _now = mock.patch.object(Ticket, '_now', return_value=value)
    _now.start()


_now = None


@contextmanager
def service_database(
        modules='service_desk', *, name=None, uri=None, create=False,
        drop=False):
    """Open a transaction as root on the database of Tryton's test tools
    (DB_NAME) in the context of its company, for the benchmarks and the
    processes of the system tests; yield the transaction and the company

    name and uri set the database before trytond reads its configuration
    (the database cache of the tests then only when DB_CACHE says so);
    create activates the modules in a new database and creates the company
    first; drop drops the database at the end."""
    if uri:
        os.environ['TRYTOND_DATABASE_URI'] = uri
    if name:
        os.environ['DB_NAME'] = name
        os.environ.setdefault('DB_CACHE', '')
    from trytond.modules.company.tests import create_company, set_company
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
    from trytond.transaction import Transaction

    try:
        if create:
            activate_module(modules)
        elif DB_NAME not in Pool.database_list():
            Pool(DB_NAME).init()
        with Transaction().start(DB_NAME, 0) as transaction:
            if create:
                company = create_company()
                # set_company writes the company on the root user, which
                # processes running at once cannot all do
                context = set_company(company)
            else:
                company, = Pool().get('company.company').search([])
                context = transaction.set_context(company=company.id)
            with context:
                yield transaction, company
    finally:
        if drop:
            drop_db()


def create_inspected_sites(count, items=1):
    """Create count schools with items projectors each and a checklist
    of every item, in the current transaction; return the sites"""
    from trytond.pool import Pool
    pool = Pool()
    Party = pool.get('party.party')
    Site = pool.get('service.site')
    Equipment = pool.get('service.equipment')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    Checklist = pool.get('service.inspection.checklist')
    parties = Party.create([{'name': f"School {i}"} for i in range(count)])
    sites = Site.create([{'name': p.name, 'party': p.id} for p in parties])
    unit, = Uom.search([('name', '=', 'Unit')])
    template, = Template.create([{
                'name': "Projector", 'default_uom': unit.id,
                'type': 'goods', 'products': [('create', [{}])]}])
    Equipment.create([{'site': s.id, 'product': template.products[0].id}
            for s in sites for _ in range(items)])
    Checklist.create([{
                'name': "Every item",
                'items': [('create', [{'name': "Powers on"}])],
                }])
    return sites

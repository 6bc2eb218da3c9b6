# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Helpers for the proteus scenarios of service_desk."
import datetime as dt
import os
from contextlib import contextmanager
from unittest import mock

from proteus import Model
from proteus.config import get_config

__all__ = ['ROLES', 'USERS', 'create_service_user', 'insert_history',
    'load_language', 'print_pdf', 'set_now', 'service_database']

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


def print_pdf(report_name, records, language='zh_CN', config=None):
    """Print records with the PDF action of the report in language and
    return its extension, the first bytes of its content and its file name
    """
    from proteus import Report
    config = config or get_config()
    ActionReport = Model.get('ir.action.report', config=config)
    action, = ActionReport.find([
            ('report_name', '=', report_name),
            ('extension', '=', 'pdf'),
            ])
    with config.set_context(language=language):
        ext, content, _, name = Report(report_name, config=config).execute(
            records, {'action_id': action.id})
    return ext, bytes(content[:5]), name


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
    first; drop drops the database at the end.

    On PostgreSQL, create copies the database named by
    SERVICE_DESK_TEMPLATE when it is set (a database with the module
    activated and nothing else, as the benchmarks' smoke tests build one
    for all of them) and activates there the modules it lacks."""
    if uri:
        os.environ['TRYTOND_DATABASE_URI'] = uri
    if name:
        os.environ['DB_NAME'] = name
        os.environ.setdefault('DB_CACHE', '')
    from trytond import backend
    from trytond.modules.company.tests import create_company, set_company
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
    from trytond.transaction import Transaction

    try:
        template = os.environ.get('SERVICE_DESK_TEMPLATE')
        if create and template and backend.name == 'postgresql':
            with Transaction().start(
                    None, 0, close=True, autocommit=True) as transaction:
                transaction.database.create(
                    transaction.connection, DB_NAME, template)
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


def insert_history(company, tickets, sites, start='2025-01-01', days=730):
    """Insert in SQL tickets received over days from start (a repair in two
    out of three, each with a done visit and a callback) on sites spread
    over 12 areas with 3 items of 20 products each and 20 technicians, in
    the current transaction (PostgreSQL)"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    transaction = Transaction()
    pool = Pool()
    Party = pool.get('party.party')
    Area = pool.get('service.area')
    Site = pool.get('service.site')
    Equipment = pool.get('service.equipment')
    Employee = pool.get('company.employee')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    cursor = transaction.connection.cursor()

    unit, = Uom.search([('name', '=', "Unit")])
    templates = Template.create([{
                'name': f"Product {i}", 'type': 'goods',
                'default_uom': unit.id, 'products': [('create', [{}])]}
            for i in range(20)])
    products = [t.products[0].id for t in templates]
    areas = Area.create([{'name': f"Area {i}"} for i in range(12)])
    parties = Party.create([{'name': f"Site {i}"} for i in range(sites)])
    sites = Site.create([{
                'name': f"Site {i}", 'party': p.id,
                'area': areas[i % len(areas)].id,
                'site_type': 'school'}
            for i, p in enumerate(parties)])
    equipment = Equipment.create([{
                'site': s.id, 'product': products[(i * 3 + j) % 20],
                'installation_date': dt.date(2023, 1, 1)}
            for i, s in enumerate(sites) for j in range(3)])
    employee_parties = Party.create([{'name': f"Tech {i}"} for i in range(20)])
    employees = Employee.create([{
                'party': p.id, 'company': company.id}
            for p in employee_parties])
    first_equipment = min(e.id for e in equipment)
    first_employee = min(e.id for e in employees)
    n_equipment = len(equipment)
    params = {
        'company': company.id,
        'count': tickets,
        'start': start,
        'days': f'{days} days',
        'equipment0': first_equipment,
        'n_equipment': n_equipment,
        'employee0': first_employee,
        }
    # equipment ids and employee ids are consecutive
    cursor.execute("""
        INSERT INTO service_ticket (
            company, number, channel, type, priority, subject, state,
            party, site, equipment, assigned_to, received_at,
            responded_at, resolved_at, response_deadline,
            resolution_deadline, promised_at, paused_hours,
            escalation_level, after_hours, escalated, create_uid,
            create_date)
        SELECT %(company)s, 'B' || g,
            (ARRAY['phone', 'email', 'web', 'chat'])[1 + g %% 4],
            CASE WHEN g %% 3 = 0 THEN 'complaint' ELSE 'repair' END,
            (ARRAY['urgent', 'high', 'normal', 'low'])[1 + g %% 4],
            'bench', 'closed', s.party, s.id, e.id,
            %(employee0)s + g %% 20, r.at,
            r.at + (g %% 7) * INTERVAL '1 hour',
            r.at + (g %% 50) * INTERVAL '1 hour',
            r.at + INTERVAL '4 hour', r.at + INTERVAL '24 hour',
            r.at + INTERVAL '4 hour', 0, 0, false, false, 0, NOW()
        FROM generate_series(1, %(count)s) AS g
        CROSS JOIN LATERAL (SELECT %(start)s::timestamp
            + (g::float / %(count)s) * %(days)s::interval AS at) AS r
        JOIN service_equipment AS e
            ON e.id = %(equipment0)s + (g::bigint * 7919) %% %(n_equipment)s
        JOIN service_site AS s ON s.id = e.site
        """, params)
    cursor.execute("""
        INSERT INTO service_work_order (
            company, number, kind, ticket, party, site, equipment, lead,
            planned_start, planned_end, planned_date, started_at, done_at,
            state, escalation_level, escalated, create_uid, create_date)
        SELECT t.company, 'W' || t.id, 'repair', t.id, t.party, t.site,
            t.equipment, t.assigned_to, t.responded_at,
            t.responded_at + INTERVAL '2 hour', t.responded_at::date,
            t.responded_at, t.responded_at + INTERVAL '2 hour', 'done', 0,
            false, 0, NOW()
        FROM service_ticket AS t WHERE t.type = 'repair'
        """)
    # every fifth visit with a second technician
    cursor.execute("""
        INSERT INTO "service_work_order-company_employee" (
            work_order, employee, create_uid, create_date)
        SELECT o.id, %(employee0)s + (o.lead - %(employee0)s + 1) %% 20,
            0, NOW()
        FROM service_work_order AS o WHERE o.id %% 5 = 0
        """, params)
    cursor.execute("""
        INSERT INTO service_callback (
            company, kind, ticket, party, site, due_date, attempts,
            reached, solved, satisfaction, called_at, state, create_uid,
            create_date)
        SELECT t.company, 'repair', t.id, t.party, t.site,
            t.resolved_at::date, 1, true,
            CASE WHEN t.id % 10 = 0 THEN 'no' ELSE 'yes' END,
            (1 + t.id % 5)::varchar, t.resolved_at + INTERVAL '1 day',
            'done', 0, NOW()
        FROM service_ticket AS t WHERE t.type = 'repair'
        """)
    cursor.execute("ANALYZE")


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

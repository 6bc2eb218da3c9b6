# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction

from ..working_calendar import is_working_day


def create_site_and_product():
    "Return a customer site and a product to install there"
    pool = Pool()
    Party = pool.get('party.party')
    Site = pool.get('service.site')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')

    customer = Party(name="Customer")
    customer.save()
    site = Site(name="School", party=customer)
    site.save()
    unit, = Uom.search([('name', '=', "Unit")])
    template = Template(
        name="Projector", type='goods', default_uom=unit, products=[{}])
    template.save()
    product, = template.products
    return site, product


def create_employees(company, *names, **values):
    "Return new employees of company with the names"
    pool = Pool()
    Employee = pool.get('company.employee')
    Party = pool.get('party.party')
    parties = Party.create([{'name': n} for n in names])
    return Employee.create([
            {'party': p.id, 'company': company.id, **values}
            for p in parties])


class ServiceDeskTestCase(CompanyTestMixin, ModuleTestCase):
    "Test service_desk module"
    module = 'service_desk'
    extras = [
        'account_stock_continental', 'attendance', 'stock_supply',
        'timesheet']

    @with_transaction()
    def test_equipment_label_from_sequence(self):
        "Equipment without a label is numbered from the sequence"
        Equipment = Pool().get('service.equipment')

        with set_company(create_company()):
            site, product = create_site_and_product()
            first, second = Equipment.create([
                    {'site': site.id, 'product': product.id},
                    {'site': site.id, 'product': product.id},
                    ])

            self.assertTrue(first.label.startswith('EQ'))
            self.assertNotEqual(first.label, second.label)
            self.assertEqual(site.equipment_count, 2)

    @with_transaction()
    def test_under_warranty_search(self):
        "Search on the under warranty flag matches the computed value"
        pool = Pool()
        Equipment = pool.get('service.equipment')
        Date = pool.get('ir.date')

        with set_company(create_company()):
            today = Date.today()
            site, product = create_site_and_product()
            covered, expired, unknown = Equipment.create([{
                        'site': site.id, 'product': product.id,
                        'warranty_end': today + dt.timedelta(days=1),
                        }, {
                        'site': site.id, 'product': product.id,
                        'warranty_end': today - dt.timedelta(days=1),
                        }, {
                        'site': site.id, 'product': product.id,
                        }])

            self.assertEqual(
                [e.under_warranty for e in [covered, expired, unknown]],
                [True, False, False])
            self.assertEqual(
                Equipment.search([('under_warranty', '=', True)]), [covered])
            self.assertEqual(
                set(Equipment.search([('under_warranty', '=', False)])),
                {expired, unknown})

    @with_transaction()
    def test_ticket_copy(self):
        "A copied ticket is a new draft with its own number and times"
        pool = Pool()
        Ticket = pool.get('service.ticket')

        with set_company(create_company()):
            site, _ = create_site_and_product()
            ticket = Ticket(party=site.party, subject="Broken")
            ticket.save()
            Ticket.open([ticket])
            Ticket.resolve([ticket])

            copy, = Ticket.copy([ticket])

            self.assertEqual(copy.state, 'draft')
            self.assertNotEqual(copy.number, ticket.number)
            self.assertIsNotNone(copy.received_at)
            self.assertIsNone(copy.resolved_at)
            self.assertIsNotNone(copy.resolution_deadline)

    @with_transaction()
    def test_requisition_copy(self):
        "A copied requisition is a new draft asking again for its parts"
        pool = Pool()
        Requisition = pool.get('service.requisition')
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')

        company = create_company()
        with set_company(company):
            _, part = create_site_and_product()
            employee, = create_employees(company, "Keeper")
            warehouse, = Location.search([('type', '=', 'warehouse')])
            lost_found = Location(pool.get('ir.model.data').get_id(
                    'stock', 'location_lost_found'))
            moves = Move.create([{
                        'product': part.id, 'quantity': 2,
                        'unit': part.default_uom.id,
                        'from_location': lost_found.id,
                        'to_location': warehouse.storage_location.id,
                        'company': company.id,
                        }])
            Move.do(moves)
            requisition, = Requisition.create([{
                        'requester': employee.id,
                        'lines': [('create', [{
                                        'product': part.id, 'quantity': 2,
                                        'unit': part.default_uom.id,
                                        'from_location': (
                                            warehouse.storage_location.id),
                                        }])],
                        }])
            Requisition.request([requisition])
            Requisition.approve([requisition])
            Requisition.issue([requisition])
            Requisition.write([requisition], {
                    'returns': [('create', [{
                                    'product': part.id, 'quantity': 1}])],
                    })

            copy, = Requisition.copy([requisition])

            self.assertEqual(copy.state, 'draft')
            self.assertNotEqual(copy.number, requisition.number)
            self.assertIsNone(copy.issued_at)
            self.assertEqual(copy.returns, ())
            Requisition.request([copy])
            self.assertEqual(
                [(m.quantity, m.state) for m in copy.lines[0].moves],
                [(2, 'draft')])

    @with_transaction()
    def test_technician_suggestion(self):
        "R-CS-6: on duty, already at the site, then the least busy"
        pool = Pool()
        Employee = pool.get('company.employee')
        WorkOrder = pool.get('service.work_order')

        company = create_company()
        with set_company(company):
            site, _ = create_site_and_product()
            other, _ = create_site_and_product()
            # a Monday that is not today (attendance decides today)
            day, sunday = dt.date(2030, 3, 4), dt.date(2030, 3, 10)
            self.assertTrue(is_working_day(day))
            self.assertFalse(is_working_day(sunday))
            nine = dt.datetime.combine(day, dt.time(9))
            ann, bob, cid, left = create_employees(
                company, "Ann", "Bob", "Cid", "Left", service_technician=True)
            Employee.write([left], {'end_date': day - dt.timedelta(1)})

            def visit(lead, where, hours=0):
                return {
                    'site': where.id, 'party': where.party.id,
                    'lead': lead.id,
                    'planned_start': nine + dt.timedelta(hours=hours),
                    'planned_end': nine + dt.timedelta(hours=hours + 1),
                    }
            WorkOrder.create([
                    visit(ann, other), visit(ann, other, 2),
                    visit(bob, other)])

            self.assertEqual(
                WorkOrder.suggest_technician(company, site, day), cid)
            WorkOrder.create([visit(cid, other), visit(cid, other, 3)])
            self.assertEqual(
                WorkOrder.suggest_technician(company, site, day), bob)
            WorkOrder.create([visit(ann, site, 4)])
            self.assertEqual(
                WorkOrder.suggest_technician(company, site, day), ann)
            with Transaction().set_context(date=day):
                self.assertNotIn(
                    left, Employee.search([('service_on_duty', '=', True)]))
            self.assertIsNone(
                WorkOrder.suggest_technician(company, site, sunday))

    @with_transaction()
    def test_duty_from_attendance(self):
        "With attendance, today's duty is who clocked in today"
        pool = Pool()
        Employee = pool.get('company.employee')
        Line = pool.get('attendance.line')
        Date = pool.get('ir.date')

        company = create_company()
        with set_company(company):
            present, absent = create_employees(
                company, "Present", "Absent", service_technician=True)
            Line.create([{
                        'employee': present.id, 'company': company.id,
                        'at': dt.datetime.now(), 'date': Date.today(),
                        'type': 'in',
                        }])
            with Transaction().set_context(date=Date.today()):
                self.assertEqual(
                    Employee.search([
                            ('service_technician', '=', True),
                            ('service_on_duty', '=', True),
                            ]), [present])
                self.assertEqual(
                    [e.service_on_duty for e in [present, absent]],
                    [True, False])

    @with_transaction()
    def test_work_order_planned_date_in_company_time_zone(self):
        "The planned day is the company's, and searches of today use it"
        pool = Pool()
        WorkOrder = pool.get('service.work_order')
        Date = pool.get('ir.date')

        company = create_company()
        company.timezone = 'Asia/Shanghai'
        company.save()
        with set_company(company):
            site, _ = create_site_and_product()
            late, = WorkOrder.create([{
                        'site': site.id, 'party': site.party.id,
                        'planned_start': dt.datetime(2026, 11, 27, 17),
                        }])
            self.assertEqual(late.planned_date, dt.date(2026, 11, 28))
            self.assertEqual(
                late.planned_period, '2026-11-28 01:00')
            WorkOrder.write([late], {
                    'planned_start': dt.datetime(2026, 11, 27, 1),
                    'planned_end': dt.datetime(2026, 11, 27, 3),
                    })
            self.assertEqual(late.planned_date, dt.date(2026, 11, 27))
            self.assertEqual(
                late.planned_period, '2026-11-27 09:00-11:00')
            today = Date.today()
            WorkOrder.write([late], {
                    'planned_start': dt.datetime.combine(
                        today, dt.time(2)),
                    })
            self.assertEqual(
                WorkOrder.search([('planned_today', '=', True)]), [late])
            self.assertEqual(
                WorkOrder.search([('planned_today', '=', False)]), [])

    @with_transaction()
    def test_work_order_name_colour_and_copy(self):
        "Names and colours are read in SQL; a copy is a new draft"
        pool = Pool()
        WorkOrder = pool.get('service.work_order')

        company = create_company()
        with set_company(company):
            site, _ = create_site_and_product()
            lead, = create_employees(company, "Lead")
            order, unassigned = WorkOrder.create([{
                        'site': site.id, 'party': site.party.id,
                        'lead': lead.id,
                        'planned_start': dt.datetime(2030, 1, 7, 1),
                        'planned_end': dt.datetime(2030, 1, 7, 3),
                        'appointment_contact': "Ms Wang",
                        }, {
                        'site': site.id, 'party': site.party.id,
                        }])
            WorkOrder.schedule([order])

            self.assertEqual(order.rec_name, f'{order.number} School')
            self.assertEqual(
                WorkOrder.search([('rec_name', 'ilike', order.number)]),
                [order])
            self.assertNotEqual(
                order.calendar_color, unassigned.calendar_color)
            copy, = WorkOrder.copy([order])
            self.assertEqual(copy.state, 'draft')
            self.assertNotEqual(copy.number, order.number)
            self.assertEqual(len(order.appointments), 1)
            self.assertEqual(copy.appointments, ())

    @with_transaction()
    def test_callback_due_and_late(self):
        "The worklist filters agree with the flags shown"
        pool = Pool()
        Callback = pool.get('service.callback')
        Date = pool.get('ir.date')

        with set_company(create_company()):
            site, _ = create_site_and_product()
            today = Date.today()
            late, due, later, done = Callback.create([{
                        'party': site.party.id,
                        'due_date': today + dt.timedelta(days=d),
                        } for d in [-1, 0, 1, -1]])
            Callback.write([done], {'state': 'done'})

            for name, expected in [
                    ('due', {late, due}), ('late', {late})]:
                self.assertEqual(
                    set(Callback.search([(name, '=', True)])), expected)
                self.assertEqual(
                    set(Callback.search([(name, '=', False)])),
                    {late, due, later, done} - expected)
                self.assertEqual(
                    {c for c in [late, due, later, done]
                        if getattr(c, name)}, expected)

    @with_transaction()
    def test_inspection_visits_due(self):
        "R-INSP-2: the phases of the current cycle up to the horizon"
        pool = Pool()
        Plan = pool.get('service.inspection.plan')
        Phase = pool.get('service.inspection.plan.phase')

        plan = Plan(
            start_date=dt.date(2026, 1, 1), cycle_months=6, horizon_days=60,
            phases=[
                Phase(phase='early', offset_days=0),
                Phase(phase='middle', offset_days=60),
                Phase(phase='late', offset_days=200),
                ])

        self.assertEqual(list(plan.visits_due(dt.date(2026, 8, 15))), [
                (dt.date(2026, 7, 1), 'early', dt.date(2026, 7, 1)),
                (dt.date(2026, 7, 1), 'middle', dt.date(2026, 8, 30)),
                ])
        # the late phase falls outside its cycle: never planned
        self.assertEqual(list(plan.visits_due(dt.date(2026, 12, 1))), [
                (dt.date(2026, 7, 1), 'early', dt.date(2026, 7, 1)),
                (dt.date(2026, 7, 1), 'middle', dt.date(2026, 8, 30)),
                (dt.date(2027, 1, 1), 'early', dt.date(2027, 1, 1)),
                ])
        self.assertEqual(list(plan.visits_due(dt.date(2025, 10, 1))), [])

    @with_transaction()
    def test_qualification_state_and_coverage(self):
        "R-TRAIN-4: states searched as computed, categories cover children"
        pool = Pool()
        Qualification = pool.get('service.training.qualification')
        Category = pool.get('product.category')
        Date = pool.get('ir.date')

        company = create_company()
        with set_company(company):
            site, product = create_site_and_product()
            displays = Category(name="Displays")
            displays.save()
            panels = Category(name="Panels", parent=displays)
            panels.save()
            product.template.categories = [panels]
            product.template.save()
            ann, bob, cid, dan = create_employees(
                company, "Ann", "Bob", "Cid", "Dan")
            today = Date.today()
            day = dt.timedelta(days=1)
            qualifications = Qualification.create([{
                        'employee': e.id, 'category': displays.id,
                        'valid_from': start, 'valid_to': end,
                        'certificate': b'scan'}
                    for e, start, end in [
                        (ann, today - 10 * day, None),
                        (bob, today - 10 * day, today + 30 * day),
                        (cid, today - 100 * day, today - day),
                        (dan, today + day, today + 400 * day),
                        ]])
            expected = dict(zip(
                    qualifications,
                    ['valid', 'expiring', 'expired', 'future'],
                    strict=True))
            self.assertEqual(
                {q: q.state for q in qualifications}, expected)
            for state in ['valid', 'expiring', 'expired', 'future']:
                matching = {q for q, s in expected.items() if s == state}
                self.assertEqual(
                    set(Qualification.search([('state', '=', state)])),
                    matching)
                self.assertEqual(
                    set(Qualification.search([('state', '!=', state)])),
                    set(qualifications) - matching)
            self.assertEqual(
                set(Qualification.search(
                        [('state', 'in', ['valid', 'expiring'])])),
                set(qualifications[:2]))
            self.assertEqual(
                set(Qualification.search(
                        [('state', 'not in', ['valid', 'expiring'])])),
                set(qualifications[2:]))

            # a category qualification covers the products of its
            # sub-categories, on the day asked
            self.assertEqual(
                Qualification.qualified_employees(product, today),
                {ann.id, bob.id})
            self.assertEqual(
                Qualification.qualified_employees(product, today + 2 * day),
                {ann.id, bob.id, dan.id})


del ModuleTestCase

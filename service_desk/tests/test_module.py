# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.pool import Pool
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


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


class ServiceDeskTestCase(CompanyTestMixin, ModuleTestCase):
    "Test service_desk module"
    module = 'service_desk'

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


del ModuleTestCase

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal
from sql.aggregate import Count

from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .common import BoundedMixin, CompanyMixin, search_on

CRITICALITIES = [
    ('normal', "Normal"),
    ('critical', "Critical"),
    ]


class Site(BoundedMixin, CompanyMixin, DeactivableMixin, ModelSQL, ModelView):
    "A customer site (school, office...) where equipment is installed"
    __name__ = 'service.site'
    _rec_name = 'name'

    name = fields.Char("Name", required=True)
    code = fields.Char("Code", strip=True)
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='RESTRICT',
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    address = fields.Many2One(
        'party.address', "Address", ondelete='RESTRICT',
        domain=[
            ('party', '=', Eval('party', -1)),
            ])
    area = fields.Many2One(
        'service.area', "Area", ondelete='RESTRICT',
        help="The township or area the site is in.")
    site_type = fields.Selection([
            ('school', "School"),
            ('kindergarten', "Kindergarten"),
            ('office', "Office"),
            ('hospital', "Hospital"),
            ('other', "Other"),
            ], "Type", required=True)
    criticality = fields.Selection(
        CRITICALITIES, "Criticality", required=True,
        help="Critical sites get priority for visits and spare parts.")
    contacts = fields.Many2Many(
        'service.site-party.contact_mechanism', 'site', 'contact_mechanism',
        "Contacts",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Phones, e-mails, chat accounts of the people to call at "
        "the site.")
    notes = fields.Text("Notes")
    equipment = fields.One2Many(
        'service.equipment', 'site', "Equipment",
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    equipment_count = fields.Function(
        fields.Integer("Equipment Count"), 'get_equipment_count')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('code_unique', Unique(t, t.company, t.code),
                'service_desk.msg_site_code_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_site_type(cls):
        return 'school'

    @classmethod
    def default_criticality(cls):
        return 'normal'

    @fields.depends('party', 'address')
    def on_change_party(self):
        if self.party and (
                not self.address or self.address.party != self.party):
            self.address = self.party.address_get()
        elif not self.party:
            self.address = None

    @classmethod
    def get_equipment_count(cls, sites, name):
        Equipment = Pool().get('service.equipment')
        equipment = Equipment.__table__()
        cursor = Transaction().connection.cursor()
        counts = dict.fromkeys(map(int, sites), 0)
        for sub_ids in grouped_slice(list(counts), 1000):
            cursor.execute(*equipment.select(
                    equipment.site, Count(equipment.id),
                    where=fields.SQL_OPERATORS['in'](equipment.site, sub_ids)
                    & (equipment.active == Literal(True)),
                    group_by=[equipment.site]))
            counts.update(cursor)
        return counts

    @classmethod
    def search_rec_name(cls, name, clause):
        "By name, code, customer and any phone of the site or the customer"
        ContactMechanism = Pool().get('party.contact_mechanism')
        domain = search_on(['name', 'code', 'party.name'], clause)
        phone = ContactMechanism.phone_search_domain(name, clause)
        if phone:
            domain = ['OR', domain,
                ('contacts', 'where', phone),
                ('party.contact_mechanisms', 'where', phone),
                ]
        return domain


class SiteContactMechanism(BoundedMixin, ModelSQL):
    __name__ = 'service.site-party.contact_mechanism'

    site = fields.Many2One(
        'service.site', "Site", required=True, ondelete='CASCADE')
    contact_mechanism = fields.Many2One(
        'party.contact_mechanism', "Contact Mechanism", required=True,
        ondelete='CASCADE')

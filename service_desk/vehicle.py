# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pyson import Eval

from .common import BoundedMixin, CompanyMixin, search_on


class Vehicle(
        BoundedMixin, CompanyMixin, DeactivableMixin, ModelSQL, ModelView):
    "A service vehicle that takes technicians and parts to sites (R-INFRA-1)"
    __name__ = 'service.vehicle'

    name = fields.Char("Name", required=True)
    plate = fields.Char("Plate Number", strip=True)
    location = fields.Many2One(
        'stock.location', "Stock Location", ondelete='RESTRICT',
        domain=[
            ('type', '=', 'storage'),
            ],
        help="Where the spare parts carried in the vehicle are stocked.")
    driver = fields.Many2One(
        'company.employee', "Usual Driver", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ])

    def get_rec_name(self, name):
        if self.plate:
            return f'{self.name} ({self.plate})'
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_on(['name', 'plate'], clause)

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields, tree

from .common import BoundedMixin


class Area(
        BoundedMixin, DeactivableMixin, tree(separator=' / '), ModelSQL,
        ModelView):
    "A county, township or other area that groups customer sites"
    __name__ = 'service.area'

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code")
    kind = fields.Selection([
            ('county', "County"),
            ('township', "Township"),
            ('area', "Area"),
            ], "Kind", required=True)
    parent = fields.Many2One('service.area', "Parent", ondelete='RESTRICT')
    children = fields.One2Many('service.area', 'parent', "Children")
    sites = fields.One2Many('service.site', 'area', "Sites", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @staticmethod
    def default_kind():
        return 'township'

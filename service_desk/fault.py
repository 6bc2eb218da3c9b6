# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields, tree


class FaultCategory(DeactivableMixin, tree(), ModelSQL, ModelView):
    "A kind of fault, for the fault analysis (R-ENG-2, R-DATA-3)"
    __name__ = 'service.fault.category'

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", strip=True)
    parent = fields.Many2One(
        'service.fault.category', "Parent", ondelete='RESTRICT')
    children = fields.One2Many(
        'service.fault.category', 'parent', "Children")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

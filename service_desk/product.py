# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta
from trytond.pyson import Eval

from .common import SearchAccessMixin


class Template(SearchAccessMixin, metaclass=PoolMeta):
    __name__ = 'product.template'

    service_critical_reserve = fields.Float(
        "Reserved for Critical Equipment", digits='default_uom',
        domain=['OR',
            ('service_critical_reserve', '=', None),
            ('service_critical_reserve', '>=', 0),
            ],
        states={
            'invisible': Eval('type') != 'goods',
            },
        help="The quantity of this part kept in stock for requisitions of "
        "critical equipment (R-PART-3).")



class Product(SearchAccessMixin, metaclass=PoolMeta):
    __name__ = 'product.product'


class CostPriceRevision(SearchAccessMixin, metaclass=PoolMeta):
    __name__ = 'product.cost_price.revision'

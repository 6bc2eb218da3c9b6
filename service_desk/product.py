# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql.conditionals import Case
from sql.operators import Exists

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from .common import BoundedMixin, SearchAccessMixin, boolean_domain


class Template(BoundedMixin, SearchAccessMixin, metaclass=PoolMeta):
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
        "critical equipment.")



class Product(BoundedMixin, SearchAccessMixin, metaclass=PoolMeta):
    __name__ = 'product.product'

    service_spare_part = fields.Function(fields.Boolean(
            "Spare Part",
            help="In the spare parts category or one of its children."),
        'get_service_spare_part', searcher='search_service_spare_part')

    @classmethod
    def _service_spare_part_categories(cls):
        pool = Pool()
        Category = pool.get('product.category')
        ModelData = pool.get('ir.model.data')
        with without_check_access():
            return [c.id for c in Category.search([
                        ('parent', 'child_of', [ModelData.get_id(
                                    'service_desk',
                                    'product_category_spare_parts')]),
                        ])]

    @classmethod
    def _service_spare_part_query(cls, table):
        "The condition on the product table of a spare part"
        Relation = Pool().get('product.template-product.category')
        relation = Relation.__table__()
        return Exists(relation.select(relation.id,
                where=(relation.template == table.template)
                & relation.category.in_(
                    cls._service_spare_part_categories())))

    @classmethod
    def get_service_spare_part(cls, products, name):
        categories = set(cls._service_spare_part_categories())
        return {p.id: bool(categories
                & {c.id for c in p.template.categories_all})
            for p in products}

    @classmethod
    def search_service_spare_part(cls, name, clause):
        table = cls.__table__()
        query = table.select(
            table.id, where=cls._service_spare_part_query(table))
        return boolean_domain(clause,
            lambda: [('id', 'in', query)],
            lambda: [('id', 'not in', query)])

    @classmethod
    def order_service_spare_part(cls, tables):
        "Spare parts sort after the other products, first in DESC"
        table, _ = tables[None]
        return [Case(
                (cls._service_spare_part_query(table), 1), else_=0)]


class CostPriceRevision(BoundedMixin, SearchAccessMixin, metaclass=PoolMeta):
    __name__ = 'product.cost_price.revision'

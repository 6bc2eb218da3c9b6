# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from collections import defaultdict
from itertools import groupby

from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access

from .common import BoundedMixin, SearchAccessMixin, boolean_domain


class Move(BoundedMixin, SearchAccessMixin, metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'service.requisition.line', 'service.requisition.return']



class OrderPoint(BoundedMixin, metaclass=PoolMeta):
    "The parts quota with what is on hand and on order (R-PART-2)"
    __name__ = 'stock.order_point'

    service_on_hand = fields.Function(fields.Float(
            "On Hand", digits='unit',
            help="In stock today at the location and the locations inside "
            "it."), 'get_service_quantities')
    service_on_order = fields.Function(fields.Float(
            "On Order", digits='unit',
            help="Purchase requests not yet received and the parts on "
            "their way to the location."), 'get_service_quantities')
    service_below_minimum = fields.Function(fields.Boolean(
            "Below Minimum",
            help="Less on hand than the minimum quantity."),
        'get_service_quantities', searcher='search_service_below_minimum')
    service_above_maximum = fields.Function(fields.Boolean(
            "Above Maximum",
            help="More on hand than the maximum quantity: capital tied up "
            "in parts."),
        'get_service_quantities')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the keeper's quota is a minimum and a maximum, also for the parts
        # that are bought
        cls.max_quantity.states = cls.max_quantity.states.copy()
        cls.max_quantity.states['invisible'] = ~Eval('type').in_(
            ['internal', 'purchase'])

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('service_below_minimum', False), 'danger',
                    If(Eval('service_above_maximum', False), 'warning', '')),
                ['service_below_minimum', 'service_above_maximum']),
            ]

    @classmethod
    @without_check_access
    def get_service_quantities(cls, points, names):
        pool = Pool()
        Product = pool.get('product.product')
        Move = pool.get('stock.move')
        Request = pool.get('purchase.request')
        Date = pool.get('ir.date')
        Uom = pool.get('product.uom')
        result = {n: {p.id: None for p in points} for n in names}
        for company, c_points in groupby(
                sorted(points, key=lambda p: p.company.id),
                key=lambda p: p.company):
            c_points = list(c_points)
            locations = list({p.location.id for p in c_points})
            products = list({p.product.id for p in c_points})
            with Transaction().set_context(
                    company=company.id, stock_date_end=Date.today()):
                on_hand = Product.products_by_location(
                    locations, with_childs=True,
                    grouping_filter=(products,))
            on_order = defaultdict(float)
            for point in c_points:
                for move in Move.search([
                            ('product', '=', point.product.id),
                            ('to_location', 'child_of', [point.location.id],
                                'parent'),
                            ('from_location', 'not child_of',
                                [point.location.id], 'parent'),
                            ('state', 'in', ['draft', 'assigned', 'staging']),
                            ('company', '=', company.id),
                            ]):
                    on_order[point.id] += move.internal_quantity
            # asked of purchasing, until the purchase's moves are planned
            for request in Request.search([
                        ('product', 'in', products),
                        ('state', 'in', ['draft', 'purchased']),
                        ('company', '=', company.id),
                        ]):
                if request.purchase_line and request.purchase_line.moves:
                    continue
                for point in c_points:
                    if (point.type == 'purchase'
                            and point.product == request.product
                            and point.location == request.warehouse):
                        on_order[point.id] += Uom.compute_qty(
                            request.unit, request.quantity,
                            request.product.default_uom, round=False)
            for point in c_points:
                quantity = on_hand.get(
                    (point.location.id, point.product.id), 0)
                if 'service_on_hand' in names:
                    result['service_on_hand'][point.id] = quantity
                if 'service_on_order' in names:
                    result['service_on_order'][point.id] = on_order[point.id]
                if 'service_below_minimum' in names:
                    result['service_below_minimum'][point.id] = (
                        point.min_quantity is not None
                        and quantity < point.min_quantity)
                if 'service_above_maximum' in names:
                    result['service_above_maximum'][point.id] = (
                        point.max_quantity is not None
                        and quantity > point.max_quantity)
        return result

    @classmethod
    def search_service_below_minimum(cls, name, clause):
        "Order points are few: the flag is computed for all of them"
        points = cls.search([])
        below = {p.id for p in points if p.service_below_minimum}
        return boolean_domain(clause,
            lambda: [('id', 'in', list(below))],
            lambda: [('id', 'not in', list(below))])

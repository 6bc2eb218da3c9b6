# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.pool import PoolMeta


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + [
            'service.requisition.line', 'service.requisition.return']

    @property
    def service_cost(self):
        """The value of the move for the parts cost (R-PART-6)

        Like account_stock_continental: an issue is valued at its cost
        price, a return from use at the price it is given back.
        """
        if self.from_location.type == 'production':
            price = self.unit_price if self.unit_price is not None \
                else self.cost_price
            quantity = self.quantity
        else:
            price = self.cost_price
            quantity = self.internal_quantity
        if price is None:
            return Decimal(0)
        return self.company.currency.round(Decimal(str(quantity)) * price)

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal
from sql.functions import Round
from sql.operators import Concat

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction


class PartsCost(ModelSQL, ModelView):
    """The parts consumed in service, valued like the accounting entries
    of account_stock_continental (R-PART-6, R-ROLE-6)"""
    __name__ = 'service.parts.cost'

    company = fields.Many2One('company.company', "Company")
    date = fields.Date("Date")
    requisition = fields.Many2One('service.requisition', "Requisition")
    ticket = fields.Many2One('service.ticket', "Ticket")
    work_order = fields.Many2One('service.work_order', "Work Order")
    party = fields.Many2One(
        'party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    site = fields.Many2One('service.site', "Site")
    equipment = fields.Many2One('service.equipment', "Equipment")
    product = fields.Many2One(
        'product.product', "Part",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    quantity = fields.Float("Quantity", digits=(16, 4))
    cost = fields.Numeric(
        "Cost", digits=(16, Eval('currency_digits', 2)))
    currency_digits = fields.Function(
        fields.Integer("Currency Digits"), 'get_currency_digits')
    move = fields.Many2One('stock.move', "Stock Move")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        Line = pool.get('service.requisition.line')
        Return = pool.get('service.requisition.return')
        Requisition = pool.get('service.requisition')
        Company = pool.get('company.company')
        context = Transaction().context

        company_id = context.get('company')
        digits = Company(company_id).currency.digits if company_id else 2

        def cost(quantity, price):
            return Round(
                Move.cost_price.sql_cast(quantity) * price, digits)

        def select(origin, table, sign, location_column, price, where):
            move = Move.__table__()
            location = Location.__table__()
            requisition = Requisition.__table__()
            query_where = (
                (move.state == 'done')
                & (location.type == 'production')
                & where(table))
            if company_id:
                query_where &= move.company == company_id
            if context.get('from_date'):
                query_where &= move.effective_date >= context['from_date']
            if context.get('to_date'):
                query_where &= move.effective_date <= context['to_date']
            return (move
                .join(table,
                    condition=move.origin == Concat(origin + ',', table.id))
                .join(requisition,
                    condition=table.requisition == requisition.id)
                .join(location,
                    condition=getattr(move, location_column) == location.id)
                .select(
                    move.id.as_('id'),
                    move.company.as_('company'),
                    move.effective_date.as_('date'),
                    requisition.id.as_('requisition'),
                    requisition.ticket.as_('ticket'),
                    requisition.work_order.as_('work_order'),
                    requisition.party.as_('party'),
                    requisition.site.as_('site'),
                    requisition.equipment.as_('equipment'),
                    move.product.as_('product'),
                    (sign * move.internal_quantity).as_('quantity'),
                    (sign * cost(
                            move.internal_quantity
                            if price == 'cost_price' else move.quantity,
                            getattr(move, price))).as_('cost'),
                    move.id.as_('move'),
                    where=query_where))

        issued = select(
            'service.requisition.line', Line.__table__(), Literal(1),
            'to_location', 'cost_price', lambda t: Literal(True))
        returned = select(
            'service.requisition.return', Return.__table__(), Literal(-1),
            'from_location', 'unit_price', lambda t: t.kind == 'unused')
        return issued | returned

    def get_currency_digits(self, name):
        return self.company.currency.digits if self.company else 2


class PartsCostContext(ModelView):
    "Parts cost context"
    __name__ = 'service.parts.cost.context'

    company = fields.Many2One('company.company', "Company", required=True)
    from_date = fields.Date(
        "From Date",
        domain=[
            If(Eval('to_date') & Eval('from_date'),
                ('from_date', '<=', Eval('to_date')),
                ()),
            ])
    to_date = fields.Date("To Date")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

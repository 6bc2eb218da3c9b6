# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql import Literal, Null, Union
from sql.aggregate import Max, Min, Sum
from sql.conditionals import Coalesce
from sql.functions import DateTrunc, Round

from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .common import BoundedMixin, ReportMixin, check_context

# the columns a user can total the parts cost by (R-ROLE-6)
GROUPINGS = [
    (None, "Each Move"),
    ('party', "Customer"),
    ('site', "Site"),
    ('ticket', "Ticket"),
    ('work_order', "Work Order"),
    ('month', "Month"),
    ]
# the columns of a grouping key
GROUP_COLUMNS = {
    'party': ['party'],
    'site': ['party', 'site'],
    'ticket': ['party', 'site', 'ticket'],
    'work_order': ['party', 'site', 'ticket', 'work_order'],
    'month': ['month'],
    }
REFERENCE_COLUMNS = [
    'requisition', 'ticket', 'work_order', 'party', 'site', 'equipment',
    'move']


class PartsCost(ReportMixin, ModelSQL, ModelView):
    """The parts consumed in service, valued like the accounting entries
    of account_stock_continental (R-PART-6, R-ROLE-6)

    Each row is a stock move, or with a grouping in the context, the total
    of one part for one customer, site, ticket, work order or month:
    quantities are only ever added up for the same part."""
    __name__ = 'service.parts.cost'

    company = fields.Many2One('company.company', "Company")
    date = fields.Date("Date")
    month = fields.Date("Month")
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
    quantity = fields.Float("Quantity", digits='unit')
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_unit')
    cost = Monetary("Cost", currency='currency', digits='currency')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')
    move = fields.Many2One('stock.move', "Stock Move")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def _joins(cls):
        "Return the from item and the tables by name"
        check_context('service.parts.cost.context')
        context = Transaction().context
        moves = cls.moves_query(
            context.get('company'), context.get('from_date'),
            context.get('to_date'))
        return moves, {'moves': moves}

    @classmethod
    def _group_keys(cls):
        "Return the columns of the grouping of the context or None"
        return GROUP_COLUMNS.get(Transaction().context.get('group_by'))

    @classmethod
    def _columns(cls, tables):
        moves = tables['moves']
        keys = cls._group_keys()
        if keys is None:
            return [getattr(moves, n).as_(n) for n in [
                    'id', 'company', 'date', 'month', *REFERENCE_COLUMNS,
                    'product', 'quantity', 'cost']]
        columns = [Min(moves.id).as_('id'), moves.company.as_('company'),
            Max(moves.date).as_('date')]
        for name in ['month'] + REFERENCE_COLUMNS:
            if name in keys:
                columns.append(getattr(moves, name).as_(name))
            else:
                columns.append(Literal(Null).as_(name))
        columns += [
            moves.product.as_('product'),
            Sum(moves.quantity).as_('quantity'),
            Sum(moves.cost).as_('cost'),
            ]
        return columns

    @classmethod
    def _where(cls, tables):
        # moves_query filters on the company and the dates of the context
        return None

    @classmethod
    def _group_by(cls, tables):
        moves = tables['moves']
        keys = cls._group_keys()
        if keys is None:
            return None
        return [moves.company, moves.product] + [
            getattr(moves, k) for k in keys]

    @classmethod
    def moves_query(cls, company_id=None, from_date=None, to_date=None):
        """Return the query of the service moves with their cost

        Only the moves into (issues) and out of (unused parts coming back)
        the production locations are read, through the stock move indexes
        on (company, location, date), before their origin id is joined to
        the requisition line or return by primary key."""
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        Line = pool.get('service.requisition.line')
        Return = pool.get('service.requisition.return')
        Requisition = pool.get('service.requisition')
        Company = pool.get('company.company')

        digits = Company(company_id).currency.digits if company_id else 2
        with Transaction().set_context(active_test=False):
            locations = [loc.id for loc in Location.search(
                    [('type', '=', 'production')], order=[])]
        if not locations:
            locations = [-1]

        def cost(quantity, price):
            return Round(
                Move.cost_price.sql_cast(quantity) * price, digits)

        def select(Origin, sign, location_column, price, where):
            move = Move.__table__()
            table = Origin.__table__()
            requisition = Requisition.__table__()
            date = Coalesce(
                move.effective_date, move.planned_date, dt.date.max)
            query_where = (
                getattr(move, location_column).in_(locations)
                & (move.state == 'done')
                & move.origin.like(Origin.__name__ + ',%')
                & where(table))
            if company_id:
                query_where &= move.company == company_id
            if from_date:
                query_where &= date >= from_date
            if to_date:
                query_where &= date <= to_date
            return (move
                .join(table,
                    condition=table.id == Move.origin.sql_id(
                        move.origin, Origin))
                .join(requisition,
                    condition=table.requisition == requisition.id)
                .select(
                    move.id.as_('id'),
                    move.company.as_('company'),
                    move.effective_date.as_('date'),
                    cls.month.sql_cast(
                        DateTrunc('month', move.effective_date)).as_(
                        'month'),
                    requisition.id.as_('requisition'),
                    requisition.ticket.as_('ticket'),
                    requisition.work_order.as_('work_order'),
                    requisition.party.as_('party'),
                    requisition.site.as_('site'),
                    requisition.equipment.as_('equipment'),
                    move.id.as_('move'),
                    move.product.as_('product'),
                    (sign * move.internal_quantity).as_('quantity'),
                    (sign * cost(
                            move.internal_quantity
                            if price == 'cost_price' else move.quantity,
                            getattr(move, price))).as_('cost'),
                    where=query_where))

        issued = select(
            Line, Literal(1), 'to_location', 'cost_price',
            lambda t: Literal(True))
        returned = select(
            Return, Literal(-1), 'from_location', 'unit_price',
            lambda t: t.kind == 'unused')
        return Union(issued, returned, all_=True)

    def get_currency(self, name):
        return self.company.currency.id if self.company else None

    def get_unit(self, name):
        return self.product.default_uom.id if self.product else None


class PartsCostContext(BoundedMixin, ModelView):
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
    group_by = fields.Selection(
        GROUPINGS, "Total by",
        help="Add up the cost of each part by customer, site, ticket, "
        "work order or month.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_group_by(cls):
        return None

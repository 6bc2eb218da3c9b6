# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What each service contract earns and what it costs: its price against
the parts issued for its visits (the real stock moves, at their cost) and
the hours of its visits (timesheet), so that the manager sees which
contracts lose money (R-PART-6, R-ROLE-1)"""
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Extract
from sql.operators import Concat

from trytond import backend
from trytond.model import fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access

from .analysis import _NUMERIC, Abstract

_FLOAT = fields.Float("Float")


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'

    labour_hour_cost = fields.Numeric(
        "Labour Cost per Hour", digits=(16, 2),
        domain=['OR',
            ('labour_hour_cost', '=', None),
            ('labour_hour_cost', '>=', 0),
            ],
        help="What an hour of a technician costs the company, for the "
        "profitability of the contracts.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._field_bounds = {
            **cls._field_bounds, 'labour_hour_cost': (0, 10 ** 6)}


class Profitability(Abstract):
    """The profitability of each service contract: its price, the cost of
    the parts issued for the visits of its tickets (issues at their cost,
    unused parts returned deducted) and of their hours, the margin"""
    __name__ = 'service.contract.profitability'
    _record_model = 'service.contract'
    _record_table = 'contract'

    contract = fields.Many2One('service.contract', "Contract")
    party = fields.Many2One(
        'party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    start_date = fields.Date("Start")
    end_date = fields.Date("End")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')
    revenue = Monetary(
        "Revenue", currency='currency', digits='currency',
        help="The price of the contract for its period.")
    tickets = fields.Integer("Tickets")
    visits = fields.Integer("Visits", help="The visits not cancelled.")
    parts_cost = Monetary(
        "Parts Cost", currency='currency', digits='currency',
        help="The parts issued for the visits at their cost, less the "
        "unused parts returned.")
    labour_hours = fields.Float(
        "Labour Hours", digits=(16, 2),
        help="The hours on site and on the road of the visits.")
    labour_cost = Monetary(
        "Labour Cost", currency='currency', digits='currency',
        help="The hours at the labour cost per hour of the configuration.")
    cost = Monetary("Cost", currency='currency', digits='currency')
    margin = Monetary("Margin", currency='currency', digits='currency')
    loss = fields.Function(fields.Boolean(
            "Loss", help="The contract costs more than it earns."),
        'get_loss')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('margin', 'ASC'), ('id', 'ASC')]

    def get_loss(self, name):
        return self.margin is not None and self.margin < 0

    def get_currency(self, name):
        return self.company.currency.id if self.company else None

    @classmethod
    def _parts_query(cls):
        "Return the query of the parts cost of each contract"
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        Line = pool.get('service.requisition.line')
        Return = pool.get('service.requisition.return')
        Requisition = pool.get('service.requisition')
        WorkOrder = pool.get('service.work_order')
        Ticket = pool.get('service.ticket')
        move = Move.__table__()
        from_location = Location.__table__()
        to_location = Location.__table__()
        line = Line.__table__()
        return_ = Return.__table__()
        requisition = Requisition.__table__()
        order = WorkOrder.__table__()
        ticket = Ticket.__table__()
        issue = to_location.type == 'production'
        cost = Case(
            (issue, move.internal_quantity * move.cost_price),
            else_=-move.quantity * move.unit_price)
        return (move
            .join(from_location,
                condition=move.from_location == from_location.id)
            .join(to_location, condition=move.to_location == to_location.id)
            .join(line, 'LEFT', condition=move.origin == Concat(
                    'service.requisition.line,', line.id))
            .join(return_, 'LEFT', condition=move.origin == Concat(
                    'service.requisition.return,', return_.id))
            .join(requisition, condition=requisition.id == Coalesce(
                    line.requisition, return_.requisition))
            .join(order, condition=requisition.work_order == order.id)
            .join(ticket, condition=order.ticket == ticket.id)
            .select(
                ticket.contract.as_('contract'),
                Sum(cost).as_('cost'),
                where=(move.state == 'done')
                & (ticket.contract != Null)
                & (((from_location.type == 'storage')
                        & (to_location.type == 'production')
                        & (line.id != Null))
                    | ((from_location.type == 'production')
                        & (to_location.type == 'storage')
                        & (return_.kind == 'unused'))),
                group_by=[ticket.contract]))

    @classmethod
    def _visits_query(cls):
        "Return the query of the tickets and visits of each contract"
        pool = Pool()
        WorkOrder = pool.get('service.work_order')
        Ticket = pool.get('service.ticket')
        order = WorkOrder.__table__()
        ticket = Ticket.__table__()
        return (ticket
            .join(order, 'LEFT', condition=(order.ticket == ticket.id)
                & (order.state != 'cancelled'))
            .select(
                ticket.contract.as_('contract'),
                Count(ticket.id, distinct=True).as_('tickets'),
                Count(order.id, distinct=True).as_('visits'),
                where=(ticket.contract != Null)
                & (ticket.state != 'cancelled'),
                group_by=[ticket.contract]))

    @classmethod
    def _labour_query(cls):
        """Return the query of the labour hours of each contract (columns
        contract and hours), or None without the timesheets"""
        return None

    @classmethod
    def _joins(cls):
        Contract = Pool().get('service.contract')
        tables = {
            'contract': Contract.__table__(),
            'parts': cls._parts_query(),
            'visits': cls._visits_query(),
            }
        contract = tables['contract']
        from_item = (contract
            .join(tables['parts'], 'LEFT',
                condition=tables['parts'].contract == contract.id)
            .join(tables['visits'], 'LEFT',
                condition=tables['visits'].contract == contract.id))
        labour = cls._labour_query()
        if labour is not None:
            tables['labour'] = labour
            from_item = from_item.join(labour, 'LEFT',
                condition=labour.contract == contract.id)
        return from_item, tables

    @classmethod
    def _where(cls, tables):
        contract = tables['contract']
        context = Transaction().context
        where = super()._where(tables)
        where &= contract.state.in_(['running', 'expired'])
        if context.get('from_date'):
            where &= contract.end_date >= context['from_date']
        if context.get('to_date'):
            where &= contract.start_date <= context['to_date']
        return where

    @classmethod
    def _dimensions(cls, tables):
        contract = tables['contract']
        dimensions = super()._dimensions(tables)
        dimensions.update([
                ('contract', contract.id),
                ('party', contract.party),
                ('start_date', contract.start_date),
                ('end_date', contract.end_date),
                ])
        return dimensions

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('margin', 0) < 0, 'danger', '')),
            ]

    @classmethod
    def _hour_cost(cls):
        Configuration = Pool().get('service.configuration')
        with without_check_access():
            return Configuration(1).labour_hour_cost or Decimal(0)

    @classmethod
    def _measures(cls, tables):
        contract = tables['contract']
        revenue = Max(contract.price)
        parts = Coalesce(Max(tables['parts'].cost), 0)
        if 'labour' in tables:
            hours = Coalesce(Max(tables['labour'].hours), 0)
        else:
            hours = Literal(0)
        labour = hours * Literal(float(cls._hour_cost()))
        cost = parts + labour
        margin = revenue - cost
        return super()._measures(tables) + [
            _NUMERIC.sql_cast(revenue).as_('revenue'),
            Coalesce(Max(tables['visits'].tickets), 0).as_('tickets'),
            Coalesce(Max(tables['visits'].visits), 0).as_('visits'),
            _NUMERIC.sql_cast(parts).as_('parts_cost'),
            _FLOAT.sql_cast(hours).as_('labour_hours'),
            _NUMERIC.sql_cast(labour).as_('labour_cost'),
            _NUMERIC.sql_cast(cost).as_('cost'),
            _NUMERIC.sql_cast(margin).as_('margin'),
            ]

    @classmethod
    def _column_id(cls, tables):
        return Min(tables['contract'].id)


class ProfitabilityTimesheet(metaclass=PoolMeta):
    "The hours of the contracts' visits from the timesheets"
    __name__ = 'service.contract.profitability'

    @classmethod
    def _labour_query(cls):
        pool = Pool()
        TimesheetLine = pool.get('timesheet.line')
        WorkOrder = pool.get('service.work_order')
        Ticket = pool.get('service.ticket')
        line = TimesheetLine.__table__()
        order = WorkOrder.__table__()
        ticket = Ticket.__table__()
        if backend.name == 'sqlite':
            # durations are stored as seconds
            hours = line.duration / 3600.0
        else:
            hours = Extract('EPOCH', line.duration) / 3600
        return (line
            .join(order, condition=line.service_work_order == order.id)
            .join(ticket, condition=order.ticket == ticket.id)
            .select(
                ticket.contract.as_('contract'),
                Sum(hours).as_('hours'),
                where=ticket.contract != Null,
                group_by=[ticket.contract]))

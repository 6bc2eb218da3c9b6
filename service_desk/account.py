# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The parts cost in the books: the service moves post their cost on the
service parts cost account, and the reconciliation sets the Parts Cost
report against what is posted there (R-PART-6, R-ROLE-6)."""
from sql import Literal, Null, Union
from sql.aggregate import Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Abs, Round
from sql.operators import Exists

from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

SERVICE_ORIGINS = ['service.requisition.line', 'service.requisition.return']


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'

    parts_cost_account = fields.Many2One(
        'account.account', "Parts Cost Account",
        domain=[
            ('closed', '!=', True),
            ('type', '!=', None),
            ('company', '=', Eval('context', {}).get('company', -1)),
            ],
        help="The expense account that the parts issued for service, and "
        "the unused parts coming back, are posted to.\n"
        "Leave empty to use the accounts of the part's category.")


class Move(metaclass=PoolMeta):
    __name__ = 'stock.move'

    def _get_account_stock_move_lines(self, type_):
        pool = Pool()
        Configuration = pool.get('service.configuration')
        lines = super()._get_account_stock_move_lines(type_)
        origin = self.origin
        if (type_ in {'out_production', 'in_production'}
                and origin and origin.__name__ in SERVICE_ORIGINS):
            account = Configuration(1).parts_cost_account
            if account:
                for line in lines:
                    line.account = account
        return lines


def _dates(context):
    "Return the dates of the context: of the period when one is chosen"
    pool = Pool()
    Period = pool.get('account.period')
    if context.get('period'):
        period = Period(context['period'])
        return period.start_date, period.end_date
    return context.get('from_date'), context.get('to_date')


def _base_query(cls):
    """Return the rows to reconcile: each service move of the Parts Cost
    report with what its accounting entries posted on the parts cost
    account, and each other line posted on that account"""
    pool = Pool()
    PartsCost = pool.get('service.parts.cost')
    Configuration = pool.get('service.configuration')
    AccountMove = pool.get('account.move')
    AccountLine = pool.get('account.move.line')
    Period = pool.get('account.period')
    FiscalYear = pool.get('account.fiscalyear')
    StockMove = pool.get('stock.move')
    Company = pool.get('company.company')
    context = Transaction().context

    company_id = context.get('company')
    account = Configuration(1).parts_cost_account
    account_id = account.id if account else -1
    digits = Company(company_id).currency.digits if company_id else 2
    from_date, to_date = _dates(context)

    # what each stock move posted on the account
    am = AccountMove.__table__()
    line = AccountLine.__table__()
    where = (am.origin.like('stock.move,%')
        & (am.state == 'posted')
        & (line.account == account_id))
    if company_id:
        where &= am.company == company_id
    if from_date:
        where &= am.date >= from_date
    stock_move = AccountMove.origin.sql_id(am.origin, StockMove)
    posted = (am
        .join(line, condition=line.move == am.id)
        .select(
            stock_move.as_('stock_move'),
            Min(am.id).as_('account_move'),
            Sum(line.debit - line.credit).as_('posted'),
            where=where,
            group_by=[am.origin]))

    cost = PartsCost.moves_query(company_id, from_date, to_date)
    cost = cost.select(
        cost.id, cost.company, cost.date, cost.product, cost.requisition,
        cost.cost)
    period = Period.__table__()
    fiscalyear = FiscalYear.__table__()
    issued = (cost
        .join(fiscalyear, condition=fiscalyear.company == cost.company)
        .join(period, condition=(period.fiscalyear == fiscalyear.id)
            & (period.type == 'standard')
            & (period.start_date <= cost.date)
            & (period.end_date >= cost.date))
        .join(posted, 'LEFT', condition=posted.stock_move == cost.id)
        .select(
            (cost.id * 2).as_('id'),
            cost.company.as_('company'),
            Literal(account_id).as_('account'),
            period.id.as_('period'),
            cost.date.as_('date'),
            Case((posted.account_move == Null, 'unposted'),
                else_='valued').as_('kind'),
            cost.id.as_('stock_move'),
            posted.account_move.as_('account_move'),
            cost.product.as_('product'),
            cost.requisition.as_('requisition'),
            cost.cost.as_('report_cost'),
            Coalesce(posted.posted, 0).as_('posted'),
            ))

    # the other lines on the account: posted by hand or from elsewhere
    am = AccountMove.__table__()
    line = AccountLine.__table__()
    service_move = StockMove.__table__()
    service_where = Literal(False)
    for origin in SERVICE_ORIGINS:
        service_where |= service_move.origin.like(origin + ',%')
    where = ((am.state == 'posted')
        & (line.account == account_id)
        & ((am.origin == Null)
            | ~am.origin.like('stock.move,%')
            | ~Exists(service_move.select(Literal(1),
                    where=(service_move.id == AccountMove.origin.sql_id(
                            am.origin, StockMove))
                    & service_where))))
    if company_id:
        where &= am.company == company_id
    if from_date:
        where &= am.date >= from_date
    if to_date:
        where &= am.date <= to_date
    other = (am
        .join(line, condition=line.move == am.id)
        .select(
            (line.id * 2 + 1).as_('id'),
            am.company.as_('company'),
            line.account.as_('account'),
            am.period.as_('period'),
            am.date.as_('date'),
            Literal('manual').as_('kind'),
            Literal(Null).as_('stock_move'),
            am.id.as_('account_move'),
            Literal(Null).as_('product'),
            Literal(Null).as_('requisition'),
            Literal(0).as_('report_cost'),
            (line.debit - line.credit).as_('posted'),
            where=where))
    return Union(issued, other, all_=True), digits


class ReconciliationContextMixin:
    __slots__ = ()

    company = fields.Many2One('company.company', "Company", required=True)
    period = fields.Many2One(
        'account.period', "Period",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('type', '=', 'standard'),
            ])
    from_date = fields.Date(
        "From Date",
        domain=[
            If(Eval('to_date') & Eval('from_date'),
                ('from_date', '<=', Eval('to_date')),
                ()),
            ],
        states={
            'invisible': Bool(Eval('period')),
            })
    to_date = fields.Date(
        "To Date",
        states={
            'invisible': Bool(Eval('period')),
            })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_period(cls):
        pool = Pool()
        Period = pool.get('account.period')
        Date = pool.get('ir.date')
        company = Transaction().context.get('company')
        if not company:
            return None
        periods = Period.search([
                ('company', '=', company),
                ('type', '=', 'standard'),
                ('start_date', '<=', Date.today()),
                ('end_date', '>=', Date.today()),
                ], limit=1)
        return periods[0].id if periods else None


class ReconciliationContext(ReconciliationContextMixin, ModelView):
    "Parts cost reconciliation context"
    __name__ = 'service.parts.cost.reconciliation.context'


class _ReconciliationMixin:
    __slots__ = ()

    company = fields.Many2One('company.company', "Company")
    account = fields.Many2One(
        'account.account', "Account",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    period = fields.Many2One('account.period', "Period")
    report_cost = fields.Numeric(
        "Parts Cost Report", digits=(16, Eval('currency_digits', 2)),
        help="The total of the Parts Cost report.")
    posted = fields.Numeric(
        "Posted", digits=(16, Eval('currency_digits', 2)),
        help="The balance posted on the account.")
    difference = fields.Numeric(
        "Difference", digits=(16, Eval('currency_digits', 2)))
    currency_digits = fields.Function(
        fields.Integer("Currency Digits"), 'get_currency_digits')

    def get_currency_digits(self, name):
        return self.company.currency.digits if self.company else 2


class Reconciliation(_ReconciliationMixin, ModelSQL, ModelView):
    """The Parts Cost report against the books, per account and period:
    a difference is explained by its moves"""
    __name__ = 'service.parts.cost.reconciliation'

    moves = fields.Function(fields.Many2Many(
            'service.parts.cost.reconciliation.move', None, None,
            "Moves Explaining the Difference"), 'get_moves')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('period', 'DESC'), ('account', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        query, digits = _base_query(cls)
        return query.select(
            Min(query.id).as_('id'),
            query.company.as_('company'),
            query.account.as_('account'),
            query.period.as_('period'),
            Round(Sum(query.report_cost), digits).as_('report_cost'),
            Round(Sum(query.posted), digits).as_('posted'),
            Round(Sum(query.report_cost - query.posted), digits).as_(
                'difference'),
            group_by=[query.company, query.account, query.period])

    def get_moves(self, name):
        Move = Pool().get('service.parts.cost.reconciliation.move')
        return [m.id for m in Move.search([
                    ('account', '=', self.account.id),
                    ('period', '=', self.period.id),
                    ])]


KINDS = [
    ('unposted', "Not Yet Posted"),
    ('valued', "Valued Differently"),
    ('manual', "Posted by Hand or from Elsewhere"),
    ]


class ReconciliationMove(_ReconciliationMixin, ModelSQL, ModelView):
    "A move that makes the books differ from the Parts Cost report"
    __name__ = 'service.parts.cost.reconciliation.move'

    date = fields.Date("Date")
    kind = fields.Selection(KINDS, "Cause")
    stock_move = fields.Many2One('stock.move', "Stock Move")
    account_move = fields.Many2One('account.move', "Account Move")
    product = fields.Many2One(
        'product.product', "Part",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    requisition = fields.Many2One('service.requisition', "Requisition")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def table_query(cls):
        query, digits = _base_query(cls)
        difference = query.report_cost - query.posted
        return query.select(
            query.id, query.company, query.account, query.period,
            query.date, query.kind, query.stock_move, query.account_move,
            query.product, query.requisition,
            Round(query.report_cost, digits).as_('report_cost'),
            Round(query.posted, digits).as_('posted'),
            Round(difference, digits).as_('difference'),
            where=Abs(difference) >= Literal(0.1 ** digits / 2))

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The parts cost in the books: the service moves post their cost on the
service parts cost account, and the reconciliation sets the Parts Cost
report against what is posted there (R-PART-6, R-ROLE-6)."""
from decimal import Decimal

from sql import Literal, Null, Union
from sql.aggregate import Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Abs, Round
from sql.operators import Exists

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from .common import BoundedMixin, ReportMixin, check_context
from .exceptions import RequisitionError

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
    chargeable_parts_cost_account = fields.Many2One(
        'account.account', "Chargeable Parts Cost Account",
        domain=[
            ('closed', '!=', True),
            ('type', '!=', None),
            ('company', '=', Eval('context', {}).get('company', -1)),
            ],
        help="The account of the parts used for repairs the customer pays "
        "for (neither under warranty nor under a service contract).\n"
        "Leave empty to use the parts cost account.")
    faulty_parts_account = fields.Many2One(
        'account.account', "Faulty Parts Account",
        domain=[
            ('closed', '!=', True),
            ('type', '!=', None),
            ('company', '=', Eval('context', {}).get('company', -1)),
            ],
        help="The account that the faulty parts removed from the equipment "
        "wait on, at the cost they were issued at, until the vendor "
        "replaces or credits them.\n"
        "Leave empty to leave them out of the books.")

    def get_parts_cost_account(self, work_order=None):
        "Return the account of the parts cost of the work order"
        if (work_order and work_order.billing == 'chargeable'
                and self.chargeable_parts_cost_account):
            return self.chargeable_parts_cost_account
        return self.parts_cost_account


class CategoryAccount(BoundedMixin, metaclass=PoolMeta):
    __name__ = 'product.category.account'

    @classmethod
    def get_account_stock_type_statements(cls):
        # The stock IN and OUT accounts of the Chinese charts are balance
        # accounts: 1901 for the inventory gains and losses waiting to be
        # approved
        statements = super().get_account_stock_type_statements()
        if 'balance' not in statements:
            statements = statements + ['balance']
        return statements


class Move(BoundedMixin, metaclass=PoolMeta):
    __name__ = 'stock.move'

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, moves):
        cls.check_service_period(moves)
        super().do(moves)

    @classmethod
    def check_service_period(cls, moves):
        "No part is issued or comes back into a closed accounting period"
        pool = Pool()
        Date = pool.get('ir.date')
        Lang = pool.get('ir.lang')
        Period = pool.get('account.period')
        for move in moves:
            origin = move.origin
            if (not origin or origin.__name__ not in SERVICE_ORIGINS
                    or move.state == 'done'):
                continue
            date = move.effective_date
            if not date:
                with Transaction().set_context(company=move.company.id):
                    date = Date.today()
            periods = Period.search([
                    ('company', '=', move.company.id),
                    ('type', '=', 'standard'),
                    ('start_date', '<=', date),
                    ('end_date', '>=', date),
                    ], limit=1)
            if not periods:
                continue
            period, = periods
            if (period.state != 'open'
                    and period.fiscalyear.account_stock_method):
                raise RequisitionError(gettext(
                        'service_desk.msg_parts_period_closed',
                        requisition=origin.requisition.rec_name,
                        product=move.product.rec_name,
                        date=Lang.get().strftime(date),
                        period=period.rec_name))

    @property
    def _service_faulty(self):
        "Whether the move sets a faulty part aside"
        origin = self.origin
        return bool(self.from_location and self.to_location
            and self.from_location.type == 'production'
            and self.to_location.type == 'lost_found'
            and origin and origin.__name__ == 'service.requisition.return'
            and origin.kind == 'faulty')

    def _get_account_stock_move_type(self):
        pool = Pool()
        Configuration = pool.get('service.configuration')
        if (self._service_faulty
                and Configuration(1).faulty_parts_account):
            return 'in_service_faulty'
        return super()._get_account_stock_move_type()

    def _get_account_stock_move_lines(self, type_):
        pool = Pool()
        Configuration = pool.get('service.configuration')
        AccountMoveLine = pool.get('account.move.line')
        origin = self.origin
        if type_ == 'in_service_faulty':
            # out of the parts cost, at the cost the part was issued at
            account = Configuration(1).get_parts_cost_account(
                origin.requisition.work_order)
            amount = self.company.currency.round(
                Decimal(str(self.internal_quantity))
                * origin.issue_cost_price())
            line = AccountMoveLine(
                debit=Decimal(0), credit=amount,
                account=account or self.product.account_stock_in_used)
            return [line]
        lines = super()._get_account_stock_move_lines(type_)
        if (type_ in {'out_production', 'in_production'}
                and origin and origin.__name__ in SERVICE_ORIGINS):
            account = Configuration(1).get_parts_cost_account(
                origin.requisition.work_order)
            if account:
                for line in lines:
                    line.account = account
        return lines

    def _get_account_stock_move_line(self, amount):
        pool = Pool()
        Configuration = pool.get('service.configuration')
        line = super()._get_account_stock_move_line(amount)
        if line and self._service_faulty:
            line.account = Configuration(1).faulty_parts_account
        return line


def _dates(context):
    "Return the dates of the context: of the period when one is chosen"
    pool = Pool()
    Period = pool.get('account.period')
    if context.get('period'):
        period = Period(context['period'])
        return period.start_date, period.end_date
    return context.get('from_date'), context.get('to_date')


def _faulty_query(company_id, from_date, to_date, digits):
    """Return the faulty parts set aside, valued at the average cost of the
    same part issued by the same requisition"""
    pool = Pool()
    Move = pool.get('stock.move')
    Line = pool.get('service.requisition.line')
    Return = pool.get('service.requisition.return')
    Requisition = pool.get('service.requisition')

    issue = Move.__table__()
    line = Line.__table__()
    issued = (issue
        .join(line, condition=line.id == Move.origin.sql_id(
                issue.origin, Line))
        .select(
            line.requisition.as_('requisition'),
            issue.product.as_('product'),
            (Sum(issue.internal_quantity * issue.cost_price)
                / Sum(issue.internal_quantity)).as_('unit_cost'),
            where=issue.origin.like(Line.__name__ + ',%')
            & (issue.state == 'done')
            & (issue.internal_quantity != 0),
            group_by=[line.requisition, issue.product]))

    move = Move.__table__()
    return_ = Return.__table__()
    requisition = Requisition.__table__()
    where = (move.origin.like(Return.__name__ + ',%')
        & (move.state == 'done')
        & (return_.kind == 'faulty'))
    if company_id:
        where &= move.company == company_id
    if from_date:
        where &= move.effective_date >= from_date
    if to_date:
        where &= move.effective_date <= to_date
    return (move
        .join(return_, condition=(return_.id == Move.origin.sql_id(
                    move.origin, Return)) & (return_.move == move.id))
        .join(requisition, condition=return_.requisition == requisition.id)
        .join(issued, 'LEFT',
            condition=(issued.requisition == requisition.id)
            & (issued.product == move.product))
        .select(
            move.id.as_('id'),
            move.company.as_('company'),
            move.effective_date.as_('date'),
            requisition.id.as_('requisition'),
            requisition.work_order.as_('work_order'),
            move.product.as_('product'),
            # the average is a float on PostgreSQL: ROUND needs a numeric
            Round(Move.cost_price.sql_cast(move.internal_quantity
                    * Coalesce(issued.unit_cost, 0)), digits).as_('cost'),
            where=where))


def _base_query(cls):
    """Return the rows to reconcile: each service move of the Parts Cost
    report with what its accounting entries posted on its parts cost
    account, each faulty part set aside on the parts cost account and on
    the faulty parts account, and each other line posted on those
    accounts"""
    pool = Pool()
    PartsCost = pool.get('service.parts.cost')
    Configuration = pool.get('service.configuration')
    AccountMove = pool.get('account.move')
    AccountLine = pool.get('account.move.line')
    Period = pool.get('account.period')
    FiscalYear = pool.get('account.fiscalyear')
    StockMove = pool.get('stock.move')
    WorkOrder = pool.get('service.work_order')
    context = Transaction().context

    company_id = context.get('company')
    configuration = Configuration(1)
    account = configuration.parts_cost_account
    account_id = account.id if account else -1
    chargeable = configuration.chargeable_parts_cost_account
    chargeable_id = chargeable.id if chargeable else account_id
    faulty = configuration.faulty_parts_account
    faulty_id = faulty.id if faulty else None
    account_ids = {account_id, chargeable_id}
    digits = cls._digits()
    from_date, to_date = _dates(context)

    # what each stock move posted on the parts cost accounts (side 0) and
    # on the faulty parts account (side 1)
    am = AccountMove.__table__()
    line = AccountLine.__table__()
    posted_ids = account_ids | ({faulty_id} if faulty_id else set())
    where = (am.origin.like('stock.move,%')
        & (am.state == 'posted')
        & line.account.in_(list(posted_ids)))
    if company_id:
        where &= am.company == company_id
    if from_date:
        where &= am.date >= from_date
    # the side is computed in a subquery: PostgreSQL does not match an
    # expression with parameters in GROUP BY with the same in SELECT
    side = Case((line.account == (faulty_id or -1), 1), else_=0)
    lines = (am
        .join(line, condition=line.move == am.id)
        .select(
            am.origin.as_('origin'),
            side.as_('side'),
            line.account.as_('account'),
            am.id.as_('account_move'),
            (line.debit - line.credit).as_('amount'),
            where=where))
    stock_move = AccountMove.origin.sql_id(lines.origin, StockMove)
    posted = lines.select(
        stock_move.as_('stock_move'),
        lines.side.as_('side'),
        Min(lines.account).as_('account'),
        Min(lines.account_move).as_('account_move'),
        Sum(lines.amount).as_('posted'),
        group_by=[lines.origin, lines.side])

    def cost_account(work_order):
        return Case((work_order.billing == 'chargeable', chargeable_id),
            else_=account_id)

    cost = PartsCost.moves_query(company_id, from_date, to_date)
    work_order = WorkOrder.__table__()
    cost = (cost
        .join(work_order, 'LEFT',
            condition=work_order.id == cost.work_order)
        .select(
            cost.id, cost.company, cost.date, cost.product,
            cost.requisition, cost.cost,
            cost_account(work_order).as_('account'),
            Literal(0).as_('side')))
    if faulty_id:
        set_aside = _faulty_query(company_id, from_date, to_date, digits)
        work_order = WorkOrder.__table__()
        out_of_cost = (set_aside
            .join(work_order, 'LEFT',
                condition=work_order.id == set_aside.work_order)
            .select(
                set_aside.id, set_aside.company, set_aside.date,
                set_aside.product, set_aside.requisition,
                (-set_aside.cost).as_('cost'),
                cost_account(work_order).as_('account'),
                Literal(0).as_('side')))
        on_faulty = set_aside.select(
            set_aside.id, set_aside.company, set_aside.date,
            set_aside.product, set_aside.requisition, set_aside.cost,
            Literal(faulty_id).as_('account'),
            Literal(1).as_('side'))
        cost = Union(cost, out_of_cost, on_faulty, all_=True)
    period = Period.__table__()
    fiscalyear = FiscalYear.__table__()
    issued = (cost
        .join(fiscalyear, condition=fiscalyear.company == cost.company)
        .join(period, condition=(period.fiscalyear == fiscalyear.id)
            & (period.type == 'standard')
            & (period.start_date <= cost.date)
            & (period.end_date >= cost.date))
        .join(posted, 'LEFT', condition=(posted.stock_move == cost.id)
            & (posted.side == cost.side))
        .select(
            ((cost.id * 2 + cost.side) * 2).as_('id'),
            cost.company.as_('company'),
            # where it was posted, else where it should be
            Coalesce(posted.account, cost.account).as_('account'),
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

    # the other lines on the parts cost accounts: posted by hand or from
    # elsewhere; the faulty parts account also takes the inventory
    # differences, which are not service moves
    am = AccountMove.__table__()
    line = AccountLine.__table__()
    service_move = StockMove.__table__()
    service_where = Literal(False)
    for origin in SERVICE_ORIGINS:
        service_where |= service_move.origin.like(origin + ',%')
    where = ((am.state == 'posted')
        & line.account.in_(list(account_ids))
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
    return Union(issued, other, all_=True)


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
        """The current month, or when nothing is to reconcile in it yet
        (the first days of a month), the last month with something"""
        pool = Pool()
        Period = pool.get('account.period')
        Date = pool.get('ir.date')
        Reconciliation = pool.get('service.parts.cost.reconciliation')
        company = Transaction().context.get('company')
        if not company:
            return None
        with Transaction().set_context(company=company):
            today = Date.today()
        periods = Period.search([
                ('company', '=', company),
                ('type', '=', 'standard'),
                ('start_date', '<=', today),
                ], order=[('start_date', 'DESC')], limit=3)
        for period in periods:
            with Transaction().set_context(
                    company=company, period=period.id,
                    from_date=None, to_date=None):
                if Reconciliation.search([], limit=1):
                    return period.id
        return periods[0].id if periods else None


class ReconciliationContext(
        BoundedMixin, ReconciliationContextMixin, ModelView):
    "Parts cost reconciliation context"
    __name__ = 'service.parts.cost.reconciliation.context'


class _ReconciliationMixin(ReportMixin):
    __slots__ = ()

    company = fields.Many2One('company.company', "Company")
    account = fields.Many2One(
        'account.account', "Account",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    period = fields.Many2One('account.period', "Period")
    report_cost = Monetary(
        "Parts Cost Report", currency='currency', digits='currency',
        help="The total of the Parts Cost report.")
    posted = Monetary(
        "Posted", currency='currency', digits='currency',
        help="The balance posted on the account.")
    difference = Monetary(
        "Difference", currency='currency', digits='currency')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'get_currency')

    def get_currency(self, name):
        return self.company.currency.id if self.company else None

    @classmethod
    def _joins(cls):
        "Return the from item and the tables by name"
        check_context('service.parts.cost.reconciliation.context')
        rows = _base_query(cls)
        return rows, {'rows': rows}

    @classmethod
    def _digits(cls):
        "Return the digits of the currency of the context's company"
        Company = Pool().get('company.company')
        company_id = Transaction().context.get('company')
        return Company(company_id).currency.digits if company_id else 2


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
    def _columns(cls, tables):
        rows = tables['rows']
        digits = cls._digits()
        return [
            Min(rows.id).as_('id'),
            rows.company.as_('company'),
            rows.account.as_('account'),
            rows.period.as_('period'),
            Round(Sum(rows.report_cost), digits).as_('report_cost'),
            Round(Sum(rows.posted), digits).as_('posted'),
            Round(Sum(rows.report_cost - rows.posted), digits).as_(
                'difference'),
            ]

    @classmethod
    def _group_by(cls, tables):
        rows = tables['rows']
        return [rows.company, rows.account, rows.period]

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
    def _columns(cls, tables):
        rows = tables['rows']
        digits = cls._digits()
        return [
            rows.id, rows.company, rows.account, rows.period,
            rows.date, rows.kind, rows.stock_move, rows.account_move,
            rows.product, rows.requisition,
            Round(rows.report_cost, digits).as_('report_cost'),
            Round(rows.posted, digits).as_('posted'),
            Round(rows.report_cost - rows.posted, digits).as_('difference'),
            ]

    @classmethod
    def _where(cls, tables):
        "The moves that make a difference in the currency's digits"
        rows = tables['rows']
        return Abs(rows.report_cost - rows.posted) >= Literal(
            0.1 ** cls._digits() / 2)


BILLINGS = [
    (None, ""),
    ('warranty', "Under Warranty"),
    ('contract', "Service Contract"),
    ('chargeable', "Chargeable"),
    ]


class Site(metaclass=PoolMeta):
    __name__ = 'service.site'

    service_contract = fields.Boolean(
        "Service Contract",
        help="The customer pays a service contract for the site: its "
        "repairs are not charged.")

    @classmethod
    def default_service_contract(cls):
        return False


class WorkOrder(metaclass=PoolMeta):
    __name__ = 'service.work_order'

    billing = fields.Selection(
        BILLINGS, "Billing",
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            },
        help="Under warranty or under a service contract, the parts cost "
        "is a selling expense; a chargeable repair's parts cost is a cost "
        "of sales and the customer is invoiced.")
    billing_string = billing.translated('billing')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.billing, Index.Equality(cardinality='low'))))

    @fields.depends('site', 'equipment', 'planned_start', 'company')
    def on_change_with_billing(self, name=None):
        return self.compute_billing()

    @fields.depends('site', 'equipment', 'planned_start', 'company')
    def compute_billing(self):
        "Return the billing from the site's contract and the warranty"
        pool = Pool()
        Date = pool.get('ir.date')
        if self.site and self.site.service_contract:
            return 'contract'
        if not self.equipment:
            return None
        with Transaction().set_context(
                company=self.company.id if self.company else None):
            today = Date.today()
        if self.equipment.warranty_end and self.equipment.warranty_end >= (
                today):
            return 'warranty'
        return 'chargeable'

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('billing'):
            order = cls(**{n: values[n]
                    for n in ['site', 'equipment', 'company']
                    if values.get(n) is not None})
            values['billing'] = order.compute_billing()
        return values

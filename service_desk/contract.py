# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Service contracts: what a customer is entitled to (promised times on
the contract's own calendar, parts and labour covered, visits and
inspections), found by the tickets at intake (R-CS-3, R-PART-6, R-ROLE-1)
"""
import contextvars
import json
import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Null
from sql.operators import Or

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company import CompanyReport
from trytond.modules.company.model import set_employee
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, Id, If
from trytond.tools import reduce_ids
from trytond.transaction import Transaction, without_check_access

from .common import (
    BoundedMixin, CompanyMixin, GuardedMixin, KeptMixin, NumberedMixin,
    boolean_domain, search_on, set_timestamp)
from .configuration import default_sequence
from .ticket import OPEN_STATES, PRIORITIES
from .working_calendar import WorkingCalendar, to_local

CALENDARS = [
    ('working', "Working Days"),
    ('every_day', "Every Day"),
    ('round_the_clock', "Round the Clock (7x24)"),
    ]
INVOICING = [
    ('monthly', "Monthly"),
    ('quarterly', "Quarterly"),
    ('yearly', "Yearly"),
    ]
# the months of an invoicing period, which is also the period of the
# visits included
PERIOD_MONTHS = {'monthly': 1, 'quarterly': 3, 'yearly': 12}
PARTS_COVERAGE = [
    ('all', "All Parts"),
    ('amount', "Up to an Amount"),
    ('none', "None"),
    ]
# the cover found for the tickets of the batch being computed, by id
_COVER = contextvars.ContextVar('service_contract_cover', default=None)
# the lines of the covers of the tickets being created, by id
_LINES = contextvars.ContextVar('service_contract_lines', default=None)
# the calendars of the contracts while a batch of tickets is created
_CALENDARS = contextvars.ContextVar(
    'service_contract_calendars', default=None)
# the most specific cover first (R-CS-3)
COVER_RANKS = {'equipment': 0, 'category': 1, 'site': 2, 'customer': 3}


class ContractError(ValidationError):
    pass


class EveryDayCalendar(WorkingCalendar):
    "The working hours of every day of the year, holidays included"

    def is_working_day(self, date):
        return True


class RoundTheClockCalendar(WorkingCalendar):
    "Every hour counts: a data room served 7 days a week, 24 hours a day"

    def __init__(self, timezone=None):
        super().__init__(dt.time(0), dt.time(23, 59), timezone)

    def is_working_day(self, date):
        return True

    def is_working_time(self, value):
        return True

    def add(self, value, hours):
        return value + dt.timedelta(hours=hours)

    def hours_between(self, begin, finish):
        return max((finish - begin).total_seconds() / 3600, 0.0)


def _contract_calendar(contract):
    """Return the calendar of the contract, kept while a batch of tickets
    is created so that it asks the national calendar once a day, and once
    for the contracts of the same hours"""
    calendars = _CALENDARS.get()
    if calendars is None:
        return contract.working_calendar()
    # the contracts of a batch share the calendars of the same hours
    key = (contract.company.id, contract.calendar, contract.work_start,
        contract.work_end)
    if key not in calendars:
        calendars[key] = contract.working_calendar()
    return calendars[key]


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'

    contract_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Contract Sequence", required=True,
            domain=[
                ('company', 'in',
                    [Eval('context', {}).get('company', -1), None]),
                ('sequence_type', '=',
                    Id('service_desk', 'sequence_type_contract')),
                ]))

    contract_reminder_days = fields.Integer(
        "Renewal Reminder Days",
        domain=['OR',
            ('contract_reminder_days', '=', None),
            ('contract_reminder_days', '>=', 0),
            ],
        help="How many days before the notice date of a contract the "
        "manager and the customer are reminded of its renewal.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._field_bounds = {
            **cls._field_bounds, 'contract_reminder_days': (0, 3660)}

    @classmethod
    def default_contract_reminder_days(cls):
        return 14

    @classmethod
    def multivalue_model(cls, field):
        if field == 'contract_sequence':
            return Pool().get('service.configuration.sequence')
        return super().multivalue_model(field)

    @classmethod
    def default_contract_sequence(cls, **pattern):
        return cls.multivalue_model(
            'contract_sequence').default_contract_sequence()


class ConfigurationSequence(metaclass=PoolMeta):
    __name__ = 'service.configuration.sequence'

    contract_sequence = fields.Many2One(
        'ir.sequence', "Contract Sequence", required=True,
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=',
                Id('service_desk', 'sequence_type_contract')),
            ])

    default_contract_sequence = default_sequence('sequence_contract')


class Contract(
        BoundedMixin, CompanyMixin, NumberedMixin, KeptMixin, GuardedMixin,
        Workflow, ModelSQL, ModelView):
    "A service contract: what a customer is entitled to for a period"
    __name__ = 'service.contract'
    _rec_name = 'number'
    _number_sequence = 'contract_sequence'
    _history = True
    _delete_message = 'service_desk.msg_contract_delete_draft'
    _cancel_reason_message = 'service_desk.msg_contract_cancel_reason'
    _field_bounds = {'notice_days': (0, 3660)}

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    number = fields.Char("Number", readonly=True)
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='RESTRICT',
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    description = fields.Char("Description", states=_states)
    start_date = fields.Date("Start", required=True, states=_states)
    end_date = fields.Date(
        "End", required=True, states=_states,
        domain=[
            If(Bool(Eval('start_date')),
                ('end_date', '>=', Eval('start_date')), ()),
            ])
    tacit_renewal = fields.Boolean(
        "Tacit Renewal", states=_states,
        help="The contract goes on for another period unless it is "
        "cancelled before the notice.")
    notice_days = fields.Integer(
        "Notice Days", required=True, states=_states,
        domain=[('notice_days', '>=', 0)],
        help="How many days before the end the customer is asked about "
        "the renewal.")
    notice_date = fields.Date(
        "Notice Date", readonly=True,
        help="From this day the contract is on the list of renewals.")
    calendar = fields.Selection(
        CALENDARS, "Calendar", required=True, sort=False, states=_states,
        help="The hours that count for the promised times of the "
        "contract.")
    work_start = fields.Time(
        "Working Day Start", states={
            'readonly': _states['readonly'],
            'invisible': Eval('calendar') == 'round_the_clock',
            },
        help="Leave empty for the hours of the service configuration.")
    work_end = fields.Time(
        "Working Day End", states={
            'readonly': _states['readonly'],
            'invisible': Eval('calendar') == 'round_the_clock',
            },
        domain=[
            If(Bool(Eval('work_start')) & Bool(Eval('work_end')),
                ('work_end', '>', Eval('work_start')), ()),
            ])
    price = Monetary(
        "Price", currency='currency', digits='currency', required=True,
        states=_states, domain=[('price', '>=', 0)],
        help="The price of the contract for its whole period.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    invoicing = fields.Selection(
        INVOICING, "Invoicing", required=True, sort=False, states=_states,
        help="How often the customer is invoiced for the contract.")
    invoicing_string = invoicing.translated('invoicing')
    lines = fields.One2Many(
        'service.contract.line', 'contract', "Coverage", states=_states)
    previous = fields.Many2One(
        'service.contract', "Previous Contract", readonly=True,
        ondelete='RESTRICT',
        help="The contract of the period before, which this one renews.")
    renewals = fields.One2Many(
        'service.contract', 'previous', "Renewals", readonly=True)
    renewal_due = fields.Function(fields.Boolean(
            "Renewal Due",
            help="Running, within its notice period and not renewed yet."),
        'get_renewal_due', searcher='search_renewal_due')
    renewal_reminded = fields.Date(
        "Renewal Reminded on", readonly=True,
        help="The day the manager and the customer were reminded of the "
        "renewal, once.")
    approved_by = fields.Many2One(
        'company.employee', "Approved by", readonly=True,
        ondelete='RESTRICT')
    approved_date = fields.Date("Approved on", readonly=True)
    cancel_reason = fields.Text(
        "Cancellation Reason",
        states={
            'readonly': Eval('state').in_(['expired', 'cancelled']),
            })
    state = fields.Selection([
            ('draft', "Draft"),
            ('running', "Running"),
            ('expired', "Expired"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')
    calendar_string = calendar.translated('calendar')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.number, Index.Similarity())),
                # default order
                Index(t, (t.start_date, Index.Range()),
                    (t.id, Index.Range())),
                Index(t, (t.party, Index.Range())),
                Index(t, (t.previous, Index.Range()),
                    where=t.previous != Null),
                Index(t, (t.end_date, Index.Range())),
                Index(t, (t.notice_date, Index.Range()),
                    where=t.state == 'running'),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'running'),
            ('draft', 'cancelled'),
            ('running', 'expired'),
            ('running', 'cancelled'),
            }
        cls._buttons.update({
                'run': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'running']),
                    'depends': ['state'],
                    },
                'expire': {
                    'invisible': Eval('state') != 'running',
                    'depends': ['state'],
                    },
                'renew': {
                    'invisible': (~Eval('state').in_(['running', 'expired'])
                        | Bool(Eval('renewals', []))),
                    'depends': ['state', 'renewals'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_notice_days(cls):
        return 30

    @classmethod
    def default_tacit_renewal(cls):
        return False

    @classmethod
    def default_calendar(cls):
        return 'working'

    @classmethod
    def default_invoicing(cls):
        return 'yearly'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('start_date', 'end_date')
    def on_change_start_date(self):
        if self.start_date and not self.end_date:
            self.end_date = (
                self.start_date + relativedelta(years=1, days=-1))

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.number, self.party.rec_name if self.party else '']))

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_on(['number', 'party.name', 'description'], clause)

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if field_names is None or field_names & {'end_date', 'notice_days'}:
            notice_date = None
            if self.end_date:
                notice_date = self.end_date - dt.timedelta(
                    days=self.notice_days or 0)
            if self.notice_date != notice_date:
                values['notice_date'] = notice_date
        return values

    @classmethod
    def _today(cls, company=None):
        Date = Pool().get('ir.date')
        with Transaction().set_context(
                company=company.id if company else None):
            return Date.today()

    def get_renewal_due(self, name):
        return (self.state == 'running' and not self.renewals
            and self.notice_date is not None
            and self.notice_date <= self._today(self.company))

    @classmethod
    def search_renewal_due(cls, name, clause):
        today = cls._today()
        t = cls.__table__()
        renewed = t.select(t.previous, where=t.previous != Null)
        return boolean_domain(clause,
            lambda: [
                ('state', '=', 'running'),
                ('notice_date', '<=', today),
                ('id', 'not in', renewed),
                ],
            lambda: ['OR',
                ('state', '!=', 'running'),
                ('notice_date', '>', today),
                ('id', 'in', renewed),
                ])

    def period_of(self, date):
        """Return the first and the last day of the invoicing period of
        the contract holding the date, counted from the contract's start"""
        months = PERIOD_MONTHS[self.invoicing]
        start = self.start_date
        index = ((date.year - start.year) * 12
            + date.month - start.month) // months
        begin = start + relativedelta(months=index * months)
        if begin > date:
            index -= 1
            begin = start + relativedelta(months=index * months)
        end = (start + relativedelta(months=(index + 1) * months)
            - dt.timedelta(days=1))
        return max(begin, start), min(end, self.end_date)

    def periods(self):
        "Yield the invoicing periods of the contract, first to last"
        date = self.start_date
        while date <= self.end_date:
            begin, end = self.period_of(date)
            yield begin, end
            date = end + dt.timedelta(days=1)

    def working_calendar(self):
        "Return the calendar of the promised times of the contract"
        Configuration = Pool().get('service.configuration')
        timezone = self.company.timezone
        if self.calendar == 'round_the_clock':
            return RoundTheClockCalendar(timezone)
        config = Configuration(1)
        start = self.work_start or config.work_start
        end = self.work_end or config.work_end
        if self.calendar == 'every_day':
            return EveryDayCalendar(start, end, timezone)
        return WorkingCalendar(
            start, end, timezone,
            exceptions=config.working_day_exceptions(self.company))

    @classmethod
    def validate_fields(cls, contracts, field_names):
        super().validate_fields(contracts, field_names)
        for contract in contracts:
            if (contract.calendar != 'round_the_clock'
                    and bool(contract.work_start) != bool(contract.work_end)):
                raise ContractError(gettext(
                        'service_desk.msg_contract_working_hours',
                        contract=contract.rec_name))

    @classmethod
    def copy(cls, contracts, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('renewals', None)
        default.setdefault('cancel_reason', None)
        return super().copy(contracts, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    @set_employee('approved_by')
    @set_timestamp('approved_date')
    def run(cls, contracts):
        "Approved by the manager (R-ROLE-1): the contract is in force"
        for contract in contracts:
            if not contract.lines:
                raise ContractError(gettext(
                        'service_desk.msg_contract_run_lines',
                        contract=contract.rec_name))
        cls.plan_inspections(contracts)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, contracts):
        cls.check_cancel_reason(contracts)
        cls.stop_inspections(contracts)

    @classmethod
    @ModelView.button
    @Workflow.transition('expired')
    def expire(cls, contracts):
        cls.stop_inspections(contracts)

    @classmethod
    def plan_inspections(cls, contracts):
        """Create or update the inspection plan of each line with an
        inspection frequency (R-INSP-1): its sites, cycle and start are the
        contract's"""
        Plan = Pool().get('service.inspection.plan')
        lines = [line for c in contracts for line in c.lines
            if line.inspection_months]
        with without_check_access():
            plans = {p.contract_line.id: p for p in Plan.search([
                        ('contract_line', 'in', [line.id for line in lines]),
                        ('active', 'in', [True, False]),
                        ])}
            to_save = []
            for line in lines:
                plan = plans.get(line.id) or Plan(
                    contract_line=line, company=line.contract.company)
                plan.name = line.rec_name
                plan.start_date = line.contract.start_date
                plan.cycle_months = line.inspection_months
                plan.sites = line.inspected_sites()
                plan.active = True
                to_save.append(plan)
            Plan.save(to_save)

    @classmethod
    def stop_inspections(cls, contracts):
        "Deactivate the inspection plans of the contracts ended"
        Plan = Pool().get('service.inspection.plan')
        with without_check_access():
            plans = Plan.search([
                    ('contract_line.contract', 'in',
                        [c.id for c in contracts]),
                    ('active', '=', True),
                    ])
            if plans:
                Plan.write(plans, {'active': False})

    @classmethod
    @ModelView.button_action('service_desk.act_contract_form')
    def renew(cls, contracts):
        "Draft the contract of the next period, linked to this one"
        renewals = cls.create_renewals(contracts)
        return {'res_id': [c.id for c in renewals]}

    @classmethod
    def create_renewals(cls, contracts):
        renewals = []
        for contract in contracts:
            if contract.renewals or contract.state not in {
                    'running', 'expired'}:
                continue
            start = contract.end_date + dt.timedelta(days=1)
            length = relativedelta(
                contract.end_date + dt.timedelta(days=1),
                contract.start_date)
            renewal, = cls.copy([contract], default={
                    'start_date': start,
                    'end_date': start + length - dt.timedelta(days=1),
                    'previous': contract.id,
                    })
            renewals.append(renewal)
        return renewals

    @classmethod
    def expire_ended(cls):
        """Expire the running contracts ended before today; a contract
        renewed tacitly goes on in the renewal drafted for it"""
        today = cls._today()
        contracts = cls.search([
                ('state', '=', 'running'),
                ('end_date', '<', today),
                ])
        tacit = [c for c in contracts if c.tacit_renewal]
        cls.expire(contracts)
        cls.create_renewals(tacit)

    @classmethod
    def remind_renewals(cls):
        """Remind the service managers and the customers of the running
        contracts whose notice date comes within the reminder days, once
        (daily job): the day is stamped, which sends the customer's e-mail
        (trigger)"""
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Company = pool.get('company.company')
        reminded = []
        for company in Company.search([]):
            today = cls._today(company)
            with Transaction().set_context(company=company.id):
                days = Configuration(1).contract_reminder_days
            if days is None:
                days = Configuration.default_contract_reminder_days()
            contracts = cls.search([
                    ('company', '=', company.id),
                    ('state', '=', 'running'),
                    ('renewal_reminded', '=', None),
                    ('notice_date', '<=', today + dt.timedelta(days=days)),
                    ])
            contracts = [c for c in contracts if not c.renewals]
            if contracts:
                cls.write(contracts, {'renewal_reminded': today})
                cls._notify_managers(contracts)
                reminded.extend(contracts)
        return reminded

    @classmethod
    def _notify_managers(cls, contracts):
        "Tell the service managers which contracts are to be renewed"
        pool = Pool()
        Lang = pool.get('ir.lang')
        ModelData = pool.get('ir.model.data')
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        managers = User.search([
                ('groups', '=', ModelData.get_id(
                        'service_desk', 'group_service_manager')),
                ])
        action_id = ModelData.get_id('service_desk', 'act_contract_renewal')
        notifications = []
        for user in managers:
            with Transaction().set_context(language=user.language.code
                    if user.language else None):
                label = gettext(
                    'service_desk.msg_contract_renewal_notification',
                    count=len(contracts))
                lang = Lang.get()
                description = ', '.join(
                    f'{c.rec_name} ({lang.strftime(c.notice_date)})'
                    for c in contracts[:5])
            notifications.append(Notification(
                    user=user, label=label, description=description,
                    icon='tryton-notification', model=cls.__name__,
                    records=json.dumps([c.id for c in contracts]),
                    action=action_id))
        Notification.save(notifications)

    @classmethod
    def find_cover(cls, tickets):
        """Return for each ticket (line, expired contract, days), or None
        when it names no customer: the running contract line covering it,
        the most specific first (item, product category, site, customer),
        else the contract that covered it and ended the days before its
        reception

        One query for the lines of all the tickets, one more for the
        product categories when a line covers by category."""
        pool = Pool()
        Line = pool.get('service.contract.line')
        Equipment = pool.get('service.equipment')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        line = Line.__table__()
        contract = cls.__table__()
        result = [None] * len(tickets)
        indexed = [(i, t) for i, t in enumerate(tickets)
            if t.company and t.received_at
            and (t.party or t.site or t.equipment)]
        tickets = [t for _, t in indexed]
        if not tickets:
            return result
        keys = {
            'party': {t.party.id for t in tickets if t.party},
            'site': {t.site.id for t in tickets if t.site},
            'equipment': {t.equipment.id for t in tickets if t.equipment},
            }
        companies = sorted({t.company.id for t in tickets})
        rows = []
        with transaction.set_context(_check_access=False):
            conditions = []
            if keys['party']:
                conditions.append(reduce_ids(
                        contract.party, sorted(keys['party'])))
            if keys['site']:
                conditions.append(reduce_ids(line.site, sorted(keys['site'])))
            if keys['equipment']:
                conditions.append(reduce_ids(
                        line.equipment, sorted(keys['equipment'])))
            cursor.execute(*line.join(
                    contract, condition=line.contract == contract.id
                    ).select(
                    line.id, contract.id, contract.party, contract.state,
                    contract.start_date, contract.end_date,
                    line.site, line.equipment, line.product_category,
                    where=contract.company.in_(companies)
                    & contract.state.in_(['running', 'expired'])
                    & Or(conditions)))
            rows = cursor.fetchall()
        categories = {}
        if any(r[8] for r in rows) and keys['equipment']:
            equipments = Equipment.browse(sorted(keys['equipment']))
            for equipment in equipments:
                template = equipment.product.template
                categories[equipment.id] = {
                    c.id for c in template.categories_all}
        found = {}
        for index, ticket in indexed:
            date = to_local(ticket.received_at, ticket.company.timezone
                ).date()
            party = ticket.party.id if ticket.party else None
            site = ticket.site.id if ticket.site else None
            equipment = ticket.equipment.id if ticket.equipment else None
            running, ended = [], []
            for (line_id, contract_id, c_party, state, start, end,
                    l_site, l_equipment, l_category) in rows:
                if l_equipment is not None:
                    if l_equipment != equipment:
                        continue
                    rank = COVER_RANKS['equipment']
                elif l_category is not None:
                    if (equipment is None
                            or l_category not in categories.get(
                                equipment, ())
                            or not (l_site == site if l_site is not None
                                else c_party == party)):
                        continue
                    rank = COVER_RANKS['category']
                elif l_site is not None:
                    if l_site != site:
                        continue
                    rank = COVER_RANKS['site']
                else:
                    if c_party != party:
                        continue
                    rank = COVER_RANKS['customer']
                if start <= date <= end and state == 'running':
                    running.append((rank, -start.toordinal(), line_id))
                elif end < date:
                    ended.append((rank, -end.toordinal(), contract_id, end))
            line_id = min(running)[2] if running else None
            expired = days = None
            if line_id is None and ended:
                _, _, expired, end = min(ended)
                days = (date - end).days
            found[index] = (line_id, expired, days)
        lines = {r.id: r for r in Line.browse(sorted({
                        v[0] for v in found.values() if v[0]}))}
        expired = {c.id: c for c in cls.browse(sorted({
                        v[1] for v in found.values() if v[1]}))}
        for index, (line_id, contract_id, days) in found.items():
            result[index] = (
                lines.get(line_id), expired.get(contract_id), days)
        return result


class ContractLine(BoundedMixin, GuardedMixin, ModelSQL, ModelView):
    """What a contract covers (an item, the items of a product category,
    a site or all the customer's sites) and the entitlements there"""
    __name__ = 'service.contract.line'
    _guard_parent = ('contract', ['draft'])
    _field_bounds = {
        **{f'{p}_{k}_hours': (0, 10000)
            for p, _ in PRIORITIES for k in ['response', 'resolution']},
        'visits': (0, 10000), 'inspection_months': (0, 120),
        }

    contract = fields.Many2One(
        'service.contract', "Contract", required=True, ondelete='CASCADE')
    party = fields.Function(fields.Many2One(
            'party.party', "Customer"), 'on_change_with_party')
    site = fields.Many2One(
        'service.site', "Site", ondelete='RESTRICT',
        help="Leave empty to cover all the sites of the customer.")
    product_category = fields.Many2One(
        'product.category', "Product Category", ondelete='RESTRICT',
        states={
            'invisible': Bool(Eval('equipment')),
            },
        help="Only the equipment of this category (at the site, or at all "
        "the sites of the customer).")
    equipment = fields.Many2One(
        'service.equipment', "Equipment", ondelete='RESTRICT',
        domain=[
            If(Bool(Eval('site')), ('site', '=', Eval('site', -1)), ()),
            ])
    cover = fields.Function(fields.Selection([
                ('equipment', "Equipment"),
                ('category', "Product Category"),
                ('site', "Site"),
                ('customer', "Customer"),
                ], "Covers"), 'on_change_with_cover')
    visits = fields.Integer(
        "On-site Visits", domain=[('visits', '>=', 0)],
        help="The visits included in each invoicing period; leave empty "
        "for as many as needed.")
    visits_used = fields.Function(fields.Integer(
            "Visits Used",
            help="The visits of the line's tickets in the invoicing period "
            "of today, cancelled ones aside."),
        'get_visits_used')
    visits_usage = fields.Function(fields.Char(
            "Visits", help="The visits used of those included this period."),
        'get_visits_used')
    parts_coverage = fields.Selection(
        PARTS_COVERAGE, "Parts Covered", required=True, sort=False)
    parts_coverage_string = parts_coverage.translated('parts_coverage')
    parts_amount = Monetary(
        "Parts Covered up to", currency='currency', digits='currency',
        domain=['OR',
            ('parts_amount', '=', None),
            ('parts_amount', '>=', 0),
            ],
        states={
            'invisible': Eval('parts_coverage') != 'amount',
            'required': Eval('parts_coverage') == 'amount',
            },
        help="The value of the parts of a repair paid by the contract; "
        "the customer is invoiced for the rest.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    labour_covered = fields.Boolean("Labour Covered")
    inspection_months = fields.Integer(
        "Inspection Every (Months)",
        domain=[('inspection_months', '>=', 0)],
        help="How often the covered equipment is inspected; leave empty "
        "for no inspection.")
    for _priority, _name in PRIORITIES:
        locals()[f'{_priority}_response_hours'] = fields.Float(
            f"{_name} Response Hours",
            domain=[(f'{_priority}_response_hours', '>', 0)],
            help="Working hours of the contract's calendar to respond; "
            "leave empty for the service's target.")
        locals()[f'{_priority}_resolution_hours'] = fields.Float(
            f"{_name} Resolution Hours",
            domain=[(f'{_priority}_resolution_hours', '>', 0)],
            help="Working hours of the contract's calendar to resolve.")
    del _priority, _name

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('contract')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.contract, Index.Range())),
                Index(t, (t.site, Index.Range()), where=t.site != Null),
                Index(t, (t.equipment, Index.Range()),
                    where=t.equipment != Null),
                })

    @classmethod
    def default_parts_coverage(cls):
        return 'all'

    @classmethod
    def default_labour_covered(cls):
        return True

    @fields.depends('contract', '_parent_contract.party')
    def on_change_with_party(self, name=None):
        return self.contract.party if self.contract else None

    @fields.depends('contract', '_parent_contract.company')
    def on_change_with_currency(self, name=None):
        if self.contract and self.contract.company:
            return self.contract.company.currency

    @fields.depends('equipment', 'product_category', 'site')
    def on_change_with_cover(self, name=None):
        if self.equipment:
            return 'equipment'
        elif self.product_category:
            return 'category'
        elif self.site:
            return 'site'
        return 'customer'

    @fields.depends('equipment', 'site')
    def on_change_equipment(self):
        if self.equipment:
            self.site = self.equipment.site

    def get_rec_name(self, name):
        what = (self.equipment or self.product_category or self.site
            or self.contract.party)
        return ' / '.join(filter(None, [
                    self.contract.rec_name, what.rec_name if what else '']))

    def inspected_sites(self):
        "Return the sites the line's inspections visit"
        Site = Pool().get('service.site')
        if self.equipment:
            return [self.equipment.site]
        if self.site:
            return [self.site]
        return Site.search([
                ('party', '=', self.contract.party.id),
                ('company', '=', self.contract.company.id),
                ])

    @classmethod
    def visit_dates(cls, lines, since=None):
        """Return for each line id the (date, id) of its visits, cancelled
        ones aside: the planned day, or the day it was drafted, in the
        company's time zone"""
        WorkOrder = Pool().get('service.work_order')
        result = {line.id: [] for line in lines}
        if not result:
            return result
        domain = [
            ('ticket.contract_line', 'in', sorted(result)),
            ('state', '!=', 'cancelled'),
            ]
        if since:
            domain.append(['OR',
                    ('planned_date', '>=', since),
                    ('planned_date', '=', None),
                    ])
        with without_check_access():
            orders = WorkOrder.search(domain)
            for order in orders:
                result[order.ticket.contract_line.id].append(
                    (order.visit_date(), order.id))
        return result

    def visits_in(self, visits, date):
        "Return the visits among (date, id) in the period holding date"
        begin, end = self.contract.period_of(date)
        return [v for v in visits if begin <= v[0] <= end]

    def usage(self, used):
        "Return the visits used of those included in words"
        if self.visits is None:
            return ''
        return gettext('service_desk.msg_contract_visits_used',
            used=used, visits=self.visits,
            period=gettext(
                f'service_desk.msg_contract_period_{self.contract.invoicing}'))

    @classmethod
    def get_visits_used(cls, lines, names):
        result = {n: {} for n in names}
        today = Pool().get('service.contract')._today()
        visits = cls.visit_dates(lines, since=today - relativedelta(years=1))
        for line in lines:
            contract = line.contract
            used = None
            if contract.start_date <= today <= contract.end_date:
                used = len(line.visits_in(visits[line.id], today))
            if 'visits_used' in result:
                result['visits_used'][line.id] = used
            if 'visits_usage' in result:
                result['visits_usage'][line.id] = (
                    line.usage(used) if used is not None else '')
        return result

    def hours(self, priority):
        "Return the response and resolution hours of the priority, or None"
        response = getattr(self, f'{priority}_response_hours', None)
        resolution = getattr(self, f'{priority}_resolution_hours', None)
        if response and resolution:
            return response, resolution

    @property
    def covers_all(self):
        "Whether the contract pays for all the parts and the labour"
        return self.parts_coverage == 'all' and self.labour_covered

    @property
    def covers_something(self):
        return self.parts_coverage != 'none' or self.labour_covered

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        for line in lines:
            for priority, _ in PRIORITIES:
                hours = [getattr(line, f'{priority}_{k}_hours')
                    for k in ['response', 'resolution']]
                if (bool(hours[0]) != bool(hours[1])
                        or (all(hours) and hours[1] < hours[0])):
                    raise ContractError(gettext(
                            'service_desk.msg_contract_line_hours',
                            line=line.rec_name))
            if line.site and line.site.party != line.contract.party:
                # a framework contract covers the sites of other customers
                # through its lines; the site must be of the company
                if line.site.company != line.contract.company:
                    raise ContractError(gettext(
                            'service_desk.msg_contract_line_company',
                            line=line.rec_name))


class ContractReport(CompanyReport):
    "The printed service contract"
    __name__ = 'service.contract'


class Ticket(metaclass=PoolMeta):
    __name__ = 'service.ticket'

    contract = fields.Many2One(
        'service.contract', "Contract", readonly=True, ondelete='RESTRICT',
        help="The running service contract covering the ticket, found at "
        "intake.")
    contract_line = fields.Many2One(
        'service.contract.line', "Contract Coverage", readonly=True,
        ondelete='RESTRICT')
    coverage = fields.Function(fields.Char(
            "Coverage",
            help="What the customer is entitled to for this request."),
        'get_coverage')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.contract, Index.Range()), where=t.contract != Null))

    @classmethod
    def _contract_fields(cls):
        "The fields from which the covering contract is found"
        return {'party', 'site', 'equipment', 'received_at'}

    @classmethod
    def _deadline_depends(cls):
        return super()._deadline_depends() | {'contract_line'}

    @classmethod
    def _before_create(cls, vlist):
        """Give each new ticket the contract covering it, found for the
        batch with one query, before its deadlines are computed from it"""
        Contract = Pool().get('service.contract')
        names = ['company', 'party', 'site', 'equipment', 'received_at']
        tickets = []
        for values in vlist:
            known = {n: values.get(n) for n in names}
            if known['company'] is None:
                known['company'] = cls.default_company()
            if known['received_at'] is None:
                known['received_at'] = cls.default_received_at()
            tickets.append(cls(**known))
        covers = Contract.find_cover(tickets)
        lines = {}
        for values, cover in zip(vlist, covers, strict=True):
            line = cover[0] if cover else None
            if line:
                values['contract_line'] = line.id
                values['contract'] = line.contract.id
                lines[line.id] = line
        token = _LINES.set(lines)
        calendars = _CALENDARS.set({})
        try:
            return super()._before_create(vlist)
        finally:
            _LINES.reset(token)
            _CALENDARS.reset(calendars)

    def _deadlines(self, calendar):
        """The deadlines on the contract's calendar with the hours of the
        contract line, when it has some for the priority"""
        line = self.contract_line
        if line is not None:
            line = (_LINES.get() or {}).get(line.id, line)
        hours = line.hours(self.priority) if line else None
        if not hours:
            return super()._deadlines(calendar)
        contract_calendar = _contract_calendar(line.contract)
        paused = self.paused_hours or 0
        response = contract_calendar.add(self.received_at, hours[0] + paused)
        computed = {
            'after_hours': not calendar.is_working_time(self.received_at),
            'response_deadline': response,
            'resolution_deadline': contract_calendar.add(
                self.received_at, hours[1] + paused),
            }
        if not self.promised_at:
            computed['promised_at'] = response
        return computed

    @classmethod
    def _compute_fields(cls, tickets, field_names=None):
        "Find the cover again when what it is found from changes"
        Contract = Pool().get('service.contract')
        if field_names is not None and field_names & cls._contract_fields():
            to_find = [t for t in tickets
                if t.state in {'draft'} | set(OPEN_STATES)]
            covers = Contract.find_cover(to_find)
            token = _COVER.set({
                    t.id: c for t, c in zip(to_find, covers, strict=True)})
            try:
                super()._compute_fields(tickets, field_names=field_names)
            finally:
                _COVER.reset(token)
        else:
            super()._compute_fields(tickets, field_names=field_names)

    def compute_fields(self, field_names=None):
        Configuration = Pool().get('service.configuration')
        values = super().compute_fields(field_names=field_names)
        if self.id is None or self.id < 0 or field_names is None:
            return values
        found = (_COVER.get() or {}).get(self.id, ...)
        if found is ...:
            return values
        line = found[0] if found else None
        if line == self.contract_line:
            return values
        values['contract_line'] = line.id if line else None
        values['contract'] = line.contract.id if line else None
        response = self.response_deadline
        self.contract_line = line
        computed = self._deadlines(
            Configuration(1).working_calendar(self.company))
        if self.promised_at and self.promised_at == response:
            # the time told was the deadline, which moves with the cover
            computed['promised_at'] = computed['response_deadline']
        for name, value in computed.items():
            if getattr(self, name) != value:
                values[name] = value
        return values

    @classmethod
    def get_coverage(cls, tickets, name):
        "Covered by which contract, not covered, or expired days ago"
        Contract = Pool().get('service.contract')
        ContractLine = Pool().get('service.contract.line')
        Lang = Pool().get('ir.lang')
        lang = Lang.get()
        result = {}
        not_found = [t for t in tickets if not t.contract_line]
        cover = dict(zip(
                [t.id for t in not_found], Contract.find_cover(not_found),
                strict=True))
        visits = ContractLine.visit_dates(
            {t.contract_line for t in tickets
                if t.contract_line and t.contract_line.visits is not None})
        for ticket in tickets:
            line = ticket.contract_line
            if line:
                contract = line.contract
                result[ticket.id] = gettext(
                    'service_desk.msg_ticket_covered',
                    contract=contract.number or '',
                    end=lang.strftime(contract.end_date),
                    parts=line.parts_coverage_string,
                    labour=gettext('service_desk.msg_labour_covered'
                        if line.labour_covered
                        else 'service_desk.msg_labour_not_covered'))
                if line.visits is not None:
                    date = to_local(
                        ticket.received_at, ticket.company.timezone).date()
                    date = min(max(date, contract.start_date),
                        contract.end_date)
                    used = len(line.visits_in(visits[line.id], date))
                    result[ticket.id] += ' ' + line.usage(used) + '.'
                continue
            _, expired, days = cover.get(ticket.id) or (None, None, None)
            if expired:
                result[ticket.id] = gettext(
                    'service_desk.msg_ticket_contract_expired',
                    contract=expired.number or '', days=days)
            elif ticket.equipment and ticket.equipment.under_warranty:
                result[ticket.id] = gettext(
                    'service_desk.msg_ticket_under_warranty',
                    end=lang.strftime(ticket.equipment.warranty_end))
            else:
                result[ticket.id] = gettext(
                    'service_desk.msg_ticket_not_covered')
        return result

    @classmethod
    def copy(cls, tickets, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('contract', None)
        default.setdefault('contract_line', None)
        return super().copy(tickets, default=default)


class WorkOrder(metaclass=PoolMeta):
    __name__ = 'service.work_order'

    contract_line = fields.Function(fields.Many2One(
            'service.contract.line', "Contract Coverage"),
        'on_change_with_contract_line')
    parts_covered = fields.Function(fields.Selection(
            [(None, "")] + PARTS_COVERAGE, "Parts Covered"),
        'on_change_with_parts_covered')
    labour_covered = fields.Function(fields.Boolean(
            "Labour Covered"), 'on_change_with_labour_covered')
    visit_chargeable = fields.Function(fields.Boolean(
            "Beyond the Visits Included",
            help="The contract's visits of the period are used up: this "
            "visit is charged."),
        'on_change_with_visit_chargeable')

    @fields.depends('ticket', '_parent_ticket.contract_line')
    def on_change_with_contract_line(self, name=None):
        if self.ticket:
            return self.ticket.contract_line

    @fields.depends('planned_start', 'company', 'create_date')
    def visit_date(self):
        "The day of the visit in the company's time zone"
        Contract = Pool().get('service.contract')
        if self.planned_start:
            return self.planned_date_of(self.company, self.planned_start)
        if self.create_date:
            return self.planned_date_of(self.company, self.create_date)
        return Contract._today(self.company)

    @fields.depends('id', methods=['on_change_with_contract_line',
            'visit_date'])
    def on_change_with_visit_chargeable(self, name=None):
        "Whether the visits of the contract line's period are used up"
        ContractLine = Pool().get('service.contract.line')
        line = self.on_change_with_contract_line()
        if not line or line.visits is None:
            return False
        date = self.visit_date()
        contract = line.contract
        if not contract.start_date <= date <= contract.end_date:
            return False
        visits = ContractLine.visit_dates([line])[line.id]
        mine = (date, self.id if self.id and self.id >= 0 else float('inf'))
        before = [v for v in line.visits_in(visits, date)
            if v < mine and v[1] != self.id]
        return len(before) >= line.visits

    @fields.depends(methods=['on_change_with_contract_line'])
    def on_change_with_parts_covered(self, name=None):
        line = self.on_change_with_contract_line()
        return line.parts_coverage if line else None

    @fields.depends(methods=['on_change_with_contract_line',
            'on_change_with_visit_chargeable'])
    def on_change_with_labour_covered(self, name=None):
        line = self.on_change_with_contract_line()
        return bool(line and line.labour_covered
            and not self.on_change_with_visit_chargeable())


class WorkOrderBilling(metaclass=PoolMeta):
    "The billing of a visit from its ticket's contract (account)"
    __name__ = 'service.work_order'

    @fields.depends('ticket', '_parent_ticket.contract_line',
        methods=['on_change_with_visit_chargeable'])
    def compute_billing(self):
        billing = super().compute_billing()
        line = self.ticket.contract_line if self.ticket else None
        if line and billing != 'warranty':
            if line.covers_all and not self.on_change_with_visit_chargeable():
                return 'contract'
            # the invoice is drafted for what the contract does not pay
            return 'chargeable'
        return billing

    @fields.depends('ticket', '_parent_ticket.contract_line',
        methods=['on_change_with_visit_chargeable'])
    def on_change_with_billing(self, name=None):
        return super().on_change_with_billing(name=name)

    @classmethod
    def preprocess_values(cls, mode, values):
        if (mode == 'create' and not values.get('billing')
                and values.get('ticket') is not None):
            order = cls(**{n: values[n]
                    for n in ['site', 'equipment', 'company', 'ticket',
                        'planned_start']
                    if values.get(n) is not None})
            values = values.copy()
            values['billing'] = order.compute_billing()
        return super().preprocess_values(mode, values)


class WorkOrderInvoice(metaclass=PoolMeta):
    "The invoice of a repair less what its contract pays (account_invoice)"
    __name__ = 'service.work_order'

    def _get_invoice_lines(self, invoice):
        pool = Pool()
        Configuration = pool.get('service.configuration')
        lines = super()._get_invoice_lines(invoice)
        line = self.ticket.contract_line if self.ticket else None
        if not line:
            return lines
        labour = Configuration(1).labour_product
        labour_lines = [i for i in lines if labour and i.product == labour]
        parts_lines = [i for i in lines if i not in labour_lines]
        if line.labour_covered and not self.visit_chargeable:
            # beyond the visits included, the visit's labour is charged
            labour_lines = []
        if line.parts_coverage == 'all':
            parts_lines = []
        elif line.parts_coverage == 'amount' and parts_lines:
            total = sum(
                (i.unit_price * Decimal(str(i.quantity))
                    for i in parts_lines), Decimal(0))
            covered = min(total, line.parts_amount or Decimal(0))
            if covered:
                parts_lines.append(self._get_covered_line(
                        invoice, parts_lines[0], covered, line))
        return parts_lines + labour_lines

    def _get_covered_line(self, invoice, first, amount, contract_line):
        "The line taking off the value of the parts the contract pays"
        Line = Pool().get('account.invoice.line')
        line = Line(
            invoice=invoice, type='line', company=self.company,
            currency=invoice.currency, account=first.account,
            taxes=first.taxes, quantity=1, unit_price=-amount,
            origin=self,
            description=gettext(
                'service_desk.msg_invoice_parts_covered',
                contract=contract_line.contract.number or ''))
        return line


class InspectionPlan(metaclass=PoolMeta):
    "The inspection plan of a contract line (R-INSP-1)"
    __name__ = 'service.inspection.plan'

    contract_line = fields.Many2One(
        'service.contract.line', "Contract Coverage", readonly=True,
        ondelete='RESTRICT',
        help="The running contract whose inspections the plan makes; it "
        "stops when the contract ends.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.contract_line, Index.Range()),
                where=t.contract_line != Null))

    def visits_due(self, today):
        "No visit after the end of the plan's contract"
        line = getattr(self, 'contract_line', None)
        for cycle_start, phase, planned in super().visits_due(today):
            if line and planned > line.contract.end_date:
                continue
            yield cycle_start, phase, planned

    @classmethod
    def _check_contract_line(cls, values):
        if Transaction().check_access and 'contract_line' in values:
            raise AccessError(gettext(
                    'service_desk.msg_inspection_plan_contract'))

    @classmethod
    def create(cls, vlist):
        for values in vlist:
            if values.get('contract_line'):
                cls._check_contract_line(values)
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        for records, values in zip(actions, actions, strict=False):
            if any(values.get('contract_line') != (
                        r.contract_line.id if r.contract_line else None)
                    for r in records if 'contract_line' in values):
                cls._check_contract_line(values)
        super().write(*args)

    @classmethod
    def copy(cls, plans, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('contract_line', None)
        return super().copy(plans, default=default)

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from decimal import Decimal

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields)
from trytond.modules.company import CompanyReport
from trytond.modules.company.model import (
    employee_field, reset_employee, set_employee)
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access

from .common import (
    BoundedMixin, CompanyMixin, GuardedMixin, KeptMixin, NumberedMixin,
    SiteMixin, boolean_domain, check_dates, many2one_subquery, search_on,
    set_timestamp, user_employee)
from .equipment import STATES as EQUIPMENT_STATES
from .exceptions import WorkOrderError
from .working_calendar import to_local

KINDS = [
    ('repair', "Repair"),
    ('survey', "Site Survey"),
    ('installation', "Installation"),
    ('maintenance', "Routine Maintenance"),
    ('inspection', "Inspection"),
    ]
CONTACT_METHODS = [
    (None, ""),
    ('phone', "Phone"),
    ('email', "E-mail"),
    ('chat', "Chat (QQ/WeChat)"),
    ('on_site', "On Site"),
    ]
OPEN_STATES = ['draft', 'scheduled', 'in_progress']
CALENDAR_COLORS = [
    '#a5d8ff', '#b2f2bb', '#ffc9c9', '#d0bfff', '#99e9f2', '#ffec99',
    '#eebefa', '#c0eb75', '#fcc2d7', '#bac8ff',
    ]
# the equipment transition giving the state after the repair
EQUIPMENT_TRANSITIONS = {
    'in_service': 'put_in_service',
    'faulty': 'report_faulty',
    'under_repair': 'start_repair',
    'retired': 'retire',
    }


def local_time(company, value):
    "Return the naive UTC datetime value in the company's time zone"
    return to_local(value, company.timezone if company else None)


def format_period(company, start, end):
    """Return the day and the hours from start to end in the company's time
    zone, as the user's language writes them"""
    Lang = Pool().get('ir.lang')
    if not start:
        return None
    lang = Lang.get()
    start = local_time(company, start)
    text = lang.strftime(start, '%x %H:%M')
    if end:
        end = local_time(company, end)
        text += '-' + lang.strftime(
            end, '%H:%M' if end.date() == start.date() else '%x %H:%M')
    return text


class WorkOrder(
        BoundedMixin, CompanyMixin, NumberedMixin, KeptMixin, GuardedMixin,
        SiteMixin,
        Workflow, ModelSQL, ModelView):
    "A visit of technicians to a customer site (R-REP, R-ENG-2/3/6)"
    __name__ = 'service.work_order'
    _number_sequence = 'work_order_sequence'
    _rec_name = 'number'
    _history = True
    _delete_message = 'service_desk.msg_work_order_delete_draft'
    _cancel_reason_message = 'service_desk.msg_work_order_cancel_reason'

    _states = {
        'readonly': Eval('state').in_(['done', 'cancelled']),
        }
    _report_states = {
        'readonly': Eval('state') != 'in_progress',
        }

    number = fields.Char("Number", readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True, states={
            'readonly': Eval('state') != 'draft',
            })
    kind_string = kind.translated('kind')
    kind_name = fields.Function(
        fields.Char("Kind of Work"), 'get_kind_name')
    ticket = fields.Many2One(
        'service.ticket', "Ticket", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            })
    origin = fields.Reference(
        "Origin", selection='get_origin', readonly=True,
        help="The document the visit is made for.")
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='RESTRICT',
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    site = fields.Many2One(
        'service.site', "Site", required=True, ondelete='RESTRICT',
        states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Bool(Eval('party')), ('party', '=', Eval('party', -1)), ()),
            ])
    equipment = fields.Many2One(
        'service.equipment', "Equipment", ondelete='RESTRICT',
        states=_states,
        domain=[
            ('site', '=', Eval('site', -1)),
            ])
    description = fields.Text(
        "Work to Do", loading='lazy', states=_states)
    lead = fields.Many2One(
        'company.employee', "Lead Technician", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'],
            'required': Eval('state').in_(['scheduled', 'in_progress']),
            },
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="Answers for the visit and writes the report.")
    technicians = fields.Many2Many(
        'service.work_order-company.employee', 'work_order', 'employee',
        "Other Technicians", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('id', '!=', Eval('lead', -1)),
            ])
    vehicle = fields.Many2One(
        'service.vehicle', "Vehicle", ondelete='RESTRICT', states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])

    # appointment agreed with the customer (R-CS-6, R-REP-3)
    planned_start = fields.DateTime(
        "Planned Start", states={
            'readonly': _states['readonly'],
            'required': Eval('state') != 'draft',
            })
    planned_end = fields.DateTime(
        "Planned End",
        domain=[
            If(Bool(Eval('planned_start')) & Bool(Eval('planned_end')),
                ('planned_end', '>', Eval('planned_start')),
                ()),
            ],
        states={
            'readonly': _states['readonly'],
            'required': Eval('state') != 'draft',
            })
    planned_date = fields.Date(
        "Planned Date", readonly=True,
        help="The day of the planned start in the company's time zone.")
    planned_period = fields.Function(
        fields.Char("Planned Time"), 'get_planned_period')
    planned_today = fields.Function(
        fields.Boolean("Planned Today"),
        'get_planned_today', searcher='search_planned_today')
    appointment_contact = fields.Char(
        "Agreed with", states=_states,
        help="The customer's person who agreed the visit time.")
    appointment_method = fields.Selection(
        CONTACT_METHODS, "Agreed by", sort=False, states=_states)
    appointment_method_string = appointment_method.translated(
        'appointment_method')
    appointments = fields.One2Many(
        'service.work_order.appointment', 'work_order', "Appointments",
        readonly=True,
        help="Every visit time agreed with the customer, rescheduling "
        "included.")
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    calendar_color = fields.Function(
        fields.Char("Calendar Colour"), 'get_rec_name')

    # repair plan of the technical engineer (R-ENG-2/3)
    fault_category = fields.Many2One(
        'service.fault.category', "Fault Category", ondelete='RESTRICT',
        states=_states)
    diagnosis = fields.Text(
        "Diagnosis", loading='lazy', states=_states)
    repair_plan = fields.Text(
        "Repair Plan", loading='lazy', states=_states)
    previous = fields.Many2One(
        'service.work_order', "Previous Visit", readonly=True,
        ondelete='RESTRICT',
        help="The visit this one follows up.")
    escalation_level = fields.Integer(
        "Escalation Level", readonly=True,
        help="How many times the fault went up to a technical engineer.")
    escalation_reason = fields.Text(
        "Escalation Reason", loading='lazy',
        states=_report_states,
        help="Why the fault cannot be solved on this visit.")
    escalate_to = fields.Many2One(
        'company.employee', "Escalate to", ondelete='RESTRICT',
        states=_report_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The technical engineer who takes over the fault.")
    escalated = fields.Boolean("Escalated", readonly=True)

    # repair report (R-REP-2)
    fault_found = fields.Text(
        "Fault Found", loading='lazy', states=_report_states)
    fault_cause = fields.Text(
        "Cause", loading='lazy', states=_report_states)
    action_taken = fields.Text(
        "Action Taken", loading='lazy', states=_report_states)
    prevention_advice = fields.Text(
        "Prevention Advice", loading='lazy',
        states=_report_states,
        help="What the customer was told to prevent the fault.")
    equipment_state_after = fields.Selection(
        [(None, "")] + EQUIPMENT_STATES, "Equipment State After",
        sort=False,
        states={
            'readonly': _report_states['readonly'],
            'invisible': ~Eval('equipment'),
            })
    equipment_state_after_string = equipment_state_after.translated(
        'equipment_state_after')
    customer_signatory = fields.Char(
        "Confirmed by", loading='lazy', states=_report_states,
        help="The customer's person who confirmed the work.")
    customer_confirmed_at = fields.DateTime(
        "Confirmed at", loading='lazy', states=_report_states)
    customer_satisfied = fields.Selection([
            (None, ""),
            ('yes', "Yes"),
            ('no', "No"),
            ], "Customer Satisfied", sort=False, loading='lazy',
        states=_report_states)
    customer_satisfied_string = customer_satisfied.translated(
        'customer_satisfied')

    scheduled_at = fields.DateTime(
        "Scheduled at", loading='lazy', readonly=True)
    scheduled_by = employee_field(
        "Scheduled by", states=['scheduled', 'in_progress', 'done',
            'cancelled'])
    started_at = fields.DateTime(
        "Started at", loading='lazy', readonly=True)
    done_at = fields.DateTime("Done at", loading='lazy', readonly=True)
    cancel_reason = fields.Text(
        "Cancellation Reason", loading='lazy', states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            })
    requisitions = fields.One2Many(
        'service.requisition', 'work_order', "Parts Requisitions",
        states={
            'readonly': ~Eval('state').in_(['scheduled', 'in_progress']),
            },
        help="Add a requisition here to ask for the parts of the visit.")
    parts_cost = fields.Function(Monetary(
            "Parts Cost", currency='currency', digits='currency',
            help="The cost of the parts used (issued less returned)."),
        'get_parts_cost')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    state = fields.Selection([
            ('draft', "Draft"),
            ('scheduled', "Scheduled"),
            ('in_progress', "In Progress"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states, _report_states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.planned_start, Index.Range())),
                Index(t, (t.planned_date, Index.Range()),
                    (t.lead, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(OPEN_STATES)),
                # the calendar's week and the overdue visits
                Index(t, (t.planned_end, Index.Range())),
                Index(t, (t.escalation_level, Index.Range()),
                    where=t.state.in_(OPEN_STATES)),
                Index(t, (t.site, Index.Range())),
                Index(t, (t.party, Index.Range())),
                Index(t, (t.origin, Index.Equality())),
                })
        cls._order = [
            ('planned_start', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'scheduled'),
            ('draft', 'cancelled'),
            ('scheduled', 'in_progress'),
            ('scheduled', 'draft'),
            ('scheduled', 'cancelled'),
            ('in_progress', 'done'),
            ('in_progress', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ~Eval('state').in_(
                        ['scheduled', 'cancelled']),
                    'icon': If(Eval('state') == 'cancelled',
                        'tryton-undo', 'tryton-back'),
                    'depends': ['state'],
                    },
                'schedule': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'start': {
                    'invisible': Eval('state') != 'scheduled',
                    'depends': ['state'],
                    },
                'escalate': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'repair'

    @classmethod
    def default_escalation_level(cls):
        return 0

    @classmethod
    def default_escalated(cls):
        return False

    @classmethod
    def _get_origin(cls):
        "Return the names of the models a visit can be made for"
        return ['service.ticket', 'service.inspection']

    @classmethod
    def get_origin(cls):
        IrModel = Pool().get('ir.model')
        get_name = IrModel.get_name
        return [(None, '')] + [(m, get_name(m)) for m in cls._get_origin()]

    @fields.depends(
        'ticket', 'party', 'site', 'equipment', 'description',
        '_parent_ticket.party', '_parent_ticket.site',
        '_parent_ticket.equipment', '_parent_ticket.subject',
        methods=['fill_from_previous_visit'])
    def on_change_ticket(self):
        if self.ticket:
            self.party = self.ticket.party
            self.site = self.ticket.site
            self.equipment = self.ticket.equipment
            if not self.description:
                self.description = self.ticket.subject
            self.fill_from_previous_visit()

    @fields.depends('ticket', 'previous', 'diagnosis', 'fault_category')
    def fill_from_previous_visit(self):
        "The findings of the last visit (a site survey...) feed the plan"
        if not self.ticket or self.previous or self.diagnosis:
            return
        visits = self.search([
                ('ticket', '=', self.ticket.id),
                ('state', '=', 'done'),
                ], order=[('done_at', 'DESC'), ('id', 'DESC')], limit=1)
        if visits:
            visit, = visits
            self.previous = visit
            self.diagnosis = '\n'.join(filter(None, [
                        visit.fault_found, visit.fault_cause])) or None
            self.fault_category = self.fault_category or visit.fault_category

    @fields.depends(
        'planned_start', 'planned_end', 'lead', 'site', 'company',
        'equipment')
    def on_change_planned_start(self):
        if self.planned_start and (not self.planned_end
                or self.planned_end <= self.planned_start):
            self.planned_end = self.planned_start + dt.timedelta(hours=2)
        if self.planned_start and not self.lead:
            self.lead = self.suggest_technician(
                self.company, self.site, self.planned_date_of(
                    self.company, self.planned_start),
                equipment=self.equipment)

    @staticmethod
    def planned_date_of(company, value):
        "Return the date of the UTC datetime in the company's time zone"
        if not value:
            return None
        return local_time(company, value).date()

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def get_parts_cost(self, name):
        return sum((r.cost for r in self.requisitions), Decimal(0))

    def get_planned_period(self, name):
        return format_period(
            self.company, self.planned_start, self.planned_end)

    @classmethod
    def suggest_technician(cls, company, site, date, equipment=None):
        """Return the technician to send to site on date, or None

        The candidates are found by _suggestion_domain and the smallest by
        _suggestion_key is suggested.
        """
        Employee = Pool().get('company.employee')
        if not company or not date:
            return None
        with Transaction().set_context(date=date):
            technicians = Employee.search(
                cls._suggestion_domain(company, site, date, equipment))
        if not technicians:
            return None
        return min(technicians, key=cls._suggestion_key(
                technicians, site, date, equipment))

    @classmethod
    def _suggestion_domain(cls, company, site, date, equipment=None):
        """The domain of the technicians who can be sent to site on date
        (for the equipment if known)"""
        return [
            ('company', '=', company.id),
            ('service_technician', '=', True),
            ('service_on_duty', '=', True),
            ]

    @classmethod
    def _suggestion_key(cls, technicians, site, date, equipment=None):
        """Return the function giving the sort key of a technician: the
        smallest is suggested

        First those who already have an open work order at the site, then
        those going to the site's area that day, then the fewest open work
        orders that day, then by name (R-CS-6).
        """
        Employee = Pool().get('company.employee')
        at_site, in_area = set(), set()
        if site:
            for order in cls.search([
                        ('site', '=', site.id),
                        ('state', 'in', OPEN_STATES),
                        ('lead', 'in', [t.id for t in technicians]),
                        ]):
                at_site.add(order.lead)
        if site and site.area:
            for order in cls.search([
                        ('planned_date', '=', date),
                        ('site.area', '=', site.area.id),
                        ('state', 'in', OPEN_STATES),
                        ('lead', 'in', [t.id for t in technicians]),
                        ]):
                in_area.add(order.lead)
        load = Employee.service_load(technicians, date)
        return lambda e: (
            e not in at_site, e not in in_area, load.get(e.id, 0),
            e.rec_name)

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('overdue', False), 'danger',
                    If(Eval('state') == 'draft', 'warning',
                        If(Eval('state').in_(['done', 'cancelled']),
                            'muted', ''))),
                ['overdue', 'state']),
            ('//page[@id="plan"]', 'states', {
                    'invisible': ~Eval('kind').in_(['repair', 'survey']),
                    }),
            ]

    @classmethod
    def _today(cls):
        "Today in the company's time zone"
        return Pool().get('ir.date').today()

    def get_planned_today(self, name):
        return self.planned_date == self._today()

    @classmethod
    def search_planned_today(cls, name, clause):
        today = cls._today()
        return boolean_domain(clause,
            lambda: [('planned_date', '=', today)],
            lambda: ['OR',
                ('planned_date', '!=', today),
                ('planned_date', '=', None),
                ])

    @classmethod
    def get_rec_name(cls, orders, names):
        """The name and the calendar colour, read together in SQL

        The weekly plan shows a thousand visits at once.  The name is the
        number and the site; the colour is one per lead technician, grey
        once the visit is closed.
        """
        pool = Pool()
        Site = pool.get('service.site')
        table = cls.__table__()
        site = Site.__table__()
        cursor = Transaction().connection.cursor()
        result = {n: {} for n in names}
        for sub_orders in grouped_slice(orders, backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.join(
                    site, 'LEFT', condition=table.site == site.id).select(
                    table.id, table.number, site.name, table.state,
                    table.lead,
                    where=reduce_ids(table.id, [o.id for o in sub_orders])))
            for id_, number, site_name, state, lead in cursor:
                if 'rec_name' in result:
                    result['rec_name'][id_] = ' '.join(
                        filter(None, [number, site_name]))
                if 'calendar_color' in result:
                    if state in {'done', 'cancelled'}:
                        color = '#d9d9d9'
                    elif lead is None:
                        color = '#ffd8a8'
                    else:
                        color = CALENDAR_COLORS[lead % len(CALENDAR_COLORS)]
                    result['calendar_color'][id_] = color
        return result

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_on(
            ['number', 'site.rec_name', 'ticket.rec_name'], clause)

    @classmethod
    def domain_party(cls, domain, tables):
        return many2one_subquery(cls, domain, tables)

    @classmethod
    def domain_site(cls, domain, tables):
        return many2one_subquery(cls, domain, tables)

    @classmethod
    def domain_equipment(cls, domain, tables):
        return many2one_subquery(cls, domain, tables)

    @classmethod
    def domain_ticket(cls, domain, tables):
        return many2one_subquery(cls, domain, tables)

    def get_kind_name(self, name):
        "The kind in the user's language, for the calendar"
        return self.kind_string

    @classmethod
    def _now(cls):
        return dt.datetime.now()

    def get_overdue(self, name):
        return bool(
            self.state in OPEN_STATES and self.planned_end
            and self.planned_end < self._now())

    @classmethod
    def search_overdue(cls, name, clause):
        "Open and past the planned end, as column conditions (no NOT IN)"
        now = cls._now()
        return boolean_domain(clause,
            lambda: [
                ('state', 'in', OPEN_STATES),
                ('planned_end', '<', now),
                ],
            lambda: ['OR',
                ('state', 'not in', OPEN_STATES),
                ('planned_end', '=', None),
                ('planned_end', '>=', now),
                ])

    @classmethod
    def validate_fields(cls, orders, field_names):
        super().validate_fields(orders, field_names)
        if field_names is None or field_names & {
                'planned_start', 'planned_end'}:
            check_dates(orders, ['planned_start', 'planned_end'])

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if field_names is None or field_names & {'planned_start', 'company'}:
            planned_date = self.planned_date_of(
                self.company, self.planned_start)
            if getattr(self, 'planned_date', None) != planned_date:
                values['planned_date'] = planned_date
        if field_names is None or 'ticket' in field_names:
            # a visit for a ticket has it as origin
            origin = getattr(self, 'origin', None)
            if ((origin is None or str(origin).startswith('service.ticket,'))
                    and origin != self.ticket):
                values['origin'] = str(self.ticket) if self.ticket else None
        return values

    @classmethod
    def on_write(cls, orders, values):
        "A scheduled visit moved records the new time agreed"
        callbacks = super().on_write(orders, values)
        if 'planned_start' in values:
            rescheduled = [o.id for o in orders
                if o.state == 'scheduled'
                and o.planned_start != values['planned_start']]
            if rescheduled:
                callbacks.append(lambda: cls._record_appointments(
                        cls.browse(rescheduled)))
        return callbacks

    @fields.depends(
        'customer_signatory', 'customer_satisfied', 'customer_confirmed_at')
    def on_change_customer_signatory(self):
        if ((self.customer_signatory or self.customer_satisfied)
                and not self.customer_confirmed_at):
            self.customer_confirmed_at = self._now().replace(microsecond=0)

    on_change_customer_satisfied = on_change_customer_signatory

    @classmethod
    def copy(cls, orders, default=None):
        default = default.copy() if default is not None else {}
        for name in [
                'number', 'appointments', 'previous', 'escalation_reason',
                'escalate_to', 'fault_found', 'fault_cause', 'action_taken',
                'prevention_advice', 'equipment_state_after',
                'customer_signatory', 'customer_confirmed_at',
                'customer_satisfied', 'scheduled_at', 'scheduled_by',
                'started_at', 'done_at', 'cancel_reason']:
            default.setdefault(name, None)
        default.setdefault('escalated', False)
        default.setdefault('state', cls.default_state())
        return super().copy(orders, default=default)

    @classmethod
    def _record_appointments(cls, orders):
        Appointment = Pool().get('service.work_order.appointment')
        employee = user_employee()
        with without_check_access():
            Appointment.save([Appointment(
                        work_order=o,
                        start=o.planned_start,
                        end=o.planned_end,
                        contact=o.appointment_contact,
                        method=o.appointment_method,
                        agreed_by=employee,
                        agreed_at=cls._now().replace(microsecond=0))
                    for o in orders])

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, orders):
        cls.check_cancel_reason(orders)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    @reset_employee('scheduled_by', 'scheduled_at')
    def draft(cls, orders):
        cls.write(orders, {'cancel_reason': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('scheduled')
    @set_employee('scheduled_by')
    @set_timestamp('scheduled_at')
    def schedule(cls, orders):
        "Record the visit time agreed with the customer"
        for order in orders:
            if not (order.lead and order.planned_start and order.planned_end):
                raise WorkOrderError(gettext(
                        'service_desk.msg_work_order_schedule_missing',
                        work_order=order.rec_name))
            if (order.escalation_level and order.kind == 'repair'
                    and not (order.diagnosis and order.repair_plan)):
                raise WorkOrderError(gettext(
                        'service_desk.msg_work_order_schedule_plan',
                        work_order=order.rec_name))
        cls._record_appointments(orders)

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    @set_timestamp('started_at', when='before')
    def start(cls, orders):
        "Arrive on site: the ticket is in progress, the equipment in repair"
        pool = Pool()
        Ticket = pool.get('service.ticket')
        Equipment = pool.get('service.equipment')
        Ticket.start_from_work_orders(orders)
        Equipment.start_repair_from_work_orders(orders)

    @classmethod
    @ModelView.button
    def escalate(cls, orders):
        """The fault cannot be solved on this visit (R-ENG-3)

        The visit ends, a follow-up visit is drafted for the technical
        engineer, who writes the repair plan before it is scheduled.
        """
        pool = Pool()
        Ticket = pool.get('service.ticket')
        orders = [o for o in orders if o.state == 'in_progress']
        for order in orders:
            if not (order.escalation_reason and order.escalate_to):
                raise WorkOrderError(gettext(
                        'service_desk.msg_work_order_escalate_missing',
                        work_order=order.rec_name))
        follow_ups = []
        for order in orders:
            order.escalated = True
            if not order.equipment_state_after:
                order.equipment_state_after = 'faulty'
            follow_ups.append(cls(
                    company=order.company,
                    kind='repair',
                    ticket=order.ticket,
                    origin=order.origin,
                    party=order.party,
                    site=order.site,
                    equipment=order.equipment,
                    description=order.escalation_reason,
                    fault_category=order.fault_category,
                    diagnosis='\n'.join(filter(None, [
                                order.fault_found, order.fault_cause])),
                    lead=order.escalate_to,
                    previous=order,
                    escalation_level=(order.escalation_level or 0) + 1))
        cls.save(orders)
        cls.save(follow_ups)
        cls.do(orders)
        Ticket.escalate_from_work_orders(follow_ups)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @set_timestamp('done_at', when='before')
    def do(cls, orders):
        """Close the visit with its report

        A repair needs the action taken and, for equipment, its state
        after; the ticket is resolved when its last open visit is done.
        """
        pool = Pool()
        Ticket = pool.get('service.ticket')
        Equipment = pool.get('service.equipment')
        for order in orders:
            if order.kind != 'repair' or order.escalated:
                continue
            if not order.action_taken or (
                    order.equipment and not order.equipment_state_after):
                raise WorkOrderError(gettext(
                        'service_desk.msg_work_order_report_missing',
                        work_order=order.rec_name))
        cls._issue_vehicle_parts(orders)
        # the customer signed the report when the visit closed
        for order in orders:
            if ((order.customer_signatory or order.customer_satisfied)
                    and not order.customer_confirmed_at):
                order.customer_confirmed_at = order.done_at
        cls.save(orders)
        Equipment.set_state_from_work_orders(orders)
        Ticket.resolve_from_work_orders(orders)


    @classmethod
    def follow_inspections(cls, inspections, state):
        """Take the visits of the inspections to where the inspections go:
        on site when one starts, closed when it is recorded or cancelled
        (with its reason), so that no visit of a finished inspection is
        left open, and overdue, on the calendar (R-INSP-3)"""
        orders = {i.work_order: i for i in inspections
            if i.work_order and i.work_order.state in OPEN_STATES}
        if not orders:
            return
        # the inspection's own button was checked: its visit follows
        with without_check_access():
            if state == 'cancelled':
                for order, inspection in orders.items():
                    order.cancel_reason = inspection.cancel_reason
                cls.save(list(orders))
                cls.cancel(list(orders))
                return
            for order, inspection in orders.items():
                if not order.lead and inspection.inspectors:
                    order.lead = inspection.inspectors[0]
            cls.save(list(orders))
            on_site = [o for o in orders if o.lead]
            cls.schedule([o for o in on_site if o.state == 'draft'])
            cls.start(on_site)
            if state == 'done':
                cls.do(on_site)

    @classmethod
    def _issue_vehicle_parts(cls, orders):
        """Issue the parts taken from the visit's vehicle, which the
        engineer has used (R-PART-6); a draft requisition of other parts
        must be requested or deleted first"""
        Requisition = Pool().get('service.requisition')
        to_issue = []
        for order in orders:
            for requisition in order.requisitions:
                if requisition.state not in {
                        'draft', 'requested', 'approved'}:
                    continue
                if requisition.is_from_vehicle():
                    to_issue.append(requisition)
                elif requisition.state == 'draft':
                    raise WorkOrderError(gettext(
                            'service_desk.msg_work_order_requisition_draft',
                            work_order=order.rec_name,
                            requisition=requisition.rec_name))
        Requisition._issue_vehicle(to_issue)


class WorkOrderEmployee(BoundedMixin, GuardedMixin, ModelSQL):
    "The technicians of a work order"
    __name__ = 'service.work_order-company.employee'
    _guard_parent = ('work_order', OPEN_STATES)

    work_order = fields.Many2One(
        'service.work_order', "Work Order", required=True,
        ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # "Mine" and "Today" tabs search the visits of a technician
        cls._sql_indexes.add(Index(t, (t.employee, Index.Range())))
        cls.__access__.add('work_order')


class Appointment(BoundedMixin, GuardedMixin, ModelSQL, ModelView):
    "A visit time agreed with the customer (R-CS-6)"
    __name__ = 'service.work_order.appointment'
    # the history is written by the work order only
    _guard_parent = ('work_order', [])

    work_order = fields.Many2One(
        'service.work_order', "Work Order", required=True,
        ondelete='CASCADE')
    start = fields.DateTime("Start", required=True)
    end = fields.DateTime("End")
    contact = fields.Char("Agreed with")
    method = fields.Selection(CONTACT_METHODS, "Agreed by", sort=False)
    agreed_by = fields.Many2One(
        'company.employee', "Recorded by", ondelete='RESTRICT')
    agreed_at = fields.DateTime("Recorded at", required=True)
    period = fields.Function(fields.Char("Visit Time"), 'get_period')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('work_order')
        cls._order = [('agreed_at', 'DESC'), ('id', 'DESC')]
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.agreed_at, Index.Range()), (t.id, Index.Range())))

    def get_period(self, name):
        return format_period(self.work_order.company, self.start, self.end)


class Ticket(metaclass=PoolMeta):
    "What the visits of a ticket do to it"
    __name__ = 'service.ticket'

    @classmethod
    def start_from_work_orders(cls, orders):
        "Put in progress the tickets of the visits started"
        tickets = {o.ticket for o in orders if o.ticket
            and o.ticket.state in {'open', 'waiting'}}
        if tickets:
            cls.start(list(tickets))

    @classmethod
    def escalate_from_work_orders(cls, follow_ups):
        """Hand the tickets over to the technical engineers of the
        follow-up visits, at their escalation level"""
        to_write = []
        for follow_up in follow_ups:
            ticket = follow_up.ticket
            if ticket:
                to_write.extend(([ticket], {
                            'escalation_level': max(
                                ticket.escalation_level or 0,
                                follow_up.escalation_level),
                            'assigned_to': follow_up.lead.id,
                            }))
        if to_write:
            cls.write(*to_write)

    @classmethod
    def resolve_from_work_orders(cls, orders):
        """Resolve the repair tickets whose last open visit is among the
        orders done, with the actions taken as resolution"""
        WorkOrder = Pool().get('service.work_order')
        tickets = {o.ticket for o in orders
            if o.ticket and o.kind == 'repair' and not o.escalated}
        if not tickets:
            return
        # the orders may not be written as done yet
        still_open = {o.ticket for o in WorkOrder.search([
                    ('ticket', 'in', [t.id for t in tickets]),
                    ('state', 'in', OPEN_STATES),
                    ('id', 'not in', [o.id for o in orders]),
                    ])}
        to_resolve = []
        for ticket in tickets - still_open:
            if ticket.state not in {'open', 'in_progress', 'waiting'}:
                continue
            if not ticket.resolution:
                ticket.resolution = '\n'.join(
                    o.action_taken for o in orders
                    if o.ticket == ticket and o.action_taken)
            to_resolve.append(ticket)
        if to_resolve:
            cls.save(to_resolve)
            cls.resolve(to_resolve)


class Equipment(metaclass=PoolMeta):
    "What the visits of equipment do to its state"
    __name__ = 'service.equipment'

    @classmethod
    def start_repair_from_work_orders(cls, orders):
        "The equipment of the repairs started is under repair"
        cls.start_repair([o.equipment for o in orders
                if o.kind == 'repair' and o.equipment])

    @classmethod
    def set_state_from_work_orders(cls, orders):
        "The equipment takes the state the reports of the visits give"
        by_transition = {}
        for order in orders:
            if order.equipment and order.equipment_state_after:
                by_transition.setdefault(
                    EQUIPMENT_TRANSITIONS[order.equipment_state_after],
                    []).append(order.equipment)
        for transition, equipment in by_transition.items():
            getattr(cls, transition)(equipment)


class WorkOrderReport(CompanyReport):
    "The repair work order record with the customer confirmation (R-FORM)"
    __name__ = 'service.work_order'

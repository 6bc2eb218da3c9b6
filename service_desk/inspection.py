# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql import Literal, Null
from sql.functions import CurrentTimestamp
from sql.operators import Exists

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.company import CompanyReport
from trytond.modules.company.model import employee_field, set_employee
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .common import (
    BoundedMixin, CompanyMixin, GuardedMixin, KeptMixin, boolean_domain,
    set_timestamp, user_employee)
from .exceptions import InspectionError
from .inspection_checklist import ITEM_TYPES, PHASES
from .ticket import OPEN_STATES as TICKET_OPEN_STATES
from .working_calendar import to_utc

OPEN_STATES = ['planned', 'scheduled', 'in_progress']
STATES = [
    ('planned', "Planned"),
    ('scheduled', "Scheduled"),
    ('in_progress', "In Progress"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]


class Inspection(
        BoundedMixin, CompanyMixin, KeptMixin, GuardedMixin, Workflow,
        ModelSQL,
        ModelView):
    "A visit of a site for a phase of an inspection cycle (R-INSP)"
    __name__ = 'service.inspection'
    _deletable_states = frozenset({'planned', 'cancelled'})
    _delete_message = 'service_desk.msg_inspection_delete'
    _cancel_reason_message = 'service_desk.msg_inspection_cancel_reason'

    _states = {
        'readonly': Eval('state') != 'in_progress',
        }

    plan = fields.Many2One(
        'service.inspection.plan', "Plan", required=True, readonly=True,
        ondelete='RESTRICT')
    site = fields.Many2One(
        'service.site', "Site", required=True, readonly=True,
        ondelete='RESTRICT')
    party = fields.Function(fields.Many2One(
            'party.party', "Customer",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'get_party')
    cycle_start = fields.Date("Cycle Start", required=True, readonly=True)
    phase = fields.Selection(
        PHASES, "Phase", required=True, readonly=True, sort=False)
    phase_string = phase.translated('phase')
    phase_name = fields.Function(fields.Char("Phase"), 'get_phase_name')
    planned_date = fields.Date(
        "Planned Date", required=True,
        states={
            'readonly': ~Eval('state').in_(['planned', 'scheduled']),
            })
    due_this_week = fields.Function(
        fields.Boolean("Due This Week"), 'get_due_this_week',
        searcher='search_due_this_week')
    work_order = fields.Many2One(
        'service.work_order', "Work Order", readonly=True,
        ondelete='RESTRICT',
        domain=[
            ('kind', '=', 'inspection'),
            ],
        help="Schedules the visit and takes the time spent.")
    inspectors = fields.Many2Many(
        'service.inspection-company.employee', 'inspection', 'employee',
        "Inspectors",
        states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            },
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    lines = fields.One2Many(
        'service.inspection.line', 'inspection', "Lines",
        states={
            'readonly': Eval('state') != 'in_progress',
            })

    # general findings (R-INSP-1/2)
    usage_status = fields.Text("Usage Status", states=_states)
    customer_questions = fields.Text("Customer Questions", states=_states)
    answers = fields.Text(
        "Answers Given", states=_states,
        help="Questions without an answer become inquiry tickets.")
    hidden_dangers = fields.Text("Hidden Dangers", states=_states)
    upgrade_needs = fields.Text(
        "Upgrade and Replacement Needs", states=_states,
        help="Listed for the manager.")
    failure_causes = fields.Text(
        "Root Causes of Frequent Failures", states=_states)
    wiring_checked = fields.Boolean("Wiring Checked", states=_states)
    wiring_replaced = fields.Boolean("Wiring Replaced", states=_states)
    dust_removed = fields.Boolean(
        "Dust Removed", states={
            'readonly': _states['readonly'],
            'invisible': Eval('phase') != 'late',
            })
    inquiry = fields.Many2One(
        'service.ticket', "Inquiry Ticket", readonly=True,
        ondelete='RESTRICT')
    done_by = employee_field("Done by", states=['done', 'cancelled'])
    done_at = fields.DateTime("Done at", readonly=True)
    cancel_reason = fields.Text(
        "Cancellation Reason", states={
            'readonly': ~Eval('state').in_(OPEN_STATES),
            })
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('visit_unique',
                Unique(t, t.plan, t.site, t.cycle_start, t.phase),
                'service_desk.msg_inspection_visit_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.planned_date, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(OPEN_STATES)),
                # upgrade needs found by the visits
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=(t.state == 'done') & (t.upgrade_needs != Null)),
                })
        cls._order = [
            ('planned_date', 'ASC'),
            ('id', 'ASC'),
            ]
        cls._transitions |= {
            ('planned', 'scheduled'),
            ('scheduled', 'in_progress'),
            ('planned', 'in_progress'),
            ('in_progress', 'done'),
            ('planned', 'cancelled'),
            ('scheduled', 'cancelled'),
            ('in_progress', 'cancelled'),
            }
        cls._buttons.update({
                'schedule': {
                    'invisible': Eval('state') != 'planned',
                    'depends': ['state'],
                    },
                'start': {
                    'invisible': ~Eval('state').in_(['planned', 'scheduled']),
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'planned'

    @classmethod
    def _now(cls):
        "The current time, naive UTC, to the second"
        return dt.datetime.now().replace(microsecond=0)

    def get_party(self, name):
        return self.site.party.id

    def get_phase_name(self, name):
        "The phase in words (sao's calendar shows a selection's value)"
        return self.phase_string

    def get_rec_name(self, name):
        Lang = Pool().get('ir.lang')
        return ' '.join([
                self.site.rec_name, self.phase_string,
                Lang.get().strftime(self.planned_date)])

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('site.rec_name',) + tuple(clause[1:])]

    @classmethod
    def _week(cls):
        "The first and last days of this week (company's day)"
        today = Pool().get('ir.date').today()
        monday = today - dt.timedelta(days=today.weekday())
        return monday, monday + dt.timedelta(days=6)

    def get_due_this_week(self, name):
        _, sunday = self._week()
        return self.state in OPEN_STATES and self.planned_date <= sunday

    @classmethod
    def search_due_this_week(cls, name, clause):
        "Open visits planned up to the end of this week, late ones included"
        _, sunday = cls._week()
        return boolean_domain(clause,
            lambda: [
                ('state', 'in', OPEN_STATES),
                ('planned_date', '<=', sunday),
                ],
            lambda: ['OR',
                ('state', 'not in', OPEN_STATES),
                ('planned_date', '>', sunday),
                ])

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state').in_(['done', 'cancelled']), 'muted',
                    If(Eval('due_this_week', False), 'warning', '')),
                ['state', 'due_this_week']),
            ('//group[@id="late"]', 'states', {
                    'invisible': Eval('phase') != 'late',
                    }),
            ]

    @classmethod
    def insert_visits(cls, plan, sites, cycle_start, phase, planned):
        "Insert in SQL the missing visits of the sites query for the phase"
        pool = Pool()
        Site = pool.get('service.site')
        table = cls.__table__()
        existing = cls.__table__()
        site = Site.__table__()
        cursor = Transaction().connection.cursor()
        missing = ~Exists(existing.select(
                Literal(1),
                where=(existing.plan == plan.id)
                & (existing.site == site.id)
                & (existing.cycle_start == cycle_start)
                & (existing.phase == phase)))
        columns, values = zip(*cls._insert_visit_values(
                table, site, plan, cycle_start, phase, planned), strict=True)
        query = site.select(*values, where=site.id.in_(sites) & missing)
        cursor.execute(*table.insert(list(columns), query))

    @classmethod
    def _insert_visit_values(
            cls, table, site, plan, cycle_start, phase, planned):
        """Return the (column, SQL value) pairs of a visit inserted for
        each row of the site table; an add-on appends its required columns"""
        return [
            (table.company, Literal(plan.company.id)),
            (table.plan, Literal(plan.id)),
            (table.site, site.id),
            (table.cycle_start, Literal(cycle_start)),
            (table.phase, Literal(phase)),
            (table.planned_date, Literal(planned)),
            (table.state, Literal(cls.default_state())),
            (table.create_uid, Literal(Transaction().user)),
            (table.create_date, CurrentTimestamp()),
            ]

    @classmethod
    def insert_lines(cls, plan):
        """Insert in SQL the checklist lines of the planned visits without
        lines: one per item in service at the site and point of its
        checklists for the phase"""
        pool = Pool()
        Line = pool.get('service.inspection.line')
        Equipment = pool.get('service.equipment')
        Checklist = pool.get('service.inspection.checklist')
        Item = pool.get('service.inspection.checklist.item')
        ChecklistProduct = pool.get(
            'service.inspection.checklist-product.product')
        inspection = cls.__table__()
        line = Line.__table__()
        existing = Line.__table__()
        equipment = Equipment.__table__()
        checklist = Checklist.__table__()
        item = Item.__table__()
        products = ChecklistProduct.__table__()
        any_product = ChecklistProduct.__table__()
        cursor = Transaction().connection.cursor()

        applies = (
            ~Exists(any_product.select(
                    Literal(1),
                    where=any_product.checklist == checklist.id))
            | Exists(products.select(
                    Literal(1),
                    where=(products.checklist == checklist.id)
                    & (products.product == equipment.product))))
        columns, values = zip(*Line._insert_values(
                line, inspection, equipment, item), strict=True)
        query = (inspection
            .join(equipment, condition=equipment.site == inspection.site)
            .join(item, condition=(item.phase == Null)
                | (item.phase == inspection.phase))
            .join(checklist, condition=checklist.id == item.checklist)
            .select(*values,
                where=(inspection.plan == plan.id)
                & (inspection.state == 'planned')
                & (equipment.active == Literal(True))
                & (equipment.state != 'retired')
                & (checklist.active == Literal(True))
                & applies
                & ~Exists(existing.select(
                        Literal(1),
                        where=existing.inspection == inspection.id))))
        cursor.execute(*line.insert(list(columns), query))

    @classmethod
    @ModelView.button
    @Workflow.transition('scheduled')
    def schedule(cls, inspections):
        "Make the work order that plans the visit with the customer"
        pool = Pool()
        WorkOrder = pool.get('service.work_order')
        Configuration = pool.get('service.configuration')
        work_start = Configuration(1).work_start
        orders = []
        for inspection in inspections:
            inspectors = list(inspection.inspectors
                or inspection.plan.inspectors)
            if not inspection.inspectors:
                inspection.inspectors = inspectors
            # the start of the working day, in the company's time zone
            start = to_utc(
                dt.datetime.combine(inspection.planned_date, work_start),
                inspection.company.timezone)
            orders.append(WorkOrder(
                    company=inspection.company,
                    kind='inspection',
                    origin=inspection,
                    party=inspection.site.party,
                    site=inspection.site,
                    description=inspection.rec_name,
                    lead=inspectors[0] if inspectors else None,
                    technicians=inspectors[1:],
                    planned_start=start,
                    planned_end=start + dt.timedelta(hours=4)))
        WorkOrder.save(orders)
        for inspection, order in zip(inspections, orders, strict=True):
            inspection.work_order = order
        cls.save(inspections)

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, inspections):
        employee = user_employee()
        if employee:
            for inspection in inspections:
                if not inspection.inspectors:
                    inspection.inspectors = [employee]
            cls.save(inspections)
        Pool().get('service.work_order').follow_inspections(
            inspections, 'in_progress')

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, inspections):
        cls.check_cancel_reason(inspections)
        Pool().get('service.work_order').follow_inspections(
            inspections, 'cancelled')

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @set_employee('done_by')
    @set_timestamp('done_at')
    def do(cls, inspections):
        """Record the visit (R-INSP-3)

        Every required point must be answered.  The failed points of an
        item become one repair ticket unless one is open for it, questions
        left unanswered an inquiry ticket, and customer service gets an
        inspection callback (R-CS-4).
        """
        pool = Pool()
        Line = pool.get('service.inspection.line')
        Ticket = pool.get('service.ticket')
        Callback = pool.get('service.callback')
        for inspection in inspections:
            for line in inspection.lines:
                if line.item.required and not line.item.is_answered(line):
                    raise InspectionError(gettext(
                            'service_desk.msg_inspection_unanswered',
                            inspection=inspection.rec_name,
                            equipment=line.equipment.rec_name,
                            item=line.item.name))
        lines = [line for i in inspections for line in i.lines]
        for line in lines:
            line.failed = line.item.is_failure(line)
        Line.save(lines)
        failed = [line for line in lines if line.failed]
        tickets = Ticket.repair_from_inspection_lines(failed)
        for line in failed:
            line.ticket = tickets[line.equipment]
        Line.save(failed)

        to_inquire = [i for i in inspections
            if i.customer_questions and not i.answers]
        inquiries = Ticket.inquire_from_inspections(to_inquire)
        for inspection, ticket in zip(to_inquire, inquiries, strict=True):
            inspection.inquiry = ticket
        cls.save(to_inquire)
        Callback.create_for_inspections(inspections)
        pool.get('service.work_order').follow_inspections(
            inspections, 'done')


class InspectionEmployee(BoundedMixin, GuardedMixin, ModelSQL):
    "The inspectors of a visit"
    __name__ = 'service.inspection-company.employee'
    _guard_parent = ('inspection', OPEN_STATES)

    inspection = fields.Many2One(
        'service.inspection', "Inspection", required=True,
        ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('inspection')


class Line(BoundedMixin, GuardedMixin, ModelSQL, ModelView):
    "The result of a checklist point for an item of equipment (R-INSP-3)"
    __name__ = 'service.inspection.line'
    _field_bounds = {'value': (-1e9, 1e9)}
    _guard_parent = ('inspection', ['in_progress'])

    inspection = fields.Many2One(
        'service.inspection', "Inspection", required=True,
        ondelete='CASCADE')
    equipment = fields.Many2One(
        'service.equipment', "Equipment", required=True, readonly=True,
        ondelete='RESTRICT')
    item = fields.Many2One(
        'service.inspection.checklist.item', "Item", required=True,
        readonly=True, ondelete='RESTRICT')
    type = fields.Function(fields.Selection(
            ITEM_TYPES, "Type"), 'on_change_with_type')
    result = fields.Selection([
            (None, ""),
            ('pass', "Pass"),
            ('fail', "Fail"),
            ], "Result", sort=False,
        states={
            'invisible': Eval('type') != 'pass_fail',
            })
    result_string = result.translated('result')
    value = fields.Float(
        "Value", states={
            'invisible': Eval('type') != 'number',
            })
    choice = fields.Selection(
        'get_choices', "Choice", sort=False,
        states={
            'invisible': Eval('type') != 'choice',
            })
    choice_string = choice.translated('choice')
    text = fields.Char(
        "Text", states={
            'invisible': Eval('type') != 'text',
            })
    note = fields.Char("Note")
    failed = fields.Boolean("Failed", readonly=True)
    ticket = fields.Many2One(
        'service.ticket', "Ticket", readonly=True, ondelete='RESTRICT')
    inspection_date = fields.Function(
        fields.Date("Date"), 'get_inspection_field')
    inspection_state = fields.Function(
        fields.Selection(STATES, "State"),
        'get_inspection_field')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('inspection')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.inspection, Index.Equality())),
                Index(t, (t.equipment, Index.Equality())),
                })
        cls._order = [('inspection', 'DESC'), ('id', 'ASC')]

    @classmethod
    def __register__(cls, module):
        exist = backend.TableHandler.table_exist(cls._table)
        super().__register__(module)

        # Migration from 8.0.0 (before 2026-11-28): answers to a choice kept
        # in the recorder's language instead of the choices' first one
        if exist and cls._choices_to_migrate():
            cls._migrate_choices()

    @classmethod
    def _choices_to_migrate(cls):
        """Whether an answer to a choice is none of its item's choices as
        written first (the item's column keeps that language)"""
        Item = Pool().get('service.inspection.checklist.item')
        if not backend.TableHandler.table_exist(Item._table):
            return False
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        item = Item.__table__()
        cursor.execute(*table.join(item, condition=table.item == item.id
                ).select(item.choices, table.choice,
                where=(item.type == 'choice') & (table.choice != Null),
                group_by=[item.choices, table.choice]))
        return any(choice not in Item._lines(choices)
            for choices, choice in cursor)

    @classmethod
    def _migrate_choices(cls):
        """Migration: an answer kept its choice in the language of the one
        who recorded it; it keeps it in the language the choices were
        written in first"""
        pool = Pool()
        Item = pool.get('service.inspection.checklist.item')
        Lang = pool.get('ir.lang')
        if not backend.TableHandler.table_exist(Item._table):
            return
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        langs = Lang.search([('translatable', '=', True)])
        for item in Item.search([('type', '=', 'choice')]):
            for lang in langs:
                with Transaction().set_context(language=lang.code):
                    selection = Item(item.id).choice_selection()
                for key, label in selection:
                    if key != label:
                        cursor.execute(*table.update(
                                [table.choice], [key],
                                where=(table.item == item.id)
                                & (table.choice == label)))

    @classmethod
    def default_failed(cls):
        return False

    @classmethod
    def _insert_values(cls, table, inspection, equipment, item):
        """Return the (column, SQL value) pairs of a line inserted for each
        row of the inspection, equipment and checklist item tables; an
        add-on appends its required columns"""
        return [
            (table.inspection, inspection.id),
            (table.equipment, equipment.id),
            (table.item, item.id),
            (table.create_uid, Literal(Transaction().user)),
            (table.create_date, CurrentTimestamp()),
            ]

    @fields.depends('item')
    def on_change_with_type(self, name=None):
        return self.item.type if self.item else None

    @fields.depends('item')
    def get_choices(self):
        choices = [(None, "")]
        if self.item:
            choices += self.item.choice_selection()
        return choices

    @fields.depends('item', 'result', 'value', 'choice', 'text')
    def on_change_with_failed(self):
        return bool(self.item and self.item.is_failure(self))

    def get_inspection_field(self, name):
        if name == 'inspection_date':
            return self.inspection.planned_date
        return self.inspection.state

    def get_rec_name(self, name):
        return f'{self.equipment.rec_name}: {self.item.rec_name}'


class Ticket(metaclass=PoolMeta):
    "What the inspection visits do to the tickets"
    __name__ = 'service.ticket'

    @classmethod
    def repair_from_inspection_lines(cls, lines):
        """Return the repair ticket of the equipment of each failed line:
        the first one open for it, or one new opened for its failed items"""
        by_equipment = {}
        for line in lines:
            by_equipment.setdefault(line.equipment, []).append(line)
        if not by_equipment:
            return {}
        tickets = {}
        for ticket in cls.search([
                    ('equipment', 'in', [e.id for e in by_equipment]),
                    ('type', '=', 'repair'),
                    ('state', 'in', ['draft'] + TICKET_OPEN_STATES),
                    ], order=[('id', 'ASC')]):
            tickets.setdefault(ticket.equipment, ticket)
        new = []
        for equipment, failed in by_equipment.items():
            if equipment in tickets:
                continue
            inspection = failed[0].inspection
            ticket = cls(
                company=inspection.company,
                channel='inspection',
                type='repair',
                party=inspection.site.party,
                site=inspection.site,
                equipment=equipment,
                subject=gettext(
                    'service_desk.msg_inspection_ticket_subject',
                    items=', '.join(sorted(f.item.name for f in failed))),
                description='\n'.join(filter(None, [
                            inspection.rec_name,
                            *(f.note for f in failed)])))
            ticket.priority = ticket.on_change_with_priority()
            tickets[equipment] = ticket
            new.append(ticket)
        cls.save(new)
        cls.open(new)
        return tickets

    @classmethod
    def inquire_from_inspections(cls, inspections):
        """Return an inquiry ticket opened for the customer's questions of
        each inspection: those the inspector could not answer go to the
        engineers"""
        tickets = [cls(
                company=i.company,
                channel='inspection',
                type='inquiry',
                party=i.site.party,
                site=i.site,
                subject=gettext(
                    'service_desk.msg_inspection_inquiry_subject',
                    inspection=i.rec_name),
                description=i.customer_questions)
            for i in inspections]
        cls.save(tickets)
        cls.open(tickets)
        return tickets


class Callback(metaclass=PoolMeta):
    "The customer called back after an inspection"
    __name__ = 'service.callback'

    @classmethod
    def create_for_inspections(cls, inspections):
        "Plan the inspection callback of each visit done (R-CS-4)"
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Date = pool.get('ir.date')
        config = Configuration(1)
        delay = config.callback_delay
        callbacks = [cls(
                company=i.company,
                kind='inspection',
                inspection=i,
                party=i.site.party,
                contact=i.site.party.contact_mechanism_get(),
                site=i.site,
                due_date=config.working_calendar(i.company).working_day(
                    Date.today() + delay))
            for i in inspections]
        cls.save(callbacks)
        return callbacks


class InspectionReport(CompanyReport):
    "The inspection record form (巡检记录表, R-INSP-3, R-FORM)"
    __name__ = 'service.inspection'


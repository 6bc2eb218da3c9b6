# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.company import CompanyReport
from trytond.modules.company.model import employee_field, set_employee
from trytond.pool import Pool
from trytond.pyson import Eval, If

from .common import (
    BoundedMixin, CompanyMixin, GuardedMixin, KeptMixin, boolean_domain,
    set_timestamp)
from .exceptions import CallbackError


class Callback(
        BoundedMixin, CompanyMixin, KeptMixin, GuardedMixin, Workflow,
        ModelSQL,
        ModelView):
    "A call to the customer after a repair or an inspection (回访, R-CS-4)"
    __name__ = 'service.callback'
    _history = True
    _deletable_states = frozenset()
    _delete_message = 'service_desk.msg_callback_delete'

    _states = {
        'readonly': Eval('state') != 'pending',
        }

    kind = fields.Selection([
            ('repair', "Repair"),
            ('inspection', "Inspection"),
            ], "Kind", required=True, readonly=True)
    kind_string = kind.translated('kind')
    ticket = fields.Many2One(
        'service.ticket', "Ticket", ondelete='RESTRICT', readonly=True)
    inspection = fields.Many2One(
        'service.inspection', "Inspection", ondelete='RESTRICT',
        readonly=True)
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='RESTRICT',
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    contact = fields.Many2One(
        'party.contact_mechanism', "Contact", ondelete='RESTRICT',
        domain=[
            ('party', '=', Eval('party', -1)),
            ],
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    site = fields.Many2One(
        'service.site', "Site", ondelete='RESTRICT', states=_states)
    equipment = fields.Function(fields.Many2One(
            'service.equipment', "Equipment"), 'get_repair')
    subject = fields.Function(fields.Char("Subject"), 'get_repair')
    resolution = fields.Function(fields.Text(
            "Work Done",
            help="What the visits found and did, to be checked with the "
            "customer."), 'get_repair')
    due_date = fields.Date("Due Date", required=True, states=_states)
    attempts = fields.Integer("Attempts", readonly=True)
    reached = fields.Boolean("Reached", states=_states)
    solved = fields.Selection([
            (None, ""),
            ('yes', "Yes"),
            ('no', "No"),
            ], "Problem Solved", sort=False, states={
            'readonly': _states['readonly'],
            'invisible': ~Eval('reached', False),
            })
    satisfaction = fields.Selection([
            (None, ""),
            ('1', "1 - Very dissatisfied"),
            ('2', "2 - Dissatisfied"),
            ('3', "3 - Neutral"),
            ('4', "4 - Satisfied"),
            ('5', "5 - Very satisfied"),
            ], "Satisfaction", sort=False, states={
            'readonly': _states['readonly'],
            'invisible': ~Eval('reached', False),
            })
    solved_string = solved.translated('solved')
    satisfaction_string = satisfaction.translated('satisfaction')
    comment = fields.Text("Comment", states=_states)
    called_by = employee_field(
        "Called by", states=['done', 'failed', 'cancelled'])
    called_at = fields.DateTime("Called at", readonly=True)
    due = fields.Function(fields.Boolean(
            "Due",
            help="Pending and due today or earlier (company's day)."),
        'get_due', searcher='search_due')
    late = fields.Function(fields.Boolean(
            "Late", help="Pending and due before today (company's day)."),
        'get_due', searcher='search_due')
    service_managers = fields.Function(fields.Many2Many(
            'res.user', None, None, "Service Managers"),
        'get_service_managers')
    state = fields.Selection([
            ('pending', "Pending"),
            ('done', "Done"),
            ('failed', "Failed"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality(cardinality='low')),
                (t.due_date, Index.Range()),
                where=t.state == 'pending'))
        cls._sql_indexes.update({
                Index(t, (t.due_date, Index.Range()), (t.id, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                # "Not Solved" tab
                Index(t, (t.solved, Index.Equality(cardinality='low')),
                    where=t.solved == 'no'),
                })
        cls._order = [
            ('due_date', 'ASC'),
            ('id', 'ASC'),
            ]
        cls._transitions |= {
            ('pending', 'done'),
            ('pending', 'failed'),
            ('pending', 'cancelled'),
            }
        cls._buttons.update({
                'record': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'pending'

    @classmethod
    def default_kind(cls):
        return 'repair'

    @classmethod
    def default_attempts(cls):
        return 0

    @classmethod
    def default_due_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state') != 'pending', 'muted',
                    If(Eval('late', False), 'danger', '')),
                ['state', 'late']),
            ]

    def get_due(self, name):
        today = Pool().get('ir.date').today()
        if self.state != 'pending':
            return False
        if name == 'due':
            return self.due_date <= today
        return self.due_date < today

    @classmethod
    def search_due(cls, name, clause):
        "due: pending and due today or earlier; late: before today"
        today = Pool().get('ir.date').today()
        before, after = ('<=', '>') if name == 'due' else ('<', '>=')
        return boolean_domain(clause,
            lambda: [('state', '=', 'pending'), ('due_date', before, today)],
            lambda: ['OR',
                ('state', '!=', 'pending'),
                ('due_date', after, today),
                ])

    def get_repair(self, name):
        "What was asked and done, from the ticket and its visits"
        ticket = self.ticket
        if not ticket:
            return None
        if name == 'equipment':
            return ticket.equipment.id if ticket.equipment else None
        elif name == 'subject':
            return ticket.subject
        lines = []
        for order in ticket.work_orders:
            if order.state != 'done':
                continue
            lines.extend(filter(None, [
                        order.fault_found, order.action_taken]))
        return '\n'.join(lines) or ticket.resolution

    def get_service_managers(self, name):
        "The users alerted when the callback fails"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        group = ModelData.get_id('service_desk', 'group_service_manager')
        return [u.id for u in User.search([
                    ('groups', '=', group),
                    ('email', '!=', None),
                    ('companies', '=', self.company.id),
                    ])]

    def get_rec_name(self, name):
        names = [self.party.rec_name if self.party else '']
        if self.ticket:
            names.append(self.ticket.number or '')
        elif self.inspection:
            names.append(self.inspection.phase_string)
        return ' - '.join(filter(None, names))

    @classmethod
    def create_for_tickets(cls, tickets):
        "Create the callbacks of resolved repair tickets"
        pool = Pool()
        Configuration = pool.get('service.configuration')
        config = Configuration(1)
        delay = config.callback_delay
        callbacks = []
        for ticket in tickets:
            # the company's day, moved to a working day
            calendar = config.working_calendar(ticket.company)
            due = calendar.working_day(calendar.local_date(
                    (ticket.resolved_at or dt.datetime.now()) + delay))
            callbacks.append(cls(
                    company=ticket.company,
                    kind='repair',
                    ticket=ticket,
                    party=ticket.party,
                    contact=ticket.contact,
                    site=ticket.site,
                    due_date=due))
        cls.save(callbacks)
        return callbacks

    @classmethod
    @ModelView.button
    @set_employee('called_by', when='before')
    @set_timestamp('called_at', when='before')
    def record(cls, callbacks):
        """Record the outcome of the call

        Reached: done, and a problem not solved reopens the ticket.
        Not reached: called again the next day, until the configured number
        of attempts fails the callback.
        """
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Ticket = pool.get('service.ticket')
        Date = pool.get('ir.date')
        config = Configuration(1)
        max_attempts = config.callback_attempts
        done, failed, retried, to_reopen = [], [], [], []
        for callback in callbacks:
            callback.attempts = (callback.attempts or 0) + 1
            if callback.reached:
                if not callback.solved or not callback.satisfaction:
                    raise CallbackError(gettext(
                            'service_desk.msg_callback_outcome',
                            callback=callback.rec_name))
                done.append(callback)
                if (callback.solved == 'no' and callback.ticket
                        and callback.ticket.state in {'resolved', 'closed'}):
                    to_reopen.append(callback.ticket)
            elif callback.attempts >= max_attempts:
                failed.append(callback)
            else:
                callback.due_date = config.working_calendar(
                    callback.company).working_day(
                    Date.today() + dt.timedelta(days=1))
                retried.append(callback)
        cls.save(callbacks)
        cls.do(done)
        cls.fail(failed)
        if to_reopen:
            Ticket.reopen(to_reopen)

    @classmethod
    @Workflow.transition('done')
    def do(cls, callbacks):
        pass

    @classmethod
    @Workflow.transition('failed')
    def fail(cls, callbacks):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, callbacks):
        pass


class CallbackReport(CompanyReport):
    "The callback record (R-FORM)"
    __name__ = 'service.callback'

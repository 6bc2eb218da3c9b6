# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from sql import Null

from trytond.cache import Cache
from trytond.i18n import gettext
from trytond.model import (
    ChatMixin, Index, MatchMixin, ModelSQL, ModelView, Unique, Workflow,
    fields)
from trytond.modules.company.model import (
    employee_field, reset_employee, set_employee)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, Id, If

from .common import (
    BoundedMixin, CompanyMixin, GuardedMixin, KeptMixin, NumberedMixin,
    SiteMixin, boolean_domain, check_dates, many2one_subquery, search_on,
    set_timestamp, user_employee)
from .exceptions import TicketError
from .party import PHONE_TYPES, phonenumbers
from .working_calendar import to_local

CHANNELS = [
    ('phone', "Phone"),
    ('email', "E-mail"),
    ('fax', "Fax"),
    ('web', "Website"),
    ('chat', "Chat (QQ/WeChat)"),
    ('walk_in', "Walk-in"),
    ('inspection', "Inspection"),
    ('portal', "Customer Portal"),
    ]
TYPES = [
    ('repair', "Repair"),
    ('complaint', "Complaint"),
    ('inquiry', "Inquiry"),
    ('suggestion', "Suggestion"),
    ]
PRIORITIES = [
    ('urgent', "Urgent"),
    ('high', "High"),
    ('normal', "Normal"),
    ('low', "Low"),
    ]
OPEN_STATES = ['open', 'in_progress', 'waiting']
_manager_review_states = {
    'invisible': Eval('type') != 'complaint',
    # the manager's own words, until the review is recorded
    'readonly': (Bool(Eval('reviewed_by'))
        | Eval('state').in_(['closed', 'cancelled'])
        | ~Id('service_desk', 'group_service_manager').in_(
            Eval('context', {}).get('groups', []))),
    }


class Target(BoundedMixin, MatchMixin, ModelSQL, ModelView):
    "The promised response and resolution times of a priority"
    __name__ = 'service.ticket.target'
    _field_bounds = {
        'response_hours': (0, 10000), 'resolution_hours': (0, 10000)}
    _get_hours_cache = Cache('service.ticket.target.get_hours', context=False)

    priority = fields.Selection(PRIORITIES, "Priority", required=True)
    response_hours = fields.Float(
        "Response Hours", required=True,
        domain=[('response_hours', '>', 0)],
        help="Working hours to respond to the customer.")
    resolution_hours = fields.Float(
        "Resolution Hours", required=True,
        domain=[('resolution_hours', '>=', Eval('response_hours', 0))],
        help="Working hours to solve the problem.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('priority_unique', Unique(t, t.priority),
                'service_desk.msg_ticket_target_priority_unique'),
            ]

    @classmethod
    def get_hours(cls, pattern):
        """Return the response and resolution hours of the first target
        matching the pattern of a ticket, or None"""
        key = tuple(sorted(pattern.items()))
        hours = cls._get_hours_cache.get(key, -1)
        if hours != -1:
            return hours
        hours = None
        for target in cls.search([]):
            if target.match(pattern):
                hours = (target.response_hours, target.resolution_hours)
                break
        return cls._get_hours_cache.set(key, hours)

    @classmethod
    def on_modification(cls, mode, targets, field_names=None):
        super().on_modification(mode, targets, field_names=field_names)
        cls._get_hours_cache.clear()


class Ticket(
        BoundedMixin, CompanyMixin, NumberedMixin, KeptMixin, GuardedMixin,
        SiteMixin,
        ChatMixin, Workflow, ModelSQL, ModelView):
    "A request of a customer: repair, complaint, inquiry or suggestion"
    __name__ = 'service.ticket'
    _number_sequence = 'ticket_sequence'
    _number_at_commit = True
    _rec_name = 'number'
    _history = True
    _delete_message = 'service_desk.msg_ticket_delete_draft'
    _cancel_reason_message = 'service_desk.msg_ticket_cancel_reason'

    _states = {
        'readonly': Eval('state').in_(['resolved', 'closed', 'cancelled']),
        }

    number = fields.Char("Number", readonly=True)
    # in the order of CHANNELS, the default first: sorted by label, the
    # first choice in Chinese is fax (传真), which a browser shows and sends
    # for a value it has not displayed yet
    channel = fields.Selection(
        CHANNELS, "Channel", required=True, sort=False, states=_states)
    type = fields.Selection(TYPES, "Type", required=True, states=_states)
    party = fields.Many2One(
        'party.party', "Customer", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'],
            'required': Eval('state') != 'draft',
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    contact = fields.Many2One(
        'party.contact_mechanism', "Contact", ondelete='RESTRICT',
        states=_states,
        domain=[
            If(Bool(Eval('party')), ('party', '=', Eval('party', -1)), ()),
            ],
        help="How the customer reached us and is to be answered.",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    caller_name = fields.Char(
        "Caller", states=_states,
        help="Who called or wrote: kept as a contact of the customer when "
        "the ticket is opened.")
    caller_phone = fields.Char(
        "Caller Phone", states=_states,
        help="The number the customer called from, in any form (0839-5335003, "
        "5335003, +86 839 533 5003): a known number fills the customer, "
        "the contact and the site.")
    caller_known = fields.Function(fields.Boolean(
            "Known Number",
            help="The caller's number is among the customer's contacts."),
        'on_change_with_caller_known')
    caller_add_contact = fields.Boolean(
        "Add to Contacts", states={
            'readonly': _states['readonly'],
            'invisible': (~Eval('caller_phone') | ~Eval('party')
                | Eval('caller_known', False)),
            },
        help="Add the caller's number to the customer's contacts when the "
        "ticket is opened.")
    site = fields.Many2One(
        'service.site', "Site", ondelete='RESTRICT', states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Bool(Eval('party')), ('party', '=', Eval('party', -1)), ()),
            ])
    equipment = fields.Many2One(
        'service.equipment', "Equipment", ondelete='RESTRICT',
        states=_states,
        domain=[
            If(Bool(Eval('site')), ('site', '=', Eval('site', -1)), ()),
            ])
    subject = fields.Char("Subject", required=True, states=_states)
    description = fields.Text("Description", states=_states)
    priority = fields.Selection(
        PRIORITIES, "Priority", required=True, sort=False, states=_states,
        help="Derived from the type and the criticality of the equipment "
        "and site; it can be changed.")
    assigned_to = employee_field(
        "Assigned To", states=['resolved', 'closed', 'cancelled'])

    received_at = fields.DateTime("Received at", required=True,
        states={
            'readonly': Eval('state') != 'draft',
            })
    received_by = employee_field(
        "Received by", states=['open', 'in_progress', 'waiting', 'resolved',
            'closed', 'cancelled'])
    after_hours = fields.Boolean(
        "After Hours", readonly=True,
        help="Received outside the working hours of the company.")
    handling_plan = fields.Text(
        "Handling Plan", states=_states,
        help="What the customer was told will be done.")
    promised_at = fields.DateTime(
        "Promised at", states=_states,
        help="The time told to the customer: someone answers by then.")
    response_deadline = fields.DateTime("Response Deadline", readonly=True)
    resolution_deadline = fields.DateTime(
        "Resolution Deadline", readonly=True)
    paused_hours = fields.Float(
        "Paused Hours", readonly=True,
        help="Working hours spent waiting for the customer, which do not "
        "count against the promised times.")
    waiting_since = fields.DateTime("Waiting since", readonly=True)
    responded_at = fields.DateTime("Responded at", readonly=True)
    resolved_at = fields.DateTime("Resolved at", readonly=True)
    closed_at = fields.DateTime("Closed at", readonly=True)
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    due_soon = fields.Function(
        fields.Boolean("Due Soon"), 'get_overdue', searcher='search_overdue')
    next_deadline = fields.Function(fields.Char(
            "Next Deadline",
            help="The answer promised to the customer until someone "
            "responds, then the resolution."), 'get_next_deadline')
    late_for = fields.Function(fields.Selection([
                (None, ""),
                ('response', "Response"),
                ('resolution', "Resolution"),
                ('both', "Both"),
                ], "Late for"), 'get_late_for')

    reply_template = fields.Many2One(
        'service.reply.template', "Reply Template",
        states=_states)
    reply = fields.Text("Reply to Customer", states=_states)
    resolution = fields.Text(
        "Resolution", states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            })

    # complaints (R-CS-2)
    complaint_founded = fields.Selection([
            (None, ""),
            ('founded', "Founded"),
            ('unfounded', "Unfounded"),
            ], "Complaint Verification",
        states={
            'invisible': Eval('type') != 'complaint',
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            })
    complaint_finding = fields.Text(
        "Finding", states={
            'invisible': Eval('type') != 'complaint',
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            })
    complaint_work_order = fields.Many2One(
        'service.work_order', "Visit Concerned", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Bool(Eval('party')), ('party', '=', Eval('party', -1)), ()),
            ],
        states={
            'invisible': Eval('type') != 'complaint',
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            },
        help="The visit the customer complains about.")
    complaint_employee = fields.Many2One(
        'company.employee', "Staff Concerned", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'invisible': Eval('type') != 'complaint',
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            },
        help="The member of staff the customer complains about.")
    review_comment = fields.Text(
        "Manager's Comment", states=_manager_review_states)
    review_measures = fields.Text(
        "Measures", states=_manager_review_states,
        help="What is done so that it does not happen again.")
    reviewed_by = fields.Many2One(
        'company.employee', "Reviewed by", readonly=True,
        states={
            'invisible': Eval('type') != 'complaint',
            })
    reviewed_at = fields.DateTime(
        "Reviewed at", readonly=True,
        states={
            'invisible': Eval('type') != 'complaint',
            })

    # inquiries (R-CS-9, R-ENG-1)
    technical_answer = fields.Text(
        "Technical Answer", states={
            'invisible': Eval('type') != 'inquiry',
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            })
    answered_by = fields.Many2One(
        'company.employee', "Answered by", readonly=True,
        states={
            'invisible': Eval('type') != 'inquiry',
            },
        help="Who wrote the technical answer last.")
    escalated = fields.Boolean("Escalated", readonly=True,
        states={
            'invisible': Eval('type') != 'inquiry',
            })

    cancel_reason = fields.Text(
        "Cancellation Reason",
        states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            })
    escalation_level = fields.Integer(
        "Escalation Level", readonly=True,
        help="How many times a visit escalated the fault to a technical "
        "engineer.")
    work_orders = fields.One2Many(
        'service.work_order', 'ticket', "Work Orders",
        states={
            'readonly': Eval('state').in_(['draft', 'closed', 'cancelled']),
            })
    requisitions = fields.One2Many(
        'service.requisition', 'ticket', "Parts Requisitions",
        readonly=True)
    callbacks = fields.One2Many(
        'service.callback', 'ticket', "Callbacks", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('open', "Open"),
            ('in_progress', "In Progress"),
            ('waiting', "Waiting Customer"),
            ('resolved', "Resolved"),
            ('closed', "Closed"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft'] + OPEN_STATES)),
                Index(t, (t.number, Index.Similarity())),
                # "Resolved" tab: tickets waiting for their closure
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'resolved'),
                # default order, and the tickets of a period
                Index(t, (t.received_at, Index.Range()),
                    (t.id, Index.Range())),
                # searches by customer, site and contact
                Index(t, (t.party, Index.Range()), where=t.party != Null),
                Index(t, (t.site, Index.Range()), where=t.site != Null),
                Index(t, (t.contact, Index.Range()),
                    where=t.contact != Null),
                # "Mine" tab
                Index(t, (t.assigned_to, Index.Equality()),
                    where=t.state.in_(['draft'] + OPEN_STATES)),
                # "To Link" tab
                Index(t, (t.unknown_sender, Index.Equality()),
                    where=(t.state == 'draft') & (t.party == Null)),
                # complaints and suggestions
                Index(t, (t.type, Index.Equality(cardinality='low')),
                    (t.received_at, Index.Range())),
                Index(t, (t.type, Index.Equality(cardinality='low')),
                    where=(t.type == 'complaint') & (t.reviewed_by == Null)),
                # overdue and due soon: the late answers and resolutions
                Index(t, (t.response_deadline, Index.Range()),
                    (t.promised_at, Index.Range()),
                    where=t.state.in_(['draft', 'open'])
                    & (t.responded_at == Null)),
                Index(t, (t.resolution_deadline, Index.Range()),
                    where=t.state.in_(OPEN_STATES)),
                # the failures of an item of equipment before or after a
                # time (repeat failures, MTBF, first-visit fixes)
                Index(t, (t.equipment, Index.Equality()),
                    (t.received_at, Index.Range()),
                    where=t.equipment != Null),
                Index(t, (t.equipment, Index.Equality()),
                    (t.resolved_at, Index.Range()),
                    where=(t.equipment != Null) & (t.resolved_at != Null)),
                })
        cls._order = [
            ('received_at', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'open'),
            ('draft', 'cancelled'),
            ('open', 'in_progress'),
            ('open', 'waiting'),
            ('open', 'resolved'),
            ('open', 'cancelled'),
            ('in_progress', 'waiting'),
            ('in_progress', 'resolved'),
            ('in_progress', 'cancelled'),
            ('waiting', 'in_progress'),
            ('waiting', 'resolved'),
            ('waiting', 'cancelled'),
            ('resolved', 'closed'),
            ('resolved', 'open'),
            ('closed', 'open'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft'] + OPEN_STATES),
                    'depends': ['state'],
                    },
                'open': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'start': {
                    'invisible': ~Eval('state').in_(['open', 'waiting']),
                    'depends': ['state'],
                    },
                'wait': {
                    'invisible': ~Eval('state').in_(['open', 'in_progress']),
                    'depends': ['state'],
                    },
                'resolve': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'resolved',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': ~Eval('state').in_(['resolved', 'closed']),
                    'depends': ['state'],
                    },
                'review': {
                    'invisible': (
                        (Eval('type') != 'complaint')
                        | Bool(Eval('reviewed_by'))
                        | Eval('state').in_(['draft', 'cancelled'])),
                    'depends': ['type', 'reviewed_by', 'state'],
                    },
                'schedule_visit': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'readonly': ~Eval('site'),
                    'depends': ['state', 'site'],
                    },
                'escalate': {
                    'invisible': (
                        (Eval('type') != 'inquiry')
                        | Eval('escalated', False)
                        | ~Eval('state').in_(OPEN_STATES)),
                    'depends': ['type', 'escalated', 'state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_channel(cls):
        return 'phone'

    @classmethod
    def default_type(cls):
        return 'repair'

    @classmethod
    def default_priority(cls):
        return 'normal'

    @classmethod
    def default_received_at(cls):
        return dt.datetime.now().replace(microsecond=0)

    @classmethod
    def default_received_by(cls):
        return user_employee()

    @classmethod
    def default_paused_hours(cls):
        return 0.0

    @classmethod
    def default_escalation_level(cls):
        return 0

    @classmethod
    def default_caller_add_contact(cls):
        return True

    @fields.depends('party', 'site', 'contact', methods=['_caller_mechanism'])
    def on_change_party(self):
        if self.party:
            if self.site and self.site.party != self.party:
                self.site = None
            mechanism = self._caller_mechanism()
            if mechanism:
                self.contact = mechanism
            elif not self.contact or self.contact.party != self.party:
                self.contact = self.party.contact_mechanism_get()
        else:
            self.contact = None

    @fields.depends(
        'company', 'party', 'site', 'contact', 'caller_phone', 'caller_name',
        methods=['_caller_mechanism', '_caller_site'])
    def on_change_caller_phone(self):
        """Pick the contact with this number, and its customer and site
        when no customer is chosen yet (R-CS-1)"""
        mechanism = self._caller_mechanism()
        if not mechanism and not self.party:
            mechanism = self._caller_any_mechanism()
            if mechanism:
                self.party = mechanism.party
        if mechanism:
            self.contact = mechanism
            if not self.caller_name:
                self.caller_name = mechanism.name
            if not self.site or self.site.party != self.party:
                self.site = self._caller_site(mechanism)

    @fields.depends('party', 'caller_phone', methods=['_caller_mechanism'])
    def on_change_with_caller_known(self, name=None):
        return bool(self._caller_mechanism())

    @fields.depends('company', 'caller_phone')
    def _caller_any_mechanism(self):
        """The phone contact of any customer with the caller's number,
        when all such contacts are of one customer"""
        ContactMechanism = Pool().get('party.contact_mechanism')
        compact = ContactMechanism.phone_compact(self.caller_phone)
        if not compact:
            return None
        mechanisms = ContactMechanism.search([
                ('type', 'in', sorted(PHONE_TYPES)),
                ('value_compact', '=', compact),
                ], limit=10)
        if len({m.party for m in mechanisms}) == 1:
            return mechanisms[0]

    @fields.depends('company', 'party')
    def _caller_site(self, mechanism):
        """The site whose contacts include mechanism, else the customer's
        only site"""
        Site = Pool().get('service.site')
        if not self.party or not self.company:
            return None
        domain = [
            ('company', '=', self.company.id),
            ('party', '=', self.party.id),
            ]
        sites = Site.search(domain + [
                ('contacts', '=', mechanism.id),
                ], limit=2)
        if not sites:
            sites = Site.search(domain, limit=2)
        if len(sites) == 1:
            return sites[0]

    @fields.depends('contact', 'caller_phone', 'caller_name')
    def on_change_contact(self):
        if self.contact and self.contact.type in PHONE_TYPES:
            if not self.caller_phone:
                self.caller_phone = self.contact.value
            if not self.caller_name:
                self.caller_name = self.contact.name

    @fields.depends('party', 'caller_phone')
    def _caller_mechanism(self):
        "The customer's phone contact with the caller's number"
        ContactMechanism = Pool().get('party.contact_mechanism')
        if not self.party or not self.caller_phone:
            return None
        compact = ContactMechanism.phone_compact(self.caller_phone)
        if not compact:
            compact = ContactMechanism(
                party=self.party).format_value_compact(
                value=self.caller_phone, type_='phone')
        for mechanism in ContactMechanism.search([
                    ('party', '=', self.party.id),
                    ('type', 'in', sorted(PHONE_TYPES)),
                    ('value_compact', '=', compact),
                    ], limit=1):
            return mechanism

    @classmethod
    def _remember_callers(cls, tickets):
        "Keep a new caller's phone as a contact of the customer"
        ContactMechanism = Pool().get('party.contact_mechanism')
        to_write = []
        for ticket in tickets:
            if not ticket.party or not ticket.caller_phone:
                continue
            mechanism = ticket._caller_mechanism()
            if not mechanism:
                if not ticket.caller_add_contact:
                    continue
                mechanism = ContactMechanism(
                    party=ticket.party, type='phone',
                    value=ticket.caller_phone, name=ticket.caller_name)
                mechanism.save()
            if ticket.contact != mechanism:
                to_write.extend(([ticket], {'contact': mechanism.id}))
        if to_write:
            cls.write(*to_write)

    @fields.depends(methods=['on_change_party'])
    def on_change_site(self):
        super().on_change_site()
        if self.site:
            self.on_change_party()

    @fields.depends(
        'type', 'equipment', 'site', '_parent_equipment.criticality',
        '_parent_site.criticality')
    def on_change_with_priority(self):
        return self.derive_priority(
            self.type,
            self.equipment.criticality if self.equipment else None,
            self.site.criticality if self.site else None)

    @staticmethod
    def derive_priority(type_, equipment_criticality, site_criticality):
        "The default priority of a ticket (R-PART-3: critical first)"
        critical = 'critical' in {equipment_criticality, site_criticality}
        if type_ == 'repair':
            return 'urgent' if critical else 'normal'
        elif type_ == 'complaint':
            return 'high'
        elif type_ == 'suggestion':
            return 'low'
        return 'high' if critical else 'normal'

    @fields.depends('reply_template', 'reply')
    def on_change_reply_template(self):
        if self.reply_template:
            text = self.reply_template.text or ''
            self.reply = '\n'.join(filter(None, [self.reply, text]))

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('overdue', False), 'danger',
                    If(Eval('due_soon', False), 'warning',
                        If(Eval('state').in_(['closed', 'cancelled']),
                            'muted', ''))),
                ['overdue', 'due_soon', 'state']),
            ('//page[@id="complaint"]', 'states', {
                    'invisible': Eval('type') != 'complaint',
                    }),
            ('//page[@id="inquiry"]', 'states', {
                    'invisible': Eval('type') != 'inquiry',
                    }),
            ]

    @classmethod
    def _now(cls):
        return dt.datetime.now()

    @classmethod
    def _due_soon(cls):
        Configuration = Pool().get('service.configuration')
        return Configuration(1).due_soon

    def get_overdue(self, name):
        now = self._now()
        if name == 'due_soon':
            now += self._due_soon()
        deadline = self._response_due()
        if deadline and deadline < now:
            return True
        if self.state in OPEN_STATES and self.resolution_deadline:
            return self.resolution_deadline < now
        return False

    def _response_due(self):
        "The time the customer was promised an answer, while unanswered"
        if self.state in {'draft', 'open'} and not self.responded_at:
            return min(filter(None, [
                        self.response_deadline, self.promised_at]),
                default=None)

    def get_next_deadline(self, name):
        "The day and time of the next deadline, in the company's time zone"
        Lang = Pool().get('ir.lang')
        if self.state not in {'draft'} | set(OPEN_STATES):
            return None
        deadline = self._response_due() or self.resolution_deadline
        if deadline:
            lang = Lang.get()
            return lang.strftime(
                to_local(deadline, self.company.timezone),
                lang.date + ' %H:%M')

    def get_late_for(self, name):
        now = self._now()
        response = self._response_due()
        late = set()
        if response and response < now:
            late.add('response')
        if (self.state in OPEN_STATES and self.resolution_deadline
                and self.resolution_deadline < now):
            late.add('resolution')
        if len(late) == 2:
            return 'both'
        return late.pop() if late else None

    @classmethod
    def search_overdue(cls, name, clause):
        """Late for the answer or for the resolution, as column conditions
        led by the open states (a partial index) and their negation, so
        that no query runs over the whole history"""
        now = cls._now()
        if name == 'due_soon':
            now += cls._due_soon()

        def late():
            return [
                ('state', 'in', ['draft'] + OPEN_STATES),
                ['OR',
                    [
                        ('state', 'in', ['draft', 'open']),
                        ('responded_at', '=', None),
                        ['OR',
                            ('response_deadline', '<', now),
                            ('promised_at', '<', now),
                            ],
                        ],
                    [
                        ('state', 'in', OPEN_STATES),
                        ('resolution_deadline', '<', now),
                        ],
                    ],
                ]

        def not_late():
            return [
                ['OR',
                    ('state', 'not in', ['draft', 'open']),
                    ('responded_at', '!=', None),
                    [
                        ['OR',
                            ('response_deadline', '=', None),
                            ('response_deadline', '>=', now),
                            ],
                        ['OR',
                            ('promised_at', '=', None),
                            ('promised_at', '>=', now),
                            ],
                        ],
                    ],
                ['OR',
                    ('state', 'not in', OPEN_STATES),
                    ('resolution_deadline', '=', None),
                    ('resolution_deadline', '>=', now),
                    ],
                ]
        return boolean_domain(clause, late, not_late)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_on(['number', 'subject', 'party.name'], clause)

    @classmethod
    def domain_party(cls, domain, tables):
        return many2one_subquery(cls, domain, tables)

    @classmethod
    def domain_contact(cls, domain, tables):
        return many2one_subquery(cls, domain, tables)

    @classmethod
    def domain_site(cls, domain, tables):
        return many2one_subquery(cls, domain, tables)

    @classmethod
    def domain_equipment(cls, domain, tables):
        return many2one_subquery(cls, domain, tables)

    def get_rec_name(self, name):
        if self.number:
            return f'{self.number} {self.subject}'
        return self.subject

    def chat_language(self, audience='internal'):
        "The customer is answered in his language"
        Configuration = Pool().get('ir.configuration')
        language = super().chat_language(audience=audience)
        if audience == 'public':
            if self.party and self.party.lang:
                language = self.party.lang.code
            else:
                language = Configuration.get_language()
        return language

    @classmethod
    def _calendars(cls, tickets):
        Configuration = Pool().get('service.configuration')
        config = Configuration(1)
        return {c: config.working_calendar(c) for c in {
                t.company for t in tickets}}

    @classmethod
    def _deadline_depends(cls):
        """The fields the deadlines are computed from: those of the target
        pattern with the others of _deadlines"""
        return {'company', 'priority', 'received_at', 'paused_hours',
            'promised_at'}

    def _get_target_pattern(self):
        "The criteria of the targets that apply to the ticket"
        return {
            'priority': self.priority,
            }

    def compute_fields(self, field_names=None):
        """The deadlines count working hours from the reception, plus the
        working hours paused while waiting for the customer

        A new ticket is inserted with them (_before_create), so that they
        are computed once and not written again row by row."""
        pool = Pool()
        Configuration = pool.get('service.configuration')
        values = super().compute_fields(field_names=field_names)
        # computed once stored, by the server
        if self.id is None or self.id < 0 or field_names is None or not (
                field_names & {'priority', 'received_at', 'paused_hours'}):
            return values
        calendar = Configuration(1).working_calendar(self.company)
        for name, value in self._deadlines(calendar).items():
            if getattr(self, name) != value:
                values[name] = value
        return values

    def _deadlines(self, calendar):
        "Return the values of the deadlines of the ticket on the calendar"
        Target = Pool().get('service.ticket.target')
        computed = {
            'after_hours': not calendar.is_working_time(self.received_at),
            'response_deadline': None,
            'resolution_deadline': None,
            }
        hours = Target.get_hours(self._get_target_pattern())
        if hours:
            paused = self.paused_hours or 0
            response, resolution = hours
            computed['response_deadline'] = calendar.add(
                self.received_at, response + paused)
            computed['resolution_deadline'] = calendar.add(
                self.received_at, resolution + paused)
        if not self.promised_at:
            computed['promised_at'] = computed['response_deadline']
        return computed

    @classmethod
    def _before_create(cls, vlist):
        "Give each new ticket its deadlines, the calendar read once a company"
        pool = Pool()
        Company = pool.get('company.company')
        Configuration = pool.get('service.configuration')
        vlist = super()._before_create(vlist)
        config = Configuration(1)
        calendars = {}
        names = cls._deadline_depends()
        # the defaults that ModelSQL.create gives the values without them
        defaults = cls.default_get(
            [n for n in names if any(n not in v for v in vlist)],
            with_rec_name=False)
        for values in vlist:
            # the values the deadlines are computed from are those stored
            for name in ['company', 'priority', 'received_at', 'paused_hours']:
                if name not in values:
                    values[name] = getattr(cls, 'default_' + name)()
            ticket = cls(**{
                    n: values[n] if n in values else defaults.get(n)
                    for n in names})
            company_id = ticket.company.id if ticket.company else None
            if company_id not in calendars:
                calendars[company_id] = config.working_calendar(
                    Company(company_id) if company_id is not None else None)
            values.update(ticket._deadlines(calendars[company_id]))
        return vlist

    @classmethod
    def validate_fields(cls, tickets, field_names):
        super().validate_fields(tickets, field_names)
        if field_names is None or 'received_at' in field_names:
            # received now or earlier, one day of clock skew allowed
            check_dates(tickets, ['received_at'], ahead=dt.timedelta(days=1))
        if field_names is None or 'promised_at' in field_names:
            check_dates(tickets, ['promised_at'])
        if field_names is None or 'caller_phone' in field_names:
            cls.check_caller_phone(tickets)

    @classmethod
    def check_caller_phone(cls, tickets):
        """The caller's number is refused when the ticket is saved, before
        any button, so that the form keeps what was typed (R-CS-1)"""
        ContactMechanism = Pool().get('party.contact_mechanism')
        if not phonenumbers:
            return
        for ticket in tickets:
            if (ticket.caller_phone
                    and ticket.state in {'draft'} | set(OPEN_STATES)
                    and not ContactMechanism.phone_compact(
                        ticket.caller_phone)):
                raise TicketError(gettext(
                        'service_desk.msg_ticket_caller_phone',
                        phone=ticket.caller_phone,
                        ticket=ticket.rec_name))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if 'technical_answer' in values:
            values['answered_by'] = (
                user_employee()
                if values['technical_answer'] else None)
        return values

    @classmethod
    def copy(cls, tickets, default=None):
        default = default.copy() if default is not None else {}
        for name in [
                'number', 'responded_at', 'resolved_at', 'closed_at',
                'waiting_since', 'reviewed_by', 'reviewed_at', 'answered_by',
                'review_comment', 'review_measures',
                'callbacks', 'cancel_reason', 'promised_at',
                'work_orders']:
            default.setdefault(name, None)
        default.setdefault('paused_hours', 0)
        default.setdefault('escalation_level', 0)
        default.setdefault(
            'received_at', lambda data: cls.default_received_at())
        default.setdefault('escalated', False)
        default.setdefault('state', cls.default_state())
        return super().copy(tickets, default=default)

    @classmethod
    def _pause_end(cls, tickets):
        "Add the working time spent waiting to the paused hours"
        calendars = cls._calendars(tickets)
        now = cls._now()
        to_write = []
        for ticket in tickets:
            if ticket.waiting_since:
                paused = calendars[ticket.company].hours_between(
                    ticket.waiting_since, now)
                to_write.extend(([ticket], {
                            'paused_hours': (ticket.paused_hours or 0)
                            + paused,
                            'waiting_since': None,
                            }))
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, tickets):
        cls.check_cancel_reason(tickets)
        cls._pause_end(tickets)

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def open(cls, tickets):
        for ticket in tickets:
            if not ticket.party:
                raise TicketError(gettext(
                        'service_desk.msg_ticket_open_party',
                        ticket=ticket.rec_name))
        cls._remember_callers(tickets)

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    @set_employee('assigned_to', when='before')
    @set_timestamp('responded_at', first=True)
    def start(cls, tickets):
        cls._pause_end(tickets)

    @classmethod
    @ModelView.button
    @Workflow.transition('waiting')
    @set_timestamp('responded_at', first=True)
    @set_timestamp('waiting_since')
    def wait(cls, tickets):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    @set_timestamp('responded_at', when='before', first=True)
    @set_timestamp('resolved_at', when='before')
    def resolve(cls, tickets):
        pool = Pool()
        Callback = pool.get('service.callback')
        cls._pause_end(tickets)
        Callback.create_for_tickets(
            [t for t in tickets if t.type == 'repair'])

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    @set_timestamp('closed_at')
    def close(cls, tickets):
        for ticket in tickets:
            if ticket.type == 'complaint' and not (
                    ticket.complaint_founded and ticket.reply
                    and ticket.reviewed_by):
                raise TicketError(gettext(
                        'service_desk.msg_ticket_complaint_close',
                        ticket=ticket.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    @reset_employee('resolved_at', 'closed_at')
    def reopen(cls, tickets):
        pass

    @classmethod
    @ModelView.button
    @set_employee('reviewed_by')
    @set_timestamp('reviewed_at')
    def review(cls, tickets):
        for ticket in tickets:
            if ticket.type != 'complaint' or not ticket.complaint_founded:
                raise TicketError(gettext(
                        'service_desk.msg_ticket_review_verification',
                        ticket=ticket.rec_name))

    @classmethod
    @ModelView.button_action('service_desk.wizard_ticket_schedule')
    def schedule_visit(cls, tickets):
        "Agree a visit with the customer (R-CS-6)"
        pass

    @classmethod
    @ModelView.button
    def escalate(cls, tickets):
        cls.write(tickets, {'escalated': True})


class ReplyTemplate(BoundedMixin, ModelSQL, ModelView):
    "A courteous phrase (文明用语) used in replies to customers (R-CS-8)"
    __name__ = 'service.reply.template'

    name = fields.Char("Name", required=True, translate=True)
    text = fields.Text("Text", required=True, translate=True)
    sequence = fields.Integer("Sequence")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('sequence', 'ASC NULLS LAST'))

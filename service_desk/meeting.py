# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The weekly technical meeting (R-ENG-7) and the product feedback (R-INFRA-4)"
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.model.exceptions import ValidationError
from trytond.modules.company import CompanyReport
from trytond.modules.company.model import reset_employee
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction

from .common import (
    BoundedMixin, CompanyMixin, GuardedMixin, KeptMixin, NumberedMixin,
    search_on, set_timestamp, user_employee)
from .configuration import default_sequence


class MeetingError(ValidationError):
    pass


AGENDA_ORIGINS = [
    'service.ticket', 'service.fault.analysis',
    'service.fault.analysis.action', 'service.meeting.action',
    'service.inspection', 'service.equipment', 'service.equipment.need',
    ]


def _today():
    return Pool().get('ir.date').today()


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'

    meeting_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Meeting Sequence", required=True,
            domain=[
                ('company', 'in',
                    [Eval('context', {}).get('company', -1), None]),
                ('sequence_type', '=',
                    Id('service_desk', 'sequence_type_meeting')),
                ]))

    @classmethod
    def multivalue_model(cls, field):
        if field == 'meeting_sequence':
            return Pool().get('service.configuration.sequence')
        return super().multivalue_model(field)

    @classmethod
    def default_meeting_sequence(cls, **pattern):
        return cls.multivalue_model(
            'meeting_sequence').default_meeting_sequence()


class ConfigurationSequence(metaclass=PoolMeta):
    __name__ = 'service.configuration.sequence'

    meeting_sequence = fields.Many2One(
        'ir.sequence', "Meeting Sequence", required=True,
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=',
                Id('service_desk', 'sequence_type_meeting')),
            ])

    default_meeting_sequence = default_sequence('sequence_meeting')


class Meeting(
        BoundedMixin, CompanyMixin, NumberedMixin, KeptMixin, GuardedMixin,
        Workflow, ModelSQL, ModelView):
    "The weekly technical meeting of the department"
    __name__ = 'service.meeting'
    # the minutes of a meeting held are kept (R-CS-7)
    _delete_message = 'service_desk.msg_meeting_delete_held'
    _rec_name = 'number'
    _number_sequence = 'meeting_sequence'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    number = fields.Char("Number", readonly=True)
    date = fields.Date("Date", required=True, states=_states)
    chair = fields.Many2One(
        'company.employee', "Chair", ondelete='RESTRICT', states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    attendees = fields.Many2Many(
        'service.meeting-company.employee', 'meeting', 'employee',
        "Attendees", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    items = fields.One2Many(
        'service.meeting.item', 'meeting', "Agenda", states=_states)
    actions = fields.One2Many(
        'service.meeting.action', 'meeting', "Action Items",
        states=_states)
    notes = fields.Text("Notes", states=_states)
    state = fields.Selection([
            ('draft', "Draft"),
            ('held', "Held"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.date, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'held'), ('held', 'draft')}
        cls._buttons.update({
                'load_agenda': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'hold': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'held',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_date(cls):
        return _today()

    @classmethod
    def default_chair(cls):
        return user_employee()

    def get_rec_name(self, name):
        Lang = Pool().get('ir.lang')
        return ' '.join(filter(None, [
                    self.number,
                    Lang.get().strftime(self.date) if self.date else '']))

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_on(['number'], clause)

    @classmethod
    def copy(cls, meetings, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        return super().copy(meetings, default=default)

    def previous_meeting(self):
        meetings = self.search([
                ('company', '=', self.company.id),
                ('state', '=', 'held'),
                ('date', '<', self.date),
                ], order=[('date', 'DESC')], limit=1)
        return meetings[0] if meetings else None

    @classmethod
    @ModelView.button
    def load_agenda(cls, meetings):
        """Put on the agenda the open action items of the meetings and of
        the fault analyses, and the analyses opened since the last meeting
        """
        pool = Pool()
        Item = pool.get('service.meeting.item')
        MeetingAction = pool.get('service.meeting.action')
        AnalysisAction = pool.get('service.fault.analysis.action')
        Analysis = pool.get('service.fault.analysis')
        items = []
        for meeting in meetings:
            if meeting.state != 'draft':
                continue
            present = {i.origin for i in meeting.items if i.origin}
            origins = []
            origins.extend(MeetingAction.search([
                        ('meeting.company', '=', meeting.company.id),
                        ('meeting', '!=', meeting.id),
                        ('state', '=', 'open'),
                        ], order=[('due_date', 'ASC NULLS LAST')]))
            origins.extend(AnalysisAction.search([
                        ('analysis.company', '=', meeting.company.id),
                        ('analysis.state', 'not in', ['closed', 'cancelled']),
                        ('state', '=', 'open'),
                        ], order=[('due_date', 'ASC NULLS LAST')]))
            previous = meeting.previous_meeting()
            domain = [
                ('company', '=', meeting.company.id),
                ('state', '!=', 'cancelled'),
                ]
            if previous:
                domain.append(('date', '>=', previous.date))
            origins.extend(Analysis.search(domain, order=[('date', 'ASC')]))
            sequence = max((i.sequence or 0 for i in meeting.items), default=0)
            for origin in origins:
                if origin in present:
                    continue
                present.add(origin)
                sequence += 10
                items.append(Item(
                        meeting=meeting, sequence=sequence,
                        topic=origin.rec_name[:100], origin=origin))
        Item.save(items)

    @classmethod
    @ModelView.button
    @Workflow.transition('held')
    def hold(cls, meetings):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, meetings):
        pass


class MeetingEmployee(BoundedMixin, GuardedMixin, ModelSQL):
    "The attendees of a meeting"
    __name__ = 'service.meeting-company.employee'
    _guard_parent = ('meeting', ['draft'])
    meeting = fields.Many2One(
        'service.meeting', "Meeting", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meeting')


class MeetingItem(
        BoundedMixin, GuardedMixin, sequence_ordered(), ModelSQL, ModelView):
    "An agenda item of a meeting with the positions and the decision"
    __name__ = 'service.meeting.item'
    _guard_parent = ('meeting', ['draft'])
    meeting = fields.Many2One(
        'service.meeting', "Meeting", required=True, ondelete='CASCADE')
    topic = fields.Char("Topic", required=True)
    origin = fields.Reference(
        "About", selection='get_origins',
        help="The ticket, analysis, inspection, equipment or action "
        "discussed.")
    positions = fields.Text(
        "Positions", help="The views given by the participants.")
    decision = fields.Text("Decision")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meeting')

    @classmethod
    def get_origins(cls):
        Model = Pool().get('ir.model')
        return [(None, '')] + [
            (m, Model.get_name(m)) for m in AGENDA_ORIGINS]


class MeetingAction(BoundedMixin, GuardedMixin, Workflow, ModelSQL, ModelView):
    "An action item decided in a meeting"
    __name__ = 'service.meeting.action'
    # decided in the meeting: kept with its minutes once held; who does it,
    # by when and its result are followed up while it is open
    _guard_parent = ('meeting', ['draft'])
    _open_states = {
        'readonly': Eval('state') != 'open',
        }

    meeting = fields.Many2One(
        'service.meeting', "Meeting", required=True, ondelete='CASCADE')
    description = fields.Text("Description", required=True)
    responsible = fields.Many2One(
        'company.employee', "Responsible", ondelete='RESTRICT',
        states=_open_states)
    due_date = fields.Date("Due Date", states=_open_states)
    result = fields.Text("Result", states=_open_states)
    done_date = fields.Date("Done on", readonly=True)
    state = fields.Selection([
            ('open', "Open"),
            ('done', "Done"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _open_states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.due_date, Index.Range())),
                Index(t, (t.responsible, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('due_date', 'ASC NULLS LAST'), ('id', 'ASC')]
        cls._transitions |= {('open', 'done'), ('done', 'open')}
        cls._buttons.update({
                'do': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'done',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'open'

    def get_rec_name(self, name):
        return (self.description or '').split('\n')[0]

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @set_timestamp('done_date')
    def do(cls, actions):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    @reset_employee('done_date')
    def reopen(cls, actions):
        pass


class MeetingReport(CompanyReport):
    "The minutes of the weekly technical meeting (R-ENG-7)"
    __name__ = 'service.meeting'


class Feedback(
        BoundedMixin, CompanyMixin, GuardedMixin, Workflow, ModelSQL,
        ModelView):
    """A problem or weakness of a product sent to purchasing and product
    people (R-INFRA-4)

    They read the product, the vendor, the description and the evidence
    written for them, and answer; the service records behind it stay in
    service."""
    __name__ = 'service.product.feedback'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='RESTRICT',
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    vendor = fields.Many2One(
        'party.party', "Vendor", ondelete='RESTRICT', states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    kind = fields.Selection([
            ('defect', "Defect"),
            ('weakness', "Weakness"),
            ('improvement', "Improvement"),
            ], "Kind", required=True, sort=False, states=_states)
    kind_string = kind.translated('kind')
    description = fields.Text("Description", required=True, states=_states)
    evidence = fields.Text(
        "Evidence", states=_states,
        help="Facts for purchasing: failures counted, sites, dates, "
        "references.")
    origin = fields.Reference(
        "Raised from", selection='get_origins', readonly=True,
        help="The service record the feedback comes from.")
    answer = fields.Text(
        "Answer", states={
            'readonly': Eval('state') != 'sent',
            },
        help="What purchasing or the vendor will do.")
    answered_by = fields.Many2One(
        'res.user', "Answered by", readonly=True, ondelete='RESTRICT')
    answered_date = fields.Date("Answered on", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('sent', "Sent"),
            ('answered', "Answered"),
            ('closed', "Closed"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.create_date, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'sent'),
            ('sent', 'answered'),
            ('answered', 'closed'),
            ('answered', 'sent'),
            }
        cls._buttons.update({
                'send': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'reply': {
                    'invisible': Eval('state') != 'sent',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'answered',
                    'depends': ['state'],
                    },
                'ask_again': {
                    'invisible': Eval('state') != 'answered',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'defect'

    @classmethod
    def get_origins(cls):
        Model = Pool().get('ir.model')
        models = [
            'service.fault.analysis', 'service.ticket',
            'service.inspection.line']
        return [(None, '')] + [(m, Model.get_name(m)) for m in models]

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.product.rec_name if self.product else '',
                    self.kind_string]))

    @classmethod
    def last_vendor(cls, company, product):
        "The vendor named by the last feedback on the product"
        feedbacks = cls.search([
                ('company', '=', company.id),
                ('product', '=', product.id),
                ('vendor', '!=', None),
                ], order=[('create_date', 'DESC'), ('id', 'DESC')], limit=1)
        return feedbacks[0].vendor if feedbacks else None

    @classmethod
    def _codes(cls, record):
        "The fault codes of record, as lines of evidence"
        return [c.rec_name for c in [
                record.symptom_code, record.cause_code, record.remedy_code]
            if c]

    @classmethod
    def draft_from(cls, origins):
        """Draft and save the feedback to purchasing on the product of each
        origin (a fault analysis, a ticket, an inspection line) that gives
        the values of one by its _feedback_values(); return them"""
        feedbacks = []
        for origin in origins:
            values = origin._feedback_values()
            if values is None:
                continue
            company, product = values['company'], values['product']
            feedbacks.append(cls(
                    vendor=cls.last_vendor(company, product),
                    kind='defect',
                    origin=origin,
                    **values))
        cls.save(feedbacks)
        return feedbacks

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    def send(cls, feedbacks):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('answered')
    @set_timestamp('answered_date')
    def reply(cls, feedbacks):
        for feedback in feedbacks:
            if not feedback.answer:
                raise MeetingError(gettext(
                        'service_desk.msg_feedback_answer',
                        feedback=feedback.rec_name))
        cls.write(feedbacks, {'answered_by': Transaction().user})

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, feedbacks):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    def ask_again(cls, feedbacks):
        pass


class FaultAnalysis(metaclass=PoolMeta):
    __name__ = 'service.fault.analysis'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'raise_feedback': {
                    'invisible': ~Eval('product'),
                    'depends': ['product'],
                    },
                })

    @classmethod
    @ModelView.button_action('service_desk.act_product_feedback_form')
    def raise_feedback(cls, analyses):
        "Draft the feedback to purchasing of the analysed product"
        Feedback = Pool().get('service.product.feedback')
        return {'res_id': [f.id for f in Feedback.draft_from(analyses)]}

    def _feedback_values(self):
        if not self.product:
            return None
        evidence = [self.subject]
        if self.scope_items is not None:
            evidence.append(gettext(
                    'service_desk.msg_feedback_evidence',
                    failures=len(self.tickets),
                    items=self.scope_items,
                    sites=self.scope_sites))
        return {
            'company': self.company,
            'product': self.product,
            'description': '\n'.join(filter(None, [
                        self.symptoms, self.root_cause])),
            'evidence': '\n'.join(evidence),
            }


class Ticket(metaclass=PoolMeta):
    __name__ = 'service.ticket'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'raise_feedback': {
                    'invisible': ~Eval('equipment'),
                    'depends': ['equipment'],
                    },
                })

    @classmethod
    @ModelView.button_action('service_desk.act_product_feedback_form')
    def raise_feedback(cls, tickets):
        "Draft the feedback to purchasing on the product of the equipment"
        Feedback = Pool().get('service.product.feedback')
        return {'res_id': [f.id for f in Feedback.draft_from(tickets)]}

    def _feedback_values(self):
        Feedback = Pool().get('service.product.feedback')
        if not self.equipment:
            return None
        equipment = self.equipment
        return {
            'company': self.company,
            'product': equipment.product,
            'description': self.description or self.subject,
            'evidence': '\n'.join(filter(None, [
                        self.rec_name,
                        ' / '.join(filter(None, [
                                    equipment.rec_name,
                                    self.site.rec_name
                                    if self.site else None])),
                        *Feedback._codes(self),
                        ])),
            }


class InspectionLine(metaclass=PoolMeta):
    __name__ = 'service.inspection.line'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'raise_feedback': {
                    'invisible': ~Eval('failed') & ~Eval('symptom_code'),
                    'depends': ['failed', 'symptom_code'],
                    },
                })

    @classmethod
    @ModelView.button_action('service_desk.act_product_feedback_form')
    def raise_feedback(cls, lines):
        "Draft the feedback to purchasing on a fault found by an inspection"
        Feedback = Pool().get('service.product.feedback')
        return {'res_id': [f.id for f in Feedback.draft_from(lines)]}

    def _feedback_values(self):
        Feedback = Pool().get('service.product.feedback')
        if not (self.failed or self.symptom_code):
            return None
        inspection = self.inspection
        return {
            'company': inspection.company,
            'product': self.equipment.product,
            'description': ': '.join(filter(None, [
                        self.item.rec_name, self.note])),
            'evidence': '\n'.join(filter(None, [
                        inspection.rec_name,
                        self.rec_name,
                        *Feedback._codes(self),
                        ])),
            }

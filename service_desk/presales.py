# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Pre-sales on core's opportunity: the lead analysis, the go/no-go
decision of the manager and the hand-over of a won opportunity to the
installation (R-PRE-1, R-PRE-4)"""
from trytond.i18n import gettext
from trytond.model import ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.company.model import set_employee
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval

from .common import BoundedMixin, GuardedMixin, set_timestamp
from .working_calendar import to_local


class PresalesError(ValidationError):
    pass


CUSTOMER_TYPES = [
    (None, ""),
    ('government', "Government Office"),
    ('school', "School"),
    ('hospital', "Hospital"),
    ('enterprise', "Enterprise"),
    ('village', "Township or Village"),
    ('other', "Other"),
    ]
DECISIONS = [
    (None, ""),
    ('go', "Go"),
    ('no_go', "No Go"),
    ]
DECISION_REASONS = [
    (None, ""),
    ('fit', "Fits Our Products and Services"),
    ('strategic', "Strategic Customer"),
    ('installed_base', "Extends Our Installed Base"),
    ('no_budget', "No Budget"),
    ('competitor', "Competitor Preferred"),
    ('outside_scope', "Outside Our Products"),
    ('no_capacity', "No Capacity to Deliver"),
    ('timing', "Timing Not Right"),
    ('other', "Other"),
    ]
GO_REASONS = {'fit', 'strategic', 'installed_base', 'other'}
# the states of core's opportunity where the pre-sales analysis is closed
CLOSED = ['won', 'lost', 'cancelled']


class Opportunity(BoundedMixin, GuardedMixin, metaclass=PoolMeta):
    __name__ = 'sale.opportunity'

    _analysis_states = {
        'readonly': (
            Eval('state').in_(CLOSED) | Bool(Eval('presales_decision'))),
        }

    customer_type = fields.Selection(
        CUSTOMER_TYPES, "Customer Type", sort=False, states=_analysis_states)
    customer_type_string = customer_type.translated('customer_type')
    budget = Monetary(
        "Customer Budget", currency='currency', digits='currency',
        states=_analysis_states,
        help="The budget the customer has for the project.")
    decision_makers = fields.Text(
        "Decision Makers", states=_analysis_states,
        help="Who decides at the customer, and their role.")
    competitors = fields.Text(
        "Competitors", states=_analysis_states,
        help="The other suppliers in the running and what they offer.")
    presales_engineer = fields.Many2One(
        'company.employee', "Pre-sales Engineer", ondelete='RESTRICT',
        states={
            'readonly': Eval('state').in_(CLOSED),
            },
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="The technical engineer who researches and proposes.")
    presales_reason = fields.Selection(
        DECISION_REASONS, "Decision Reason", sort=False,
        states={
            'readonly': Eval('state').in_(CLOSED)
            | Bool(Eval('presales_decision')),
            })
    presales_reason_string = presales_reason.translated('presales_reason')
    presales_decision = fields.Selection(
        DECISIONS, "Decision", readonly=True, sort=False)
    presales_decision_string = presales_decision.translated(
        'presales_decision')
    presales_decided_by = fields.Many2One(
        'company.employee', "Decided by", readonly=True,
        ondelete='RESTRICT')
    presales_decided_date = fields.Date("Decided on", readonly=True)
    handed_over_by = fields.Many2One(
        'company.employee', "Handed over by", readonly=True,
        ondelete='RESTRICT')
    handed_over_date = fields.Date("Handed over on", readonly=True)
    initiations = fields.One2Many(
        'service.presales.initiation', 'opportunity', "Project Initiations",
        readonly=True)
    interviews = fields.One2Many(
        'service.presales.interview', 'opportunity', "Interviews",
        readonly=True)
    process_surveys = fields.One2Many(
        'service.presales.process_survey', 'opportunity', "Process Surveys",
        readonly=True)
    proposals = fields.One2Many(
        'service.presales.proposal', 'opportunity', "Proposals",
        readonly=True)
    demos = fields.One2Many(
        'service.presales.demo', 'opportunity', "Demonstrations",
        readonly=True)
    site_surveys = fields.One2Many(
        'service.presales.site_survey', 'opportunity', "Site Surveys",
        readonly=True)

    del _analysis_states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'decide_go': {
                    'invisible': (Eval('state').in_(CLOSED)
                        | Bool(Eval('presales_decision'))),
                    'depends': ['state', 'presales_decision'],
                    },
                'decide_no_go': {
                    'invisible': (Eval('state').in_(CLOSED)
                        | Bool(Eval('presales_decision'))),
                    'depends': ['state', 'presales_decision'],
                    },
                'hand_over': {
                    'invisible': ((Eval('state') != 'won')
                        | Bool(Eval('handed_over_date'))),
                    'depends': ['state', 'handed_over_date'],
                    },
                })

    @classmethod
    def copy(cls, opportunities, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('presales_decision', None)
        default.setdefault('presales_reason', None)
        return super().copy(opportunities, default=default)

    @classmethod
    @ModelView.button
    @set_employee('presales_decided_by')
    @set_timestamp('presales_decided_date')
    def decide_go(cls, opportunities):
        """The manager pursues the lead: it becomes an opportunity with
        its pre-sales engineer"""
        for opportunity in opportunities:
            if opportunity.presales_reason not in GO_REASONS:
                raise PresalesError(gettext(
                        'service_desk.msg_presales_go_reason',
                        opportunity=opportunity.rec_name))
            if not opportunity.presales_engineer:
                raise PresalesError(gettext(
                        'service_desk.msg_presales_go_engineer',
                        opportunity=opportunity.rec_name))
        cls.write(list(opportunities), {'presales_decision': 'go'})
        leads = [o for o in opportunities if o.state == 'lead']
        if leads:
            cls.opportunity(leads)

    @classmethod
    @ModelView.button
    @set_employee('presales_decided_by')
    @set_timestamp('presales_decided_date')
    def decide_no_go(cls, opportunities):
        """The manager drops the lead with a reason from the list and core's
        text: the opportunity is lost"""
        for opportunity in opportunities:
            if (not opportunity.presales_reason
                    or opportunity.presales_reason in GO_REASONS - {'other'}
                    or not opportunity.lost_reason):
                raise PresalesError(gettext(
                        'service_desk.msg_presales_no_go_reason',
                        opportunity=opportunity.rec_name))
        cls.write(list(opportunities), {'presales_decision': 'no_go'})
        cls.lost(opportunities)

    @classmethod
    @ModelView.button
    @set_employee('handed_over_by')
    @set_timestamp('handed_over_date')
    def hand_over(cls, opportunities):
        """The won opportunity goes to installation: a work order for each
        site surveyed, with the equipment planned there"""
        pool = Pool()
        Survey = pool.get('service.presales.site_survey')
        WorkOrder = pool.get('service.work_order')
        surveys = []
        for opportunity in opportunities:
            if opportunity.state != 'won' or opportunity.handed_over_date:
                raise PresalesError(gettext(
                        'service_desk.msg_presales_hand_over_won',
                        opportunity=opportunity.rec_name))
            done = [s for s in opportunity.site_surveys if s.state == 'done']
            if not done:
                raise PresalesError(gettext(
                        'service_desk.msg_presales_hand_over_survey',
                        opportunity=opportunity.rec_name))
            surveys.extend(done)
        orders = []
        for survey in surveys:
            orders.append(WorkOrder(
                    company=survey.company,
                    kind='installation',
                    party=survey.site.party,
                    site=survey.site,
                    origin=survey,
                    description=survey.installation_description()))
        WorkOrder.save(orders)
        for survey, order in zip(surveys, orders, strict=True):
            survey.work_order = order
        Survey.save(surveys)
        Survey.hand_over(surveys)


class OpportunityLine(GuardedMixin, metaclass=PoolMeta):
    "The lines of an opportunity, frozen with it once converted"
    __name__ = 'sale.opportunity.line'
    _guard_parent = ('opportunity', {'lead', 'opportunity'})


class WorkOrder(metaclass=PoolMeta):
    "The installation of the equipment planned by a site survey"
    __name__ = 'service.work_order'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['service.presales.site_survey']

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, orders):
        super().do(orders)
        Survey = Pool().get('service.presales.site_survey')
        surveys = [o.origin for o in orders
            if o.kind == 'installation'
            and isinstance(o.origin, Survey)]
        installed = {o.origin.id: to_local(
                o.done_at, o.company.timezone).date()
            for o in orders
            if o.kind == 'installation' and isinstance(o.origin, Survey)}
        Survey.install(surveys, installed)

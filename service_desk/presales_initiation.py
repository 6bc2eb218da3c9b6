# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The project initiation (立项书) of a pursued opportunity (R-PRE-1)"
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.company import CompanyReport
from trytond.modules.company.model import reset_employee, set_employee
from trytond.modules.currency.fields import Monetary
from trytond.pyson import Eval, If

from .common import (
    BoundedMixin, CompanyMixin, GuardedMixin, KeptMixin, set_timestamp)
from .presales import PresalesError


class Initiation(
        BoundedMixin, CompanyMixin, KeptMixin, GuardedMixin, Workflow,
        ModelSQL, ModelView):
    "The project initiation of an opportunity, approved by the manager"
    __name__ = 'service.presales.initiation'
    _rec_name = 'title'
    _delete_message = 'service_desk.msg_presales_delete_draft'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    opportunity = fields.Many2One(
        'sale.opportunity', "Opportunity", required=True, ondelete='RESTRICT',
        states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('presales_decision', '=', 'go'),
            ])
    party = fields.Function(fields.Many2One(
            'party.party', "Customer",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'on_change_with_party')
    title = fields.Char("Project", required=True, states=_states)
    objectives = fields.Text("Objectives", required=True, states=_states)
    scope = fields.Text(
        "Scope", states=_states,
        help="The systems and the work the project covers.")
    sites = fields.Many2Many(
        'service.presales.initiation-service.site', 'initiation', 'site',
        "Sites", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Eval('party'), ('party', '=', Eval('party', -1)), ()),
            ])
    budget = Monetary(
        "Budget", currency='currency', digits='currency', states=_states)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    start_date = fields.Date("Start", states=_states)
    end_date = fields.Date(
        "End", states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ])
    schedule = fields.Text(
        "Schedule", states=_states,
        help="The milestones: research, proposal, contract, installation.")
    salesman = fields.Many2One(
        'company.employee', "Salesman", ondelete='RESTRICT', states=_states,
        domain=[('company', '=', Eval('company', -1))])
    presales_engineer = fields.Many2One(
        'company.employee', "Pre-sales Engineer", ondelete='RESTRICT',
        states=_states,
        domain=[('company', '=', Eval('company', -1))])
    project_manager = fields.Many2One(
        'company.employee', "Project Manager", ondelete='RESTRICT',
        states=_states,
        domain=[('company', '=', Eval('company', -1))],
        help="Who will lead the project once the contract is signed.")
    submitted_by = fields.Many2One(
        'company.employee', "Submitted by", readonly=True,
        ondelete='RESTRICT')
    submitted_date = fields.Date("Submitted on", readonly=True)
    approved_by = fields.Many2One(
        'company.employee', "Approved by", readonly=True,
        ondelete='RESTRICT')
    approved_date = fields.Date("Approved on", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('submitted', "Submitted"),
            ('approved', "Approved"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.opportunity, Index.Equality())),
                Index(t, (t.create_date, Index.Range(order='DESC'))),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'submitted'),
            ('submitted', 'draft'),
            ('submitted', 'approved'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                'submit': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends('opportunity', '_parent_opportunity.party')
    def on_change_with_party(self, name=None):
        return self.opportunity.party if self.opportunity else None

    @fields.depends(
        'opportunity', 'presales_engineer', 'salesman', 'title',
        '_parent_opportunity.presales_engineer',
        '_parent_opportunity.employee', '_parent_opportunity.description')
    def on_change_opportunity(self):
        if self.opportunity:
            if not self.presales_engineer:
                self.presales_engineer = self.opportunity.presales_engineer
            if not self.salesman:
                self.salesman = self.opportunity.employee
            if not self.title:
                self.title = self.opportunity.description

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    @reset_employee(
        'submitted_by', 'submitted_date', 'approved_by', 'approved_date')
    def draft(cls, initiations):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    @set_employee('submitted_by')
    @set_timestamp('submitted_date')
    def submit(cls, initiations):
        for initiation in initiations:
            if not initiation.sites or not initiation.presales_engineer:
                raise PresalesError(gettext(
                        'service_desk.msg_presales_initiation_incomplete',
                        initiation=initiation.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    @set_employee('approved_by')
    @set_timestamp('approved_date')
    def approve(cls, initiations):
        pass


class InitiationSite(BoundedMixin, GuardedMixin, ModelSQL):
    "A site in the scope of a project initiation"
    __name__ = 'service.presales.initiation-service.site'
    _guard_parent = ('initiation', {'draft'})

    initiation = fields.Many2One(
        'service.presales.initiation', "Project Initiation", required=True,
        ondelete='CASCADE')
    site = fields.Many2One(
        'service.site', "Site", required=True, ondelete='CASCADE')


class InitiationReport(CompanyReport):
    "The project initiation form (立项书)"
    __name__ = 'service.presales.initiation'

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The solution of an opportunity: the versions of the proposal presented
to the customer and the demonstrations, with the customer's feedback
(R-PRE-3)"""
from sql.aggregate import Max

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.company.model import set_employee
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .common import (
    BoundedMixin, CompanyMixin, GuardedMixin, KeptMixin, set_timestamp)
from .presales import PresalesError


class Proposal(
        BoundedMixin, CompanyMixin, KeptMixin, GuardedMixin, Workflow,
        ModelSQL, ModelView):
    "A version of the proposal of an opportunity"
    __name__ = 'service.presales.proposal'
    _delete_message = 'service_desk.msg_presales_delete_draft'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    opportunity = fields.Many2One(
        'sale.opportunity', "Opportunity", required=True, ondelete='CASCADE',
        states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    version = fields.Integer("Version", readonly=True)
    title = fields.Char("Title", required=True, states=_states)
    document = fields.Binary(
        "Document", filename='document_name', states=_states)
    document_name = fields.Char("Document Name", states=_states)
    changes = fields.Text(
        "Changes", states=_states,
        help="What changed from the previous version, and why.")
    presented_on = fields.Date("Presented on", states=_states)
    audience = fields.Char(
        "Audience", states=_states,
        help="Who attended the presentation at the customer.")
    feedback = fields.Text(
        "Customer Feedback",
        states={
            'readonly': Eval('state') != 'presented',
            })
    presented_by = fields.Many2One(
        'company.employee', "Presented by", readonly=True,
        ondelete='RESTRICT')
    state = fields.Selection([
            ('draft', "Draft"),
            ('presented', "Presented"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t,
                (t.opportunity, Index.Range(order='DESC')),
                (t.version, Index.Range(order='DESC'))))
        cls._order = [
            ('opportunity', 'DESC'), ('version', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'presented'),
            }
        cls._buttons.update({
                'present': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        return f'{self.title} V{self.version or ""}'

    @classmethod
    def _before_create(cls, vlist):
        """Each new proposal of an opportunity is its next version, the
        proposals created together numbered one after the other"""
        vlist = super()._before_create(vlist)
        opportunities = {
            v['opportunity'] for v in vlist
            if v.get('opportunity') is not None}
        if not opportunities:
            return vlist
        # one numbering at a time for an opportunity
        Opportunity = Pool().get('sale.opportunity')
        Opportunity.lock(Opportunity.browse(sorted(opportunities)))
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        last = dict.fromkeys(opportunities, 0)
        for sub_ids in grouped_slice(sorted(opportunities)):
            cursor.execute(*table.select(
                    table.opportunity, Max(table.version),
                    where=reduce_ids(table.opportunity, sub_ids),
                    group_by=[table.opportunity]))
            for opportunity, version in cursor:
                last[opportunity] = version or 0
        for values in vlist:
            opportunity = values.get('opportunity')
            if opportunity is not None:
                last[opportunity] += 1
                values['version'] = last[opportunity]
        return vlist

    @classmethod
    def copy(cls, proposals, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('version', None)
        default.setdefault('feedback', None)
        return super().copy(proposals, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('presented')
    @set_employee('presented_by')
    def present(cls, proposals):
        for proposal in proposals:
            if not proposal.presented_on or not proposal.audience:
                raise PresalesError(gettext(
                        'service_desk.msg_presales_proposal_presented',
                        proposal=proposal.rec_name))


class Demo(
        BoundedMixin, CompanyMixin, KeptMixin, GuardedMixin, Workflow,
        ModelSQL, ModelView):
    "A demonstration of the solution to the customer"
    __name__ = 'service.presales.demo'
    _rec_name = 'subject'
    _delete_message = 'service_desk.msg_presales_delete_draft'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    opportunity = fields.Many2One(
        'sale.opportunity', "Opportunity", required=True, ondelete='CASCADE',
        states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    subject = fields.Char("Subject", required=True, states=_states)
    demo_date = fields.Date("Date", required=True, states=_states)
    audience = fields.Char("Audience", states=_states)
    feedback = fields.Text(
        "Customer Feedback",
        states={
            'readonly': Eval('state') != 'held',
            })
    held_by = fields.Many2One(
        'company.employee', "Held by", readonly=True, ondelete='RESTRICT')
    held_date = fields.Date("Held on", readonly=True)
    state = fields.Selection([
            ('draft', "Planned"),
            ('held', "Held"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.opportunity, Index.Equality())),
                Index(t, (t.demo_date, Index.Range(order='DESC'))),
                })
        cls._order = [('demo_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'held'),
            }
        cls._buttons.update({
                'hold': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    @ModelView.button
    @Workflow.transition('held')
    @set_employee('held_by')
    @set_timestamp('held_date')
    def hold(cls, demos):
        pass

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Upgrade and replacement needs found on site (R-INSP-2, R-REP-4)"
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.company.model import reset_employee, set_employee
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If

from .common import BoundedMixin, CompanyMixin, GuardedMixin, set_timestamp


class NeedError(ValidationError):
    pass


NEED_KINDS = [
    ('upgrade', "Upgrade"),
    ('replacement', "Replacement"),
    ('wiring', "Wiring"),
    ]


class Need(
        BoundedMixin, CompanyMixin, GuardedMixin, Workflow, ModelSQL,
        ModelView):
    "An upgrade, replacement or wiring need of a customer's equipment"
    __name__ = 'service.equipment.need'

    _states = {
        'readonly': Eval('state') != 'proposed',
        }

    site = fields.Many2One(
        'service.site', "Site", required=True, ondelete='RESTRICT',
        states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    equipment = fields.Many2One(
        'service.equipment', "Equipment", ondelete='RESTRICT',
        states=_states,
        domain=[
            If(Bool(Eval('site')), ('site', '=', Eval('site', -1)), ()),
            ])
    kind = fields.Selection(
        NEED_KINDS, "Kind", required=True, sort=False, states=_states)
    kind_string = kind.translated('kind')
    reason = fields.Text("Reason", required=True, states=_states)
    source = fields.Reference(
        "Source", selection='get_sources', states=_states,
        help="The inspection, visit, ticket or analysis that found it.")
    estimate = Monetary(
        "Estimate", currency='currency', digits='currency', states=_states,
        help="The expected cost.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    decision_comment = fields.Text(
        "Manager's Comment",
        states={
            'readonly': Eval('state') != 'proposed',
            })
    decided_by = fields.Many2One(
        'company.employee', "Decided by", readonly=True,
        ondelete='RESTRICT')
    decided_date = fields.Date("Decided on", readonly=True)
    planned_date = fields.Date(
        "Planned Date",
        states={
            'readonly': ~Eval('state').in_(['proposed', 'accepted']),
            })
    done_date = fields.Date("Done on", readonly=True)
    state = fields.Selection([
            ('proposed', "Proposed"),
            ('accepted', "Accepted"),
            ('planned', "Planned"),
            ('done', "Done"),
            ('rejected', "Rejected"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.create_date, Index.Range())),
                Index(t, (t.site, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('proposed', 'accepted'),
            ('proposed', 'rejected'),
            ('accepted', 'planned'),
            ('planned', 'done'),
            ('rejected', 'proposed'),
            }
        cls._buttons.update({
                'accept': {
                    'invisible': Eval('state') != 'proposed',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'proposed',
                    'depends': ['state'],
                    },
                'propose': {
                    'invisible': Eval('state') != 'rejected',
                    'depends': ['state'],
                    },
                'plan': {
                    'invisible': Eval('state') != 'accepted',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'planned',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'proposed'

    @classmethod
    def get_sources(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        models = [
            'service.inspection', 'service.work_order', 'service.ticket',
            'service.fault.analysis']
        return [(None, '')] + [
            (m, Model.get_name(m)) for m in models]

    @fields.depends('equipment', 'site')
    def on_change_equipment(self):
        if self.equipment:
            self.site = self.equipment.site

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.kind_string,
                    self.equipment.rec_name if self.equipment
                    else self.site.rec_name]))

    @classmethod
    @ModelView.button
    @Workflow.transition('accepted')
    @set_employee('decided_by')
    @set_timestamp('decided_date')
    def accept(cls, needs):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    @set_employee('decided_by')
    @set_timestamp('decided_date')
    def reject(cls, needs):
        for need in needs:
            if not need.decision_comment:
                raise NeedError(gettext(
                        'service_desk.msg_need_reject_comment',
                        need=need.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('proposed')
    @reset_employee('decided_by', 'decided_date')
    def propose(cls, needs):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def plan(cls, needs):
        for need in needs:
            if not need.planned_date:
                raise NeedError(gettext(
                        'service_desk.msg_need_planned_date',
                        need=need.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @set_timestamp('done_date')
    def do(cls, needs):
        pass


class InspectionLine(metaclass=PoolMeta):
    "An item found by the inspection to need an upgrade or a replacement"
    __name__ = 'service.inspection.line'

    need_kind = fields.Selection(
        [(None, "")] + NEED_KINDS, "Needs", sort=False,
        states={
            'readonly': Eval('inspection_state') != 'in_progress',
            },
        help="Proposes an upgrade, replacement or wiring of the item to "
        "the manager when the inspection is done.")
    need_kind_string = need_kind.translated('need_kind')


class Inspection(metaclass=PoolMeta):
    __name__ = 'service.inspection'

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, inspections):
        super().do(inspections)
        cls._create_needs(inspections)

    @classmethod
    def _create_needs(cls, inspections):
        """The items marked as needing an upgrade, a replacement or wiring
        are proposed to the manager, with the inspection as source"""
        Need = Pool().get('service.equipment.need')
        lines = [line for i in inspections for line in i.lines
            if line.need_kind]
        needs = []
        for line in lines:
            inspection = line.inspection
            needs.append(Need(
                    company=inspection.company,
                    site=inspection.site,
                    equipment=line.equipment,
                    kind=line.need_kind,
                    reason=': '.join(filter(None, [
                                line.item.rec_name, line.note])),
                    source=inspection))
        Need.save(needs)

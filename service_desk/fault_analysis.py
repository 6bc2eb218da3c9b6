# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The fault analysis form, its actions and the repeat failures (R-ENG-8)"
import datetime as dt

from sql import Cast, Literal
from sql.aggregate import Count, Max, Min

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.company import CompanyReport
from trytond.modules.company.model import (
    employee_field, reset_employee, set_employee)
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateAction, StateView, Wizard

from .common import (
    BoundedMixin, CheckedSearchMixin, CompanyMixin, GuardedMixin, KeptMixin,
    set_timestamp, user_employee)
from .fault import FaultCodedMixin

# a repeat failure: the same item fails again within the configuration's
# repeat failure days, the definition of the scorecards too (R-DATA-4)
REPEAT_FAILURES = 2
ANALYSIS_STATES = [
    ('draft', "Draft"),
    ('analysing', "Analysing"),
    ('actions', "Actions"),
    ('verifying', "Verifying"),
    ('closed', "Closed"),
    ('cancelled', "Cancelled"),
    ]
ANALYSIS_OPEN_STATES = ['draft', 'analysing', 'actions', 'verifying']
ACTION_KINDS = [
    ('corrective', "Corrective"),
    ('preventive', "Preventive"),
    ('proposal', "Rectification Proposal"),
    ]


class FaultAnalysisError(ValidationError):
    pass


def _today():
    return Pool().get('ir.date').today()


def _employee():
    return user_employee()


class FaultAnalysis(
        BoundedMixin, CompanyMixin, KeptMixin, GuardedMixin, FaultCodedMixin,
        Workflow,
        ModelSQL, ModelView):
    "The fault analysis form (故障分析表) of the technical engineer (R-ENG-8)"
    __name__ = 'service.fault.analysis'
    _rec_name = 'number'
    _history = True
    _delete_message = 'service_desk.msg_fault_analysis_delete_draft'
    _cancel_reason_message = 'service_desk.msg_fault_analysis_cancel_reason'

    _states = {
        'readonly': ~Eval('state').in_(['draft', 'analysing']),
        }
    _fault_code_states = _states

    number = fields.Char("Number", readonly=True)
    subject = fields.Char("Subject", required=True, states=_states)
    date = fields.Date("Date", required=True, states=_states)
    engineer = employee_field(
        "Engineer", states=['actions', 'verifying', 'closed', 'cancelled'])
    product = fields.Many2One(
        'product.product', "Product", ondelete='RESTRICT', states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The product whose failures are analysed.")
    equipment = fields.Many2Many(
        'service.fault.analysis-service.equipment', 'analysis', 'equipment',
        "Equipment", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Bool(Eval('product')),
                ('product', '=', Eval('product', -1)), ()),
            ])
    tickets = fields.Many2Many(
        'service.fault.analysis-service.ticket', 'analysis', 'ticket',
        "Tickets", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    work_orders = fields.Many2Many(
        'service.fault.analysis-service.work_order', 'analysis',
        'work_order', "Work Orders", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    symptoms = fields.Text("Symptoms", states=_states)
    method = fields.Text(
        "Method", states=_states,
        help="How the analysis was done: tests, measurements, "
        "site visits, vendor consulted.")
    root_cause = fields.Text("Root Cause", states=_states)
    scope_items = fields.Function(
        fields.Integer(
            "Exposed Items",
            help="Items of the same product in service in the installed "
            "base."),
        'get_scope')
    scope_sites = fields.Function(
        fields.Integer(
            "Exposed Sites",
            help="Sites with items of the same product in service."),
        'get_scope')
    actions = fields.One2Many(
        'service.fault.analysis.action', 'analysis', "Actions",
        states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            })
    effect = fields.Text(
        "Effect", states={
            'readonly': Eval('state') != 'verifying',
            },
        help="What the actions changed: the failures seen since.")
    verified_by = fields.Many2One(
        'company.employee', "Verified by", readonly=True,
        ondelete='RESTRICT')
    verified_date = fields.Date("Verified on", readonly=True)
    approved_by = fields.Many2One(
        'company.employee', "Approved by", readonly=True,
        ondelete='RESTRICT',
        help="The manager who closed the analysis.")
    closed_date = fields.Date("Closed on", readonly=True)
    cancel_reason = fields.Text(
        "Cancellation Reason", states={
            'readonly': Eval('state').in_(['closed', 'cancelled']),
            })
    state = fields.Selection(
        ANALYSIS_STATES, "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.date, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'analysing'),
            ('analysing', 'actions'),
            ('actions', 'analysing'),
            ('actions', 'verifying'),
            ('verifying', 'actions'),
            ('verifying', 'closed'),
            ('draft', 'cancelled'),
            ('analysing', 'cancelled'),
            ('actions', 'cancelled'),
            ('verifying', 'cancelled'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': ~Eval('state').in_(ANALYSIS_OPEN_STATES),
                    'depends': ['state'],
                    },
                'analyse': {
                    'invisible': ~Eval('state').in_(['draft', 'actions']),
                    'icon': If(Eval('state') == 'actions',
                        'tryton-back', 'tryton-forward'),
                    'depends': ['state'],
                    },
                'plan_actions': {
                    'invisible': ~Eval('state').in_(
                        ['analysing', 'verifying']),
                    'icon': If(Eval('state') == 'verifying',
                        'tryton-back', 'tryton-forward'),
                    'depends': ['state'],
                    },
                'verify': {
                    'invisible': Eval('state') != 'actions',
                    'depends': ['state'],
                    },
                'confirm_effect': {
                    'invisible': (Eval('state') != 'verifying')
                    | Bool(Eval('verified_date')),
                    'depends': ['state', 'verified_date'],
                    },
                'close': {
                    'invisible': Eval('state') != 'verifying',
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
    def default_engineer(cls):
        return _employee()

    def _fault_product(self):
        return self.product

    @classmethod
    def get_scope(cls, analyses, names):
        "Count the installed base of the same product"
        pool = Pool()
        Equipment = pool.get('service.equipment')
        table = Equipment.__table__()
        cursor = Transaction().connection.cursor()
        result = {n: {a.id: None for a in analyses} for n in names}
        products = {a.product.id for a in analyses if a.product}
        counts = {}
        if products:
            cursor.execute(*table.select(
                    table.product, Count(table.id),
                    Count(table.site, distinct=True),
                    where=table.product.in_(list(products))
                    & (table.state != 'retired')
                    & (table.active == Literal(True)),
                    group_by=[table.product]))
            counts = {p: (i, s) for p, i, s in cursor}
        for analysis in analyses:
            if not analysis.product:
                continue
            items, sites = counts.get(analysis.product.id, (0, 0))
            if 'scope_items' in result:
                result['scope_items'][analysis.id] = items
            if 'scope_sites' in result:
                result['scope_sites'][analysis.id] = sites
        return result

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Sequence = pool.get('ir.sequence')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            sequence = Sequence(ModelData.get_id(
                    'service_desk', 'sequence_fault_analysis'))
            values['number'] = sequence.get()
        return values

    @classmethod
    def copy(cls, analyses, default=None):
        default = default.copy() if default is not None else {}
        for name in [
                'number', 'verified_by', 'verified_date', 'approved_by',
                'closed_date', 'cancel_reason', 'effect']:
            default.setdefault(name, None)
        default.setdefault('state', cls.default_state())
        return super().copy(analyses, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, analyses):
        cls.check_cancel_reason(analyses)

    @classmethod
    @ModelView.button
    @Workflow.transition('analysing')
    def analyse(cls, analyses):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('actions')
    @reset_employee('verified_by', 'verified_date')
    def plan_actions(cls, analyses):
        for analysis in analyses:
            if not analysis.root_cause:
                raise FaultAnalysisError(gettext(
                        'service_desk.msg_fault_analysis_root_cause',
                        analysis=analysis.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('verifying')
    def verify(cls, analyses):
        cls.check_actions_finished(analyses)

    @classmethod
    def check_actions_finished(cls, analyses):
        for analysis in analyses:
            for action in analysis.actions:
                if action.state not in {'done', 'dropped'}:
                    raise FaultAnalysisError(gettext(
                            'service_desk.msg_fault_analysis_actions_open',
                            analysis=analysis.rec_name,
                            action=action.rec_name))

    @classmethod
    @ModelView.button
    def confirm_effect(cls, analyses):
        "The engineer states the actions had their effect"
        analyses = [a for a in analyses if a.state == 'verifying']
        for analysis in analyses:
            if not analysis.effect:
                raise FaultAnalysisError(gettext(
                        'service_desk.msg_fault_analysis_effect',
                        analysis=analysis.rec_name))
        cls._confirm_effect(analyses)

    @classmethod
    @set_employee('verified_by')
    @set_timestamp('verified_date')
    @reset_employee('verified_by', 'verified_date')
    def _confirm_effect(cls, analyses):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    @set_employee('approved_by')
    @set_timestamp('closed_date')
    def close(cls, analyses):
        cls.check_actions_finished(analyses)
        for analysis in analyses:
            if not (analysis.verified_by and analysis.verified_date):
                raise FaultAnalysisError(gettext(
                        'service_desk.msg_fault_analysis_not_verified',
                        analysis=analysis.rec_name))


class FaultAnalysisEquipment(BoundedMixin, GuardedMixin, ModelSQL):
    "The equipment of a fault analysis"
    __name__ = 'service.fault.analysis-service.equipment'
    _guard_parent = ('analysis', ['draft', 'analysing'])
    analysis = fields.Many2One(
        'service.fault.analysis', "Analysis", required=True,
        ondelete='CASCADE')
    equipment = fields.Many2One(
        'service.equipment', "Equipment", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('analysis')


class FaultAnalysisTicket(BoundedMixin, GuardedMixin, ModelSQL):
    "The tickets of a fault analysis"
    __name__ = 'service.fault.analysis-service.ticket'
    _guard_parent = ('analysis', ['draft', 'analysing'])
    analysis = fields.Many2One(
        'service.fault.analysis', "Analysis", required=True,
        ondelete='CASCADE')
    ticket = fields.Many2One(
        'service.ticket', "Ticket", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('analysis')


class FaultAnalysisWorkOrder(BoundedMixin, GuardedMixin, ModelSQL):
    "The work orders of a fault analysis"
    __name__ = 'service.fault.analysis-service.work_order'
    _guard_parent = ('analysis', ['draft', 'analysing'])
    analysis = fields.Many2One(
        'service.fault.analysis', "Analysis", required=True,
        ondelete='CASCADE')
    work_order = fields.Many2One(
        'service.work_order', "Work Order", required=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('analysis')


class FaultAnalysisAction(
        BoundedMixin, GuardedMixin, Workflow, ModelSQL, ModelView):
    "An action decided by a fault analysis"
    __name__ = 'service.fault.analysis.action'
    _guard_parent = ('analysis', ANALYSIS_OPEN_STATES)

    _states = {
        'readonly': Eval('state') != 'open',
        }

    analysis = fields.Many2One(
        'service.fault.analysis', "Analysis", required=True,
        ondelete='CASCADE', states=_states)
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    kind = fields.Selection(
        ACTION_KINDS, "Kind", required=True, sort=False, states=_states)
    kind_string = kind.translated('kind')
    description = fields.Text(
        "Description", required=True, states=_states)
    responsible = fields.Many2One(
        'company.employee', "Responsible", ondelete='RESTRICT',
        states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    due_date = fields.Date("Due Date", states=_states)
    result = fields.Text(
        "Result", states=_states,
        help="What was done and found.")
    done_date = fields.Date("Done on", readonly=True)
    drop_reason = fields.Text(
        "Reason Dropped", states=_states,
        help="Why the action is not carried out.")
    decision = fields.Selection([
            (None, ""),
            ('accepted', "Accepted"),
            ('rejected', "Rejected"),
            ], "Decision", readonly=True, sort=False,
        states={
            'invisible': Eval('kind') != 'proposal',
            })
    decision_string = decision.translated('decision')
    decision_comment = fields.Text(
        "Manager's Comment",
        states={
            'invisible': Eval('kind') != 'proposal',
            'readonly': Bool(Eval('decision')) | (Eval('state') != 'open'),
            })
    decided_by = fields.Many2One(
        'company.employee', "Decided by", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': Eval('kind') != 'proposal',
            })
    decided_date = fields.Date(
        "Decided on", readonly=True,
        states={
            'invisible': Eval('kind') != 'proposal',
            })
    work_orders = fields.One2Many(
        'service.work_order', 'fault_action', "Work Orders", readonly=True)
    requisitions = fields.One2Many(
        'service.requisition', 'fault_action', "Requisitions",
        readonly=True,
        states={
            'invisible': Eval('kind') != 'proposal',
            },
        help="The parts requested to carry out the proposal.")
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue')
    state = fields.Selection([
            ('open', "Open"),
            ('done', "Done"),
            ('dropped', "Dropped"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.decision, Index.Equality(cardinality='low'))),
                Index(t, (t.due_date, Index.Range())),
                Index(t, (t.kind, Index.Equality(cardinality='low'))),
                Index(t, (t.responsible, Index.Equality())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        # not __access__: the rules of the analysis would let a field
        # engineer see every action of an analysis he sees
        cls._order = [('due_date', 'ASC NULLS LAST'), ('id', 'ASC')]
        cls._transitions |= {
            ('open', 'done'),
            ('open', 'dropped'),
            ('dropped', 'open'),
            }
        cls._buttons.update({
                'do': {
                    'invisible': Eval('state') != 'open',
                    'readonly': (Eval('kind') == 'proposal')
                    & (Eval('decision') != 'accepted'),
                    'depends': ['state', 'kind', 'decision'],
                    },
                'drop': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'dropped',
                    'depends': ['state'],
                    },
                'accept': {
                    'invisible': (Eval('kind') != 'proposal')
                    | Bool(Eval('decision')) | (Eval('state') != 'open'),
                    'depends': ['kind', 'decision', 'state'],
                    },
                'reject': {
                    'invisible': (Eval('kind') != 'proposal')
                    | Bool(Eval('decision')) | (Eval('state') != 'open'),
                    'depends': ['kind', 'decision', 'state'],
                    },
                'create_work_orders': {
                    'invisible': (Eval('decision') != 'accepted')
                    | (Eval('state') != 'open'),
                    'depends': ['decision', 'state'],
                    },
                'request_parts': {
                    'invisible': (Eval('decision') != 'accepted')
                    | (Eval('state') != 'open'),
                    'depends': ['decision', 'state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def default_kind(cls):
        return 'corrective'

    @fields.depends('analysis', '_parent_analysis.company')
    def on_change_with_company(self, name=None):
        return self.analysis.company if self.analysis else None

    @classmethod
    def search_company(cls, name, clause):
        return [('analysis.' + clause[0], *clause[1:])]

    def get_rec_name(self, name):
        description = (self.description or '').splitlines()
        return ' '.join(filter(None, [
                    self.kind_string, description[0] if description else '']))

    def get_overdue(self, name):
        return bool(
            self.state == 'open' and self.due_date
            and self.due_date < _today())

    @classmethod
    def copy(cls, actions, default=None):
        default = default.copy() if default is not None else {}
        for name in [
                'result', 'done_date', 'drop_reason', 'decision',
                'decision_comment', 'decided_by', 'decided_date',
                'work_orders', 'requisitions']:
            default.setdefault(name, None)
        default.setdefault('state', cls.default_state())
        return super().copy(actions, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @set_timestamp('done_date')
    def do(cls, actions):
        for action in actions:
            if action.kind == 'proposal' and action.decision != 'accepted':
                raise FaultAnalysisError(gettext(
                        'service_desk.msg_fault_action_not_accepted',
                        action=action.rec_name))
            if not action.result:
                raise FaultAnalysisError(gettext(
                        'service_desk.msg_fault_action_result',
                        action=action.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('dropped')
    def drop(cls, actions):
        for action in actions:
            if not action.drop_reason:
                raise FaultAnalysisError(gettext(
                        'service_desk.msg_fault_action_drop_reason',
                        action=action.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('open')
    def reopen(cls, actions):
        pass

    @classmethod
    @ModelView.button
    def accept(cls, actions):
        "The manager accepts the rectification proposal"
        actions = [a for a in actions
            if a.kind == 'proposal' and not a.decision]
        cls.write(actions, {'decision': 'accepted'})
        cls._decided(actions)

    @classmethod
    @set_employee('decided_by')
    @set_timestamp('decided_date')
    @reset_employee('decided_by', 'decided_date')
    def _decided(cls, actions):
        pass

    @classmethod
    @ModelView.button
    def reject(cls, actions):
        "The manager rejects the rectification proposal: it is dropped"
        actions = [a for a in actions
            if a.kind == 'proposal' and not a.decision]
        for action in actions:
            if not action.decision_comment:
                raise FaultAnalysisError(gettext(
                        'service_desk.msg_fault_action_reject_comment',
                        action=action.rec_name))
        to_write = []
        for action in actions:
            to_write.extend(([action], {
                        'decision': 'rejected',
                        'drop_reason': action.decision_comment,
                        }))
        if to_write:
            cls.write(*to_write)
            cls._decided(actions)
            cls.drop(actions)

    @classmethod
    @ModelView.button
    def create_work_orders(cls, actions):
        """Draft a maintenance visit to every site of the installed base
        of the product (or of the equipment of the analysis)"""
        pool = Pool()
        WorkOrder = pool.get('service.work_order')
        Equipment = pool.get('service.equipment')
        orders = []
        for action in actions:
            if action.decision != 'accepted' or action.state != 'open':
                continue
            analysis = action.analysis
            done_sites = {o.site for o in action.work_orders}
            if analysis.product:
                equipment = Equipment.search([
                        ('company', '=', analysis.company.id),
                        ('product', '=', analysis.product.id),
                        ('state', '!=', 'retired'),
                        ])
            else:
                equipment = analysis.equipment
            by_site = {}
            for item in equipment:
                by_site.setdefault(item.site, []).append(item)
            for site, items in sorted(
                    by_site.items(), key=lambda i: i[0].rec_name):
                if site in done_sites:
                    continue
                orders.append(WorkOrder(
                        company=analysis.company,
                        kind='maintenance',
                        party=site.party,
                        site=site,
                        equipment=items[0] if len(items) == 1 else None,
                        description='\n'.join(filter(None, [
                                    analysis.rec_name, action.description,
                                    ', '.join(i.rec_name for i in items)])),
                        lead=action.responsible,
                        fault_action=action,
                        origin=action))
        WorkOrder.save(orders)

    @classmethod
    @ModelView.button_action(
        'service_desk.wizard_fault_action_request_parts')
    def request_parts(cls, actions):
        pass


class RequestParts(Wizard):
    """Add the parts an accepted rectification proposal needs to its draft
    requisition, created at the first part"""
    __name__ = 'service.fault.analysis.action.request_parts'
    start = StateView(
        'service.fault.analysis.action.request_parts.start',
        'service_desk.fault_action_request_parts_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Add", 'add', 'tryton-ok', default=True),
            ])
    add = StateAction('service_desk.act_requisition_form')

    def default_start(self, fields):
        action = self.record
        return {
            'action': action.id,
            'company': action.analysis.company.id,
            }

    def do_add(self, action):
        pool = Pool()
        Requisition = pool.get('service.requisition')
        Line = pool.get('service.requisition.line')
        fault_action = self.record
        if (fault_action.decision != 'accepted'
                or fault_action.state != 'open'):
            raise FaultAnalysisError(gettext(
                    'service_desk.msg_fault_action_parts_not_accepted',
                    action=fault_action.rec_name))
        start = self.start
        work_order = start.work_order
        if work_order and work_order.fault_action != fault_action:
            work_order = None
        requisitions = Requisition.search([
                ('fault_action', '=', fault_action.id),
                ('state', '=', 'draft'),
                ('work_order', '=', work_order.id if work_order else None),
                ], order=[('id', 'ASC')], limit=1)
        line = Line(
            product=start.product,
            quantity=start.quantity,
            unit=start.unit)
        if requisitions:
            requisition, = requisitions
            line.requisition = requisition
            line.on_change_requisition()
            to_save = line
        else:
            analysis = fault_action.analysis
            requisition = Requisition(
                company=analysis.company,
                fault_action=fault_action,
                purpose='repair',
                requester=fault_action.responsible or _employee(),
                warehouse=Requisition.default_warehouse(),
                reason='\n'.join(filter(None, [
                            analysis.rec_name, fault_action.description])))
            if work_order:
                requisition.work_order = work_order
                requisition.on_change_work_order()
            line.requisition = requisition
            line.on_change_requisition()
            requisition.lines = [line]
            to_save = requisition
        # the link to the proposal is set here only, never by hand
        with without_check_access():
            to_save.save()
        return action, {'res_id': [requisition.id]}


class RequestPartsStart(BoundedMixin, ModelView):
    "The part and the quantity an accepted proposal needs"
    __name__ = 'service.fault.analysis.action.request_parts.start'
    action = fields.Many2One(
        'service.fault.analysis.action', "Action", readonly=True)
    company = fields.Many2One('company.company', "Company", readonly=True)
    work_order = fields.Many2One(
        'service.work_order', "Work Order",
        domain=[
            ('fault_action', '=', Eval('action', -1)),
            ],
        help="The visit that takes the parts; "
        "leave empty for the whole rectification.")
    product = fields.Many2One(
        'product.product', "Part", required=True,
        domain=[
            ('type', '=', 'goods'),
            ],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    quantity = fields.Float(
        "Quantity", digits='unit', required=True,
        domain=[
            ('quantity', '>', 0),
            ])
    unit = fields.Many2One(
        'product.uom', "Unit", required=True,
        domain=[
            ('category', '=', Eval('product_unit_category', -1)),
            ])
    product_unit_category = fields.Function(
        fields.Many2One('product.uom.category', "Unit Category"),
        'on_change_with_product_unit_category')

    @fields.depends('product')
    def on_change_with_product_unit_category(self, name=None):
        return self.product.default_uom.category if self.product else None

    @fields.depends('product', 'unit')
    def on_change_product(self):
        if self.product and (not self.unit
                or self.unit.category != self.product.default_uom.category):
            self.unit = self.product.default_uom


class Requisition(metaclass=PoolMeta):
    __name__ = 'service.requisition'

    fault_action = fields.Many2One(
        'service.fault.analysis.action', "Rectification",
        readonly=True, ondelete='RESTRICT',
        states={
            'invisible': ~Eval('fault_action'),
            },
        help="The accepted rectification proposal the parts are for.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.fault_action, Index.Equality())))

    @classmethod
    def copy(cls, requisitions, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('fault_action', None)
        return super().copy(requisitions, default=default)


class WorkOrder(metaclass=PoolMeta):
    __name__ = 'service.work_order'

    fault_action = fields.Many2One(
        'service.fault.analysis.action', "Fault Analysis Action",
        readonly=True, ondelete='RESTRICT',
        help="The rectification this visit carries out.")

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['service.fault.analysis.action']

    @classmethod
    def copy(cls, orders, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('fault_action', None)
        return super().copy(orders, default=default)


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'
    _field_bounds = {'repeat_days': (1, 3660)}

    repeat_days = fields.Integer(
        "Repeat Failure Days", required=True,
        domain=[('repeat_days', '>', 0)],
        help="A failure of the same item within these days is a repeat "
        "failure: the scorecards charge it to the one who did the last "
        "repair and the item needs an analysis.")
    repeat_product_sites = fields.Integer(
        "Repeat Failure Sites per Product", required=True,
        domain=[('repeat_product_sites', '>', 1)],
        help="A product failing at this many sites in the window needs an "
        "analysis.")

    @classmethod
    def default_repeat_days(cls):
        return 30

    @classmethod
    def default_repeat_product_sites(cls):
        return 2


class RepeatFailure(CheckedSearchMixin, ModelSQL, ModelView):
    """An item or a product failing again and again, which needs an analysis

    The repair tickets of the window not yet covered by a fault analysis
    are counted per item and per product."""
    __name__ = 'service.fault.repeat'

    company = fields.Many2One('company.company', "Company")
    kind = fields.Selection([
            ('equipment', "Same Item"),
            ('product', "Same Product"),
            ], "Rule", sort=False)
    equipment = fields.Many2One('service.equipment', "Equipment")
    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    failures = fields.Integer("Failures")
    sites = fields.Integer("Sites")
    first_failure = fields.DateTime("First Failure")
    last_failure = fields.DateTime("Last Failure")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('failures', 'DESC'), ('id', 'ASC')]
        cls._buttons.update({
                'analyse': {},
                })

    @classmethod
    def _now(cls):
        return dt.datetime.now()

    @classmethod
    def _tickets_query(cls):
        "Return the repair tickets of the window not yet analysed"
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Ticket = pool.get('service.ticket')
        Equipment = pool.get('service.equipment')
        Relation = pool.get('service.fault.analysis-service.ticket')
        Analysis = pool.get('service.fault.analysis')
        config = Configuration(1)
        ticket = Ticket.__table__()
        equipment = Equipment.__table__()
        relation = Relation.__table__()
        analysis = Analysis.__table__()
        since = cls._now() - dt.timedelta(days=config.repeat_days or 30)
        analysed = relation.join(
            analysis, condition=relation.analysis == analysis.id).select(
            relation.ticket, where=analysis.state != 'cancelled')
        from_ = ticket.join(
            equipment, condition=ticket.equipment == equipment.id)
        where = ((ticket.type == 'repair')
            & (ticket.state != 'cancelled')
            & (ticket.received_at >= since)
            & ~ticket.id.in_(analysed))
        return from_, ticket, equipment, where, config

    @classmethod
    def table_query(cls):
        from_, ticket, equipment, where, config = cls._tickets_query()
        columns = [
            ticket.company.as_('company'),
            Count(ticket.id).as_('failures'),
            Count(ticket.site, distinct=True).as_('sites'),
            Min(ticket.received_at).as_('first_failure'),
            Max(ticket.received_at).as_('last_failure'),
            ]
        # typed, as PostgreSQL cannot guess the type of a bare parameter
        kind = cls.kind.sql_type().base
        by_equipment = from_.select(
            (ticket.equipment * 2).as_('id'),
            Cast(Literal('equipment'), kind).as_('kind'),
            ticket.equipment.as_('equipment'),
            equipment.product.as_('product'),
            *columns,
            where=where,
            group_by=[ticket.company, ticket.equipment, equipment.product],
            having=Count(ticket.id) >= REPEAT_FAILURES)
        by_product = from_.select(
            (equipment.product * 2 + 1).as_('id'),
            Cast(Literal('product'), kind).as_('kind'),
            Cast(Literal(None), 'INTEGER').as_('equipment'),
            equipment.product.as_('product'),
            *columns,
            where=where,
            group_by=[ticket.company, equipment.product],
            having=Count(ticket.site, distinct=True)
            >= config.repeat_product_sites)
        return by_equipment | by_product

    def get_rec_name(self, name):
        if self.equipment:
            return self.equipment.rec_name
        return self.product.rec_name if self.product else ''

    @classmethod
    @ModelView.button_action('service_desk.act_fault_analysis_form')
    def analyse(cls, rows):
        "Create the fault analysis of the rows with their tickets"
        pool = Pool()
        Ticket = pool.get('service.ticket')
        Analysis = pool.get('service.fault.analysis')
        WorkOrder = pool.get('service.work_order')
        from_, ticket, equipment, where, _ = cls._tickets_query()
        cursor = Transaction().connection.cursor()
        analyses = []
        for row in rows:
            if row.kind == 'equipment':
                condition = ticket.equipment == row.equipment.id
            else:
                condition = equipment.product == row.product.id
            cursor.execute(*from_.select(
                    ticket.id, where=where & condition
                    & (ticket.company == row.company.id)))
            tickets = Ticket.browse([i for i, in cursor])
            tickets = sorted(tickets, key=lambda t: t.received_at)
            items = list({t.equipment: None for t in tickets})
            orders = WorkOrder.search([
                    ('ticket', 'in', [t.id for t in tickets]),
                    ])
            symptoms = '\n'.join(
                f'{t.rec_name}: {t.equipment.site.rec_name} {t.subject}'
                for t in tickets)
            analyses.append(Analysis(
                    company=row.company,
                    subject=gettext(
                        'service_desk.msg_fault_analysis_repeat_subject',
                        name=row.rec_name, count=len(tickets)),
                    product=row.product,
                    equipment=items,
                    tickets=tickets,
                    work_orders=orders,
                    symptoms=symptoms))
        Analysis.save(analyses)
        return {'res_id': [a.id for a in analyses]}


class FaultAnalysisReport(CompanyReport):
    "The fault analysis form with the signatures (R-FORM)"
    __name__ = 'service.fault.analysis'

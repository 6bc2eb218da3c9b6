# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from dateutil.relativedelta import relativedelta
from sql import Literal, Select
from sql.aggregate import Count, Min, Sum
from sql.conditionals import Case

import trytond.config as config
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .common import (
    BoundedMixin, CheckedSearchMixin, CompanyMixin, advisory_lock_key)
from .inspection_checklist import PHASES


class Plan(BoundedMixin, CompanyMixin, DeactivableMixin, ModelSQL, ModelView):
    "Periodic inspections of sites in three phases a cycle (R-INSP-1/2)"
    __name__ = 'service.inspection.plan'
    _field_bounds = {'cycle_months': (1, 120), 'horizon_days': (0, 3660)}

    name = fields.Char("Name", required=True)
    sites = fields.Many2Many(
        'service.inspection.plan-service.site', 'plan', 'site', "Sites",
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    areas = fields.Many2Many(
        'service.inspection.plan-service.area', 'plan', 'area', "Areas",
        help="Every site of these areas and of their sub-areas.")
    start_date = fields.Date(
        "Start Date", required=True, help="The start of the first cycle.")
    cycle_months = fields.Integer(
        "Cycle (Months)", required=True,
        domain=[
            ('cycle_months', '>', 0),
            ],
        help="6 for every semester.")
    horizon_days = fields.Integer(
        "Horizon (Days)", required=True,
        domain=[
            ('horizon_days', '>=', 0),
            ],
        help="How far ahead the visits are planned.")
    phases = fields.One2Many(
        'service.inspection.plan.phase', 'plan', "Phases")
    inspectors = fields.Many2Many(
        'service.inspection.plan-company.employee', 'plan', 'employee',
        "Default Inspectors",
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    progress = fields.One2Many(
        'service.inspection.plan.progress', 'plan', "Progress",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'generate': {
                    'invisible': ~Eval('active', True),
                    'depends': ['active'],
                    },
                })

    @classmethod
    def default_cycle_months(cls):
        return 6

    @classmethod
    def default_horizon_days(cls):
        return 60

    @classmethod
    def default_start_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_phases(cls):
        "Early, middle and late thirds of a semester"
        return [
            {'phase': 'early', 'offset_days': 0, 'sequence': 10},
            {'phase': 'middle', 'offset_days': 60, 'sequence': 20},
            {'phase': 'late', 'offset_days': 120, 'sequence': 30},
            ]

    def sites_query(self):
        """Return the SQL query of the ids of the active sites of the plan:
        a plan may cover thousands of sites"""
        pool = Pool()
        Site = pool.get('service.site')
        Area = pool.get('service.area')
        PlanSite = pool.get('service.inspection.plan-service.site')
        site = Site.__table__()
        plan_site = PlanSite.__table__()
        areas = [a.id for a in Area.search([
                    ('parent', 'child_of', [a.id for a in self.areas]),
                    ])] if self.areas else []
        where = site.id.in_(plan_site.select(
                plan_site.site, where=plan_site.plan == self.id))
        if areas:
            where |= site.area.in_(areas)
        return site.select(site.id, where=(
                (site.company == self.company.id)
                & (site.active == Literal(True))
                & where))

    def visits_due(self, today):
        """Yield (cycle start, phase, planned date) of the current cycle up to
        the horizon"""
        if self.start_date > today + dt.timedelta(days=self.horizon_days):
            return
        end = today + dt.timedelta(days=self.horizon_days)
        cycle = relativedelta(months=self.cycle_months)
        start = self.start_date
        while start + cycle <= today:
            start += cycle
        while start <= end:
            for phase in self.phases:
                planned = start + dt.timedelta(days=phase.offset_days or 0)
                if planned <= end and planned < start + cycle:
                    yield start, phase.phase, planned
            start += cycle

    @classmethod
    @ModelView.button
    def generate(cls, plans):
        cls.generate_inspections(plans)

    @classmethod
    def generate_inspections(cls, plans=None):
        """Create the visits due up to the horizon of each plan (daily job)

        With a worker ([queue] worker), each plan is a task of the queue,
        so that the workers share the plans; without, they are created now.
        """
        if plans is None:
            plans = cls.search([('active', '=', True)])
        if config.getboolean('queue', 'worker', default=False):
            with Transaction().set_context(queue_batch=1):
                cls.__queue__.generate_visits(plans)
        else:
            cls.generate_visits(plans)

    @classmethod
    def generate_visits(cls, plans):
        """Create the visits due up to the horizon of the plans

        Idempotent: a visit exists once per plan, site, cycle and phase.
        On PostgreSQL the generators of a plan in every process wait for
        each other and work in a fresh transaction, so they see what the
        previous one created.
        """
        transaction = Transaction()
        database = transaction.database
        ids = sorted(p.id for p in plans)
        if database.has_select_for():
            cursor = transaction.connection.cursor()
            for id_ in ids:
                cursor.execute(*Select([database.lock_id(
                                advisory_lock_key(cls.__name__, id_), True)]))
            with transaction.new_transaction() as new:
                cls._generate(ids)
                new.commit()
        else:
            cls._generate(ids)

    @classmethod
    def _generate(cls, ids=None):
        pool = Pool()
        Date = pool.get('ir.date')
        Inspection = pool.get('service.inspection')
        domain = [('active', '=', True)]
        if ids is not None:
            domain.append(('id', 'in', ids))
        for plan in cls.search(domain):
            with Transaction().set_context(company=plan.company.id):
                today = Date.today()
            sites = plan.sites_query()
            for cycle_start, phase, planned in plan.visits_due(today):
                Inspection.insert_visits(
                    plan, sites, cycle_start, phase, planned)
            Inspection.insert_lines(plan)


class PlanPhase(BoundedMixin, sequence_ordered(), ModelSQL, ModelView):
    "A phase of the inspection cycle (R-INSP-2)"
    __name__ = 'service.inspection.plan.phase'
    _field_bounds = {'offset_days': (0, 3660)}

    plan = fields.Many2One(
        'service.inspection.plan', "Plan", required=True, ondelete='CASCADE')
    phase = fields.Selection(PHASES, "Phase", required=True, sort=False)
    offset_days = fields.Integer(
        "Offset (Days)", required=True,
        domain=[
            ('offset_days', '>=', 0),
            ],
        help="Days from the start of the cycle to the visit.")
    description = fields.Text(
        "What Is Checked", translate=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_constraints = [
            ('plan_phase_unique', Unique(t, t.plan, t.phase),
                'service_desk.msg_inspection_plan_phase_unique'),
            ]


class PlanSite(BoundedMixin, ModelSQL):
    "The sites of an inspection plan"
    __name__ = 'service.inspection.plan-service.site'

    plan = fields.Many2One(
        'service.inspection.plan', "Plan", required=True, ondelete='CASCADE')
    site = fields.Many2One(
        'service.site', "Site", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')


class PlanArea(BoundedMixin, ModelSQL):
    "The areas of an inspection plan"
    __name__ = 'service.inspection.plan-service.area'

    plan = fields.Many2One(
        'service.inspection.plan', "Plan", required=True, ondelete='CASCADE')
    area = fields.Many2One(
        'service.area', "Area", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')


class PlanEmployee(BoundedMixin, ModelSQL):
    "The default inspectors of an inspection plan"
    __name__ = 'service.inspection.plan-company.employee'

    plan = fields.Many2One(
        'service.inspection.plan', "Plan", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')


class PlanProgress(CheckedSearchMixin, ModelSQL, ModelView):
    "Visits planned, done and late per cycle and phase of a plan"
    __name__ = 'service.inspection.plan.progress'

    plan = fields.Many2One(
        'service.inspection.plan', "Plan", required=True, readonly=True)
    cycle_start = fields.Date("Cycle Start", readonly=True)
    phase = fields.Selection(PHASES, "Phase", readonly=True, sort=False)
    planned = fields.Integer("Planned", readonly=True)
    done = fields.Integer("Done", readonly=True)
    late = fields.Integer("Late", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        cls._order = [
            ('cycle_start', 'DESC'), ('phase', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Inspection = pool.get('service.inspection')
        Date = pool.get('ir.date')
        inspection = Inspection.__table__()
        today = Date.today()
        late = ((inspection.planned_date < today)
            & inspection.state.in_(['planned', 'scheduled', 'in_progress']))
        return inspection.select(
            Min(inspection.id).as_('id'),
            inspection.plan.as_('plan'),
            inspection.cycle_start.as_('cycle_start'),
            inspection.phase.as_('phase'),
            Count(inspection.id).as_('planned'),
            Sum(Case((inspection.state == 'done', 1), else_=0)).as_('done'),
            Sum(Case((late, 1), else_=0)).as_('late'),
            where=inspection.state != 'cancelled',
            group_by=[
                inspection.plan, inspection.cycle_start, inspection.phase])


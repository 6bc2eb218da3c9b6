# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Training of customers and staff, and the product qualifications it gives"
import datetime as dt
import json

from dateutil.relativedelta import relativedelta
from sql import Literal
from sql.aggregate import Count, Min

from trytond.exceptions import UserWarning
from trytond.i18n import gettext
from trytond.model import (
    Index, DeactivableMixin, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company import CompanyReport
from trytond.modules.company.model import reset_employee, set_employee
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction, without_check_access

from .common import (
    BoundedMixin, CheckedSearchMixin, CompanyMixin, GuardedMixin, KeptMixin,
    button_allowed, selected_values, set_timestamp, user_employee)
from .work_order import OPEN_STATES, format_period, local_time

COURSE_KINDS = [
    ('customer', "Customer Operation and Maintenance"),
    ('internal', "Internal Product Training"),
    ('vendor', "Vendor Factory Training"),
    ]
LEVELS = [
    ('basic', "Basic"),
    ('advanced', "Advanced"),
    ('expert', "Expert"),
    ]
AUDIENCES = [
    ('customer', "Customer after Installation"),
    ('field_staff', "All Field Staff"),
    ('new_hires', "New Hires"),
    ('other', "Other"),
    ]
QUALIFICATION_STATES = [
    ('future', "Not Yet Valid"),
    ('valid', "Valid"),
    ('expiring', "Expiring"),
    ('expired', "Expired"),
    ]
DEFAULT_EXPIRY_DAYS = 60


class TrainingError(ValidationError):
    pass


class UnqualifiedLeadWarning(UserWarning):
    pass


def product_categories(product):
    "The ids of the categories of product and of all their parents"
    ids = set()
    for category in product.template.categories:
        while category and category.id not in ids:
            ids.add(category.id)
            category = category.parent
    return ids


def today():
    "Today in the company's time zone"
    return Pool().get('ir.date').today()


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'
    _field_bounds = {'qualification_expiry_days': (0, 3660)}

    qualification_expiry_days = fields.Integer(
        "Qualification Expiry Warning", required=True,
        domain=[('qualification_expiry_days', '>=', 0)],
        help="Qualifications ending within this number of days are shown "
        "as expiring and reported to the service manager.")

    @classmethod
    def default_qualification_expiry_days(cls):
        return DEFAULT_EXPIRY_DAYS


class Course(
        BoundedMixin, CompanyMixin, DeactivableMixin, ModelSQL, ModelView):
    "A training course for customers or staff (R-TRAIN-1..3)"
    __name__ = 'service.training.course'
    _field_bounds = {'validity_months': (0, 600)}

    name = fields.Char("Name", required=True)
    kind = fields.Selection(COURSE_KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    products = fields.Many2Many(
        'service.training.course-product.product', 'course', 'product',
        "Products",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    categories = fields.Many2Many(
        'service.training.course-product.category', 'course', 'category',
        "Product Categories",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Every product of these categories and of their "
        "sub-categories.")
    content = fields.Text("Content")
    duration = fields.TimeDelta("Duration")
    validity_months = fields.Integer(
        "Validity (Months)", required=True,
        domain=[('validity_months', '>=', 0)],
        help="How long the qualification given to the employees who pass "
        "is valid.\n0 gives no qualification.")
    level = fields.Selection(
        LEVELS, "Level", required=True,
        help="The level of the qualification given.")
    sessions = fields.One2Many(
        'service.training.session', 'course', "Sessions", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_kind(cls):
        return 'internal'

    @classmethod
    def default_validity_months(cls):
        return 0

    @classmethod
    def default_level(cls):
        return 'basic'

    @classmethod
    def covering_domain(cls, products):
        "The domain of the courses about one of the products"
        categories = set()
        for product in products:
            categories |= product_categories(product)
        return ['OR',
            ('products', 'in', [p.id for p in products]),
            ('categories', 'in', list(categories)),
            ]


class CourseProduct(BoundedMixin, ModelSQL):
    __name__ = 'service.training.course-product.product'

    course = fields.Many2One(
        'service.training.course', "Course", required=True,
        ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='CASCADE')


class CourseCategory(BoundedMixin, ModelSQL):
    __name__ = 'service.training.course-product.category'

    course = fields.Many2One(
        'service.training.course', "Course", required=True,
        ondelete='CASCADE')
    category = fields.Many2One(
        'product.category', "Category", required=True, ondelete='CASCADE')


class Plan(
        BoundedMixin, CompanyMixin, KeptMixin, GuardedMixin, Workflow,
        ModelSQL,
        ModelView):
    "A training plan of the manager and the technical engineer (R-TRAIN-1/2)"
    __name__ = 'service.training.plan'
    _delete_message = 'service_desk.msg_training_plan_delete'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    name = fields.Char("Name", required=True, states=_states)
    manager = fields.Many2One(
        'company.employee', "Manager", required=True, ondelete='RESTRICT',
        states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    technical_engineer = fields.Many2One(
        'company.employee', "Technical Engineer", ondelete='RESTRICT',
        states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    audience = fields.Selection(
        AUDIENCES, "Audience", required=True, states=_states)
    audience_string = audience.translated('audience')
    customer = fields.Many2One(
        'party.party', "Customer", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'],
            'invisible': Eval('audience') != 'customer',
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    start_date = fields.Date("Start Date", required=True, states=_states)
    end_date = fields.Date(
        "End Date", required=True, states=_states,
        domain=[
            If(Bool(Eval('start_date')) & Bool(Eval('end_date')),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ])
    courses = fields.Many2Many(
        'service.training.plan-service.training.course', 'plan', 'course',
        "Courses", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    sessions = fields.One2Many(
        'service.training.session', 'plan', "Sessions",
        domain=[
            ('company', '=', Eval('company', -1)),
            ('course', 'in', Eval('courses', [])),
            ],
        states={
            'readonly': Eval('state').in_(['done', 'cancelled']),
            })
    notes = fields.Text("Notes")
    state = fields.Selection([
            ('draft', "Draft"),
            ('confirmed', "Confirmed"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.start_date, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'confirmed'),
            ('draft', 'cancelled'),
            ('confirmed', 'done'),
            ('confirmed', 'draft'),
            ('confirmed', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'confirmed']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ~Eval('state').in_(
                        ['confirmed', 'cancelled']),
                    'depends': ['state'],
                    },
                'confirm': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'confirmed',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_manager(cls):
        return user_employee()

    @classmethod
    def default_audience(cls):
        return 'field_staff'

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, plans):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, plans):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, plans):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, plans):
        pass


class PlanCourse(BoundedMixin, ModelSQL):
    __name__ = 'service.training.plan-service.training.course'

    plan = fields.Many2One(
        'service.training.plan', "Plan", required=True, ondelete='CASCADE')
    course = fields.Many2One(
        'service.training.course', "Course", required=True,
        ondelete='RESTRICT')


class Session(
        BoundedMixin, CompanyMixin, KeptMixin, GuardedMixin, Workflow,
        ModelSQL,
        ModelView):
    "A training session of a course, with its attendees (R-TRAIN-1..3)"
    __name__ = 'service.training.session'
    _delete_message = 'service_desk.msg_training_session_delete'
    _cancel_reason_message = 'service_desk.msg_training_session_cancel_reason'

    _states = {
        'readonly': Eval('state').in_(['done', 'cancelled']),
        }

    course = fields.Many2One(
        'service.training.course', "Course", required=True,
        ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            })
    course_kind = fields.Function(
        fields.Selection(COURSE_KINDS, "Kind"), 'on_change_with_course_kind')
    plan = fields.Many2One(
        'service.training.plan', "Plan", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states=_states)
    start = fields.DateTime(
        "Start", states={
            'readonly': _states['readonly'],
            'required': Eval('state') != 'draft',
            })
    end = fields.DateTime(
        "End",
        domain=[
            If(Bool(Eval('start')) & Bool(Eval('end')),
                ('end', '>', Eval('start')),
                ()),
            ],
        states=_states)
    period = fields.Function(fields.Char("Time"), 'get_period')
    place = fields.Selection([
            ('office', "Office"),
            ('site', "Customer Site"),
            ], "Place", required=True, states=_states)
    place_string = place.translated('place')
    site = fields.Many2One(
        'service.site', "Site", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': _states['readonly'],
            'required': Eval('place') == 'site',
            'invisible': Eval('place') != 'site',
            })
    room = fields.Char(
        "Room", states=_states,
        help="The meeting room or the classroom.")
    trainers = fields.Many2Many(
        'service.training.session-company.employee', 'session', 'employee',
        "Trainers", states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    vendor = fields.Many2One(
        'party.party', "Vendor Trainer", ondelete='RESTRICT',
        states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The vendor who gives a factory training.")
    trainer_names = fields.Function(
        fields.Char("Trainers"), 'get_trainer_names')
    attendees = fields.One2Many(
        'service.training.attendee', 'session', "Attendees", states=_states)
    work_order = fields.Many2One(
        'service.work_order', "Installation", readonly=True,
        ondelete='RESTRICT',
        help="The installation after which the customer is trained.")
    notes = fields.Text("Notes", states=_states)
    done_by = fields.Many2One(
        'company.employee', "Recorded by", readonly=True,
        ondelete='RESTRICT')
    done_at = fields.DateTime("Recorded at", readonly=True)
    cancel_reason = fields.Text("Cancellation Reason", states=_states)
    state = fields.Selection([
            ('draft', "Draft"),
            ('scheduled', "Scheduled"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.start, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('start', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'scheduled'),
            ('draft', 'cancelled'),
            ('scheduled', 'draft'),
            ('scheduled', 'done'),
            ('scheduled', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'scheduled']),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ~Eval('state').in_(
                        ['scheduled', 'cancelled']),
                    'depends': ['state'],
                    },
                'schedule': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'scheduled',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_place(cls):
        return 'office'

    @fields.depends('course')
    def on_change_with_course_kind(self, name=None):
        return self.course.kind if self.course else None

    @fields.depends('course', 'start', 'end')
    def on_change_start(self):
        if self.start and self.course and self.course.duration and (
                not self.end or self.end <= self.start):
            self.end = self.start + self.course.duration

    def get_period(self, name):
        return format_period(self.company, self.start, self.end)

    @property
    def date(self):
        "The day of the session in the company's time zone"
        if self.start:
            return local_time(self.company, self.start).date()

    def get_trainer_names(self, name):
        return ', '.join(filter(None, [
                    *(t.rec_name for t in self.trainers),
                    self.vendor.rec_name if self.vendor else None]))

    def get_rec_name(self, name):
        Lang = Pool().get('ir.lang')
        return ' '.join(filter(None, [
                    self.course.rec_name,
                    Lang.get().strftime(self.date) if self.date else None]))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('course.rec_name',) + tuple(clause[1:])]

    @classmethod
    def copy(cls, sessions, default=None):
        default = default.copy() if default is not None else {}
        for name in ['work_order', 'done_by', 'done_at', 'cancel_reason',
                'attendees']:
            default.setdefault(name, None)
        return super().copy(sessions, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, sessions):
        cls.check_cancel_reason(sessions)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, sessions):
        cls.write(sessions, {'cancel_reason': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('scheduled')
    def schedule(cls, sessions):
        for session in sessions:
            if not session.start:
                raise TrainingError(gettext(
                        'service_desk.msg_training_session_schedule_start',
                        session=session.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @set_employee('done_by')
    @set_timestamp('done_at')
    @reset_employee('done_by', 'done_at', when='before')
    def do(cls, sessions):
        """Close the session once every attendance is recorded; the
        employees who pass get the qualifications of the course"""
        pool = Pool()
        Qualification = pool.get('service.training.qualification')
        for session in sessions:
            if not session.attendees:
                raise TrainingError(gettext(
                        'service_desk.msg_training_session_no_attendee',
                        session=session.rec_name))
            for attendee in session.attendees:
                if attendee.attendance == 'invited':
                    raise TrainingError(gettext(
                            'service_desk.msg_training_session_attendance',
                            session=session.rec_name,
                            attendee=attendee.rec_name))
        Qualification.save(Qualification.from_sessions(sessions))

    @classmethod
    def propose_for_installations(cls, orders):
        """Return the customer training sessions proposed after the
        installation work orders (R-TRAIN-1)"""
        pool = Pool()
        Course = pool.get('service.training.course')
        Attendee = pool.get('service.training.attendee')
        sessions = []
        for order in orders:
            if order.equipment:
                products = [order.equipment.product]
            else:
                products = list({e.product for e in order.site.equipment})
            if not products:
                continue
            courses = Course.search([
                    ('company', '=', order.company.id),
                    ('kind', '=', 'customer'),
                    Course.covering_domain(products),
                    ], limit=1)
            if not courses:
                continue
            course, = courses
            attendees, seen = [], set()
            for contact in order.site.contacts:
                name = contact.name or contact.party.rec_name
                if (contact.party, name) in seen:
                    continue
                seen.add((contact.party, name))
                attendees.append(Attendee(
                        party=contact.party, contact=contact, name=name))
            sessions.append(cls(
                    company=order.company,
                    course=course,
                    place='site',
                    site=order.site,
                    trainers=[order.lead] if order.lead else [],
                    work_order=order,
                    attendees=attendees))
        cls.save(sessions)
        return sessions


class SessionEmployee(BoundedMixin, GuardedMixin, ModelSQL):
    "The trainers of a session"
    __name__ = 'service.training.session-company.employee'
    _guard_parent = ('session', ['draft', 'scheduled'])

    session = fields.Many2One(
        'service.training.session', "Session", required=True,
        ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Equality())),
                })
        cls.__access__.add('session')


class Attendee(BoundedMixin, ModelSQL, ModelView):
    "An employee or a customer's person at a training session"
    __name__ = 'service.training.attendee'
    _field_bounds = {'score': (0, 1000)}

    _states = {
        'readonly': Eval('session_state').in_(['done', 'cancelled']),
        }
    _present_states = {
        'readonly': (
            _states['readonly'] | (Eval('attendance') != 'present')),
        }

    session = fields.Many2One(
        'service.training.session', "Session", required=True,
        ondelete='CASCADE', states=_states)
    employee = fields.Many2One(
        'company.employee', "Employee", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'] | Bool(Eval('party')),
            })
    party = fields.Many2One(
        'party.party', "Customer", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'] | Bool(Eval('employee')),
            },
        help="The customer the person comes from.")
    contact = fields.Many2One(
        'party.contact_mechanism', "Contact", ondelete='SET NULL',
        domain=[
            ('party', '=', Eval('party', -1)),
            ],
        states={
            'readonly': _states['readonly'],
            'invisible': ~Eval('party'),
            })
    name = fields.Char(
        "Name", states={
            'readonly': _states['readonly'],
            'invisible': ~Eval('party'),
            },
        help="The customer's person.")
    attendance = fields.Selection([
            ('invited', "Invited"),
            ('present', "Present"),
            ('absent', "Absent"),
            ], "Attendance", required=True, sort=False, states=_states)
    attendance_string = attendance.translated('attendance')
    score = fields.Float(
        "Score", digits=(5, 1),
        domain=[
            If(Bool(Eval('score')), ('score', '>=', 0), ()),
            ],
        states=_present_states)
    result = fields.Selection([
            (None, ""),
            ('pass', "Pass"),
            ('fail', "Fail"),
            ], "Result", sort=False,
        states=_present_states)
    result_string = result.translated('result')
    rating = fields.Selection([
            (None, ""),
            ('1', "Poor"),
            ('2', "Fair"),
            ('3', "Good"),
            ('4', "Very Good"),
            ('5', "Excellent"),
            ], "Rating", sort=False,
        states=_present_states,
        help="The attendee's evaluation of the session.")
    rating_string = rating.translated('rating')
    comment = fields.Text(
        "Comment", states=_states,
        help="The attendee's comment on the session.")
    session_state = fields.Function(
        fields.Selection('get_session_states', "Session State"),
        'on_change_with_session_state')

    del _states, _present_states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('session', 'DESC'), ('id', 'ASC')]
        t = cls.__table__()
        cls._sql_constraints += [
            ('session_employee_unique', Unique(t, t.session, t.employee),
                'service_desk.msg_attendee_unique'),
            ('session_contact_unique', Unique(t, t.session, t.contact),
                'service_desk.msg_attendee_unique'),
            ]

    @classmethod
    def default_attendance(cls):
        return 'invited'

    @classmethod
    def get_session_states(cls):
        Session = Pool().get('service.training.session')
        return Session.fields_get(['state'])['state']['selection']

    @fields.depends('session', '_parent_session.state')
    def on_change_with_session_state(self, name=None):
        if self.session:
            return self.session.state

    @fields.depends('attendance', 'score', 'result', 'rating')
    def on_change_attendance(self):
        if self.attendance != 'present':
            self.score = self.result = self.rating = None

    @fields.depends('party', 'contact', 'name')
    def on_change_contact(self):
        if self.contact and not self.name:
            self.name = self.contact.name

    def get_rec_name(self, name):
        if self.employee:
            return self.employee.rec_name
        if self.party:
            if self.name and self.name != self.party.rec_name:
                return f'{self.name} ({self.party.rec_name})'
            return self.party.rec_name
        return self.name or ''

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('employee.rec_name',) + tuple(clause[1:]),
            ('party.rec_name',) + tuple(clause[1:]),
            ('name',) + tuple(clause[1:]),
            ]

    @classmethod
    def validate_fields(cls, attendees, field_names):
        super().validate_fields(attendees, field_names)
        if field_names & {'employee', 'party', 'name'}:
            for attendee in attendees:
                if bool(attendee.employee) == bool(
                        attendee.party or attendee.name):
                    raise TrainingError(gettext(
                            'service_desk.msg_training_attendee_who',
                            session=attendee.session.rec_name))

    @classmethod
    def check_modification(cls, mode, attendees, values=None, external=False):
        super().check_modification(
            mode, attendees, values=values, external=external)
        if external:
            for attendee in attendees:
                if attendee.session.state in {'done', 'cancelled'}:
                    raise AccessError(gettext(
                            'service_desk.msg_training_attendee_closed',
                            session=attendee.session.rec_name))


class Qualification(
        BoundedMixin, CompanyMixin, GuardedMixin, ModelSQL, ModelView):
    """An employee qualified on a product or a category (R-TRAIN-4)

    A qualification from a training session is the session's: only the
    closing of the session gives it, and its values are read-only."""
    __name__ = 'service.training.qualification'
    _guard_server_values = {'source': {'session'}}

    _states = {
        'readonly': Eval('source') == 'session',
        }

    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='RESTRICT',
        states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    product = fields.Many2One(
        'product.product', "Product", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'],
            'required': ~Eval('category'),
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    category = fields.Many2One(
        'product.category', "Product Category", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'],
            'required': ~Eval('product'),
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    level = fields.Selection(LEVELS, "Level", required=True, states=_states)
    level_string = level.translated('level')
    valid_from = fields.Date("Valid from", required=True, states=_states)
    valid_to = fields.Date(
        "Valid to",
        domain=[
            If(Bool(Eval('valid_to')),
                ('valid_to', '>=', Eval('valid_from')),
                ()),
            ],
        states=_states,
        help="Leave empty for a qualification without end.")
    source = fields.Selection([
            ('session', "Training Session"),
            ('certificate', "Vendor Certificate"),
            ], "Source", required=True,
        states={
            'readonly': Eval('id', -1) >= 0,
            })
    source_string = source.translated('source')
    session = fields.Many2One(
        'service.training.session', "Session", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': Eval('source') != 'session',
            })
    certificate_number = fields.Char(
        "Certificate Number",
        states={
            'invisible': Eval('source') != 'certificate',
            })
    certificate = fields.Binary(
        "Certificate", filename='certificate_name',
        states={
            'invisible': Eval('source') != 'certificate',
            'required': Eval('source') == 'certificate',
            },
        help="The scan of the certificate given by the vendor.")
    certificate_name = fields.Char(
        "Certificate File Name",
        states={
            'invisible': True,
            })
    state = fields.Function(
        fields.Selection(QUALIFICATION_STATES, "State"),
        'get_state', searcher='search_state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.valid_to, Index.Range())),
                })
        cls._order = [('valid_to', 'ASC NULLS LAST'), ('id', 'DESC')]

    @classmethod
    def default_source(cls):
        return 'certificate'

    @classmethod
    def default_level(cls):
        return 'basic'

    @classmethod
    def default_valid_from(cls):
        return today()

    @classmethod
    def expiry_days(cls):
        Configuration = Pool().get('service.configuration')
        days = Configuration(1).qualification_expiry_days
        return DEFAULT_EXPIRY_DAYS if days is None else days

    @classmethod
    def _state_domains(cls):
        "Return {state: domain} for today"
        date = today()
        limit = date + dt.timedelta(days=cls.expiry_days())
        return {
            'future': [('valid_from', '>', date)],
            'valid': [
                ('valid_from', '<=', date),
                ['OR',
                    ('valid_to', '=', None),
                    ('valid_to', '>', limit),
                    ],
                ],
            'expiring': [
                ('valid_from', '<=', date),
                ('valid_to', '>=', date),
                ('valid_to', '<=', limit),
                ],
            'expired': [('valid_to', '<', date)],
            }

    @classmethod
    def get_state(cls, qualifications, name):
        date = today()
        limit = date + dt.timedelta(days=cls.expiry_days())
        result = {}
        for qualification in qualifications:
            if qualification.valid_from > date:
                state = 'future'
            elif qualification.valid_to and qualification.valid_to < date:
                state = 'expired'
            elif qualification.valid_to and qualification.valid_to <= limit:
                state = 'expiring'
            else:
                state = 'valid'
            result[qualification.id] = state
        return result

    @classmethod
    def search_state(cls, name, clause):
        selected = selected_values(clause, dict(QUALIFICATION_STATES))
        domains = cls._state_domains()
        return ['OR', *(domains[s] for s in sorted(selected))] if selected \
            else [('id', '=', None)]

    def get_rec_name(self, name):
        what = self.product or self.category
        return ' - '.join(filter(None, [
                    self.employee.rec_name,
                    what.rec_name if what else None]))

    @classmethod
    def search_rec_name(cls, name, clause):
        if clause[1].startswith('!') or clause[1].startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('employee.rec_name',) + tuple(clause[1:]),
            ('product.rec_name',) + tuple(clause[1:]),
            ('category.rec_name',) + tuple(clause[1:]),
            ]

    @classmethod
    def from_sessions(cls, sessions):
        """Return the qualifications given to the employees who passed
        the sessions of courses with a validity"""
        qualifications = []
        for session in sessions:
            course = session.course
            if not course.validity_months:
                continue
            valid_from = session.date
            valid_to = valid_from + relativedelta(
                months=course.validity_months)
            for attendee in session.attendees:
                if not (attendee.employee and attendee.attendance == 'present'
                        and attendee.result == 'pass'):
                    continue
                for field, records in [
                        ('product', course.products),
                        ('category', course.categories)]:
                    for record in records:
                        qualifications.append(cls(**{
                                    'company': session.company,
                                    'employee': attendee.employee,
                                    field: record,
                                    'level': course.level,
                                    'valid_from': valid_from,
                                    'valid_to': valid_to,
                                    'source': 'session',
                                    'session': session,
                                    }))
        return qualifications

    @classmethod
    def qualified_domain(cls, product, date):
        "The domain of the qualifications for product valid on date"
        return [
            ('valid_from', '<=', date),
            ['OR',
                ('valid_to', '=', None),
                ('valid_to', '>=', date),
                ],
            ['OR',
                ('product', '=', product.id),
                ('category', 'in', list(product_categories(product))),
                ],
            ]

    @classmethod
    @without_check_access
    def qualified_employees(cls, product, date):
        "Return the ids of the employees qualified for product on date"
        return {q.employee.id
            for q in cls.search(cls.qualified_domain(product, date))}

    @classmethod
    @without_check_access
    def required(cls, product):
        """Tell if product needs a qualification: a course giving one is
        about it"""
        Course = Pool().get('service.training.course')
        return bool(Course.search([
                    ('validity_months', '>', 0),
                    Course.covering_domain([product]),
                    ], limit=1))

    @classmethod
    def notify_expiring(cls):
        """Tell the service managers about the qualifications expiring soon
        (daily job)"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        ModelData = pool.get('ir.model.data')
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        qualifications = cls.search([('state', '=', 'expiring')])
        if not qualifications:
            return []
        managers = User.search([
                ('groups', '=', ModelData.get_id(
                        'service_desk', 'group_service_manager')),
                ])
        action_id = ModelData.get_id(
            'service_desk', 'act_qualification_expiring')
        days = cls.expiry_days()
        notifications = []
        for user in managers:
            with Transaction().set_context(language=user.language.code
                    if user.language else None):
                label = gettext(
                    'service_desk.msg_qualification_expiring_notification',
                    count=len(qualifications), days=days)
                lang = Lang.get()
                description = ', '.join(
                    f'{q.rec_name} ({lang.strftime(q.valid_to)})'
                    for q in qualifications[:5])
            notifications.append(Notification(
                    user=user,
                    label=label,
                    description=description,
                    icon='tryton-notification',
                    model=cls.__name__,
                    records=json.dumps([q.id for q in qualifications]),
                    action=action_id))
        Notification.save(notifications)
        return notifications


class Coverage(CheckedSearchMixin, ModelSQL, ModelView):
    "The installed products and the engineers qualified for them (R-TRAIN-4)"
    __name__ = 'service.training.coverage'

    company = fields.Many2One('company.company', "Company")
    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    equipment_count = fields.Integer("Installed")
    engineers = fields.Function(
        fields.Integer(
            "Qualified Engineers",
            help="The technicians qualified today for the product."),
        'get_engineers')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('product', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        Equipment = Pool().get('service.equipment')
        equipment = Equipment.__table__()
        return equipment.select(
            Min(equipment.id).as_('id'),
            equipment.company.as_('company'),
            equipment.product.as_('product'),
            Count(equipment.id).as_('equipment_count'),
            where=(equipment.active == Literal(True))
            & (equipment.state != 'retired')
            & (equipment.company == Transaction().context.get('company', -1)),
            group_by=[equipment.company, equipment.product])

    @classmethod
    def get_engineers(cls, lines, name):
        Employee = Pool().get('company.employee')
        date = today()
        result = {}
        for line in lines:
            qualified = Pool().get(
                'service.training.qualification').qualified_employees(
                line.product, date)
            with without_check_access():
                result[line.id] = Employee.search([
                        ('id', 'in', list(qualified)),
                        ('service_technician', '=', True),
                        ], count=True)
        return result

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('engineers', 0) < 2, 'danger', ''), ['engineers']),
            ]


class Employee(BoundedMixin, metaclass=PoolMeta):
    __name__ = 'company.employee'

    training_attendances = fields.One2Many(
        'service.training.attendee', 'employee', "Training History",
        readonly=True)
    qualifications = fields.One2Many(
        'service.training.qualification', 'employee', "Qualifications",
        readonly=True)


class WorkOrder(metaclass=PoolMeta):
    __name__ = 'service.work_order'

    unqualified_lead = fields.Many2One(
        'company.employee', "Unqualified Lead Accepted", readonly=True,
        ondelete='RESTRICT',
        help="The lead technician sent without a valid qualification for "
        "the equipment, with the manager's agreement.")
    unqualified_lead_accepted_by = fields.Many2One(
        'company.employee', "Accepted by", readonly=True,
        ondelete='RESTRICT')
    unqualified_lead_accepted_at = fields.DateTime(
        "Accepted at", readonly=True)
    training_sessions = fields.One2Many(
        'service.training.session', 'work_order', "Customer Training",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'accept_unqualified_lead': {
                    'invisible': (~Eval('lead')
                        | (Eval('lead') == Eval('unqualified_lead'))
                        | ~Eval('state').in_(OPEN_STATES)),
                    'depends': ['lead', 'unqualified_lead', 'state'],
                    },
                })

    @classmethod
    def copy(cls, orders, default=None):
        default = default.copy() if default is not None else {}
        for name in ['unqualified_lead', 'training_sessions']:
            default.setdefault(name, None)
        return super().copy(orders, default=default)

    @classmethod
    def _suggestion_key(cls, technicians, site, date, equipment=None):
        "First the technicians qualified for the equipment on date"
        Qualification = Pool().get('service.training.qualification')
        key = super()._suggestion_key(technicians, site, date, equipment)
        if not equipment:
            return key
        qualified = Qualification.qualified_employees(equipment.product, date)
        return lambda e: (e.id not in qualified, key(e))

    @classmethod
    def create(cls, vlist):
        orders = super().create(vlist)
        cls._check_lead_qualification(
            [o for o, v in zip(orders, vlist, strict=True)
                if v.get('lead') and v.get('equipment')])
        return orders

    @classmethod
    def write(cls, *args):
        super().write(*args)
        actions = iter(args)
        to_check = []
        for orders, values in zip(actions, actions, strict=False):
            if values.keys() & {'lead', 'equipment', 'planned_start'}:
                to_check.extend(orders)
        if to_check:
            cls._check_lead_qualification(cls.browse(to_check))

    @classmethod
    def _check_lead_qualification(cls, orders):
        """Warn when the lead has no qualification valid on the visit day
        for the equipment's product; only a manager may accept it and the
        acceptance is recorded on the work order"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        Qualification = pool.get('service.training.qualification')
        Warning = pool.get('res.user.warning')
        accepted = []
        for order in orders:
            if (order.state not in OPEN_STATES or not order.lead
                    or not order.equipment or not order.planned_date
                    or order.unqualified_lead == order.lead):
                continue
            product = order.equipment.product
            if (not Qualification.required(product)
                    or order.lead.id in Qualification.qualified_employees(
                        product, order.planned_date)):
                continue
            message = gettext(
                'service_desk.msg_work_order_lead_unqualified',
                work_order=order.rec_name, lead=order.lead.rec_name,
                product=product.rec_name,
                date=Lang.get().strftime(order.planned_date))
            # the right to accept is the button's, whatever was skipped
            if not button_allowed(cls, 'accept_unqualified_lead'):
                raise TrainingError(message + '\n' + gettext(
                        'service_desk.msg_work_order_lead_unqualified_manager'))
            key = Warning.format(
                f'service_desk.unqualified_lead.{order.lead.id}', [order])
            if Warning.check(key):
                raise UnqualifiedLeadWarning(key, message)
            accepted.append(order)
        if accepted:
            cls.accept_unqualified_lead(accepted)

    @classmethod
    @ModelView.button
    @set_employee('unqualified_lead_accepted_by')
    @set_timestamp('unqualified_lead_accepted_at')
    @reset_employee(
        'unqualified_lead_accepted_by', 'unqualified_lead_accepted_at',
        when='before')
    def accept_unqualified_lead(cls, orders):
        """The manager sends the lead technician without the qualification:
        the acceptance is stamped with him (R-TRAIN-4, R-ROLE-1)"""
        for order in orders:
            cls.write([order], {
                    'unqualified_lead': order.lead.id if order.lead else None,
                    })

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, orders):
        "A done installation proposes a customer training (R-TRAIN-1)"
        Session = Pool().get('service.training.session')
        super().do(orders)
        Session.propose_for_installations(
            [o for o in orders if o.kind == 'installation'])


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('service.training.qualification|notify_expiring',
                "Notify Expiring Qualifications"))


class SessionReport(CompanyReport):
    "The training record with the attendees' signatures (R-FORM)"
    __name__ = 'service.training.session'

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The technical engineer's review of the repair records (R-ENG-4)"
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.company.model import set_employee
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

from .common import BoundedMixin, GuardedMixin, boolean_domain, set_timestamp


class ReviewError(ValidationError):
    pass


class Review(BoundedMixin, GuardedMixin, Workflow, ModelSQL, ModelView):
    "The assessment of a done visit by the technical engineer"
    __name__ = 'service.work_order.review'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    work_order = fields.Many2One(
        'service.work_order', "Work Order", required=True,
        ondelete='RESTRICT', states=_states,
        domain=[
            ('state', '=', 'done'),
            ])
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company', searcher='search_company')
    lead = fields.Function(
        fields.Many2One('company.employee', "Lead Technician"),
        'on_change_with_lead')
    result = fields.Selection([
            ('good', "Good"),
            ('rework', "Needs Rework"),
            ], "Result", required=True, sort=False, states=_states)
    result_string = result.translated('result')
    comment = fields.Text(
        "Comment", states=_states,
        help="What was well done, what must be redone and why.")
    reviewed_by = fields.Many2One(
        'company.employee', "Reviewed by", readonly=True,
        ondelete='RESTRICT')
    date = fields.Date("Date", readonly=True)
    follow_up = fields.Many2One(
        'service.work_order', "Follow-up Visit", readonly=True,
        ondelete='RESTRICT')
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.date, Index.Range())),
                Index(t, (t.result, Index.Equality(cardinality='low'))),
                })
        cls._order = [('date', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'done')}
        cls._buttons.update({
                'confirm': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_result(cls):
        return 'good'

    @fields.depends('work_order', '_parent_work_order.company')
    def on_change_with_company(self, name=None):
        return self.work_order.company if self.work_order else None

    @classmethod
    def search_company(cls, name, clause):
        return [('work_order.' + clause[0], *clause[1:])]

    @fields.depends('work_order', '_parent_work_order.lead')
    def on_change_with_lead(self, name=None):
        return self.work_order.lead if self.work_order else None

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.work_order.rec_name, self.result_string]))

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'delete':
            for review in records:
                if review.state != 'draft':
                    raise ReviewError(gettext(
                            'service_desk.msg_review_delete_done',
                            review=review.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @set_employee('reviewed_by')
    @set_timestamp('date')
    def confirm(cls, reviews):
        """Record the review; a visit to redo gets a follow-up visit for
        the same technician"""
        pool = Pool()
        WorkOrder = pool.get('service.work_order')
        follow_ups = {}
        for review in reviews:
            if review.result == 'rework':
                if not review.comment:
                    raise ReviewError(gettext(
                            'service_desk.msg_review_rework_comment',
                            review=review.rec_name))
                order = review.work_order
                follow_ups[review] = WorkOrder(
                    company=order.company,
                    kind=order.kind,
                    ticket=order.ticket,
                    party=order.party,
                    site=order.site,
                    equipment=order.equipment,
                    lead=order.lead,
                    description=review.comment,
                    diagnosis='\n'.join(filter(None, [
                                order.fault_found, order.fault_cause])),
                    fault_category=order.fault_category,
                    previous=order)
        WorkOrder.save(list(follow_ups.values()))
        for review in reviews:
            review.follow_up = follow_ups.get(review)
        cls.save(reviews)


class WorkOrder(metaclass=PoolMeta):
    __name__ = 'service.work_order'

    # the engineer reviews a visit from its form once it is done
    reviews = fields.One2Many(
        'service.work_order.review', 'work_order', "Reviews",
        states={
            'readonly': Eval('state') != 'done',
            })
    reviewed = fields.Function(
        fields.Boolean("Reviewed"), 'get_reviewed',
        searcher='search_reviewed')

    @classmethod
    def get_reviewed(cls, orders, name):
        Review = Pool().get('service.work_order.review')
        reviewed = {r.work_order.id for r in Review.search([
                    ('work_order', 'in', [o.id for o in orders]),
                    ('state', '=', 'done'),
                    ])}
        return {o.id: o.id in reviewed for o in orders}

    @classmethod
    def search_reviewed(cls, name, clause):
        Review = Pool().get('service.work_order.review')
        review = Review.__table__()
        query = review.select(
            review.work_order, where=review.state == 'done')
        return boolean_domain(
            clause, lambda: [('id', 'in', query)],
            lambda: [('id', 'not in', query)])

    @classmethod
    def copy(cls, orders, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('reviews', None)
        return super().copy(orders, default=default)

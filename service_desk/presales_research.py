# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The requirement research of an opportunity: interviews with the
customer's departments, whose minutes the customer confirms or corrects,
and the process survey sheets (R-PRE-2)"""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.company.model import reset_employee, set_employee
from trytond.pyson import Eval

from .common import (
    BoundedMixin, CompanyMixin, GuardedMixin, KeptMixin, set_timestamp)
from .presales import PresalesError


class Interview(
        BoundedMixin, CompanyMixin, KeptMixin, GuardedMixin, Workflow,
        ModelSQL, ModelView):
    """An interview with a department of the customer and its minutes,
    confirmed or corrected by the customer"""
    __name__ = 'service.presales.interview'
    _delete_message = 'service_desk.msg_presales_delete_draft'

    _states = {
        'readonly': Eval('state') != 'draft',
        }
    _answer_states = {
        'readonly': Eval('state') != 'sent',
        }

    opportunity = fields.Many2One(
        'sale.opportunity', "Opportunity", required=True, ondelete='CASCADE',
        states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    department = fields.Char("Department", required=True, states=_states)
    interviewees = fields.Char(
        "Interviewees", required=True, states=_states,
        help="The names and posts of the people interviewed.")
    interview_date = fields.Date("Date", required=True, states=_states)
    topics = fields.Text("Topics", states=_states)
    minutes = fields.Text("Minutes", states=_states)
    interviewer = fields.Many2One(
        'company.employee', "Interviewer", ondelete='RESTRICT',
        states=_states,
        domain=[('company', '=', Eval('company', -1))])
    sent_by = fields.Many2One(
        'company.employee', "Sent by", readonly=True, ondelete='RESTRICT')
    sent_date = fields.Date("Sent on", readonly=True)
    customer_signatory = fields.Char(
        "Answered by", states=_answer_states,
        help="The customer's person who confirmed or corrected the "
        "minutes.")
    corrections = fields.Text(
        "Customer's Corrections", states=_answer_states)
    answer_recorded_by = fields.Many2One(
        'company.employee', "Answer Recorded by", readonly=True,
        ondelete='RESTRICT')
    answer_date = fields.Date("Answered on", readonly=True)
    state = fields.Selection([
            ('draft', "Planned"),
            ('sent', "Sent to Customer"),
            ('confirmed', "Confirmed"),
            ('corrected', "Corrected"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states, _answer_states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.opportunity, Index.Equality())),
                Index(t, (t.interview_date, Index.Range(order='DESC'))),
                })
        cls._order = [('interview_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'sent'),
            ('sent', 'confirmed'),
            ('sent', 'corrected'),
            ('corrected', 'draft'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'corrected',
                    'depends': ['state'],
                    },
                'send': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'confirm': {
                    'invisible': Eval('state') != 'sent',
                    'depends': ['state'],
                    },
                'correct': {
                    'invisible': Eval('state') != 'sent',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        return f'{self.opportunity.rec_name} / {self.department}'

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    @reset_employee(
        'sent_by', 'sent_date', 'answer_recorded_by', 'answer_date')
    def draft(cls, interviews):
        "The minutes are revised with the customer's corrections"
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    @set_employee('sent_by')
    @set_timestamp('sent_date')
    def send(cls, interviews):
        for interview in interviews:
            if not interview.minutes:
                raise PresalesError(gettext(
                        'service_desk.msg_presales_interview_minutes',
                        interview=interview.rec_name))

    @classmethod
    def _check_answer(cls, interviews, corrected):
        for interview in interviews:
            if (not interview.customer_signatory
                    or (corrected and not interview.corrections)):
                raise PresalesError(gettext(
                        'service_desk.msg_presales_interview_answer',
                        interview=interview.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    @set_employee('answer_recorded_by')
    @set_timestamp('answer_date')
    def confirm(cls, interviews):
        "The customer confirmed the minutes as they are"
        cls._check_answer(interviews, False)

    @classmethod
    @ModelView.button
    @Workflow.transition('corrected')
    @set_employee('answer_recorded_by')
    @set_timestamp('answer_date')
    def correct(cls, interviews):
        "The customer sent corrections to the minutes"
        cls._check_answer(interviews, True)


class ProcessSurvey(
        BoundedMixin, CompanyMixin, KeptMixin, GuardedMixin, Workflow,
        ModelSQL, ModelView):
    "A process survey sheet (流程调研表) of a customer's department"
    __name__ = 'service.presales.process_survey'
    _rec_name = 'process'
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
    department = fields.Char("Department", states=_states)
    process = fields.Char("Process", required=True, states=_states)
    flow = fields.Text(
        "Flow", states=_states,
        help="The steps of the process, one a line.")
    documents = fields.Text("Main Documents", states=_states)
    systems = fields.Text("Supporting Systems", states=_states)
    volumes = fields.Char(
        "Volumes", states=_states,
        help="How often or how much: per day, month or year.")
    problems = fields.Text("Problems", states=_states)
    surveyed_by = fields.Many2One(
        'company.employee', "Surveyed by", readonly=True,
        ondelete='RESTRICT')
    surveyed_date = fields.Date("Surveyed on", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.opportunity, Index.Equality())))
        cls._transitions |= {
            ('draft', 'done'),
            ('done', 'draft'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'done',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    @reset_employee('surveyed_by', 'surveyed_date')
    def draft(cls, surveys):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @set_employee('surveyed_by')
    @set_timestamp('surveyed_date')
    def do(cls, surveys):
        for survey in surveys:
            if not survey.flow:
                raise PresalesError(gettext(
                        'service_desk.msg_presales_process_flow',
                        survey=survey.rec_name))

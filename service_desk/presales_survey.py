# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The survey of each customer site before the installation: the
equipment planned there, which the installation puts in the register
(R-PRE-4)"""
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.company.model import set_employee
from trytond.pool import Pool
from trytond.pyson import Eval

from .common import (
    BoundedMixin, CompanyMixin, GuardedMixin, KeptMixin, check_quantities)
from .presales import PresalesError


class SiteSurvey(
        BoundedMixin, CompanyMixin, KeptMixin, GuardedMixin, Workflow,
        ModelSQL, ModelView):
    "The survey of a customer site for a pre-sales opportunity"
    __name__ = 'service.presales.site_survey'
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
    site = fields.Many2One(
        'service.site', "Site", required=True, ondelete='RESTRICT',
        states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    survey_date = fields.Date("Survey Date", states=_states)
    existing = fields.Text(
        "Equipment Already There", states=_states,
        help="What the site already has: models, age, condition.")
    notes = fields.Text("Notes", states=_states)
    lines = fields.One2Many(
        'service.presales.site_survey.line', 'survey', "Planned Equipment",
        states=_states)
    surveyed_by = fields.Many2One(
        'company.employee', "Surveyed by", readonly=True,
        ondelete='RESTRICT')
    work_order = fields.Many2One(
        'service.work_order', "Installation", readonly=True,
        ondelete='RESTRICT')
    installed_date = fields.Date("Installed on", readonly=True)
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Surveyed"),
            ('handed_over', "Handed Over"),
            ('installed', "Installed"),
            ], "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.opportunity, Index.Equality())),
                Index(t, (t.survey_date, Index.Range(order='DESC'))),
                })
        cls._order = [('survey_date', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'done'),
            ('done', 'draft'),
            ('done', 'handed_over'),
            ('handed_over', 'installed'),
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

    def get_rec_name(self, name):
        return f'{self.opportunity.rec_name} / {self.site.rec_name}'

    def installation_description(self):
        "The text of the installation work order"
        return '\n'.join(
            f'{line.product.rec_name} × {line.quantity}'
            + (f' ({line.location})' if line.location else '')
            for line in self.lines)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, surveys):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    @set_employee('surveyed_by')
    def do(cls, surveys):
        for survey in surveys:
            if not survey.lines or not survey.survey_date:
                raise PresalesError(gettext(
                        'service_desk.msg_presales_survey_lines',
                        survey=survey.rec_name))

    @classmethod
    @Workflow.transition('handed_over')
    def hand_over(cls, surveys):
        pass

    @classmethod
    @Workflow.transition('installed')
    def install(cls, surveys, dates):
        """Create in the register the equipment planned by the surveys, one
        item a unit, installed on dates[survey id]"""
        pool = Pool()
        Equipment = pool.get('service.equipment')
        Line = pool.get('service.presales.site_survey.line')
        equipments, lines = [], []
        for survey in surveys:
            date = dates[survey.id]
            survey.installed_date = date
            for line in survey.lines:
                for _ in range(line.quantity):
                    equipments.append(Equipment(
                            company=survey.company,
                            site=survey.site,
                            product=line.product,
                            location=line.location,
                            criticality=survey.site.criticality or 'normal',
                            installation_date=date))
                    lines.append(line)
        cls.save(surveys)
        Equipment.save(equipments)
        # each line once: save writes nothing of a record listed twice
        linked = []
        for line, equipment in zip(lines, equipments, strict=True):
            if not line.equipment:
                line.equipment = equipment
                linked.append(line)
        Line.save(linked)


class SiteSurveyLine(BoundedMixin, GuardedMixin, ModelSQL, ModelView):
    "An item of equipment planned at a surveyed site"
    __name__ = 'service.presales.site_survey.line'
    _guard_parent = ('survey', {'draft'})

    survey = fields.Many2One(
        'service.presales.site_survey', "Site Survey", required=True,
        ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='RESTRICT',
        domain=[
            ('type', 'in', ['goods', 'assets']),
            ])
    quantity = fields.Integer(
        "Quantity", required=True,
        domain=[
            ('quantity', '>', 0),
            ('quantity', '<=', 1000),
            ])
    location = fields.Char(
        "Location", help="Where the item goes inside the site.")
    equipment = fields.Many2One(
        'service.equipment', "Equipment", readonly=True,
        ondelete='SET NULL',
        help="The first item put in the register by the installation.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.survey, Index.Equality())))

    @classmethod
    def default_quantity(cls):
        return 1

    @classmethod
    def validate(cls, lines):
        super().validate(lines)
        check_quantities(lines)

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The department's pre-sales work, made through the buttons by the demo
users of their roles: a lead the technical engineer is analysing, and an
opportunity the manager decided to pursue, its project initiation
approved, its research done (minutes confirmed, one corrected by the
customer), its proposal at version 2 after a demonstration and the survey
of its two sites (R-PRE-1..4)."""
import datetime as dt
from decimal import Decimal

from proteus import Model

from .department import _employee, as_user


def load_presales(today, product_codes):
    "Create the pre-sales records of the demo"
    salesman = _create_salesman()
    bureau, schools = _create_customer(
        "云溪县教育局", 'CG', [
            ("城关镇第三小学", 'CG91'), ("城关镇实验中学", 'CG92')])
    hospital, _ = _create_customer(
        "云溪县人民医院", 'CG', [("云溪县人民医院门诊楼", 'CG93')])
    _analyse_lead(hospital, salesman)
    _pursue_opportunity(today, bureau, schools, salesman, product_codes)


def _create_salesman():
    "Sales, who records the leads in core's opportunities"
    Party = Model.get('party.party')
    Employee = Model.get('company.employee')
    Company = Model.get('company.company')
    company, = Company.find([])
    party = Party(name="周强")
    party.save()
    employee = Employee(party=party, company=company)
    employee.save()
    return employee


def _create_customer(name, township, sites):
    """A customer of the county that buys equipment for its sites, which
    have nothing in the register yet"""
    Party = Model.get('party.party')
    Site = Model.get('service.site')
    Area = Model.get('service.area')
    area, = Area.find([('code', '=', township)])
    party = Party(name=name)
    address, = party.addresses
    address.city = area.name
    party.save()
    records = []
    for site_name, code in sites:
        records.append(Site(
                name=site_name, code=code, party=party,
                address=party.addresses[0], area=area,
                site_type='school' if '学' in site_name else 'hospital'))
    Site.save(records)
    return party, records


def _new_lead(party, salesman, description, amount):
    Opportunity = Model.get('sale.opportunity')
    lead = Opportunity(description=description, party=party)
    lead.employee = Model.get('company.employee')(salesman.id)
    lead.amount = amount
    lead.save()
    return lead.id


def _analyse_lead(party, salesman):
    """A lead the technical engineer is analysing, for the manager to
    decide"""
    lead_id = _new_lead(
        party, salesman, "门诊楼叫号及信息发布系统", Decimal('350000'))
    with as_user('engineer'):
        Opportunity = Model.get('sale.opportunity')
        Employee = Model.get('company.employee')
        lead = Opportunity(lead_id)
        lead.customer_type = 'hospital'
        lead.budget = Decimal('300000')
        lead.decision_makers = "分管副院长；信息科科长"
        lead.competitors = "本地系统集成商报价较低，但无售后网点"
        lead.presales_engineer = Employee(_employee('engineer'))
        lead.presales_reason = 'installed_base'
        lead.save()


def _pursue_opportunity(today, party, sites, salesman, product_codes):
    """The manager pursues the bureau's lead; the engineer researches it,
    proposes twice and surveys the two schools"""
    day = dt.timedelta(days=1)
    lead_id = _new_lead(
        party, salesman, "城关镇两校智慧教室建设", Decimal('760000'))
    with as_user('engineer'):
        Opportunity = Model.get('sale.opportunity')
        Employee = Model.get('company.employee')
        lead = Opportunity(lead_id)
        lead.customer_type = 'government'
        lead.budget = Decimal('800000')
        lead.decision_makers = "分管副局长；装备股股长"
        lead.competitors = "某品牌代理商已到两校演示"
        lead.presales_engineer = Employee(_employee('engineer'))
        lead.presales_reason = 'installed_base'
        lead.save()
    with as_user('manager'):
        Opportunity(lead_id).click('decide_go')
    with as_user('engineer'):
        Initiation = Model.get('service.presales.initiation')
        Site = Model.get('service.site')
        initiation = Initiation(opportunity=Opportunity(lead_id))
        initiation.objectives = "两校各建成两间智慧教室，年内投入使用"
        initiation.scope = "交互式电子白板、投影仪的供货、安装与教师培训"
        initiation.sites.extend([Site(s.id) for s in sites])
        initiation.budget = Decimal('760000')
        initiation.start_date = today - 30 * day
        initiation.end_date = today + 60 * day
        initiation.schedule = "第1月调研，第2月方案与演示，第3月签约安装"
        initiation.project_manager = Employee(_employee('manager'))
        initiation.save()
        initiation.click('submit')
        initiation_id = initiation.id
    with as_user('manager'):
        Model.get('service.presales.initiation')(initiation_id).click(
            'approve')
    with as_user('engineer'):
        _research(today, lead_id)
        _propose(today, lead_id)
        _survey(today, lead_id, sites, product_codes)
    return lead_id


def _research(today, lead_id):
    "Two interviews, one confirmed, one corrected; a process survey"
    Opportunity = Model.get('sale.opportunity')
    Interview = Model.get('service.presales.interview')
    ProcessSurvey = Model.get('service.presales.process_survey')
    day = dt.timedelta(days=1)
    office = Interview(opportunity=Opportunity(lead_id))
    office.department = "装备股"
    office.interviewees = "王股长、李老师"
    office.interview_date = today - 25 * day
    office.topics = "现有设备、使用情况、采购计划"
    office.minutes = "两校现用投影仪老化，每间教室需配置电子白板"
    office.click('send')
    office.customer_signatory = "王股长"
    office.click('confirm')
    teaching = Interview(opportunity=Opportunity(lead_id))
    teaching.department = "教研室"
    teaching.interviewees = "赵主任"
    teaching.interview_date = today - 24 * day
    teaching.topics = "授课方式、录播需求"
    teaching.minutes = "每周使用电子白板授课10节"
    teaching.click('send')
    teaching.customer_signatory = "赵主任"
    teaching.corrections = "应为每周20节，另需录播功能"
    teaching.click('correct')
    process = ProcessSurvey(opportunity=Opportunity(lead_id))
    process.department = "装备股"
    process.process = "教学设备报修"
    process.flow = "教师电话报修→装备股登记→厂家上门→验收"
    process.documents = "报修登记表"
    process.systems = "无，电话报修"
    process.volumes = "每月约15次"
    process.problems = "报修无记录，维修进度不清楚"
    process.click('do')


def _propose(today, lead_id):
    "The proposal presented, revised after the feedback, and a demo"
    Opportunity = Model.get('sale.opportunity')
    Proposal = Model.get('service.presales.proposal')
    Demo = Model.get('service.presales.demo')
    day = dt.timedelta(days=1)
    first = Proposal(opportunity=Opportunity(lead_id), title="智慧教室方案")
    first.document = b'%PDF-1.4 proposal'
    first.document_name = "智慧教室方案V1.pdf"
    first.presented_on = today - 15 * day
    first.audience = "分管副局长、装备股"
    first.click('present')
    first.feedback = "希望增加录播功能，压缩预算"
    first.save()
    demo = Demo(
        opportunity=Opportunity(lead_id), subject="电子白板授课演示",
        demo_date=today - 12 * day)
    demo.audience = "城关镇第三小学教师"
    demo.click('hold')
    demo.feedback = "操作简单，老师认可"
    demo.save()
    second = Proposal(opportunity=Opportunity(lead_id), title="智慧教室方案")
    second.changes = "增加录播模块，投影仪改为国产型号"
    second.document = b'%PDF-1.4 proposal v2'
    second.document_name = "智慧教室方案V2.pdf"
    second.save()


def _survey(today, lead_id, sites, product_codes):
    "The equipment planned in each school"
    Opportunity = Model.get('sale.opportunity')
    SiteSurvey = Model.get('service.presales.site_survey')
    Site = Model.get('service.site')
    Product = Model.get('product.product')

    def product(kind):
        found, = Product.find([('code', '=', product_codes[kind])])
        return found

    plans = [
        [('panel', 2, "二楼教室201、202"), ('projector', 1, "多媒体教室")],
        [('panel', 2, "三楼教室301、302")],
        ]
    for site, lines in zip(sites, plans, strict=True):
        survey = SiteSurvey(
            opportunity=Opportunity(lead_id), site=Site(site.id))
        survey.survey_date = today - 10 * dt.timedelta(days=1)
        survey.existing = "旧投影仪两台，已超保"
        for kind, quantity, location in lines:
            survey.lines.new(
                product=product(kind), quantity=quantity, location=location)
        survey.click('do')

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Load the demo's records through proteus.

Translatable fields hold English with their Chinese in the zh_CN
translation, as Tryton's own data; the others hold what the county's users
write, in Chinese.
"""
import datetime as dt
import random
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

from proteus import Model
from trytond.exceptions import UserWarning
from trytond.modules.account.tests.tools import create_fiscalyear
from trytond.modules.account_invoice.tests.tools import (
    set_fiscalyear_invoice_sequences)
from trytond.modules.company.tests.tools import create_company
from trytond.tests.tools import set_user

from service_desk.tests.tools import (
    TECHNICIAN_ROLES, USERS, create_service_user)
from service_desk.working_calendar import is_working_day

from . import PASSWORD
from .department import load_department
from .presales import load_presales

TECHNICIANS = {login for login, (_, role, _) in USERS.items()
    if role in TECHNICIAN_ROLES}

COUNTY = ('云溪县', 'Yunxi County', 'YX')
TOWNSHIPS = [
    ('城关镇', 'Chengguan Town', 'CG'),
    ('石桥镇', 'Shiqiao Town', 'SQ'),
    ('龙泉乡', 'Longquan Township', 'LQ'),
    ('白沙镇', 'Baisha Town', 'BS'),
    ('清河乡', 'Qinghe Township', 'QH'),
    ('马鞍乡', 'Ma\'an Township', 'MA'),
    ]
# suffix, site type, criticality, equipment kinds with quantities
SITE_KINDS = [
    ('中心小学', 'school', 'normal', {
            'panel': 4, 'projector': 2, 'pc': 2, 'switch': 1, 'camera': 1,
            'ups': 1}),
    ('初级中学', 'school', 'critical', {
            'panel': 3, 'pc': 3, 'switch': 1, 'router': 1, 'camera': 2,
            'recorder': 1, 'ups': 1}),
    ('幼儿园', 'kindergarten', 'normal', {
            'projector': 2, 'pc': 1, 'switch': 1, 'camera': 2,
            'printer': 1, 'broadcast': 1}),
    ('人民政府', 'office', 'critical', {
            'pc': 4, 'printer': 2, 'switch': 1, 'router': 1, 'ups': 1,
            'camera': 1}),
    ('卫生院', 'hospital', 'critical', {
            'pc': 3, 'printer': 1, 'switch': 1, 'ups': 1, 'camera': 2,
            'broadcast': 1}),
    ('第二小学', 'school', 'normal', {
            'panel': 2, 'projector': 2, 'pc': 2, 'switch': 1,
            'broadcast': 1, 'cabling': 2}),
    ]
# code: (English name, Chinese name, warranty years)
PRODUCTS = {
    'projector': ("Projector", "投影仪", 2),
    'panel': ("Interactive Panel", "交互式电子白板一体机", 3),
    'pc': ("Desktop PC", "台式计算机", 3),
    'switch': ("Network Switch", "网络交换机", 3),
    'router': ("Router", "路由器", 2),
    'camera': ("IP Camera", "网络摄像机", 2),
    'recorder': ("Network Video Recorder", "网络硬盘录像机", 2),
    'ups': ("UPS", "不间断电源", 2),
    'printer': ("Printer", "打印机", 1),
    'broadcast': ("Campus Broadcast Amplifier", "校园广播功放", 2),
    'cabling': ("Structured Cabling", "综合布线", 5),
    'server': ("Server", "服务器", 3),
    }
# catalogue numbers: 设备 (equipment) and 备件 (spare parts)
PRODUCT_CODES = {k: f'SB{i:02d}' for i, k in enumerate(PRODUCTS, 1)}
KINDS = {v: k for k, v in PRODUCT_CODES.items()}
ROOMS = ['一楼办公室', '二楼教室201', '三楼教室302', '多媒体教室', '机房',
    '监控室', '会议室', '走廊']


def load(config):
    "Load the demo records through proteus"
    rng = random.Random(2026)
    Lang = Model.get('ir.lang')
    zh, = Lang.find([('code', '=', 'zh_CN')])
    if not zh.translatable:
        zh.translatable = True
        zh.save()

    company = _create_company()
    _create_users(company)
    _setup_warehouse(config)
    products = _create_products(config)
    _create_accounting(config, company)
    areas = _create_areas(config)
    _create_sites(rng, company, areas, products)
    _create_history(config, rng, company)
    _create_tickets(rng)
    _create_field_set_up(config)
    _create_work_orders(company)
    parts = _create_spare_parts(config)
    _stock_spare_parts(config, parts)
    _create_requisitions(config, parts)
    _create_inspections(config, areas)
    _create_knowledge(products)
    _create_inbox(company)
    load_department(config, company, PRODUCT_CODES, PART_CODES)
    load_presales(
        dt.datetime.now(ZoneInfo(company.timezone)).date(), PRODUCT_CODES)
    _refresh_facts(config)


def _refresh_facts(config):
    """Refresh the analysis facts, when the database keeps them (PostgreSQL):
    the board shows the history at once, not after the cron's refresh"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    with Transaction().start(config.database_name, 0):
        Pool().get('ir.model').refresh_analysis_facts(force=True)


def _create_company():
    Currency = Model.get('currency.currency')
    Party = Model.get('party.party')
    cny = Currency(
        name="Chinese Yuan", code='CNY', symbol='¥', rounding=Decimal('0.01'),
        digits=2)
    cny.save()
    party = Party(name="云溪信息系统集成有限公司")
    address = party.addresses[0] if party.addresses else party.addresses.new()
    address.city = COUNTY[0]
    party.save()
    create_company(party, cny)
    company, = Model.get('company.company').find()
    company.timezone = 'Asia/Shanghai'
    company.save()
    # the identifiers of Chinese parties only (party configuration)
    configuration = Model.get('party.configuration')(1)
    configuration.identifier_types = ['cn_vat', 'cn_ric']
    configuration.save()
    return company


def _create_users(company):
    "The users of the service department, who log in with the password"
    for login, (_, role, _) in USERS.items():
        user = create_service_user(login, role, company)
        user.password = PASSWORD
        user.save()


def _chinese(config, model, values):
    """Store values, {id: {field: Chinese}}, as the zh_CN translation of
    the records of model"""
    with config.set_context(language='zh_CN'):
        Model_ = Model.get(model)
        records = Model_.find([('id', 'in', list(values))])
        for record in records:
            for field, value in values[record.id].items():
                setattr(record, field, value)
        Model_.save(records)


def _setup_warehouse(config):
    "R-INFRA-1: the spare-parts warehouse is in the county town"
    Location = Model.get('stock.location')
    warehouse, = Location.find([('type', '=', 'warehouse')], limit=1)
    warehouse.name = "County Town Spare-Parts Warehouse"
    warehouse.code = 'YXWH'
    warehouse.save()
    _chinese(config, 'stock.location', {warehouse.id: {'name': "县城备件库"}})


def _create_products(config):
    Template = Model.get('product.template')
    Uom = Model.get('product.uom')
    unit, = Uom.find([('name', '=', "Unit")])
    templates = []
    for code, (name, _, _) in PRODUCTS.items():
        template = Template(
            name=name, code=PRODUCT_CODES[code], type='goods',
            default_uom=unit)
        templates.append(template)
    Template.save(templates)
    _chinese(config, 'product.template', {
            t.id: {'name': PRODUCTS[KINDS[t.code]][1]} for t in templates})
    return {KINDS[t.code]: t.products[0] for t in Template.find([])}


def _create_areas(config):
    Area = Model.get('service.area')
    county = Area(name=COUNTY[1], code=COUNTY[2], kind='county')
    for _, name, code in TOWNSHIPS:
        county.children.new(name=name, code=code, kind='township')
    county.save()
    chinese = {county.id: {'name': COUNTY[0]}}
    codes = {code: name for name, _, code in TOWNSHIPS}
    for township in county.children:
        chinese[township.id] = {'name': codes[township.code]}
    _chinese(config, 'service.area', chinese)
    return {a.code: a for a in county.children}


def _create_sites(rng, company, areas, products):
    Party = Model.get('party.party')
    Site = Model.get('service.site')
    Equipment = Model.get('service.equipment')
    ContactMechanism = Model.get('party.contact_mechanism')
    Configuration = Model.get('service.configuration')
    today = dt.date.today()
    # the county's area code: callers give their 7-digit local numbers
    configuration = Configuration(1)
    configuration.phone_area_code = '0839'
    configuration.save()
    sites = []
    for t_name, _, t_code in TOWNSHIPS:
        for number, (suffix, site_type, criticality, kinds) in enumerate(
                SITE_KINDS, 1):
            name = t_name + suffix
            party = Party(name=name)
            address, = party.addresses
            address.city = t_name
            address.street = f"{t_name}{rng.randint(1, 99)}号"
            party.contact_mechanisms.new(
                type='phone', value=f'+86 839-{rng.randint(5000000, 5999999)}')
            party.save()
            site = Site(
                name=name, code=f'{t_code}{number:02d}', party=party,
                address=party.addresses[0], area=areas[t_code],
                site_type=site_type, criticality=criticality)
            site.contacts.extend(
                ContactMechanism(c.id) for c in party.contact_mechanisms)
            sites.append((site, kinds))
    Site.save([s for s, _ in sites])

    for site, kinds in sites:
        items = []
        installed = today - dt.timedelta(days=rng.randint(60, 2000))
        for kind, quantity in kinds.items():
            for _ in range(quantity):
                warranty_years = PRODUCTS[kind][2]
                items.append(Equipment(
                        site=site, product=products[kind],
                        serial_number=f'SN{rng.randint(10**8, 10**9 - 1)}',
                        location=rng.choice(ROOMS),
                        installation_date=installed,
                        warranty_end=installed + dt.timedelta(
                            days=365 * warranty_years),
                        criticality=site.criticality))
        Equipment.save(items)
        # A network switch carries the cabling and the cameras of the site.
        switch = next(e for e in items if e.product == products['switch'])
        for item in items:
            if item.product in {products['cabling'], products['camera']}:
                item.parent = switch
        Equipment.save(items)
        faulty = rng.choice(items)
        faulty.click('report_faulty')


# channel, type, subject, the kind of equipment it is about (any if None)
TICKETS = [
    ('phone', 'repair', "投影仪无法开机", 'projector'),
    ('phone', 'repair', "教室交互屏触摸失灵", 'panel'),
    ('chat', 'repair', "校园网断网", 'switch'),
    ('email', 'complaint', "维修人员未按约定时间到达", None),
    ('web', 'inquiry', "如何设置打印机共享", 'printer'),
    ('phone', 'suggestion', "希望增加周末值班", None),
    ('fax', 'repair', "监控录像无法回放", 'recorder'),
    ('walk_in', 'repair', "UPS 报警", 'ups'),
    ]


def _of_kind(equipment, kind):
    """The equipment (records of the pool) of the kind, all of it when kind
    is None"""
    if kind is None:
        return equipment
    return [e for e in equipment
        if e.product.template.code == PRODUCT_CODES[kind]]


def _create_tickets(rng):
    "A few tickets in every state, so the lists are not empty"
    Equipment = Model.get('service.equipment')
    Ticket = Model.get('service.ticket')
    equipment = {None: Equipment.find([])}
    for _, _, _, kind in TICKETS:
        if kind not in equipment:
            equipment[kind] = Equipment.find([
                    ('product.code', '=', PRODUCT_CODES[kind])])
    now = dt.datetime.now().replace(microsecond=0)
    tickets = []
    for number, (channel, type_, subject, kind) in enumerate(TICKETS * 3):
        item = rng.choice(equipment[kind])
        ticket = Ticket(channel=channel, type=type_, subject=subject)
        ticket.equipment = Equipment(item.id)
        ticket.received_at = now - dt.timedelta(hours=6 * number)
        tickets.append(ticket)
    Ticket.save(tickets)
    Ticket.click(tickets[2:], 'open')
    # customer service follows the tickets, the engineer the inquiries
    User = Model.get('res.user')
    owners = {u.login: u.employee for u in User.find([
                ('login', 'in', ['cs', 'engineer'])])}
    for ticket in tickets[2:]:
        ticket.assigned_to = owners[
            'engineer' if ticket.type == 'inquiry' else 'cs']
    Ticket.save(tickets[2:])
    Ticket.click(tickets[6:14], 'start')
    Ticket.click([t for t in tickets[10:14] if t.type == 'repair'], 'resolve')


# type, share of the past tickets, subjects with the kind of equipment
# they are about (any if None)
HISTORY = [
    ('repair', 75, [
            ("投影仪灯泡不亮", 'projector'), ("交互屏无信号", 'panel'),
            ("教室电脑无法开机", 'pc'), ("交换机端口故障", 'switch'),
            ("摄像头画面模糊", 'camera'), ("打印机卡纸", 'printer'),
            ("UPS 无法供电", 'ups'), ("广播无声音", 'broadcast')]),
    ('inquiry', 15, [
            ("如何连接无线投屏", 'projector'),
            ("电子白板软件如何升级", 'panel')]),
    ('suggestion', 10, [("希望寒暑假前集中巡检", None)]),
    ]


def _create_history(config, rng, company):
    """Half a year of answered and resolved tickets, of their visits and
    of callbacks, so that the manager's board has weeks and months to
    compare

    The tickets go through their buttons; their times are then set to the
    past, as if the department had worked on them then."""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    zone = ZoneInfo(company.timezone)
    today = dt.datetime.now(zone).date()
    monday = today - dt.timedelta(days=today.weekday())
    users = {login: user.employee.id for login, user in (
            (u.login, u) for u in Model.get('res.user').find([
                    ('login', 'in', ['cs', 'engineer', 'field', 'field2'])]))}
    # the repairs go to the field engineers, the questions to the
    # technical engineer, the suggestions to customer service
    assignees = {
        'repair': ['field', 'field2'],
        'inquiry': ['engineer'],
        'suggestion': ['cs'],
        }
    with Transaction().start(config.database_name, 0, context={
                'company': company.id, 'language': 'en'}):
        pool = Pool()
        Ticket = pool.get('service.ticket')
        Callback = pool.get('service.callback')
        Equipment = pool.get('service.equipment')
        WorkOrder = pool.get('service.work_order')
        equipment = Equipment.search([('state', '=', 'in_service')])
        types = [t for t, share, _ in HISTORY for _ in range(share)]
        subjects = {t: s for t, _, s in HISTORY}
        values, times = [], []
        for week in range(26, 0, -1):
            for _ in range(rng.randint(4, 9)):
                day = monday - dt.timedelta(
                    weeks=week, days=-rng.randint(0, 4))
                received = dt.datetime.combine(day, dt.time(
                        rng.randint(8, 16), rng.randint(0, 59)), zone)
                received = received.astimezone(dt.UTC).replace(tzinfo=None)
                type_ = rng.choice(types)
                subject, kind = rng.choice(subjects[type_])
                item = rng.choice(_of_kind(equipment, kind))
                values.append({
                        'company': company.id,
                        'channel': rng.choice(
                            ['phone', 'phone', 'phone', 'chat', 'web',
                                'email', 'walk_in']),
                        'type': type_,
                        'subject': subject,
                        'equipment': item.id,
                        'site': item.site.id,
                        'party': item.site.party.id,
                        'received_at': received,
                        'assigned_to': users[
                            rng.choice(assignees[type_])],
                        })
                # most answered within the hour and resolved within the
                # day, some late
                respond = (rng.uniform(0.2, 1.5) if rng.random() < 0.85
                    else rng.uniform(4, 30))
                resolve = respond + (rng.uniform(2, 20) if rng.random() < 0.8
                    else rng.uniform(30, 100))
                times.append((received, respond, resolve))
        tickets = Ticket.create(values)
        Ticket.open(tickets)
        Ticket.start(tickets)
        Ticket.resolve(tickets)
        Ticket.close(tickets)
        to_write = []
        for ticket, (received, respond, resolve) in zip(
                tickets, times, strict=True):
            resolved = received + dt.timedelta(hours=resolve)
            to_write.extend(([ticket], {
                        'responded_at': received + dt.timedelta(
                            hours=respond),
                        'resolved_at': resolved,
                        'closed_at': resolved + dt.timedelta(days=1),
                        }))
        Ticket.write(*to_write)

        # each repair had a visit done by its engineer between the answer
        # and the resolution, one in eight a second visit, before this week
        # (whose visits are planned by _create_work_orders)
        this_week = dt.datetime.combine(monday, dt.time(), zone).astimezone(
            dt.UTC).replace(tzinfo=None)
        orders, done = [], []
        for ticket, (received, respond, resolve) in zip(
                tickets, times, strict=True):
            if ticket.type != 'repair':
                continue
            visits = 2 if rng.random() < 0.125 else 1
            span = (resolve - respond) / visits
            for visit in range(visits):
                start = received + dt.timedelta(
                    hours=respond + span * (visit + 0.2))
                end = start + dt.timedelta(
                    hours=min(rng.uniform(0.75, 3), span * 0.6))
                if end >= this_week:
                    continue
                orders.append({
                        'company': company.id,
                        'ticket': ticket.id,
                        'party': ticket.party.id,
                        'site': ticket.site.id,
                        'equipment': ticket.equipment.id,
                        'lead': ticket.assigned_to.id,
                        'planned_start': start,
                        'planned_end': end,
                        })
                done.append((start, end))
        orders = WorkOrder.create(orders)
        WorkOrder.write(*(x for order, (start, end) in zip(
                    orders, done, strict=True)
                for x in ([order], {
                        'state': 'done',
                        'started_at': start,
                        'done_at': end,
                        })))

        # customer service calls back two days after the repair
        callbacks = Callback.search([
                ('ticket', 'in', [t.id for t in tickets])])
        to_write = []
        for callback in callbacks:
            called = callback.ticket.resolved_at + dt.timedelta(days=2)
            to_write.extend(([callback], {
                        'reached': True,
                        'solved': 'yes',
                        'satisfaction': rng.choice('5555544443'),
                        'attempts': 1,
                        'called_by': users['cs'],
                        'called_at': called,
                        # the company's day of the call
                        'due_date': called.replace(
                            tzinfo=dt.UTC).astimezone(zone).date(),
                        }))
        Callback.write(*to_write)
        Callback.do(callbacks)
        Transaction().commit()


# English, Chinese
FAULT_CATEGORIES = [
    ("Power", "电源故障"), ("Hardware", "硬件故障"), ("Software", "软件故障"),
    ("Network", "网络故障"), ("Wiring", "线路故障"), ("Misuse", "人为损坏"),
    ]


def _create_field_set_up(config):
    "Fault categories and the service vehicles (R-INFRA-1)"
    FaultCategory = Model.get('service.fault.category')
    Vehicle = Model.get('service.vehicle')
    categories = [FaultCategory(name=n) for n, _ in FAULT_CATEGORIES]
    FaultCategory.save(categories)
    _chinese(config, 'service.fault.category', {
            c.id: {'name': zh} for c, (_, zh) in zip(
                categories, FAULT_CATEGORIES, strict=True)})
    Vehicle.save([
            Vehicle(name="服务车一号", plate="川A·S1234"),
            Vehicle(name="服务车二号", plate="川A·S5678"),
            ])


def _create_work_orders(company):
    """Visits for the open repair tickets: today's for the field engineers,
    the rest of the week in the plan, one still to schedule"""
    Ticket = Model.get('service.ticket')
    WorkOrder = Model.get('service.work_order')
    User = Model.get('res.user')
    Vehicle = Model.get('service.vehicle')
    zone = ZoneInfo(company.timezone)
    today = dt.datetime.now(zone).date()
    leads = {u.login: u.employee for u in User.find([
                ('login', 'in', list(TECHNICIANS))])}
    vans = Vehicle.find([])

    # today, then the next working days (no visit on a weekend)
    working_days = [today]
    while len(working_days) < 4:
        day = working_days[-1] + dt.timedelta(days=1)
        while not is_working_day(day):
            day += dt.timedelta(days=1)
        working_days.append(day)

    def at(n, hour):
        local = dt.datetime.combine(working_days[n], dt.time(hour), zone)
        return local.astimezone(dt.UTC).replace(tzinfo=None)

    tickets = Ticket.find([
            ('type', '=', 'repair'),
            ('state', 'in', ['open', 'in_progress']),
            ], order=[('id', 'ASC')])
    plan = [
        ('field', 0, 9), ('field', 0, 11), ('field', 0, 14),
        ('field2', 0, 10), ('engineer', 1, 9), ('field', 2, 10),
        ('field2', 3, 15),
        ]
    orders = []
    for ticket, (login, days, hour) in zip(tickets, plan, strict=False):
        order = WorkOrder(ticket=ticket)
        order.lead = leads[login]
        order.vehicle = vans[len(orders) % len(vans)]
        order.planned_start = at(days, hour)
        order.planned_end = at(days, hour + 2)
        order.appointment_contact = "值班老师"
        order.appointment_method = 'phone'
        orders.append(order)
    WorkOrder.save(orders)
    WorkOrder.click(orders, 'schedule')
    for ticket in tickets[len(plan):]:
        WorkOrder(ticket=ticket).save()


# code: (English name, Chinese name, cost price, critical reserve)
PARTS = {
    'lamp': ("Projector Lamp", "投影仪灯泡", 380, 2),
    'hdmi': ("HDMI Cable", "HDMI 线缆", 35, None),
    'rj45': ("RJ45 Connectors (box)", "网线水晶头（盒）", 25, None),
    'adapter': ("Switch Power Adapter", "交换机电源适配器", 90, None),
    'battery': ("UPS Battery", "UPS 蓄电池", 260, None),
    'touch': ("Interactive Panel Touch Frame", "电子白板触摸框", 1200, None),
    }
PART_CODES = {k: f'BJ{i:02d}' for i, k in enumerate(PARTS, 1)}
# code: (in the county warehouse, purchase quota minimum, target)
PART_STOCK = {
    'lamp': (4, 3, 8),
    'hdmi': (12, 5, 20),
    'rj45': (8, 3, 10),
    'adapter': (3, 2, 6),
    'battery': (4, 4, 8),
    'touch': (1, 1, 2),
    }
# code: (in each van, refill quota minimum, target)
VAN_STOCK = {
    'hdmi': (4, 2, 4),
    'rj45': (2, 1, 2),
    'adapter': (1, 1, 1),
    }
# vendor: parts it supplies
VENDORS = {
    "光明灯具厂": ['lamp'],
    "蜀通电子配件有限公司": [
        'hdmi', 'rj45', 'adapter', 'battery', 'touch'],
    }


@contextmanager
def _as_user(login):
    """Run the calls as the demo user of login, then as the administrator;
    records must be instantiated inside to carry the user's context"""
    user, = Model.get('res.user').find([('login', '=', login)])
    set_user(user)
    try:
        yield
    finally:
        set_user(1)


def _create_spare_parts(config):
    "R-PART-1: spare parts are purchasable goods of the spare parts category"
    Template = Model.get('product.template')
    Category = Model.get('product.category')
    Uom = Model.get('product.uom')
    unit, = Uom.find([('name', '=', "Unit")])
    # service_desk.product_category_spare_parts
    category, = Category.find([('name', '=', "Spare Parts")])
    templates = []
    for code, (name, _, cost, reserve) in PARTS.items():
        template = Template(
            name=name, code=PART_CODES[code], type='goods',
            default_uom=unit, purchasable=True, purchase_uom=unit,
            cost_price_method='average', account_category=category,
            list_price=Decimal(cost) * Decimal('1.3'))
        template.categories.append(Category(category.id))
        template.service_critical_reserve = reserve
        product, = template.products
        product.cost_price = Decimal(cost)
        templates.append(template)
    Template.save(templates)
    _chinese(config, 'product.template', {
            t.id: {'name': PARTS[c][1]}
            for t, c in zip(templates, PARTS, strict=True)})
    return {c: t.products[0] for t, c in zip(templates, PARTS, strict=True)}


def _stock_spare_parts(config, parts):
    """The parts in the county warehouse and in the vans, their vendors
    and quotas (R-PART-1/2, R-INFRA-1)"""
    Party = Model.get('party.party')
    ProductSupplier = Model.get('purchase.product_supplier')
    Location = Model.get('stock.location')
    Inventory = Model.get('stock.inventory')
    Vehicle = Model.get('service.vehicle')
    OrderPoint = Model.get('stock.order_point')
    Configuration = Model.get('service.configuration')

    for name, codes in VENDORS.items():
        vendor = Party(name=name)
        vendor.save()
        suppliers = []
        for code in codes:
            supplier = ProductSupplier(
                template=parts[code].template, party=vendor, lead_time=(
                    dt.timedelta(days=7)))
            supplier.prices.new(
                quantity=0, unit_price=parts[code].cost_price)
            suppliers.append(supplier)
        ProductSupplier.save(suppliers)

    warehouse, = Location.find([('type', '=', 'warehouse')], limit=1)
    storage = warehouse.storage_location
    inventories = []
    inventory = Inventory(location=storage)
    for code, (quantity, _, _) in PART_STOCK.items():
        inventory.lines.new(product=parts[code], quantity=quantity)
    inventories.append(inventory)

    order_points = []
    for code, (_, minimum, target) in PART_STOCK.items():
        order_points.append(OrderPoint(
                type='purchase', product=parts[code], location=warehouse,
                min_quantity=minimum, target_quantity=target))

    vans = Vehicle.find([], order=[('id', 'ASC')])
    company, = Model.get('company.company').find()
    vans_stocked = dt.datetime.now(ZoneInfo(company.timezone)).date() - (
        dt.timedelta(days=200))
    for number, van in enumerate(vans, 1):
        if not van.location:
            # In the warehouse, for its lost and found and its quotas
            location = Location(
                name=f"{van.plate} Van Stock", code=f'VAN{number}',
                type='storage', parent=warehouse)
            location.save()
            _chinese(config, 'stock.location', {
                    location.id: {'name': f"{van.plate} 车载备件"}})
            van.location = location
            van.save()
        # stocked when the van came into service, more than half a year
        # ago: what was not used since is idle (Idle Parts)
        inventory = Inventory(
            location=Location(van.location.id), date=vans_stocked)
        for code, (quantity, minimum, target) in VAN_STOCK.items():
            inventory.lines.new(product=parts[code], quantity=quantity)
            order_points.append(OrderPoint(
                    type='internal', product=parts[code],
                    location=Location(van.location.id),
                    provisioning_location=Location(storage.id),
                    min_quantity=minimum, target_quantity=target))
        inventories.append(inventory)
    Inventory.save(inventories)
    Inventory.click(inventories, 'confirm')
    OrderPoint.save(order_points)

    configuration = Configuration(1)
    configuration.requisition_manager_value = Decimal(1000)
    configuration.save()


def _requisition_for(kind, critical, lead, used):
    """Return what a requisition for equipment of kind is for: the first
    visit still to do not yet used for such equipment, the lead's first, or
    else such equipment"""
    WorkOrder = Model.get('service.work_order')
    Equipment = Model.get('service.equipment')
    criticality = 'critical' if critical else 'normal'
    orders = WorkOrder.find([
            ('state', 'not in', ['done', 'cancelled']),
            ('equipment.product.code', '=', PRODUCT_CODES[kind]),
            ('equipment.criticality', '=', criticality),
            ('id', 'not in', list(used)),
            ], order=[('id', 'ASC')])
    orders.sort(key=lambda o: not o.lead or o.lead.id != lead)
    if orders:
        used.add(orders[0].id)
        return 'work_order', orders[0].id
    equipment, = Equipment.find([
            ('product.code', '=', PRODUCT_CODES[kind]),
            ('criticality', '=', criticality),
            ], order=[('id', 'ASC')], limit=1)
    return 'equipment', equipment.id


# name: requester, equipment kind, critical, urgency, reason,
#   parts [(code, quantity, from the warehouse rather than the van)]
REQUISITIONS = {
    'issued': ('field', 'projector', False, 'normal',
        "投影仪灯泡烧坏，HDMI 线缆接口松动",
        [('lamp', 1, True), ('hdmi', 2, False)]),
    'critical': ('field', 'ups', True, 'urgent',
        "UPS 蓄电池鼓包，停电无法续航",
        [('battery', 2, True)]),
    'back_order': ('field', 'ups', False, 'normal',
        "UPS 报警，整组蓄电池老化",
        [('battery', 3, True)]),
    'requested': ('field2', 'switch', False, 'normal',
        "交换机电源适配器损坏，需重做水晶头",
        [('adapter', 1, False), ('rj45', 1, False)]),
    'manager': ('field', 'panel', False, 'normal',
        "触摸框损坏，整框更换",
        [('touch', 1, True)]),
    'rejected': ('field', 'projector', False, 'normal',
        "投影仪不亮，带两只灯泡备用",
        [('lamp', 2, True)]),
    }


def _create_requisitions(config, parts):
    """Requisitions in every state (R-PART-3..6): the field engineers ask
    for the parts of their visits, the keeper approves, issues, rejects and
    takes parts back, the expensive one waits for the manager"""
    User = Model.get('res.user')
    Location = Model.get('stock.location')
    warehouse, = Location.find([('type', '=', 'warehouse')], limit=1)
    storage_id = warehouse.storage_location.id
    leads = {u.login: u.employee.id for u in User.find([
                ('login', 'in', list({r[0] for r in REQUISITIONS.values()})),
                ])}
    used = set()
    ids = {}
    for key, (login, kind, critical, urgency, reason, lines) in (
            REQUISITIONS.items()):
        link = _requisition_for(kind, critical, leads[login], used)
        with _as_user(login):
            Requisition = Model.get('service.requisition')
            Product = Model.get('product.product')
            Location = Model.get('stock.location')
            target = Model.get(
                {'work_order': 'service.work_order',
                    'equipment': 'service.equipment'}[link[0]])
            requisition = Requisition(**{link[0]: target(link[1])})
            requisition.urgency = urgency
            requisition.reason = reason
            for code, quantity, from_warehouse in lines:
                line = requisition.lines.new(
                    product=Product(parts[code].id), quantity=quantity)
                if from_warehouse:
                    line.from_location = Location(storage_id)
            requisition.click('request')
            ids[key] = requisition.id

    with _as_user('keeper'):
        Requisition = Model.get('service.requisition')
        Return = Model.get('service.requisition.return')
        Product = Model.get('product.product')

        issued = Requisition(ids['issued'])
        issued.click('approve')
        issued.click('issue')
        # Back from the school: a cable was not used, the old lamp failed
        # early
        issued.returns.new(product=Product(parts['hdmi'].id), quantity=1)
        faulty = issued.returns.new(
            product=Product(parts['lamp'].id), quantity=1)
        faulty.kind = 'faulty'
        faulty.fault_note = "灯丝断裂，装上约两个月即损坏"
        faulty.installed_date = dt.date.today() - dt.timedelta(days=64)
        issued.save()
        Return.click(list(issued.returns), 'do')

        critical = Requisition(ids['critical'])
        critical.click('approve')
        critical.click('issue')

        # More batteries than in stock: the keeper is warned and approves,
        # one stays back-ordered
        back_order = Requisition(ids['back_order'])
        try:
            back_order.click('approve')
        except UserWarning as warning:
            _, (key, _, _) = warning.args
            Model.get('res.user.warning').skip(key, False, config.context)
            back_order.click('approve')

        # Normal requisitions cannot have the lamps kept for critical
        # equipment
        rejected = Requisition(ids['rejected'])
        rejected.cancel_reason = (
            "库存灯泡仅剩 3 只，2 只留给关键设备；请先检查电源板，"
            "确需更换再领 1 只")
        rejected.click('reject')


# checklist: (English, Chinese, products), items: (English, Chinese, values)
# with the translatable values as (English, Chinese)
CHECKLISTS = [
    (("Every item", "通用检查", None), [
            ("Casing and power cable intact", "外观及电源线完好", {}),
            ("Running state", "设备运行状态", {
                    'type': 'choice',
                    'choices': ("Normal\nOccasional faults\nFaulty",
                        "正常\n偶有故障\n故障"),
                    'failing_choices': ("Faulty", "故障")}),
            ("Dust removed", "已除尘", {'phase': 'late', 'required': False}),
            ]),
    (("Projectors", "投影仪", 'projector'), [
            ("Lamp brightness", "灯泡亮度", {
                    'type': 'number', 'min_value': 300, 'unit': "lux",
                    'phase': 'middle'}),
            ("Lamp hours", "灯泡使用时长", {
                    'type': 'number', 'max_value': 3000, 'unit': "h",
                    'phase': 'middle', 'required': False}),
            ]),
    ]


def _create_inspections(config, areas):
    """The semester inspection of two townships (R-INSP), started a month
    ago, with the checklists of every item and of the projectors"""
    Checklist = Model.get('service.inspection.checklist')
    Plan = Model.get('service.inspection.plan')
    Product = Model.get('product.product')
    User = Model.get('res.user')
    Area = Model.get('service.area')
    Employee = Model.get('company.employee')

    checklists, chinese, items_chinese = [], {}, []
    for (name, _, kind), items in CHECKLISTS:
        checklist = Checklist(name=name)
        if kind:
            checklist.products.extend(Product.find([
                        ('code', '=', PRODUCT_CODES[kind])]))
        for item_name, item_chinese, values in items:
            item = checklist.items.new(name=item_name)
            item_chinese = {'name': item_chinese}
            for field, value in values.items():
                if isinstance(value, tuple):
                    value, item_chinese[field] = value
                setattr(item, field, value)
            items_chinese.append(item_chinese)
        checklists.append(checklist)
    Checklist.save(checklists)
    for checklist, ((_, name, _), _) in zip(
            checklists, CHECKLISTS, strict=True):
        chinese[checklist.id] = {'name': name}
    _chinese(config, 'service.inspection.checklist', chinese)
    _chinese(config, 'service.inspection.checklist.item', {
            item.id: values for item, values in zip(
                [i for c in checklists for i in c.items], items_chinese,
                strict=True)})

    field, = User.find([('login', '=', 'field')])
    plan = Plan(name="2026 秋季学期巡检")
    plan.start_date = dt.date.today() - dt.timedelta(days=30)
    plan.areas.extend([Area(areas['BS'].id), Area(areas['QH'].id)])
    plan.inspectors.append(Employee(field.employee.id))
    plan.save()
    plan.click('generate')


def _create_knowledge(products):
    """The knowledge base: articles of the technical engineer, published,
    draft and archived, and a service rule of the manager that customer
    service has acknowledged and the engineers not yet"""
    with _as_user('engineer'):
        Article = Model.get('service.knowledge.article')
        Product = Model.get('product.product')
        articles = []
        for kind, title, body, product, state in [
                ('how_to', "投影仪更换灯泡的方法",
                    "关机后等十分钟，待机器冷却再打开灯泡盖；取出旧灯泡，"
                    "装入新灯泡并拧紧螺丝，开机后在菜单里把灯泡时间清零。",
                    'projector', 'published'),
                ('product', "交互式电子白板一体机使用须知",
                    "一体机不能用湿布擦屏幕；触摸不准时在设置里重新校准；"
                    "下课后请关机并断开电源。",
                    'panel', 'published'),
                ('known_fault', "交换机雷雨后端口全灭",
                    "根本原因：机房未装防雷器。解决办法：更换交换机，"
                    "加装防雷器并检查接地。",
                    'switch', 'archived'),
                ('how_to', "打印机卡纸的处理",
                    "打开后盖，顺着出纸方向轻轻取出卡住的纸张，不要硬拉。",
                    'printer', 'draft'),
                ]:
            article = Article(kind=kind, title=title, body=body)
            article.products.append(Product(products[product].id))
            article.change_note = "初稿"
            article.save()
            articles.append((article, state))
        for article, state in articles:
            if state != 'draft':
                article.click('publish')
            if state == 'archived':
                article.click('archive')
    with _as_user('manager'):
        Article = Model.get('service.knowledge.article')
        rule = Article(kind='rule', title="上门服务规范")
        rule.body = ("上门前一天与学校约定时间；进校登记，遵守学校规定；"
            "修好后向老师讲明故障原因和预防办法，请老师在服务单上签字。")
        rule.roles = ['customer_service', 'field_engineer',
            'technical_engineer']
        rule.change_note = "首次发布"
        rule.save()
        rule.click('publish')
    with _as_user('cs'):
        Article = Model.get('service.knowledge.article')
        Article(rule.id).click('acknowledge')


def _create_inbox(company):
    "The service mailbox: mail posted to its endpoint becomes tickets"
    Inbox = Model.get('inbound.email.inbox')
    inbox = Inbox(name="售后服务邮箱")
    rule = inbox.rules.new()
    rule.action = 'service.ticket|from_inbound_email'
    rule.service_company = company
    inbox.save()
    inbox.click('new_identifier')


# The accounts of the Accounting Standards for Small Enterprises
# (小企业会计准则) the demo posts on: code, name, type
CHART = [
    ('1001', "库存现金", 'cash'),
    ('1002', "银行存款", 'cash'),
    ('1122', "应收账款", 'receivable'),
    ('1405', "库存商品", 'stock'),
    ('1901', "待处理财产损溢", 'pending'),
    ('2202', "应付账款", 'payable'),
    ('2221', "应交税费", 'tax'),
    ('5001', "主营业务收入", 'revenue'),
    ('5401', "主营业务成本", 'cost'),
    ('5601', "销售费用", 'selling'),
    ]
# key: name, parent key, statement, flags
ACCOUNT_TYPES = [
    ('root', "小企业会计准则", None, None, {}),
    ('assets', "资产", 'root', 'balance', {'assets': True}),
    ('cash', "货币资金", 'assets', 'balance', {'assets': True}),
    ('receivable', "应收款项", 'assets', 'balance', {
            'assets': True, 'receivable': True}),
    ('stock', "存货", 'assets', 'balance', {'assets': True, 'stock': True}),
    ('pending', "待处理财产损溢", 'assets', 'balance', {
            'assets': True, 'stock': True}),
    ('liabilities', "负债", 'root', 'balance', {}),
    ('payable', "应付款项", 'liabilities', 'balance', {'payable': True}),
    ('tax', "应交税费", 'liabilities', 'balance', {}),
    ('income', "损益", 'root', 'income', {}),
    ('revenue', "营业收入", 'income', 'income', {'revenue': True}),
    ('cost', "营业成本", 'income', 'income', {'expense': True}),
    ('selling', "销售费用", 'income', 'income', {
            'expense': True, 'stock': True}),
    ]


def _create_accounting(config, company):
    """R-PART-6, R-ROLE-6: a chart whose accounts a Chinese accountant
    recognises, this year in monthly periods valuing stock continuously:
    the parts stock in 1405, the warranty and contract repairs' parts on
    5601, the chargeable repairs' on 5401, faulty parts and inventory
    differences waiting in 1901"""
    AccountType = Model.get('account.account.type')
    Account = Model.get('account.account')
    AccountConfiguration = Model.get('account.configuration')
    ModelData = Model.get('ir.model.data')
    Configuration = Model.get('service.configuration')
    Category = Model.get('product.category')

    types = {}
    for key, name, parent, statement, flags in ACCOUNT_TYPES:
        type_ = AccountType(company=company)
        type_.parent = types.get(parent)
        type_.name = name
        type_.statement = statement
        for flag, value in flags.items():
            setattr(type_, flag, value)
        type_.save()
        types[key] = type_
    root = Account(name="小企业会计准则", company=company)
    root.save()
    accounts = {}
    for code, name, key in CHART:
        account = Account(company=company)
        account.parent = root
        account.code = code
        account.name = name
        account.type = types[key]
        if key in {'receivable', 'payable'}:
            account.reconcile = True
            account.party_required = True
        accounts[code] = account
    Account.save(list(accounts.values()))

    account_configuration = AccountConfiguration(1)
    account_configuration.default_account_receivable = accounts['1122']
    account_configuration.default_account_payable = accounts['2202']
    account_configuration.default_category_account_revenue = (
        accounts['5001'])
    account_configuration.default_category_account_expense = (
        accounts['5401'])
    account_configuration.save()

    # the company's year: Beijing's new year comes before UTC's
    today = dt.datetime.now(ZoneInfo(company.timezone)).date()
    fiscalyear = set_fiscalyear_invoice_sequences(create_fiscalyear(
            company, (today.replace(month=1, day=1),
                today.replace(month=12, day=31))))
    fiscalyear.account_stock_method = 'continental'
    fiscalyear.save()
    invoice_sequence = fiscalyear.invoice_sequences[0].out_invoice_sequence
    invoice_sequence.prefix = f'FP{today.year}-'
    invoice_sequence.padding = 5
    invoice_sequence.save()
    fiscalyear.click('create_period')
    # last year too: the vans were stocked more than half a year ago
    last_year = set_fiscalyear_invoice_sequences(create_fiscalyear(
            company, (today.replace(year=today.year - 1, month=1, day=1),
                today.replace(year=today.year - 1, month=12, day=31))))
    last_year.account_stock_method = 'continental'
    last_year.save()
    last_year.click('create_period')

    # service_desk.product_category_spare_parts; 1901 as the stock IN and
    # OUT account takes the inventory gains and losses
    category, = Category.find([('name', '=', "Spare Parts")])
    category.accounting = True
    category.account_stock = accounts['1405']
    category.account_stock_in = accounts['1901']
    category.account_stock_out = accounts['1901']
    category.account_expense = accounts['5401']
    category.account_revenue = accounts['5001']
    category.save()

    # the hours of chargeable repairs, invoiced as 主营业务收入
    Template = Model.get('product.template')
    Uom = Model.get('product.uom')
    hour, = Uom.find([('name', '=', "Hour")])
    services = Category(
        name="Repair Services", accounting=True,
        account_expense=accounts['5401'], account_revenue=accounts['5001'])
    services.save()
    _chinese(config, 'product.category', {services.id: {'name': "维修服务"}})
    labour = Template(
        name="Repair Labour", code='SV-LABOUR', type='service',
        default_uom=hour, list_price=Decimal(120),
        account_category=services)
    labour.save()
    _chinese(config, 'product.template', {labour.id: {'name': "维修工时"}})

    # the accountant posts the invoices and closes the periods
    User = Model.get('res.user')
    Group = Model.get('res.group')
    accountant, = User.find([('login', '=', 'accountant')])
    accountant.groups.append(Group(ModelData.get_id(
                'account', 'group_account', config.context)))
    accountant.save()

    configuration = Configuration(1)
    configuration.labour_product = labour.products[0]
    configuration.parts_cost_account = accounts['5601']
    configuration.chargeable_parts_cost_account = accounts['5401']
    configuration.faulty_parts_account = accounts['1901']
    configuration.save()
    return accounts


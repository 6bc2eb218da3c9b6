# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Create a database with service_desk activated and the demo data.

The demo is a county (云溪县) whose schools and offices, spread over six
townships, run equipment installed by the company; one user per role of
the service department (R-ROLE-1..6) logs in with a known password.
"""
import argparse
import datetime as dt
import logging
import os
import random
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

from trytond.exceptions import UserWarning

from ..working_calendar import is_working_day

PASSWORD = 'service-demo'
ADMIN_PASSWORD = 'admin-demo'

# login: (name, access group)
USERS = {
    'manager': ("王经理 Wang Jun", "Service Manager"),
    'engineer': ("李工 Li Ming", "Service Technical Engineer"),
    'field': ("张师傅 Zhang Wei", "Service Field Engineer"),
    'field2': ("赵师傅 Zhao Lei", "Service Field Engineer"),
    'cs': ("刘客服 Liu Fang", "Service Customer Service"),
    'keeper': ("陈库管 Chen Jing", "Service Spare-Parts Keeper"),
    'accountant': ("孙会计 Sun Li", "Service Accountant"),
    }

TECHNICIANS = {'engineer', 'field', 'field2'}

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


def create_database(config_file, database):
    "Create the SQLite file and activate service_desk with zh_CN loaded"
    from trytond import config
    config.update_etc(config_file)
    path = config.get('database', 'path')
    os.makedirs(path, exist_ok=True)
    open(os.path.join(path, database + '.sqlite'), 'a').close()
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write(ADMIN_PASSWORD)
        passfile.flush()
        env = dict(os.environ, TRYTONPASSFILE=passfile.name)
        subprocess.run([
                'trytond-admin', '-c', config_file, '-d', database,
                '--all', '--email', 'admin@example.com'],
            env=env, check=True)
        subprocess.run([
                'trytond-admin', '-c', config_file, '-d', database,
                '-u', 'service_desk', 'timesheet', 'attendance',
                'stock_supply', 'account_invoice',
                'account_stock_continental',
                '--activate-dependencies',
                '-l', 'zh_CN'],
            env=env, check=True)


def load(config):
    "Load the demo records through proteus"
    from proteus import Model, Wizard

    rng = random.Random(2026)
    Lang = Model.get('ir.lang')
    zh, = Lang.find([('code', '=', 'zh_CN')])
    if not zh.translatable:
        zh.translatable = True
        zh.save()

    company = _create_company(Model, Wizard, config)
    _create_users(Model, company)
    _setup_warehouse(Model)
    products = _create_products(Model, config)
    _create_accounting(Model, company)
    areas = _create_areas(Model)
    _create_sites(Model, rng, company, areas, products)
    _create_tickets(Model, rng)
    _create_field_set_up(Model)
    _create_work_orders(Model, company)
    parts = _create_spare_parts(Model, config)
    _stock_spare_parts(Model, parts)
    _create_requisitions(Model, config, parts)
    _create_inspections(Model, areas)
    _create_inbox(Model, company)


def _create_company(Model, Wizard, config):
    Currency = Model.get('currency.currency')
    Party = Model.get('party.party')
    User = Model.get('res.user')
    cny = Currency(
        name="Chinese Yuan", code='CNY', symbol='¥', rounding=Decimal('0.01'),
        digits=2)
    cny.save()
    party = Party(name="云溪信息系统集成有限公司")
    address = party.addresses[0] if party.addresses else party.addresses.new()
    address.city = COUNTY[0]
    party.save()
    wizard = Wizard('company.company.config')
    wizard.execute('company')
    wizard.form.party = party
    wizard.form.currency = cny
    wizard.form.timezone = 'Asia/Shanghai'
    wizard.execute('add')
    config._context = User.get_preferences(True, {})
    company, = Model.get('company.company').find()
    return company


def _create_users(Model, company):
    User = Model.get('res.user')
    Group = Model.get('res.group')
    Party = Model.get('party.party')
    Employee = Model.get('company.employee')
    Company = Model.get('company.company')
    for login, (name, group_name) in USERS.items():
        group, = Group.find([('name', '=', group_name)])
        party = Party(name=name)
        party.save()
        employee = Employee(party=party, company=company)
        employee.service_technician = login in TECHNICIANS
        employee.save()
        user = User(login=login, name=name, password=PASSWORD)
        user.groups.append(group)
        user.companies.append(Company(company.id))
        user.company = Company(company.id)
        user.employees.append(employee)
        user.employee = employee
        user.save()


def _setup_warehouse(Model):
    "R-INFRA-1: the spare-parts warehouse is in the county town"
    Location = Model.get('stock.location')
    warehouse, = Location.find([('type', '=', 'warehouse')], limit=1)
    warehouse.name = "县城备件库 County Town Spare-Parts Warehouse"
    warehouse.code = 'YXWH'
    warehouse.save()


def _create_products(Model, config):
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
    with config.set_context(language='zh_CN'):
        templates = Template.find([])
        for template in templates:
            template.name = PRODUCTS[KINDS[template.code]][1]
        Template.save(templates)
    return {KINDS[t.code]: t.products[0] for t in Template.find([])}


def _create_areas(Model):
    Area = Model.get('service.area')
    county = Area(name=COUNTY[0], code=COUNTY[2], kind='county')
    for name, _, code in TOWNSHIPS:
        county.children.new(name=name, code=code, kind='township')
    county.save()
    return {a.code: a for a in county.children}


def _create_sites(Model, rng, company, areas, products):
    Party = Model.get('party.party')
    Site = Model.get('service.site')
    Equipment = Model.get('service.equipment')
    ContactMechanism = Model.get('party.contact_mechanism')
    today = dt.date.today()
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


TICKETS = [
    ('phone', 'repair', "投影仪无法开机 Projector does not power on"),
    ('phone', 'repair', "教室交互屏触摸失灵 Panel touch not working"),
    ('chat', 'repair', "校园网断网 Campus network down"),
    ('email', 'complaint', "维修人员未按约定时间到达 Engineer came late"),
    ('web', 'inquiry', "如何设置打印机共享 How to share a printer"),
    ('phone', 'suggestion', "希望增加周末值班 Weekend duty wanted"),
    ('fax', 'repair', "监控录像无法回放 Recorder playback fails"),
    ('walk_in', 'repair', "UPS 报警 UPS alarm"),
    ]


def _create_tickets(Model, rng):
    "A few tickets in every state, so the lists are not empty"
    Equipment = Model.get('service.equipment')
    Ticket = Model.get('service.ticket')
    equipment = Equipment.find([])
    now = dt.datetime.now().replace(microsecond=0)
    tickets = []
    for number, (channel, type_, subject) in enumerate(TICKETS * 3):
        item = rng.choice(equipment)
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


FAULT_CATEGORIES = [
    "电源故障 Power", "硬件故障 Hardware", "软件故障 Software",
    "网络故障 Network", "线路故障 Wiring", "人为损坏 Misuse",
    ]


def _create_field_set_up(Model):
    "Fault categories and the service vehicles (R-INFRA-1)"
    FaultCategory = Model.get('service.fault.category')
    Vehicle = Model.get('service.vehicle')
    FaultCategory.save([FaultCategory(name=n) for n in FAULT_CATEGORIES])
    Vehicle.save([
            Vehicle(name="服务车一号 Van 1", plate="川A·S1234"),
            Vehicle(name="服务车二号 Van 2", plate="川A·S5678"),
            ])


def _create_work_orders(Model, company):
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
        order.appointment_contact = "值班老师 Teacher on duty"
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
    "光明灯具厂 Guangming Lamp Works": ['lamp'],
    "蜀通电子配件有限公司 Shutong Electronic Parts": [
        'hdmi', 'rj45', 'adapter', 'battery', 'touch'],
    }


@contextmanager
def _as_user(Model, config, login):
    """Run the calls as the demo user of login; records must be
    instantiated inside to carry the user's context"""
    User = Model.get('res.user')
    user, = User.find([('login', '=', login)])
    saved = config.user, config._context
    config.user = user.id
    config._context = User.get_preferences(True, {})
    try:
        yield
    finally:
        config.user, config._context = saved


def _create_spare_parts(Model, config):
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
    codes = {t.id: c for t, c in zip(templates, PARTS, strict=True)}
    with config.set_context(language='zh_CN'):
        templates = Template.find([('id', 'in', list(codes))])
        for template in templates:
            template.name = PARTS[codes[template.id]][1]
        Template.save(templates)
    return {codes[t.id]: t.products[0] for t in templates}


def _stock_spare_parts(Model, parts):
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
    for number, van in enumerate(vans, 1):
        if not van.location:
            # In the warehouse, for its lost and found and its quotas
            location = Location(
                name=f"{van.plate or van.name} 车载备件", code=f'VAN{number}',
                type='storage', parent=warehouse)
            location.save()
            van.location = location
            van.save()
        inventory = Inventory(location=Location(van.location.id))
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


def _requisition_for(Model, kind, critical, lead, used):
    """Return what a requisition for equipment of kind is for: the first
    work order not yet used for such equipment, the lead's first, or else
    such equipment"""
    WorkOrder = Model.get('service.work_order')
    Equipment = Model.get('service.equipment')
    criticality = 'critical' if critical else 'normal'
    orders = WorkOrder.find([
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
        "投影仪灯泡烧坏，HDMI 线缆接口松动 "
        "Lamp burnt out, HDMI cable loose",
        [('lamp', 1, True), ('hdmi', 2, False)]),
    'critical': ('field', 'ups', True, 'urgent',
        "UPS 蓄电池鼓包，停电无法续航 "
        "UPS batteries swollen, no backup on a power cut",
        [('battery', 2, True)]),
    'back_order': ('field', 'ups', False, 'normal',
        "UPS 报警，整组蓄电池老化 UPS alarm: the battery set is worn out",
        [('battery', 3, True)]),
    'requested': ('field2', 'switch', False, 'normal',
        "交换机电源适配器损坏，需重做水晶头 "
        "Switch power adapter broken, connectors to redo",
        [('adapter', 1, False), ('rj45', 1, False)]),
    'manager': ('field', 'panel', False, 'normal',
        "触摸框损坏，整框更换 Touch frame broken, to be replaced",
        [('touch', 1, True)]),
    'rejected': ('field', 'projector', False, 'normal',
        "投影仪不亮，带两只灯泡备用 "
        "Projector dark, two lamps to be safe",
        [('lamp', 2, True)]),
    }


def _create_requisitions(Model, config, parts):
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
        link = _requisition_for(Model, kind, critical, leads[login], used)
        with _as_user(Model, config, login):
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

    with _as_user(Model, config, 'keeper'):
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
        faulty.fault_note = (
            "灯丝断裂，装上约两个月即损坏 "
            "Filament broken two months after it was fitted")
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
            "确需更换再领 1 只 Only 3 lamps are left and 2 are kept for "
            "critical equipment: check the power board first, then ask for "
            "one")
        rejected.click('reject')


def _create_inspections(Model, areas):
    """The semester inspection of two townships (R-INSP), started a month
    ago, with the checklists of every item and of the projectors"""
    Checklist = Model.get('service.inspection.checklist')
    Plan = Model.get('service.inspection.plan')
    Product = Model.get('product.product')
    User = Model.get('res.user')
    Area = Model.get('service.area')
    Employee = Model.get('company.employee')

    general = Checklist(name="通用检查 Every item")
    general.items.new(name="外观及电源线完好 Casing and power cable intact")
    general.items.new(
        name="设备运行状态 Running state", type='choice',
        choices="正常 Normal\n偶有故障 Occasional faults\n故障 Faulty",
        failing_choices="故障 Faulty")
    general.items.new(
        name="已除尘 Dust removed", phase='late', required=False)
    projectors = Checklist(name="投影仪 Projectors")
    projectors.products.extend(Product.find([
                ('code', '=', PRODUCT_CODES['projector'])]))
    projectors.items.new(
        name="灯泡亮度 Lamp brightness", type='number', min_value=300,
        unit="lux", phase='middle')
    projectors.items.new(
        name="灯泡使用时长 Lamp hours", type='number', max_value=3000,
        unit="h", phase='middle', required=False)
    Checklist.save([general, projectors])

    field, = User.find([('login', '=', 'field')])
    plan = Plan(name="2026 秋季学期巡检 Autumn semester inspection")
    plan.start_date = dt.date.today() - dt.timedelta(days=30)
    plan.areas.extend([Area(areas['BS'].id), Area(areas['QH'].id)])
    plan.inspectors.append(Employee(field.employee.id))
    plan.save()
    plan.click('generate')


def _create_inbox(Model, company):
    "The service mailbox: mail posted to its endpoint becomes tickets"
    Inbox = Model.get('inbound.email.inbox')
    inbox = Inbox(name="售后服务邮箱 Service mailbox")
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


def _create_accounting(Model, company):
    """R-PART-6, R-ROLE-6: a chart whose accounts a Chinese accountant
    recognises, this year in monthly periods valuing stock continuously:
    the parts stock in 1405, the warranty and contract repairs' parts on
    5601, the chargeable repairs' on 5401, faulty parts and inventory
    differences waiting in 1901"""
    AccountType = Model.get('account.account.type')
    Account = Model.get('account.account')
    AccountConfiguration = Model.get('account.configuration')
    ModelData = Model.get('ir.model.data')
    FiscalYear = Model.get('account.fiscalyear')
    SequenceStrict = Model.get('ir.sequence.strict')
    SequenceType = Model.get('ir.sequence.type')
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
    move_type = SequenceType(ModelData.get_id(
            'account', 'sequence_type_account_move', {}))
    invoice_type = SequenceType(ModelData.get_id(
            'account_invoice', 'sequence_type_account_invoice', {}))
    move_sequence = SequenceStrict(
        name=f"{today.year} 记账凭证", sequence_type=move_type,
        company=company)
    move_sequence.save()
    invoice_sequence = SequenceStrict(
        name=f"{today.year} 发票", sequence_type=invoice_type,
        company=company, prefix=f'FP{today.year}-', padding=5)
    invoice_sequence.save()
    fiscalyear = FiscalYear(
        name=f"{today.year} 年度", company=company,
        start_date=today.replace(month=1, day=1),
        end_date=today.replace(month=12, day=31),
        account_stock_method='continental', move_sequence=move_sequence)
    sequences, = fiscalyear.invoice_sequences
    sequences.out_invoice_sequence = invoice_sequence
    sequences.out_credit_note_sequence = invoice_sequence
    sequences.in_invoice_sequence = invoice_sequence
    sequences.in_credit_note_sequence = invoice_sequence
    fiscalyear.save()
    fiscalyear.click('create_period')

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
        name="维修服务 Repair Services", accounting=True,
        account_expense=accounts['5401'], account_revenue=accounts['5001'])
    services.save()
    labour = Template(
        name="维修工时 Repair Labour", code='SV-LABOUR', type='service',
        default_uom=hour, list_price=Decimal(120),
        account_category=services)
    labour.save()

    # the accountant posts the invoices and closes the periods
    User = Model.get('res.user')
    Group = Model.get('res.group')
    accountant, = User.find([('login', '=', 'accountant')])
    accountant.groups.append(Group(ModelData.get_id(
                'account', 'group_account', {})))
    accountant.save()

    configuration = Configuration(1)
    configuration.labour_product = labour.products[0]
    configuration.parts_cost_account = accounts['5601']
    configuration.chargeable_parts_cost_account = accounts['5401']
    configuration.faulty_parts_account = accounts['1901']
    configuration.save()
    return accounts


def summary(port):
    url = f'http://127.0.0.1:{port}/'
    lines = [
        '',
        f'service_desk is served at {url}',
        'Database: service_desk',
        f'  admin       / {ADMIN_PASSWORD}  (administrator)',
        ]
    for login, (name, group) in USERS.items():
        lines.append(f'  {login:<11} / {PASSWORD}  ({group}: {name})')
    lines.append('Stop with Ctrl-C.')
    print('\n'.join(lines), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--config')
    parser.add_argument('--database')
    parser.add_argument('--summary', action='store_true')
    parser.add_argument('--port', type=int, default=8000)
    args = parser.parse_args(argv)
    if args.summary:
        summary(args.port)
        return
    if not args.config or not args.database:
        parser.error("--config and --database are required")
    create_database(args.config, args.database)
    from proteus import config as pconfig
    # The demo's customers are fictitious: the notifications its tickets
    # send have no mail server to go to, which is not an error here.
    logging.getLogger('trytond.sendmail').setLevel(logging.CRITICAL)
    config = pconfig.set_trytond(
        database=args.database, config_file=args.config)
    load(config)
    print(f"Demo data loaded in {args.database}", file=sys.stderr)


if __name__ == '__main__':
    main()

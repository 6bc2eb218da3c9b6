# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Helpers for the proteus scenarios of service_desk."
from unittest import mock

from proteus import Model
from proteus.config import get_config

__all__ = ['ROLES', 'create_service_user', 'load_language', 'set_now']

# role: access group name (R-ROLE-1..6)
ROLES = {
    'manager': "Service Manager",
    'technical_engineer': "Service Technical Engineer",
    'field_engineer': "Service Field Engineer",
    'customer_service': "Service Customer Service",
    'parts_keeper': "Service Spare-Parts Keeper",
    'accountant': "Service Accountant",
    }

# roles sent to customer sites
TECHNICIAN_ROLES = {'technical_engineer', 'field_engineer'}


def create_service_user(login, role, company, language=None, config=None):
    "Create a user of the role, employee of the company"
    User = Model.get('res.user', config=config)
    Group = Model.get('res.group', config=config)
    Party = Model.get('party.party', config=config)
    Employee = Model.get('company.employee', config=config)
    Lang = Model.get('ir.lang', config=config)
    Company = Model.get('company.company', config=config)

    employee = Employee(party=Party(name=login.title()), company=company)
    employee.service_technician = role in TECHNICIAN_ROLES
    employee.party.save()
    employee.save()
    user = User(login=login, name=login.title())
    group, = Group.find([('name', '=', ROLES[role])])
    user.groups.append(group)
    user.companies.append(Company(company.id))
    user.company = Company(company.id)
    user.employees.append(Employee(employee.id))
    user.employee = Employee(employee.id)
    if language:
        user.language, = Lang.find([('code', '=', language)])
    user.save()
    return user


def load_language(code, config=None):
    "Make the language translatable and load the translations"
    Lang = Model.get('ir.lang', config=config or get_config())
    lang, = Lang.find([('code', '=', code)])
    lang.click('load_translations')
    return lang


def set_now(value, config=None):
    "Make tickets take value (naive UTC) as the current time"
    config = config or get_config()
    Ticket = config.pool.get('service.ticket')
    mock.patch.object(Ticket, '_now', return_value=value).start()

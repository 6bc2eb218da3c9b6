# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import re

from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.party.exceptions import InvalidPhoneNumber
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

PHONE_TYPES = {'phone', 'mobile', 'fax'}
# digits with the usual separators and an optional extension: letters are
# refused, where phonenumbers would read them as the keys of a keypad
PHONE_PATTERN = re.compile(
    r'^\+?[\d\s\-().,/]+(\s*(ext\.?|x)\s*\d+)?$', re.IGNORECASE)


class ContactMechanism(metaclass=PoolMeta):
    __name__ = 'party.contact_mechanism'

    @fields.depends('party', '_parent_party.addresses')
    def _phone_country_codes(self):
        yield from super()._phone_country_codes()
        yield self._default_phone_country()

    @classmethod
    def _default_phone_country(cls):
        "The country of the company, China when it has none"
        Company = Pool().get('company.company')
        company_id = Transaction().context.get('company')
        if company_id is not None and company_id >= 0:
            for address in Company(company_id).party.addresses:
                if address.country:
                    return address.country.code
        return 'CN'

    @classmethod
    def check_valid_phonenumber(cls, mechanisms, field_names=None):
        if not field_names or field_names & {'type', 'value'}:
            for mechanism in mechanisms:
                if (mechanism.type in PHONE_TYPES and mechanism.value
                        and not PHONE_PATTERN.match(mechanism.value)):
                    raise InvalidPhoneNumber(gettext(
                            'party.msg_invalid_phone_number',
                            phone=mechanism.value,
                            party=mechanism.party.rec_name))
        super().check_valid_phonenumber(mechanisms, field_names=field_names)

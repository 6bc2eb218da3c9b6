# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import re

from trytond.i18n import gettext
from trytond.model import fields
from trytond.modules.party.exceptions import InvalidPhoneNumber
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

try:
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat
except ImportError:
    phonenumbers = None

from .common import BoundedMixin

PHONE_TYPES = {'phone', 'mobile', 'fax'}
# digits with the usual separators and an optional extension: letters are
# refused, where phonenumbers would read them as the keys of a keypad
PHONE_PATTERN = re.compile(
    r'^\+?[\d\s\-().,/]+(\s*(ext\.?|x)\s*\d+)?$', re.IGNORECASE)
PHONE_SEPARATORS = re.compile(r'[\s\-().,/]')
# a local fixed-line number, dialled without the area code: 7 or 8 digits,
# neither a trunk prefix (0) nor a mobile number (1)
LOCAL_NUMBER = re.compile(r'^[2-9]\d{6,7}$')
# the fewest digits a search reads as part of a phone number
PHONE_SEARCH_DIGITS = 4


def phone_digits(value):
    "Return the digits of value written as a phone number, or None"
    if not value or not PHONE_PATTERN.match(value):
        return None
    digits = PHONE_SEPARATORS.sub('', value)
    return digits if digits.lstrip('+').isdigit() else None


def default_area_code():
    "The area code of the company's local numbers, without the trunk 0"
    Configuration = Pool().get('service.configuration')
    code = Configuration(1).phone_area_code
    return code.lstrip('0') if code else None


class ContactMechanism(BoundedMixin, metaclass=PoolMeta):
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

    @fields.depends(methods=['_phone_country_codes'])
    def _parse_phonenumber(self, value):
        """A local number is read with the company's default area code
        (R-CS-1): 5335003 is 0839-5335003"""
        phonenumber = super()._parse_phonenumber(value)
        if phonenumber is None and phonenumbers:
            digits = phone_digits(value)
            area_code = default_area_code()
            if digits and area_code and LOCAL_NUMBER.match(digits):
                try:
                    phonenumber = phonenumbers.parse(
                        f'0{area_code}{digits}',
                        self._default_phone_country())
                except NumberParseException:
                    return None
                if not phonenumbers.is_valid_number(phonenumber):
                    return None
        return phonenumber

    @classmethod
    def phone_compact(cls, value):
        """Return the number as kept in value_compact (E.164), or None when
        value is not a complete phone number"""
        if not phonenumbers or not phone_digits(value):
            return None
        phonenumber = cls()._parse_phonenumber(value)
        if phonenumber:
            return phonenumbers.format_number(
                phonenumber, PhoneNumberFormat.E164)

    @classmethod
    def phone_search_domain(cls, name, clause):
        """Return the domain finding the phone numbers that the operand of
        clause writes in any form, or None when it is not a number

        The numbers are kept in E.164 (value_compact): a complete number is
        searched in that form, a part of a number by its digits (without the
        trunk 0 when it starts with one)."""
        _, operator, operand, *extra = clause
        if (not isinstance(operand, str)
                or operator not in {'=', 'like', 'ilike'}):
            return None
        text = operand.strip('%')
        digits = phone_digits(text)
        if not digits or len(digits.lstrip('+')) < PHONE_SEARCH_DIGITS:
            return None
        compact = cls.phone_compact(text)
        if compact:
            value = compact
        elif digits.startswith('+'):
            value = digits
        else:
            value = digits[1:] if digits.startswith('0') else digits
        if operator == '=':
            if not compact:
                return None
            operand = value
        elif operand.startswith('%') or not compact:
            operand = f'%{value}%'
        else:
            operand = f'{value}%'
        return [
            ('type', 'in', sorted(PHONE_TYPES)),
            ('value_compact', 'like', operand),
            ]

    @classmethod
    def search_rec_name(cls, name, clause):
        domain = super().search_rec_name(name, clause)
        phone = cls.phone_search_domain(name, clause)
        if phone:
            domain = ['OR', domain, phone]
        return domain

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

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tickets from e-mail (R-CS-1, R-INFRA-2)

A message creates a ticket, unless it answers one: the ticket number in the
subject, or In-Reply-To/References naming a message already in a ticket's
thread, appends it to that thread.  A Message-ID already stored creates
nothing.  The message is parsed completely before anything is written, and
a message that cannot be read leaves its error on the inbound e-mail.
"""
import email
import re
from email.policy import default as default_policy
from email.utils import getaddresses, parseaddr

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval

# GB2312 labels often carry GBK characters: read them with the superset.
CHARSET_ALIASES = {
    'gb2312': 'gb18030',
    'gbk': 'gb18030',
    'x-gbk': 'gb18030',
    'cp936': 'gb18030',
    }
NUMBER = re.compile(r'[A-Za-z]*\d{6,}')
TICKET_ACTION = 'service.ticket|from_inbound_email'


class MessageError(Exception):
    pass


def _decode(part):
    payload = part.get_payload(decode=True) or b''
    charset = (part.get_content_charset() or 'utf-8').lower()
    charset = CHARSET_ALIASES.get(charset, charset)
    try:
        return payload.decode(charset)
    except LookupError as exception:
        raise MessageError(gettext(
                'service_desk.msg_email_charset', charset=charset)
            ) from exception
    except UnicodeDecodeError:
        return payload.decode(charset, errors='replace')


def _header(message, name):
    value = message.get(name)
    if value is None:
        return ''
    try:
        return str(value).strip()
    except (UnicodeError, LookupError):
        return message.get(name).encode(
            'ascii', errors='replace').decode()


def parse(data):
    "Return the values of a raw message needed for a ticket"
    if isinstance(data, str):
        data = data.encode('utf-8')
    message = email.message_from_bytes(data, policy=default_policy)
    if message.defects and not message.keys():
        raise MessageError(gettext('service_desk.msg_email_malformed'))
    _, from_ = parseaddr(_header(message, 'From'))
    if not from_ or '@' not in from_:
        raise MessageError(gettext('service_desk.msg_email_no_sender'))
    text, html, attachments = None, None, []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        content_type = part.get_content_type()
        if disposition == 'attachment' or (
                disposition == 'inline' and part.get_filename()):
            attachments.append({
                    'name': part.get_filename() or 'attachment',
                    'data': part.get_payload(decode=True) or b'',
                    })
        elif content_type == 'text/plain' and text is None:
            text = _decode(part)
        elif content_type == 'text/html' and html is None:
            html = _decode(part)
    if text is None and html is not None:
        text = re.sub(r'<[^>]+>', ' ', html)
    references = ' '.join(
        _header(message, h) for h in ['In-Reply-To', 'References'])
    return {
        'message_id': _header(message, 'Message-ID') or None,
        'from': from_.lower(),
        'name': parseaddr(_header(message, 'From'))[0],
        'subject': _header(message, 'Subject'),
        'text': (text or '').strip(),
        'attachments': attachments,
        'references': re.findall(r'<[^>]+>', references),
        'to': [a for _, a in getaddresses(message.get_all('To', []))],
        }


class Email(metaclass=PoolMeta):
    __name__ = 'inbound.email'

    error = fields.Text("Error", readonly=True)


class Rule(metaclass=PoolMeta):
    __name__ = 'inbound.email.rule'

    service_company = fields.Many2One(
        'company.company', "Company",
        states={
            'invisible': Eval('action') != TICKET_ACTION,
            'required': Eval('action') == TICKET_ACTION,
            },
        help="The company of the tickets created from the e-mails.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.action.selection.append((TICKET_ACTION, "Create Service Ticket"))


class Ticket(metaclass=PoolMeta):
    __name__ = 'service.ticket'

    unknown_sender = fields.Char(
        "Unknown Sender", readonly=True,
        help="The e-mail address of a sender no customer has: link the "
        "ticket to its customer.")

    @classmethod
    def from_inbound_email(cls, email_, rule):
        pool = Pool()
        Message = pool.get('ir.chat.message')
        try:
            values = parse(email_.data)
        except MessageError as exception:
            email_.error = str(exception)
            return None
        email_.error = None

        if values['message_id']:
            known = Message.search([
                    ('reference', '=', values['message_id']),
                    ], limit=1)
            if known:
                return cls._thread_ticket(known[0])

        ticket = cls._replied_ticket(values)
        if ticket:
            cls._post_email(ticket, values)
            return ticket
        ticket = cls._ticket_from_email(values, rule.service_company)
        ticket.save()
        cls._post_email(ticket, values)
        cls._attach_email(ticket, values)
        return ticket

    @classmethod
    def _thread_ticket(cls, message):
        resource = message.channel.resource
        if resource and resource.__name__ == cls.__name__:
            return resource

    @classmethod
    def _replied_ticket(cls, values):
        pool = Pool()
        Message = pool.get('ir.chat.message')
        if values['references']:
            for message in Message.search([
                        ('reference', 'in', values['references']),
                        ]):
                ticket = cls._thread_ticket(message)
                if ticket:
                    return ticket
        numbers = NUMBER.findall(values['subject'])
        if numbers:
            tickets = cls.search([('number', 'in', numbers)], limit=1)
            if tickets:
                return tickets[0]

    @classmethod
    def _ticket_from_email(cls, values, company):
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        Site = pool.get('service.site')
        contacts = ContactMechanism.search([
                ('type', '=', 'email'),
                ('value', 'ilike', values['from']),
                ], limit=1)
        ticket = cls(
            company=company,
            channel='email',
            type='repair',
            subject=values['subject'][:250] or values['from'],
            description=values['text'],
            )
        if contacts:
            contact, = contacts
            ticket.contact = contact
            ticket.party = contact.party
            sites = Site.search([
                    ('party', '=', contact.party.id),
                    ('company', '=', company.id),
                    ], limit=2)
            if len(sites) == 1:
                ticket.site, = sites
        else:
            ticket.unknown_sender = values['from']
        ticket.priority = ticket.on_change_with_priority()
        return ticket

    @classmethod
    def _post_email(cls, ticket, values):
        pool = Pool()
        Channel = pool.get('ir.chat.channel')
        Message = pool.get('ir.chat.message')
        message = Message(
            channel=Channel._get_channel(ticket),
            email=values['from'],
            audience='public',
            content=values['text'] or values['subject'],
            reference=values['message_id'])
        message.save()

    @classmethod
    def _attach_email(cls, ticket, values):
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        Attachment.save([
                Attachment(
                    resource=ticket, name=a['name'], type='data',
                    data=a['data'])
                for a in values['attachments']])

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tickets from e-mail (R-CS-1, R-CS-7, R-INFRA-2)

A message creates a ticket, unless it answers one: In-Reply-To/References
naming a message already in a ticket's thread, or the ticket number in the
subject when the sender is a known contact of the ticket's customer or of
the company, appends it to that thread.  A stranger naming a ticket gets a
new ticket flagged as unknown sender and linked to the one it names.

Every message posted is stored: a message that cannot be read keeps its
error and shows in the "To check" list, an automatic message (auto-reply,
bounce, bulk) is kept as ignored with the reason and never answered, and a
Message-ID is taken once per inbox by a unique index (a second copy,
even posted at the same time, is a duplicate).  The message is parsed
completely before anything is written.
"""
import codecs
import email
import re
from email.errors import MissingHeaderBodySeparatorDefect
from email.header import decode_header
from email.policy import compat32
from email.utils import getaddresses, parseaddr
from functools import wraps

import lxml.etree
import lxml.html
from charset_normalizer import from_bytes
from sql import Conflict
from sql.conditionals import Coalesce
from sql.functions import CurrentTimestamp
from werkzeug.exceptions import RequestEntityTooLarge

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import escape_wildcard
from trytond.transaction import Transaction

# Labels whose characters are commonly a subset of what is sent: read them
# with the superset (GBK characters in "GB2312" mail, cp950 characters in
# "Big5" mail).
CHARSET_ALIASES = {
    'gb2312': 'gb18030',
    'gb_2312': 'gb18030',
    'gb_2312-80': 'gb18030',
    'euc-cn': 'gb18030',
    'euc_cn': 'gb18030',
    'gbk': 'gb18030',
    'x-gbk': 'gb18030',
    'cp936': 'gb18030',
    'big5': 'big5hkscs',
    'big-5': 'big5hkscs',
    'x-big5': 'big5hkscs',
    'cp950': 'big5hkscs',
    }
# Python codecs which are not character sets of text
NOT_CHARSETS = {
    'punycode', 'idna', 'raw-unicode-escape', 'unicode-escape', 'rot-13',
    'undefined', 'mbcs', 'oem', 'utf-7',
    }
NUMBER = re.compile(r'[A-Za-z]*\d{6,}')
TICKET_ACTION = 'service.ticket|from_inbound_email'
ROBOT_PRECEDENCES = {'bulk', 'junk', 'list', 'auto_reply'}
ROBOT_SENDERS = {'mailer-daemon', 'postmaster'}
ROBOT_SUBJECT = re.compile(
    r'^\s*(?:\[[^\]]*\]\s*)?'
    r'(?:自动回复|自動回覆|自動回復|自动答复|自動答覆|自动应答|休假自动回复'
    r'|auto(?:matic)?[ _-]?reply|auto(?:matic)?[ _-]?response'
    r'|out of (?:the )?office|系统退信|退信)'
    r'|(?:的自动回复|的自動回覆)\s*$',
    re.IGNORECASE)
BLOCKS = (
    'p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table',
    'blockquote', 'pre', 'ul', 'ol', 'section', 'article', 'header',
    'footer', 'address', 'hr', 'dt', 'dd')
HEADER_LINE = re.compile(rb'^[!-9;-~]+:')
META_CHARSET = re.compile(r'charset\s*=\s*["\']?([\w.:-]+)', re.IGNORECASE)


class MessageError(Exception):
    pass


def clean(text):
    "The text without the NUL characters no database text column takes"
    if text is None:
        return None
    return text.replace('\x00', '')


def _codec(label):
    "The name of the Python codec reading the charset label, or None"
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode('ascii', 'replace')
    label = str(label).strip().strip('"\'').lower()
    label = CHARSET_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if not getattr(info, '_is_text_encoding', True):
        return None
    name = info.name.replace('_', '-')
    if name in NOT_CHARSETS:
        return None
    return CHARSET_ALIASES.get(name, info.name)


def decode_bytes(data, *charsets):
    """Text of the bytes in UTF-8 when they are valid UTF-8, else in the
    first charset given that reads them, else as charset-normalizer detects
    them, else GB18030 with replacement characters."""
    if not data:
        return ''
    tried = set()
    for charset in ['utf-8', *(_codec(c) for c in charsets)]:
        if not charset or charset in tried:
            continue
        tried.add(charset)
        try:
            return data.decode(charset)
        except (UnicodeError, LookupError, ValueError, TypeError):
            continue
    best = from_bytes(data).best()
    if best is not None:
        charset = _codec(best.encoding)
        if charset:
            try:
                return data.decode(charset)
            except (UnicodeError, LookupError, ValueError):
                pass
    return data.decode('gb18030', errors='replace')


def decode_header_value(value, *charsets):
    """Text of a raw header: adjacent encoded-words of one charset are
    joined before decoding, raw 8-bit bytes are read like a body"""
    if value is None:
        return ''
    if not isinstance(value, str):
        value = str(value)
    value = re.sub(r'\r?\n[ \t]', ' ', value)
    try:
        chunks = decode_header(value)
    except Exception:
        chunks = [(value, None)]
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            try:
                chunk = chunk.encode('ascii', 'surrogateescape')
            except UnicodeEncodeError:
                # already text, as RFC 2231 parameters are given
                parts.append(chunk)
                continue
        parts.append(decode_bytes(chunk, charset, *charsets))
    return clean(''.join(parts)).strip()


def html_to_text(html):
    "The text a reader sees in the HTML: no script or style, entities read"
    if not html or not html.strip():
        return ''
    try:
        document = lxml.html.document_fromstring(html)
    except ValueError:
        # an XML declaration with an encoding in a str
        html = re.sub(r'^\s*<\?xml[^>]*>', '', html)
        try:
            document = lxml.html.document_fromstring(html)
        except (ValueError, lxml.etree.ParserError):
            return ''
    except lxml.etree.ParserError:
        return ''
    for element in document.xpath('//script|//style|//head|//title'):
        element.drop_tree()
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        element.text = _spaces(element.text)
        element.tail = _spaces(element.tail)
        if element.tag == 'br':
            element.tail = '\n' + (element.tail or '')
        elif element.tag in BLOCKS:
            element.text = '\n' + (element.text or '')
            element.tail = '\n' + (element.tail or '')
    return _tidy(document.text_content())


def _spaces(text):
    return re.sub(r'[ \t\r\n\f]+', ' ', text) if text else text


def _tidy(text):
    "One line for each line the reader sees, without blank lines"
    lines = (line.strip() for line in text.replace('\xa0', ' ').splitlines())
    return '\n'.join(line for line in lines if line)


def _meta_charset(payload):
    "The charset named by the <meta> of an HTML document given as bytes"
    try:
        document = lxml.html.document_fromstring(payload)
    except (ValueError, lxml.etree.ParserError):
        return None
    for meta in document.iter('meta'):
        if meta.get('charset'):
            return meta.get('charset')
        if (meta.get('http-equiv') or '').lower() == 'content-type':
            match = META_CHARSET.search(meta.get('content') or '')
            if match:
                return match.group(1)


def _headers(message):
    "Raw header values of the message by lower-case name"
    headers = {}
    for name, value in message.raw_items():
        headers.setdefault(name.strip().lower(), []).append(value)
    return headers


def _first(headers, name, *charsets):
    values = headers.get(name.lower())
    if not values:
        return ''
    return decode_header_value(values[0], *charsets)


def _body_charsets(message):
    "The charsets the message's parts declare, for raw 8-bit headers"
    charsets = []
    for part in message.walk():
        charset = part.get_param('charset')
        if isinstance(charset, tuple):
            charset = charset[2]
        if charset and charset not in charsets:
            charsets.append(charset)
    return charsets


def _text_of(part):
    payload = part.get_payload(decode=True) or b''
    if not isinstance(payload, bytes):
        payload = str(payload).encode('utf-8', 'surrogateescape')
    return decode_bytes(payload, part.get_content_charset())


def _html_of(part):
    payload = part.get_payload(decode=True) or b''
    if not isinstance(payload, bytes):
        payload = str(payload).encode('utf-8', 'surrogateescape')
    charset = part.get_content_charset() or _meta_charset(payload)
    html = decode_bytes(payload, charset)
    # the <meta> of a decoded document must not be applied again
    return html_to_text(html)


def _filename(part, charsets):
    name = part.get_filename()
    if name:
        return decode_header_value(name, *charsets)


class _Body:
    "What the parts of a message hold"

    def __init__(self):
        self.text = None
        self.html = None
        self.attachments = []
        self.forwards = []


def _walk(part, body, charsets):
    content_type = part.get_content_type()
    if content_type == 'message/rfc822':
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if inner is not None:
            body.forwards.append(inner)
        return
    if part.is_multipart():
        for sub in part.get_payload():
            _walk(sub, body, charsets)
        return
    disposition = part.get_content_disposition()
    filename = _filename(part, charsets)
    if (disposition == 'attachment' or filename
            or content_type not in {'text/plain', 'text/html'}):
        data = part.get_payload(decode=True) or b''
        if not isinstance(data, bytes):
            data = str(data).encode('utf-8', 'surrogateescape')
        body.attachments.append({
                'name': clean(filename) or 'attachment',
                'data': data,
                })
    elif content_type == 'text/html':
        if body.html is None:
            body.html = _html_of(part)
    else:
        text = _text_of(part)
        body.text = text if body.text is None else f'{body.text}\n{text}'


def robot(message, headers, sender, subject):
    """The reason why the message was written by a program, as
    (key, detail), or None"""
    auto_submitted = _first(headers, 'Auto-Submitted').split(';')[0]
    if auto_submitted and auto_submitted.strip().lower() != 'no':
        return 'auto_submitted', f'Auto-Submitted: {auto_submitted.strip()}'
    for name in ['X-Autoreply', 'X-Autorespond']:
        if name.lower() in headers:
            return 'autoreply', f'{name}: {_first(headers, name)}'.strip()
    precedence = _first(headers, 'Precedence').strip().lower()
    if precedence in ROBOT_PRECEDENCES:
        return 'precedence', f'Precedence: {precedence}'
    if message.get_content_type() == 'multipart/report':
        report_type = message.get_param('report-type') or ''
        return 'report', f'multipart/report {report_type}'.strip()
    local = sender.split('@')[0].lower()
    if local in ROBOT_SENDERS:
        return 'mailer_daemon', sender
    if ROBOT_SUBJECT.search(subject):
        return 'subject', subject


def _message_id(raw):
    raw = clean(raw or '').strip()
    match = re.search(r'<[^<>\s]+>', raw)
    return (match.group(0) if match else raw)[:250] or None


def _forward_text(message, charsets):
    "The forwarded message quoted, with its own headers"
    headers = _headers(message)
    own = _body_charsets(message) + list(charsets)
    body = _Body()
    _walk(message, body, own)
    text = body.text if body.text and body.text.strip() else body.html
    lines = [gettext('service_desk.msg_email_forwarded')]
    for name in ['From', 'Date', 'Subject', 'To']:
        value = _first(headers, name, *own)
        if value:
            lines.append(f'{name}: {value}')
    lines.append('')
    lines.extend((text or '').strip().splitlines())
    return '\n'.join('> ' + line if line else '>' for line in lines)


def _eml(message, subject):
    try:
        data = message.as_bytes(policy=compat32)
    except Exception:
        data = str(message).encode('utf-8', 'surrogateescape')
    name = re.sub(r'[\\/:*?"<>|\r\n\t]+', '_', subject or '').strip()
    return {'name': f'{name[:100] or "forwarded"}.eml', 'data': data}


def _skip_broken_headers(data):
    head, sep, body = _split_head(data)
    lines = re.split(rb'(?<=\n)', head)
    kept = [line for line in lines
        if HEADER_LINE.match(line) or line[:1] in {b' ', b'\t'}]
    return b''.join(kept) + sep + body


def _split_head(data):
    parts = re.split(rb'(\r?\n\r?\n)', data, maxsplit=1)
    if len(parts) < 3:
        return data, b'', b''
    return parts[0], parts[1], parts[2]


def parse(data):
    "Return the values of a raw message needed for a ticket"
    if isinstance(data, str):
        data = data.encode('utf-8', 'surrogateescape')
    message = email.message_from_bytes(data or b'', policy=compat32)
    if any(isinstance(d, MissingHeaderBodySeparatorDefect)
            for d in message.defects):
        # a line without colon among the headers: skip it, not the rest
        message = email.message_from_bytes(
            _skip_broken_headers(data), policy=compat32)
    headers = _headers(message)
    if not headers:
        raise MessageError(gettext('service_desk.msg_email_malformed'))
    charsets = _body_charsets(message)
    raw_from = decode_header_value(
        (headers.get('from') or [''])[0], *charsets)
    name, from_ = parseaddr(raw_from)
    from_ = clean(from_).strip().lower()
    subject = _first(headers, 'Subject', *charsets)
    robot_reason = robot(message, headers, from_, subject)
    if (not from_ or '@' not in from_ or ' ' in from_) and not robot_reason:
        raise MessageError(gettext('service_desk.msg_email_no_sender'))
    body = _Body()
    _walk(message, body, charsets)
    text = body.text if body.text and body.text.strip() else body.html
    text = clean(text or '').strip()
    attachments = body.attachments
    for forward in body.forwards:
        forward_subject = decode_header_value(
            (_headers(forward).get('subject') or [''])[0],
            *_body_charsets(forward), *charsets)
        attachments.append(_eml(forward, forward_subject))
        quoted = _forward_text(forward, charsets)
        text = f'{text}\n\n{quoted}' if text else quoted
    references = ' '.join(
        _first(headers, h) for h in ['In-Reply-To', 'References'])
    try:
        to = [a for _, a in getaddresses([_first(headers, 'To')])]
    except Exception:
        to = []
    return {
        'message_id': _message_id(_first(headers, 'Message-ID')),
        'from': from_,
        'name': clean(name),
        'subject': subject,
        'text': text,
        'attachments': attachments,
        'references': re.findall(r'<[^<>\s]+>', references),
        'to': to,
        'robot': robot_reason,
        }


class Email(metaclass=PoolMeta):
    __name__ = 'inbound.email'

    error = fields.Text("Error", readonly=True)
    service_status = fields.Selection([
            (None, ""),
            ('ticket', "New Ticket"),
            ('thread', "Added to Ticket"),
            ('duplicate', "Already Received"),
            ('ignored', "Ignored"),
            ('error', "To Check"),
            ], "Service Status", readonly=True, sort=False)
    ignored_reason = fields.Selection([
            (None, ""),
            ('auto_submitted', "Automatic message (Auto-Submitted)"),
            ('autoreply', "Auto-reply header"),
            ('precedence', "Bulk or list mail (Precedence)"),
            ('report', "Delivery status report"),
            ('mailer_daemon', "Mail system sender"),
            ('subject', "Auto-reply subject"),
            ], "Ignored Reason", readonly=True, sort=False,
        states={
            'invisible': Eval('service_status') != 'ignored',
            })
    ignored_detail = fields.Char(
        "Ignored Detail", readonly=True,
        states={
            'invisible': Eval('service_status') != 'ignored',
            })
    message_id = fields.Char("Message-ID", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (
                        t.service_status,
                        Index.Equality(cardinality='low'))),
                })

    def as_dict(self):
        "The values of the rules, even when the message is broken"
        try:
            return super().as_dict()
        except Exception as exception:
            try:
                values = parse(self.data)
            except Exception:
                self.error = clean(gettext(
                        'service_desk.msg_email_unreadable',
                        error=f'{type(exception).__name__}: {exception}'))
                self.service_status = 'error'
                return {}
            return {
                'from': values['from'],
                'to': values['to'],
                'subject': values['subject'],
                'text': values['text'],
                'attachments': [
                    {'filename': a['name'], 'data': a['data']}
                    for a in values['attachments']],
                'headers': {},
                }


class Inbox(metaclass=PoolMeta):
    __name__ = 'inbound.email.inbox'

    refused_count = fields.Integer(
        "Refused Messages", readonly=True,
        help="The number of messages refused because they were too large.")

    @classmethod
    def default_refused_count(cls):
        return 0

    def process(self, email_):
        "Process the e-mail; when that fails keep it with the error"
        transaction = Transaction()
        connection = transaction.connection
        cursor = connection.cursor()
        if (backend.name == 'sqlite'
                and not getattr(connection, 'in_transaction', True)):
            # a SAVEPOINT outside a transaction would commit at RELEASE
            cursor.execute('BEGIN IMMEDIATE')
        cursor.execute('SAVEPOINT service_inbound_email')
        try:
            super().process(email_)
        except backend.DatabaseOperationalError:
            raise
        except Exception as exception:
            cursor.execute('ROLLBACK TO SAVEPOINT service_inbound_email')
            email_.rule = None
            email_.result = None
            email_.service_status = 'error'
            email_.error = clean(gettext(
                    'service_desk.msg_email_unreadable',
                    error=f'{type(exception).__name__}: {exception}'))
        else:
            cursor.execute('RELEASE SAVEPOINT service_inbound_email')

    @classmethod
    def count_refused(cls, identifier):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.refused_count],
                [Coalesce(table.refused_count, 0) + 1],
                where=table.identifier == identifier))


def refuse_oversized(endpoint):
    """Wrap the inbound e-mail route: a message over the size is refused
    with a clear answer and counted on its inbox"""
    from trytond.protocols.wrappers import with_pool, with_transaction

    @with_pool
    @with_transaction()
    def count(request, pool, identifier):
        Inbox = pool.get('inbound.email.inbox')
        Inbox.count_refused(identifier)
        return gettext(
            'service_desk.msg_email_too_large',
            size=request.content_length, max_size=endpoint.max_request_size)

    @wraps(endpoint)
    def wrapper(request, database_name, identifier):
        max_size = getattr(endpoint, 'max_request_size', None)
        if max_size and (request.content_length or 0) > max_size:
            # read what the sender sends so that it gets the answer
            stream = request.environ['wsgi.input']
            left = request.content_length
            while left > 0:
                chunk = stream.read(min(left, 1 << 20))
                if not chunk:
                    break
                left -= len(chunk)
            description = count(request, database_name, identifier)
            raise RequestEntityTooLarge(description=description)
        return endpoint(request, database_name, identifier)
    return wrapper


def install_size_guard():
    from trytond.wsgi import app
    for rule in app.url_map.iter_rules():
        if (rule.rule == '/<database_name>/inbound_email/inbox/<identifier>'
                and not getattr(rule.endpoint, 'service_desk', False)):
            endpoint = refuse_oversized(rule.endpoint)
            endpoint.service_desk = True
            # werkzeug looks the rule up by its endpoint too
            rules = app.url_map._rules_by_endpoint
            rules[endpoint] = rules.get(rule.endpoint, [rule])
            rule.endpoint = endpoint


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


class TicketEmail(ModelSQL):
    "The Message-IDs taken by tickets, once per inbox"
    __name__ = 'service.ticket.email'

    inbox = fields.Many2One(
        'inbound.email.inbox', "Inbox", required=True, ondelete='CASCADE')
    message_id = fields.Char("Message-ID", required=True)
    ticket = fields.Many2One('service.ticket', "Ticket", ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('inbox_message_id_unique', Unique(t, t.inbox, t.message_id),
                'service_desk.msg_ticket_email_unique'),
            ]

    @classmethod
    def claim(cls, inbox, message_id):
        """Take the Message-ID for the inbox; False when another message
        (even one being processed at the same time) took it: the unique
        index decides, not a search."""
        transaction = Transaction()
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        cursor.execute(*table.insert(
                [table.inbox, table.message_id, table.create_uid,
                    table.create_date],
                [[inbox.id, message_id, transaction.user,
                        CurrentTimestamp()]],
                on_conflict=Conflict(table)))
        return cursor.rowcount == 1

    @classmethod
    def taken(cls, inbox, message_id):
        records = cls.search([
                ('inbox', '=', inbox.id),
                ('message_id', '=', message_id),
                ], limit=1)
        return records[0] if records else None


class Ticket(metaclass=PoolMeta):
    __name__ = 'service.ticket'

    unknown_sender = fields.Char(
        "Unknown Sender", readonly=True,
        help="The e-mail address of a sender no customer has: link the "
        "ticket to its customer.")
    email_referenced_ticket = fields.Many2One(
        'service.ticket', "Referenced Ticket", readonly=True,
        states={
            'invisible': ~Eval('email_referenced_ticket'),
            },
        help="The ticket whose number an unknown sender wrote in the "
        "subject: the mail was not added to its thread.")

    @classmethod
    def from_inbound_email(cls, email_, rule):
        pool = Pool()
        Configuration = pool.get('ir.configuration')
        with Transaction().set_context(
                language=Configuration.get_language()):
            return cls._from_inbound_email(email_, rule)

    @classmethod
    def _from_inbound_email(cls, email_, rule):
        pool = Pool()
        TicketEmail = pool.get('service.ticket.email')
        try:
            values = parse(email_.data)
        except MessageError as exception:
            email_.error = clean(str(exception))
            email_.service_status = 'error'
            return None
        except Exception as exception:
            email_.error = clean(gettext(
                    'service_desk.msg_email_unreadable',
                    error=f'{type(exception).__name__}: {exception}'))
            email_.service_status = 'error'
            return None
        email_.error = None
        email_.message_id = values['message_id']
        if values['robot']:
            email_.service_status = 'ignored'
            email_.ignored_reason, detail = values['robot']
            email_.ignored_detail = clean(detail)[:250]
            return None

        receipt = None
        if values['message_id']:
            if not TicketEmail.claim(email_.inbox, values['message_id']):
                email_.service_status = 'duplicate'
                taken = TicketEmail.taken(email_.inbox, values['message_id'])
                return taken.ticket if taken else None
            receipt = TicketEmail.taken(email_.inbox, values['message_id'])

        ticket, referenced = cls._replied_ticket(values, rule)
        if ticket:
            email_.service_status = 'thread'
            cls._post_email(ticket, values)
            cls._attach_email(ticket, values)
        else:
            email_.service_status = 'ticket'
            ticket = cls._ticket_from_email(values, rule.service_company)
            if referenced:
                ticket.unknown_sender = values['from']
                ticket.email_referenced_ticket = referenced
            ticket.save()
            cls._post_email(ticket, values)
            cls._attach_email(ticket, values)
        if receipt:
            receipt.ticket = ticket
            receipt.save()
        return ticket

    @classmethod
    def _thread_ticket(cls, message):
        resource = message.channel.resource
        if resource and resource.__name__ == cls.__name__:
            return resource

    @classmethod
    def _replied_ticket(cls, values, rule=None):
        """The ticket the message answers and, when the sender may not
        write in it, the ticket it names"""
        pool = Pool()
        Message = pool.get('ir.chat.message')
        if values['references']:
            for message in Message.search([
                        ('reference', 'in', values['references']),
                        ]):
                ticket = cls._thread_ticket(message)
                if ticket:
                    return ticket, None
        numbers = NUMBER.findall(values['subject'])
        if numbers:
            domain = [('number', 'in', numbers)]
            if rule and rule.service_company:
                domain.append(('company', '=', rule.service_company.id))
            tickets = cls.search(domain, limit=1)
            if tickets:
                ticket, = tickets
                if cls._known_email_sender(ticket, values['from']):
                    return ticket, None
                return None, ticket
        return None, None

    @classmethod
    def _email_contacts(cls, address, parties=None):
        "The e-mail contact mechanisms of exactly that address"
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        domain = [
            ('type', '=', 'email'),
            ('value', 'ilike', escape_wildcard(address)),
            ]
        if parties is not None:
            domain.append(('party', 'in', [p.id for p in parties]))
        return [c for c in ContactMechanism.search(domain)
            if (c.value or '').strip().lower() == address]

    @classmethod
    def _known_email_sender(cls, ticket, address):
        parties = [ticket.company.party]
        if ticket.party:
            parties.append(ticket.party)
        if cls._email_contacts(address, parties):
            return True
        contacts = []
        if ticket.contact:
            contacts.append(ticket.contact)
        if ticket.site:
            contacts.extend(getattr(ticket.site, 'contacts', None) or [])
        return any(
            (c.value or '').strip().lower() == address
            for c in contacts if c.type == 'email')

    @classmethod
    def _email_subject(cls, values):
        if values['subject']:
            return values['subject'][:250]
        if values['text']:
            return gettext(
                'service_desk.msg_email_no_subject', sender=values['from'])
        if values['attachments']:
            return gettext(
                'service_desk.msg_email_attachments_only',
                sender=values['from'],
                names=', '.join(a['name'] for a in values['attachments'])
                )[:250]
        return gettext('service_desk.msg_email_empty', sender=values['from'])

    @classmethod
    def _ticket_from_email(cls, values, company):
        pool = Pool()
        Site = pool.get('service.site')
        contacts = cls._email_contacts(values['from'])
        ticket = cls(
            company=company,
            channel='email',
            type='repair',
            subject=clean(cls._email_subject(values)),
            description=clean(values['text']),
            )
        if contacts:
            contact = contacts[0]
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
        content = (values['text'] or values['subject']
            or cls._email_subject(values))
        message = Message(
            channel=Channel._get_channel(ticket),
            email=values['from'],
            audience='public',
            content=clean(content),
            reference=values['message_id'])
        message.save()

    @classmethod
    def _attach_email(cls, ticket, values):
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        Attachment.save([
                Attachment(
                    resource=ticket, name=clean(a['name'])[:250], type='data',
                    data=a['data'])
                for a in values['attachments']])


install_size_guard()

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
import datetime as dt
import email
import email.message
import email.utils
import hashlib
import io
import re
import unicodedata
from email.errors import MissingHeaderBodySeparatorDefect
from email.header import decode_header
from email.policy import compat32
from email.utils import getaddresses
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

from .common import BoundedMixin

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
    'undefined', 'mbcs', 'oem',
    }
# 7-bit encodings whose escapes are plain ASCII, so valid UTF-8: read
# with them first when the part says so
SEVEN_BIT = {
    'utf-7': ['utf-7'],
    'hz': ['hz'],
    'iso2022_jp': ['iso2022_jp_2', 'iso2022_jp_ext', 'iso2022_jp_3'],
    'iso2022_jp_1': ['iso2022_jp_2', 'iso2022_jp_ext'],
    'iso2022_jp_2': ['iso2022_jp_2', 'iso2022_jp_ext'],
    'iso2022_jp_2004': ['iso2022_jp_2004'],
    'iso2022_jp_3': ['iso2022_jp_3'],
    'iso2022_jp_ext': ['iso2022_jp_ext', 'iso2022_jp_2'],
    'iso2022_kr': ['iso2022_kr'],
    }
# the escapes of unlabelled ISO-2022 (ESC $ B, ESC $ ( D...) and HZ text
ISO2022_ESCAPE = re.compile(rb'\x1b\$[@AB(]|\x1b\(J|\x1b\(I')
HZ_ESCAPE = re.compile(rb'~\{[!-}]{2}')
NUMBER = re.compile(r'[a-z]*\d{6,}')
# forwards inside forwards read
MAX_FORWARD_DEPTH = 5
# the bytes of a refused message read for its headers
HEAD_SIZE = 64 * 1024
# characters which must not be shown inside one line of text (a name, a
# subject, a file name): controls and line or paragraph separators
LINE_BREAKING = re.compile(
    '[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e'
    '\u2066-\u2069]+')
# the headers a mail system puts on a bounce: its envelope sender is empty
# (RFC 5321 4.5.5), the failed recipients are named
BOUNCE_HEADERS = ['X-Failed-Recipients']
# mailing lists and newsletters (RFC 2369, RFC 2919)
LIST_HEADERS = ['List-Id', 'List-Unsubscribe', 'List-Post', 'List-Help']
TICKET_ACTION = 'service.ticket|from_inbound_email'
ROBOT_PRECEDENCES = {'bulk', 'junk', 'list', 'auto_reply'}
ROBOT_SENDERS = {'mailer-daemon', 'postmaster'}
ROBOT_SUBJECT = re.compile(
    r'^\s*(?:\[[^\]]*\]\s*)?(?:[\[【〔(（]\s*)?'
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


def one_line(text):
    """The text on one line: CR, LF and other controls (which could show
    a forged header or line) become a space"""
    if text is None:
        return None
    return LINE_BREAKING.sub(' ', clean(text)).strip()


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
    if data.isascii():
        # the escapes of a 7-bit encoding are valid UTF-8 too
        sevens = [n for c in charsets for n in SEVEN_BIT.get(_codec(c), [])]
        if ISO2022_ESCAPE.search(data):
            sevens += ['iso2022_jp_2', 'iso2022_jp_ext', 'iso2022_kr']
        if HZ_ESCAPE.search(data) and b'~}' in data:
            sevens.append('hz')
        for charset in sevens:
            try:
                return data.decode(charset)
            except (UnicodeError, LookupError, ValueError):
                continue
    # UTF-16 and UTF-32 text may be valid UTF-8 too (ASCII and NULs): the
    # charset the text itself declares is tried first
    declared = _codec(charsets[0]) if charsets else None
    wide = [declared] if declared and declared.replace('_', '-').startswith(
        ('utf-16', 'utf-32')) else []
    tried = set()
    for charset in [*wide, 'utf-8', *(_codec(c) for c in charsets)]:
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
    return one_line(''.join(parts))


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


def _raw_params(part, header):
    """The parameters of the raw header as {name: value}, RFC 2231 values
    as (charset, language, text): Python's own parser replaces the 8-bit
    bytes of a raw header before they can be read in their charset"""
    values = [v for n, v in part.raw_items()
        if n.strip().lower() == header]
    if not values:
        return {}
    value = re.sub(r'\r?\n[ \t]', ' ', str(values[0]))
    params = []
    for param in email.message._parseparam(value):
        name, _, val = param.partition('=')
        params.append((name.strip(), val.strip()))
    try:
        params = email.utils.decode_params(params)
    except Exception:
        pass
    return {n.lower(): v for n, v in params[1:]}


def _filename(part, charsets):
    """The file name of the part, read in the charset it declares or, when
    raw, in the charsets of the message; None when it has none"""
    own = [part.get_content_charset(), *charsets]
    for header, key in [
            ('content-disposition', 'filename'),
            ('content-type', 'name')]:
        try:
            value = _raw_params(part, header).get(key)
        except Exception:
            value = None
        if not value:
            continue
        if isinstance(value, tuple) and len(value) == 3:
            charset, _, text = value
            data = email.utils.unquote(text).encode('raw-unicode-escape')
            return one_line(decode_bytes(data, charset, *own))
        value = email.utils.unquote(value)
        if value:
            return decode_header_value(value, *own)
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
    for value in (headers.get('return-path') or []):
        if re.fullmatch(r'\s*<\s*>\s*', str(value)):
            return 'bounce', 'Return-Path: <>'
    for name in BOUNCE_HEADERS:
        if name.lower() in headers:
            return 'bounce', f'{name}: {_first(headers, name)}'.strip()
    for name in LIST_HEADERS:
        if name.lower() in headers:
            return 'list', f'{name}: {_first(headers, name)}'.strip()
    if ROBOT_SUBJECT.search(unicodedata.normalize('NFKC', subject)):
        return 'subject', subject


def _message_id(raw):
    "The Message-ID in angle brackets, even when written without them"
    raw = clean(raw or '').strip()
    match = re.search(r'<[^<>\s]+>', raw)
    if match:
        return match.group(0)[:250]
    if re.fullmatch(r'[^<>\s]+@[^<>\s]+', raw):
        return f'<{raw}>'[:250]
    return raw[:250] or None


def _references(value):
    """The Message-IDs of In-Reply-To and References, in angle brackets,
    even those written without them"""
    ids = []
    for token in re.findall(r'<[^<>\s]+>|[^<>\s,;]+@[^<>\s,;]+', value):
        if not token.startswith('<'):
            token = f'<{token}>'
        if token not in ids:
            ids.append(token[:250])
    return ids


def _unquoted(value):
    "The header without its quoted strings and comments"
    value = re.sub(r'"(?:\\.|[^"\\])*"', '""', value)
    previous = None
    while previous != value:
        previous = value
        value = re.sub(r'\((?:\\.|[^()\\])*\)', ' ', value)
    return value


def _address(value):
    "The address of a raw header as text, lower case, or ''"
    if not isinstance(value, str):
        value = str(value)
    try:
        data = value.encode('ascii', 'surrogateescape')
    except UnicodeEncodeError:
        data = value.encode('utf-8', 'surrogateescape')
    address = clean(decode_bytes(data)).strip().lower()
    if (not address or address.count('@') != 1
            or re.search(r'[\s<>"(),;:\\\[\]]', address)
            or LINE_BREAKING.search(address)
            or address.startswith('=?')):
        return ''
    return address


def sender(headers, *charsets):
    """The sender of the message: (address, name, ambiguous).

    The addresses are read from the raw From headers, before any
    encoded-word is decoded, so that a display name can never become an
    address; a name written like an address or with a comma stays a name.
    When the headers name more than one address the mailbox in angle
    brackets is the sender, and the message is ambiguous (never a known
    contact) when that leaves more than one, when there are several From
    headers (a line break in a name) or when an address is broken."""
    values = [re.sub(r'\r?\n[ \t]', ' ', str(v))
        for v in headers.get('from') or []]
    mailboxes = []
    # one From header, in which each address reads as an address
    malformed = len(values) > 1
    for value in values:
        try:
            pairs = getaddresses([value])
        except Exception:
            pairs = []
        malformed |= any('@' in a and not _address(a) for _, a in pairs)
        pairs = [(n, _address(a)) for n, a in pairs]
        pairs = [(n, a) for n, a in pairs if a]
        if len({a for _, a in pairs}) > 1:
            # an address written as display name without quotes
            bracketed = {_address(a) for a in re.findall(
                    r'<([^<>]*)>', _unquoted(value))}
            pairs = [(n, a) for n, a in pairs if a in bracketed] or pairs
        mailboxes.extend(pairs)
    addresses = []
    for _, address in mailboxes:
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        return '', '', False
    address = addresses[-1]
    name = next(n for n, a in reversed(mailboxes) if a == address)
    name = decode_header_value(name, *charsets) if name else ''
    return address, name, malformed or len(addresses) > 1


def _forward_text(message, charsets, depth=0):
    """The forwarded message quoted, with its own headers, and the
    attachments it holds (those of the messages it forwards too)"""
    headers = _headers(message)
    own = _body_charsets(message) + list(charsets)
    body = _Body()
    _walk(message, body, own)
    text = body.text if body.text and body.text.strip() else body.html
    attachments = list(body.attachments)
    if depth < MAX_FORWARD_DEPTH:
        for forward in body.forwards:
            forward_subject = decode_header_value(
                (_headers(forward).get('subject') or [''])[0],
                *_body_charsets(forward), *own)
            attachments.append(_eml(forward, forward_subject))
            quoted, inner = _forward_text(forward, own, depth + 1)
            attachments.extend(inner)
            text = f'{text}\n\n{quoted}' if text else quoted
    lines = [gettext('service_desk.msg_email_forwarded')]
    for name in ['From', 'Date', 'Subject', 'To']:
        value = _first(headers, name, *own)
        if value:
            lines.append(f'{name}: {value}')
    lines.append('')
    lines.extend((text or '').strip().splitlines())
    return '\n'.join('> ' + line if line else '>' for line in lines), (
        attachments)


def _eml(message, subject):
    try:
        data = message.as_bytes(policy=compat32)
    except Exception:
        data = str(message).encode('utf-8', 'surrogateescape')
    name = re.sub(r'[\\/:*?"<>|\r\n\t]+', '_', subject or '').strip()
    return {'name': f'{name[:100] or "forwarded"}.eml', 'data': data}


def _digest(from_, subject, text, attachments):
    "A digest of what the message says, whatever its route headers"
    digest = hashlib.sha256()
    for value in [from_, subject, text]:
        data = (value or '').encode('utf-8', 'surrogatepass')
        digest.update(b'%d:' % len(data) + data)
    for attachment in attachments:
        name = attachment['name'].encode('utf-8', 'surrogatepass')
        digest.update(b'%d:' % len(name) + name)
        digest.update(hashlib.sha256(attachment['data']).digest())
    return digest.hexdigest()


def head(data, size=HEAD_SIZE):
    """The sender, the subject and the header block of the start of a
    message, without its body; never raises"""
    data = bytes(data[:size])
    header_block, separator, _ = _split_head(data)
    if not separator:
        # the headers were cut: keep the complete lines
        header_block = header_block.rsplit(b'\n', 1)[0]
    header_block += b'\r\n\r\n'
    try:
        message = email.message_from_bytes(
            _skip_broken_headers(header_block), policy=compat32)
        headers = _headers(message)
        from_, _, _ = sender(headers)
        subject = _first(headers, 'Subject')
    except Exception:
        from_, subject = '', ''
    return header_block, from_, subject


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
    from_, name, ambiguous = sender(headers, *charsets)
    subject = _first(headers, 'Subject', *charsets)
    robot_reason = robot(message, headers, from_, subject)
    if not from_ and not robot_reason:
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
        quoted, inner = _forward_text(forward, charsets)
        # the forwarded files are the ticket's too, not only in the .eml
        attachments.extend(inner)
        text = f'{text}\n\n{quoted}' if text else quoted
    references = ' '.join(
        str(v) for h in ['in-reply-to', 'references']
        for v in headers.get(h) or [])
    try:
        to = [a for _, a in getaddresses([_first(headers, 'To')])]
    except Exception:
        to = []
    return {
        'message_id': _message_id(_first(headers, 'Message-ID')),
        'digest': _digest(from_, subject, text, attachments),
        'raw_digest': hashlib.sha256(data or b'').hexdigest(),
        'from': from_,
        'name': one_line(name),
        'ambiguous': ambiguous,
        'subject': subject,
        'text': text,
        'attachments': attachments,
        'references': _references(clean(references)),
        'to': to,
        'robot': robot_reason,
        }


class Email(BoundedMixin, metaclass=PoolMeta):
    __name__ = 'inbound.email'
    # a refused e-mail's size may be far over a million bytes
    _field_bounds = {'size': (0, 2 ** 31 - 1)}

    error = fields.Text("Error", readonly=True)
    service_status = fields.Selection([
            (None, ""),
            ('ticket', "New Ticket"),
            ('thread', "Added to Ticket"),
            ('reopened', "Reopened Ticket"),
            ('duplicate', "Already Received"),
            ('altered', "Altered Copy"),
            ('ignored', "Ignored"),
            ('too_large', "Too Large"),
            ('error', "To Check"),
            ], "Service Status", readonly=True, sort=False)
    ignored_reason = fields.Selection([
            (None, ""),
            ('auto_submitted', "Automatic message (Auto-Submitted)"),
            ('autoreply', "Auto-reply header"),
            ('precedence', "Bulk or list mail (Precedence)"),
            ('report', "Delivery status report"),
            ('mailer_daemon', "Mail system sender"),
            ('bounce', "Bounce (empty Return-Path, failed recipients)"),
            ('list', "Mailing list or newsletter (List-Id)"),
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
    sender = fields.Char(
        "Sender", readonly=True,
        help="The address the e-mail comes from.")
    subject = fields.Char("Subject", readonly=True)
    size = fields.Integer(
        "Size (bytes)", readonly=True,
        help="The size of the e-mail as received; for a refused e-mail "
        "sent without its size, the bytes read before it was refused.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (
                        t.service_status,
                        Index.Equality(cardinality='low'))),
                })
        cls._buttons['process']['readonly'] = (
            cls._buttons['process'].get('readonly', False)
            | (Eval('service_status') == 'too_large'))
        cls._buttons['process'].setdefault('depends', [])
        cls._buttons['process']['depends'] = list(
            cls._buttons['process']['depends']) + ['service_status']

    @classmethod
    def process(cls, emails):
        # a refused message kept its headers only: nothing to make of it
        super().process([e for e in emails
                if getattr(e, 'service_status', None) != 'too_large'])

    def as_dict(self):
        "The values of the rules, even when the message is broken"
        try:
            values = super().as_dict()
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
        if self.data_type == 'raw' and self.data:
            # the rules match the address read from the raw header, as the
            # tickets do, not one a display name shows
            _, from_, _ = head(self.data)
            values['from'] = from_
        return values

    @classmethod
    def keep_too_large(cls, inbox, data, size, complete, max_size):
        """Keep the headers of a message refused as too large, with its
        sender, subject and size, to be seen in the e-mails to check"""
        header_block, from_, subject = head(data)
        if complete:
            error = gettext(
                'service_desk.msg_email_too_large_kept',
                size=size, max_size=max_size, sender=from_ or '-')
        else:
            error = gettext(
                'service_desk.msg_email_too_large_kept_unsized',
                max_size=max_size, sender=from_ or '-')
        email_ = cls(
            inbox=inbox, data=header_block, data_type='raw',
            service_status='too_large', sender=from_[:250] or None,
            subject=clean(subject)[:250] or None, size=size,
            error=clean(error))
        email_.save()
        return email_


class Inbox(BoundedMixin, metaclass=PoolMeta):
    __name__ = 'inbound.email.inbox'

    refused_count = fields.Integer(
        "Refused Messages", readonly=True,
        help="The number of messages refused because they were too large.")

    @classmethod
    def default_refused_count(cls):
        return 0

    def process(self, email_):
        "Process the e-mail; when that fails keep it with the error"
        if getattr(email_, 'service_status', None) == 'too_large':
            return
        if getattr(email_, 'size', None) is None:
            email_.size = len(email_.data or b'')
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


def _read(stream, size):
    "At most size bytes of the stream"
    chunks, left = [], size
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b''.join(chunks)


def refuse_oversized(endpoint):
    """Wrap the inbound e-mail route: the size limit holds on the bytes
    read, whether the request states its length or is chunked; a message
    over the size is refused with a clear answer, counted on its inbox and
    kept there with its headers only"""
    from trytond.protocols.wrappers import with_pool, with_transaction

    @with_pool
    @with_transaction()
    def refuse(request, pool, identifier, data, size, complete):
        Inbox = pool.get('inbound.email.inbox')
        Email = pool.get('inbound.email')
        max_size = endpoint.max_request_size
        Inbox.count_refused(identifier)
        inboxes = Inbox.search([('identifier', '=', identifier)], limit=1)
        if inboxes:
            Email.keep_too_large(inboxes[0], data, size, complete, max_size)
        if complete:
            return gettext(
                'service_desk.msg_email_too_large',
                size=size, max_size=max_size)
        return gettext(
            'service_desk.msg_email_too_large_unsized', max_size=max_size)

    @wraps(endpoint)
    def wrapper(request, database_name, identifier):
        max_size = getattr(endpoint, 'max_request_size', None)
        length = request.content_length
        environ = request.environ
        if not max_size:
            return endpoint(request, database_name, identifier)
        if length is not None:
            if length > max_size:
                stream = environ['wsgi.input']
                data = _read(stream, min(length, HEAD_SIZE))
                # read what the sender sends so that it gets the answer,
                # within reason
                left = min(length, 2 * max_size) - len(data)
                while left > 0:
                    chunk = stream.read(min(left, 1 << 20))
                    if not chunk:
                        break
                    left -= len(chunk)
                description = refuse(
                    request, database_name, identifier, data, length, True)
                raise RequestEntityTooLarge(description=description)
        elif (environ.get('wsgi.input_terminated')
                or 'chunked' in environ.get(
                    'HTTP_TRANSFER_ENCODING', '').lower()):
            # chunked: no length stated, the limit holds on what is read
            # (the server, werkzeug's or gevent's, removes the chunks)
            data = _read(environ['wsgi.input'], max_size + 1)
            if len(data) > max_size:
                description = refuse(
                    request, database_name, identifier, data, len(data),
                    False)
                response = RequestEntityTooLarge(description=description)
                # the rest is not read: the connection cannot be reused
                response = response.get_response(environ)
                response.headers['Connection'] = 'close'
                raise RequestEntityTooLarge(
                    description=description, response=response)
            # the route reads the message from what was read
            environ['wsgi.input'] = io.BytesIO(data)
            environ['CONTENT_LENGTH'] = str(len(data))
            environ.pop('wsgi.input_terminated', None)
            request.__dict__.pop('stream', None)
            request.__dict__.pop('content_length', None)
            request._cached_data = data
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


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'

    email_reopen_days = fields.Integer(
        "Reopen by E-mail Within (days)",
        domain=['OR',
            ('email_reopen_days', '=', None),
            [
                ('email_reopen_days', '>=', 1),
                ('email_reopen_days', '<=', 3650),
                ],
            ],
        help="A customer's e-mail answering a resolved or closed ticket "
        "reopens it within this many days of its resolution; later it "
        "opens a new ticket naming the old one.  Leave empty to always "
        "reopen.")

    @classmethod
    def default_email_reopen_days(cls):
        return 30


class Rule(BoundedMixin, metaclass=PoolMeta):
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


class TicketEmail(BoundedMixin, ModelSQL):
    "The Message-IDs taken by tickets, once per inbox"
    __name__ = 'service.ticket.email'

    inbox = fields.Many2One(
        'inbound.email.inbox', "Inbox", required=True, ondelete='CASCADE')
    message_id = fields.Char("Message-ID", required=True)
    ticket = fields.Many2One('service.ticket', "Ticket", ondelete='CASCADE')
    digest = fields.Char("Digest")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('inbox_message_id_unique', Unique(t, t.inbox, t.message_id),
                'service_desk.msg_ticket_email_unique'),
            ]

    @classmethod
    def claim(cls, inbox, message_id, digest=None):
        """Take the Message-ID for the inbox, with the digest of what the
        message says; False when another message (even one being processed
        at the same time) took it: the unique index decides, not a
        search."""
        transaction = Transaction()
        table = cls.__table__()
        cursor = transaction.connection.cursor()
        cursor.execute(*table.insert(
                [table.inbox, table.message_id, table.digest,
                    table.create_uid, table.create_date],
                [[inbox.id, message_id, digest, transaction.user,
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
        help="The ticket the e-mail names or answers without being added "
        "to it: an unknown sender wrote its number, the e-mail answers it "
        "long after it was resolved, or it is an altered copy of its "
        "e-mail.")
    email_altered_copy = fields.Boolean(
        "Altered Copy", readonly=True,
        states={
            'invisible': ~Eval('email_altered_copy'),
            },
        help="The e-mail has the Message-ID of an e-mail received before "
        "but says something else: check which one is genuine.")

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
            cls._email_head(email_)
            return None
        except Exception as exception:
            email_.error = clean(gettext(
                    'service_desk.msg_email_unreadable',
                    error=f'{type(exception).__name__}: {exception}'))
            email_.service_status = 'error'
            cls._email_head(email_)
            return None
        email_.error = None
        email_.message_id = values['message_id']
        email_.sender = values['from'][:250] or None
        email_.subject = values['subject'][:250] or None
        if values['robot']:
            email_.service_status = 'ignored'
            email_.ignored_reason, detail = values['robot']
            email_.ignored_detail = one_line(detail)[:250]
            return None

        # the same bytes without Message-ID are the same message
        key = values['message_id'] or f"sha256:{values['raw_digest']}"
        receipt, altered = None, None
        if not TicketEmail.claim(email_.inbox, key, values['digest']):
            taken = TicketEmail.taken(email_.inbox, key)
            if (not values['message_id'] or not taken or not taken.digest
                    or taken.digest == values['digest']):
                email_.service_status = 'duplicate'
                return taken.ticket if taken else None
            # the Message-ID of another message: not the same message
            altered = taken.ticket
        else:
            receipt = TicketEmail.taken(email_.inbox, key)

        ticket, referenced = (None, altered) if altered else (
            cls._replied_ticket(values, rule))
        # a sender who may not write in the ticket it names
        stranger = bool(referenced) and not altered
        if ticket and ticket.state in {'resolved', 'closed'}:
            if cls._email_reopens(ticket):
                email_.service_status = 'reopened'
                cls._post_email(ticket, values)
                cls._attach_email(ticket, values)
                cls.reopen([ticket])
            else:
                ticket, referenced = None, ticket
        elif ticket:
            email_.service_status = 'thread'
            cls._post_email(ticket, values)
            cls._attach_email(ticket, values)
        if not ticket:
            email_.service_status = 'altered' if altered else 'ticket'
            ticket = cls._ticket_from_email(values, rule.service_company)
            if referenced:
                ticket.email_referenced_ticket = referenced
            if stranger:
                ticket.unknown_sender = values['from']
            if altered:
                ticket.email_altered_copy = True
            ticket.save()
            cls._post_email(ticket, values)
            cls._attach_email(ticket, values)
        if receipt:
            receipt.ticket = ticket
            receipt.save()
        return ticket

    @classmethod
    def _email_head(cls, email_):
        "Keep the sender and subject of a message that cannot be read"
        try:
            _, from_, subject = head(email_.data or b'')
        except Exception:
            return
        email_.sender = from_[:250] or None
        email_.subject = clean(subject)[:250] or None

    @classmethod
    def _email_reopens(cls, ticket):
        """Whether a reply reopens the resolved or closed ticket, or is a
        new ticket naming it as it comes after the configured days"""
        pool = Pool()
        Configuration = pool.get('service.configuration')
        days = Configuration(1).email_reopen_days
        since = ticket.resolved_at or ticket.closed_at
        if not days or not since:
            return True
        return dt.datetime.now() - since < dt.timedelta(days=days)

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
            # kept with or without angle brackets
            references = values['references'] + [
                r[1:-1] for r in values['references']]
            for message in Message.search([
                        ('reference', 'in', references),
                        ]):
                ticket = cls._thread_ticket(message)
                if ticket:
                    return ticket, None
        # full-width digits and lower case read as the number they show
        subject = unicodedata.normalize('NFKC', values['subject']).casefold()
        numbers = NUMBER.findall(subject)
        if numbers:
            numbers = sorted(
                {n for m in numbers for n in [m, m.upper()]})
            domain = [('number', 'in', numbers)]
            if rule and rule.service_company:
                domain.append(('company', '=', rule.service_company.id))
            tickets = cls.search(domain, limit=1)
            if tickets:
                ticket, = tickets
                if (not values['ambiguous']
                        and cls._known_email_sender(
                            ticket, values['from'])):
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
        # an ambiguous sender is nobody's contact
        contacts = (cls._email_contacts(values['from'])
            if not values['ambiguous'] else [])
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

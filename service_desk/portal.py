# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The customer portal: the pages a link opens, without an account

/<database>/service/l/<token> shows the page of the link's scope (report a
fault, follow a ticket, rate a repair) and takes its form.  A visitor's
request runs as the portal user (no group, cannot log in), never as root,
and the page reaches only the record its link names (doc/engineering.rst,
Customer portal)."""
import collections
import datetime as dt
import hmac
import html
import io
import re
import secrets
import threading
import time
import urllib.parse

from werkzeug.wrappers import Response

from trytond import config
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.protocols.wrappers import with_pool, with_transaction
from trytond.transaction import Transaction
from trytond.wsgi import app

from .ticket import OPEN_STATES
from .working_calendar import to_local

try:
    from PIL import Image, ImageOps
except ImportError:
    Image = ImageOps = None

LANGUAGES = ('zh_CN', 'en')
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_SIDE = 2048
PHOTO_FORMATS = {'JPEG', 'PNG', 'WEBP'}
MAX_REQUEST_BYTES = MAX_PHOTOS * MAX_PHOTO_BYTES + 256 * 1024
MAX_NAME = 60
MAX_PHONE = 40
MAX_TEXT = 2000
MAX_REASON = 500
# photos added to a ticket's comments: per comment, and in all per ticket
MAX_COMMENT_PHOTOS = 3
MAX_TICKET_PHOTOS = 20
CSRF_COOKIE = 'sd_portal_csrf'
# rate limits: (requests, seconds); per process, see doc/engineering.rst
IP_LIMIT = (
    config.getint('service_portal', 'ip_requests', default=120),
    config.getint('service_portal', 'ip_seconds', default=600))
IP_POST_LIMIT = (
    config.getint('service_portal', 'ip_posts', default=20),
    config.getint('service_portal', 'ip_seconds', default=600))
TOKEN_POST_LIMIT = (
    config.getint('service_portal', 'token_posts', default=10),
    config.getint('service_portal', 'token_seconds', default=3600))


class RateLimiter:
    "Sliding windows of the times a key was seen"

    def __init__(self):
        self._hits = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def allow(self, key, limit):
        count, seconds = limit
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and hits[0] <= now - seconds:
                hits.popleft()
            if len(hits) >= count:
                return False
            hits.append(now)
            if len(self._hits) > 100_000:
                # forget the keys seen once long ago
                for old in [k for k, h in self._hits.items()
                        if not h or h[-1] <= now - seconds]:
                    del self._hits[old]
            return True

    def clear(self):
        with self._lock:
            self._hits.clear()


limiter = RateLimiter()


def _(name, **variables):
    return gettext('service_desk.msg_portal_ui_' + name, **variables)


def e(value):
    "The value escaped for HTML text and attributes"
    return html.escape('' if value is None else str(value), quote=True)


_CONTROL = re.compile(r'[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]')


def clean_line(value, size):
    "One line of text: controls, CR and LF become spaces"
    value = re.sub(r'[\r\n\t]+', ' ', value or '')
    value = _CONTROL.sub(' ', value)
    return ' '.join(value.split())[:size]


def clean_text(value, size):
    "A text of lines: CR LF and CR become LF, the other controls go"
    value = (value or '').replace('\r\n', '\n').replace('\r', '\n')
    value = value.replace('\t', ' ')
    value = _CONTROL.sub('', value)
    return value.strip()[:size]


CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC",
"Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1d2733;
background:#f3f5f7}
main{max-width:560px;margin:0 auto;padding:12px}
header{background:#1f5f8b;color:#fff;padding:10px 12px;display:flex;
justify-content:space-between;align-items:center;gap:8px}
header b{font-size:17px}
header a{color:#fff;font-size:14px}
h1{font-size:20px;margin:8px 0 12px}
.card{background:#fff;border-radius:8px;padding:12px;margin:0 0 12px;
box-shadow:0 1px 2px rgba(0,0,0,.08)}
label{display:block;font-weight:600;margin:12px 0 4px}
input[type=text],input[type=tel],textarea,select{width:100%;font:inherit;
padding:10px;border:1px solid #9aa7b4;border-radius:6px;background:#fff}
textarea{min-height:120px}
input[type=file]{width:100%;font-size:15px}
.choice{display:flex;gap:8px;flex-wrap:wrap}
.choice label{font-weight:400;margin:0;border:1px solid #9aa7b4;
border-radius:6px;padding:8px 12px;background:#fff}
button{width:100%;margin-top:16px;padding:12px;font:inherit;
font-weight:600;color:#fff;background:#1f7a3a;border:0;border-radius:6px}
.error{background:#fdecea;color:#8a1c12;border-radius:6px;padding:8px;
margin:8px 0}
.ok{background:#e7f5ea;color:#14532d;border-radius:6px;padding:8px;
margin:8px 0}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
ol.tl{list-style:none;margin:0;padding:0}
ol.tl li{border-left:3px solid #1f5f8b;padding:0 0 12px 12px;margin-left:6px}
ol.tl time{display:block;color:#5b6b7a;font-size:14px}
.muted{color:#5b6b7a;font-size:14px}
p{margin:6px 0}
""".replace('\n', '')


class Page:
    "What one request of the portal sees and answers"

    def __init__(self, request, pool, token):
        self.request = request
        self.pool = pool
        self.token = token
        self.link = None
        self.language = 'en'
        self._new_csrf = False
        self.csrf = request.cookies.get(CSRF_COOKIE)
        if not self.csrf or not re.fullmatch(r'[\w-]{20,64}', self.csrf):
            self.csrf = None

    @property
    def ip(self):
        return self.request.remote_addr or ''

    def choose_language(self):
        "The switch, then the link's contact, then the browser's"
        asked = self.request.args.get('lang')
        if asked in LANGUAGES:
            return asked
        if self.link and self.link.language:
            code = self.link.language
            if code.startswith('zh'):
                return 'zh_CN'
            if code.startswith('en'):
                return 'en'
        return self.browser_language()

    def browser_language(self):
        match = self.request.accept_languages.best_match(
            ['zh-CN', 'zh', 'en'], default='zh-CN')
        return 'en' if match == 'en' else 'zh_CN'

    @property
    def cookie_path(self):
        "The path of the portal's pages in the database, as requested"
        path = self.request.path
        return path[:path.index('/service/') + len('/service/')]

    @property
    def action(self):
        database = urllib.parse.quote(self.pool.database_name)
        return f'/{database}/service/l/{self.token}'

    def html(self, title, body, status=200, header=True, cookie=True):
        other = 'en' if self.language == 'zh_CN' else 'zh_CN'
        switch = ''
        if header and self.link:
            switch = '<a href="{}?lang={}">{}</a>'.format(
                e(self.action), other,
                'English' if other == 'en' else '中文')
        company = ''
        if self.link:
            company = e(self.link.company.rec_name)
        page = (
            '<!DOCTYPE html><html lang="{lang}"><head>'
            '<meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,'
            'initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            '<title>{title}</title><style>{css}</style></head><body>'
            '<header><b>{company}</b>{switch}</header>'
            '<main><h1>{title}</h1>{body}</main></body></html>').format(
            lang='zh-CN' if self.language == 'zh_CN' else 'en',
            title=e(title),
            css=CSS,
            company=company or '&nbsp;',
            switch=switch,
            body=body,
        )
        response = Response(
            page, status=status, content_type='text/html; charset=utf-8')
        headers = response.headers
        headers['Content-Security-Policy'] = (
            "default-src 'none'; style-src 'unsafe-inline'; "
            "img-src 'self' data:; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
        headers['X-Content-Type-Options'] = 'nosniff'
        headers['Referrer-Policy'] = 'no-referrer'
        headers['Cache-Control'] = 'no-store'
        headers['X-Frame-Options'] = 'DENY'
        if cookie:
            self.new_csrf()
        if self._new_csrf:
            response.set_cookie(
                CSRF_COOKIE, self.csrf, httponly=True, samesite='Strict',
                secure=self.request.is_secure,
                path=self.cookie_path)
        return response

    def new_csrf(self):
        "Give the visitor a CSRF token when he has none"
        if not self.csrf:
            self.csrf = secrets.token_urlsafe(24)
            self._new_csrf = True

    def form(self, body, enctype=False):
        self.new_csrf()
        return (
            '<form method="post" action="{}"{}>'
            '<input type="hidden" name="csrf" value="{}">'
            '<div class="hp" aria-hidden="true"><label>Website'
            '<input type="text" name="website" tabindex="-1" '
            'autocomplete="off"></label></div>{}</form>').format(
            e(self.action + '?lang=' + self.language),
            ' enctype="multipart/form-data"' if enctype else '',
            e(self.csrf), body)

    def not_found(self):
        "The one answer to every token that does not open a page"
        self.link = None
        with Transaction().set_context(language=self.browser_language()):
            self.language = self.browser_language()
            return self.html(
                _('not_found_title'),
                '<div class="card"><p>{}</p></div>'.format(e(_('not_found'))),
                status=404, header=False, cookie=False)

    def refused(self, status, message):
        return self.html(
            _('refused_title'),
            f'<div class="card"><p class="error">{e(message)}</p></div>',
            status=status)

    # helpers of the pages
    def local(self, value):
        if not value:
            return ''
        timezone = self.link.company.timezone
        return to_local(value, timezone).strftime('%Y-%m-%d %H:%M')

    def service_phone(self):
        party = self.link.company.party
        mechanism = party.contact_mechanism_get({'phone', 'mobile'})
        if mechanism:
            return '<p class="muted">{}</p>'.format(e(
                _('call_us', phone=mechanism.value)))
        return ''

    def field(self, name, label, value='', kind='text', required=True,
            size=None):
        if kind == 'textarea':
            control = '<textarea id="{}" name="{}" maxlength="{}"{}>{}' \
                '</textarea>'.format(name, name, size or MAX_TEXT,
                ' required' if required else '', e(value))
        else:
            control = '<input type="{}" id="{}" name="{}" value="{}" ' \
                'maxlength="{}"{}>'.format(kind, name, name, e(value),
                size or MAX_NAME, ' required' if required else '')
        return f'<label for="{name}">{e(label)}</label>{control}'

    @staticmethod
    def errors(messages):
        return ''.join(f'<p class="error">{e(m)}</p>' for m in messages)

    def valid_post(self):
        "Whether the form carries the visitor's CSRF token"
        sent = self.request.form.get('csrf', '')
        return bool(self.csrf) and hmac.compare_digest(
            sent.encode('utf-8', 'replace'), self.csrf.encode())

    def honeypot(self):
        return bool(self.request.form.get('website'))


# report a fault
def _report_page(page, values=None, errors=()):
    link = page.link
    values = values or {}
    record = link.record
    if record.__name__ == 'service.equipment':
        where = '<p><b>{}</b> {}</p><p>{}</p>'.format(
            e(_('item')), e(record.rec_name), e(record.site.rec_name))
        choose = ''
    else:
        where = '<p><b>{}</b> {}</p>'.format(e(_('site')), e(record.rec_name))
        options = ['<option value="">{}</option>'.format(e(_('item_any')))]
        for item in record.equipment:
            if not item.active:
                continue
            options.append('<option value="{}"{}>{}</option>'.format(
                    item.id,
                    ' selected' if values.get('item') == str(item.id)
                    else '', e(item.rec_name)))
        choose = '<label for="item">{}</label><select id="item" ' \
            'name="item">{}</select>'.format(e(_('item')), ''.join(options))
    body = (
        '<div class="card">{}<p class="muted">{}</p></div>'
        '<div class="card">{}{}'.format(
            where, e(_('report_intro')), page.errors(errors), page.form(
                choose
                + page.field('name', _('name'), values.get('name', ''))
                + page.field('phone', _('phone'), values.get('phone', ''),
                    kind='tel', size=MAX_PHONE)
                + page.field('description', _('description'),
                    values.get('description', ''), kind='textarea')
                + '<label for="photos">{}</label>'
                '<input type="file" id="photos" name="photos" '
                'accept="image/jpeg,image/png,image/webp" multiple>'.format(e(
                    _('photos')))
                + '<button type="submit">{}</button>'.format(e(_('submit'))),
                enctype=True))
        + page.service_phone() + '</div>')
    return (page.html(_('report_title'), body))


def clean_photo(data):
    "Return the photo re-encoded as JPEG without its metadata, or None"
    if Image is None or not data or len(data) > MAX_PHOTO_BYTES:
        return None
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in PHOTO_FORMATS:
                return None
            width, height = image.size
            if width * height > MAX_PHOTO_PIXELS:
                return None
            image.load()
            image = ImageOps.exif_transpose(image)
            image = image.convert('RGB')
            image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
            output = io.BytesIO()
            # saved without exif, icc or comment: no metadata goes on
            image.save(output, 'JPEG', quality=85, optimize=True)
            return output.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def _read_photos(page, count=MAX_PHOTOS):
    photos, refused = [], False
    files = [f for f in page.request.files.getlist('photos') if f.filename]
    if len(files) > count:
        return [], True
    for storage in files:
        data = storage.stream.read(MAX_PHOTO_BYTES + 1)
        photo = clean_photo(data)
        if photo is None:
            refused = True
        else:
            photos.append(photo)
    return photos, refused


def _report_post(page):
    pool = page.pool
    Attachment = pool.get('ir.attachment')
    ContactMechanism = pool.get('party.contact_mechanism')
    Link = pool.get('service.access.link')
    Ticket = pool.get('service.ticket')
    form = page.request.form
    values = {
        'name': clean_line(form.get('name'), MAX_NAME),
        'phone': clean_line(form.get('phone'), MAX_PHONE),
        'description': clean_text(form.get('description'), MAX_TEXT),
        'item': clean_line(form.get('item'), 20),
        }
    errors = []
    if not values['name']:
        errors.append(_('error_name'))
    if not ContactMechanism.phone_compact(values['phone']):
        errors.append(_('error_phone'))
    if not values['description']:
        errors.append(_('error_description'))
    photos, refused = _read_photos(page)
    if refused:
        errors.append(_('error_photo'))
    record = page.link.record
    if record.__name__ == 'service.equipment':
        item, site = record, record.site
    else:
        site, item = record, None
        if values['item']:
            # only an item of the link's site
            items = [i for i in site.equipment
                if str(i.id) == values['item'] and i.active]
            if not items:
                errors.append(_('error_item'))
            else:
                item, = items
    if errors:
        return _report_page(page, values, errors), False
    subject = values['description'].split('\n', 1)[0][:80]
    if item:
        subject = f'{item.label or item.rec_name}: {subject}'
    ticket = Ticket(
        company=page.link.company,
        channel='portal',
        type='repair',
        party=site.party,
        site=site,
        equipment=item,
        caller_name=values['name'],
        caller_phone=values['phone'],
        subject=subject[:100],
        description=values['description'])
    ticket.contact = ticket._caller_mechanism()
    ticket.priority = ticket.on_change_with_priority()
    ticket.save()
    Ticket.open([ticket])
    if photos:
        Attachment.save([Attachment(
                    resource=ticket, name=f'portal-{i}.jpg',
                    type='data', data=photo)
                for i, photo in enumerate(photos, 1)])
    ticket.chat_post('service_desk.msg_portal_reported', name=values['name'])
    if photos:
        ticket.chat_post('service_desk.msg_portal_photo', count=len(photos))
    follow, token = Link.issue('follow', ticket)
    database = urllib.parse.quote(pool.database_name)
    url = f'/{database}/service/l/{token}?new=1&lang={page.language}'
    response = Response('', status=303, headers={'Location': url})
    response.headers['Referrer-Policy'] = 'no-referrer'
    response.headers['Cache-Control'] = 'no-store'
    return response, True


# follow a ticket
def _follow_events(page, ticket):
    "The steps of the ticket in the customer's words, by time"
    events = [(ticket.received_at, _('tl_received'))]
    if ticket.responded_at:
        events.append((ticket.responded_at, _('tl_handled')))
    for order in ticket.work_orders:
        if order.state == 'cancelled':
            continue
        if order.planned_start and order.scheduled_at:
            engineer = order.lead.party.name if order.lead else ''
            events.append((order.scheduled_at, _('tl_visit',
                        date=page.local(order.planned_start),
                        engineer=engineer)))
        if order.started_at:
            events.append((order.started_at, _('tl_on_site')))
        if order.done_at:
            events.append((order.done_at, _('tl_visit_done')))
    if ticket.resolved_at:
        events.append((ticket.resolved_at, _('tl_resolved')))
    for callback in ticket.callbacks:
        if callback.state == 'done' and callback.called_at:
            events.append((callback.called_at, _(
                        'tl_callback_yes' if callback.solved == 'yes'
                        else 'tl_callback_no')))
    if ticket.closed_at and ticket.state == 'closed':
        events.append((ticket.closed_at, _('tl_closed')))
    Message = page.pool.get('ir.chat.message')
    for message in Message.search([
                ('channel.resource', '=', str(ticket)),
                ('audience', '=', 'public'),
                ], order=[('id', 'ASC')], limit=50):
        who = (_('tl_comment') if message.user and message.user.id
            == Transaction().user else _('tl_reply'))
        events.append((message.create_date, f'{who}: {message.content}'))
    events.sort(key=lambda x: x[0] or dt.datetime.min)
    return events


def _promises(page, ticket):
    "The times promised to the customer, in the company's time zone"
    rows = []
    response = ticket._response_due()
    if response:
        rows.append(_('promise_answer', date=page.local(response)))
    if ticket.state in OPEN_STATES and ticket.resolution_deadline:
        rows.append(_('promise_resolve',
                date=page.local(ticket.resolution_deadline)))
    return ''.join(f'<p>{e(r)}</p>' for r in rows)


def _appointment(ticket):
    "The next visit agreed for the ticket, or None"
    now = dt.datetime.now()
    orders = [o for o in ticket.work_orders
        if o.state == 'scheduled' and o.planned_start
        and o.planned_start > now]
    return min(orders, key=lambda o: (o.planned_start, o.id), default=None)


def _appointment_text(page, order):
    when = page.local(order.planned_start)
    if order.planned_end:
        end = page.local(order.planned_end)
        when += '–' + (end[11:] if end[:10] == when[:10] else end)
    engineer = order.lead.party.name if order.lead else ''
    return _('appointment_time', time=when, engineer=engineer)


def _follow_page(page, comment='', errors=(), notice=None, reason=''):
    ticket = page.link.record
    items = ''.join(
        '<li><time>{}</time>{}</li>'.format(
            e(page.local(when)), e(text).replace('\n', '<br>'))
        for when, text in _follow_events(page, ticket))
    notices = ''
    if page.request.args.get('new'):
        notices += '<p class="ok">{}</p><p class="muted">{}</p>'.format(
            e(_('received', number=ticket.number or '')),
            e(_('received_keep')))
    if notice:
        notices += f'<p class="ok">{e(notice)}</p>'
    about = ticket.equipment.rec_name if ticket.equipment else (
        ticket.site.rec_name if ticket.site else '')
    appointment = ''
    order = _appointment(ticket)
    if order:
        appointment = '<div class="card"><p><b>{}</b></p><p>{}</p>{}</div>' \
            .format(e(_('appointment')), e(_appointment_text(page, order)),
                page.form(
                    '<input type="hidden" name="do" value="reschedule">'
                    + page.field('reason', _('reschedule_reason'), reason,
                        kind='textarea', required=False, size=MAX_REASON)
                    + '<button type="submit">{}</button>'.format(
                        e(_('reschedule')))))
    body = (
        '<div class="card">{}<p><b>{}</b></p><p class="muted">{}</p>{}</div>'
        '{}<div class="card"><ol class="tl">{}</ol></div>'
        '<div class="card">{}{}</div>').format(
        notices, e(ticket.subject), e(about), _promises(page, ticket),
        appointment, items,
        page.errors(errors),
        page.form(
            page.field('comment', _('comment'), comment, kind='textarea',
                required=False)
            + '<label for="photos">{}</label>'
            '<input type="file" id="photos" name="photos" '
            'accept="image/jpeg,image/png,image/webp" multiple>'.format(e(
                _('comment_photos', count=MAX_COMMENT_PHOTOS)))
            + '<button type="submit">{}</button>'.format(e(_('comment_send'))),
            enctype=True)
        + page.service_phone())
    return (page.html(
            _('follow_title', number=ticket.number or ''), body))


def _portal_photo_count(pool, ticket):
    Attachment = pool.get('ir.attachment')
    return Attachment.search([
            ('resource', '=', str(ticket)),
            ('name', 'like', 'portal-%'),
            ], count=True)


def _follow_post(page):
    if page.request.form.get('do') == 'reschedule':
        return _reschedule_post(page)
    pool = page.pool
    Attachment = pool.get('ir.attachment')
    Channel = pool.get('ir.chat.channel')
    Message = pool.get('ir.chat.message')
    comment = clean_text(page.request.form.get('comment'), MAX_TEXT)
    ticket = page.link.record
    photos, refused = _read_photos(page, MAX_COMMENT_PHOTOS)
    count = _portal_photo_count(pool, ticket)
    if refused or count + len(photos) > MAX_TICKET_PHOTOS:
        return _follow_page(
            page, comment=comment, errors=[_('error_photo_comment',
                    count=MAX_COMMENT_PHOTOS, total=MAX_TICKET_PHOTOS)]), False
    if not comment and not photos:
        return _follow_page(page, errors=[_('error_comment_empty')]), False
    if comment:
        channel = Channel._get_channel(ticket)
        message = Message(
            channel=channel, user=Transaction().user, content=comment,
            audience='public')
        message.save()
        Channel.dispatch_message(message, lambda u: False)
    if photos:
        Attachment.save([Attachment(
                    resource=ticket, name=f'portal-{i}.jpg',
                    type='data', data=photo)
                for i, photo in enumerate(photos, count + 1)])
        ticket.chat_post('service_desk.msg_portal_photo', count=len(photos))
    return _follow_page(page, notice=_('comment_thanks')), True


def _reschedule_post(page):
    """Record on the ticket's thread that the appointment does not suit the
    customer and tell customer service; the visit itself is not changed"""
    pool = page.pool
    Channel = pool.get('ir.chat.channel')
    Message = pool.get('ir.chat.message')
    ticket = page.link.record
    reason = clean_text(page.request.form.get('reason'), MAX_REASON)
    order = _appointment(ticket)
    if not order:
        return _follow_page(
            page, errors=[_('error_reschedule')]), False
    when = _appointment_text(page, order)
    content = _('reschedule_request', appointment=when,
        reason=reason or '-')
    channel = Channel._get_channel(ticket)
    message = Message(
        channel=channel, user=Transaction().user, content=content,
        audience='public')
    message.save()
    Channel.dispatch_message(message, lambda u: False)
    _tell_customer_service(
        pool, ticket, 'service_desk.msg_portal_reschedule_notification',
        description=reason)
    return _follow_page(page, notice=_('reschedule_thanks')), True


def _tell_customer_service(pool, ticket, message_id, description=''):
    "Notify the customer service users of the ticket's company"
    ModelData = pool.get('ir.model.data')
    Notification = pool.get('res.notification')
    User = pool.get('res.user')
    group = ModelData.get_id('service_desk', 'group_service_customer_service')
    action = ModelData.get_id('service_desk', 'act_ticket_form')
    users = User.search([
            ('groups', '=', group),
            ('companies', '=', ticket.company.id),
            ])
    notifications = []
    for user in users:
        with Transaction().set_context(
                language=user.language.code if user.language else None):
            label = gettext(message_id, number=ticket.number or '')
        notifications.append(Notification(
                user=user, label=label[:250],
                description=(description or '')[:250] or None,
                icon='tryton-notification',
                model=ticket.__name__,
                records=f'[{ticket.id}]',
                action=action))
    Notification.save(notifications)


# rate a repair
def _rate_page(page, values=None, errors=()):
    callback = page.link.record
    values = values or {}
    ticket = callback.ticket

    def radios(name, choices):
        return '<div class="choice">{}</div>'.format(''.join(
            '<label><input type="radio" name="{}" value="{}"{}> {}</label>'
            .format(name, value,
                ' checked' if values.get(name) == value else '', e(label))
            for value, label in choices))
    body = (
        '<div class="card"><p><b>{}</b></p><p class="muted">{}</p></div>'
        '<div class="card">{}{}</div>').format(
        e(ticket.subject if ticket else callback.rec_name),
        e(callback.resolution or ''),
        page.errors(errors),
        page.form(
            '<label>{}</label>'.format(e(_('rate_solved')))
            + radios('solved', [('yes', _('solved_yes')),
                    ('no', _('solved_no'))])
            + '<label>{}</label><p class="muted">{}</p>'.format(
                e(_('satisfaction')), e(_('satisfaction_hint')))
            + radios('satisfaction', [(str(i), str(i)) for i in range(1, 6)])
            + page.field('comment', _('rate_comment'),
                values.get('comment', ''), kind='textarea', required=False)
            + '<button type="submit">{}</button>'.format(e(_('submit')))))
    return (page.html(_('rate_title'), body))


def _rate_post(page):
    form = page.request.form
    values = {
        'solved': form.get('solved'),
        'satisfaction': form.get('satisfaction'),
        'comment': clean_text(form.get('comment'), MAX_TEXT),
        }
    errors = []
    if values['solved'] not in {'yes', 'no'}:
        errors.append(_('error_solved'))
    if values['satisfaction'] not in {'1', '2', '3', '4', '5'}:
        errors.append(_('error_satisfaction'))
    if errors:
        return _rate_page(page, values, errors), False
    callback = page.link.record
    callback.answer_by_link(
        values['solved'], values['satisfaction'], values['comment'] or None)
    if callback.ticket:
        callback.ticket.chat_post(
            'service_desk.msg_portal_rated',
            solved=values['solved'], satisfaction=values['satisfaction'])
    message = _('rate_thanks')
    if values['solved'] == 'no':
        message += ' ' + _('rate_reopened')
    body = (f'<div class="card"><p class="ok">{e(message)}</p>'
        f'{page.service_phone()}</div>')
    return page.html(_('rate_title'), body), True


PAGES = {
    'report': (_report_page, _report_post),
    'follow': (_follow_page, _follow_post),
    'rate': (_rate_page, _rate_post),
    }


def portal_user(pool):
    """The id of the user the portal's pages run as (ir.model.data caches
    it for the database)"""
    ModelData = pool.get('ir.model.data')
    with Transaction().start(pool.database_name, 0, readonly=True):
        return ModelData.get_id('service_desk', 'user_portal')


def serve(request, pool, token):
    "Answer the request as the portal user"
    user = portal_user(pool)
    # GET too writes the link's last use
    handler = with_transaction(readonly=False, user=user)(_serve)
    return handler(request, pool, token)


def _serve(request, pool, token):
    Link = pool.get('service.access.link')
    page = Page(request, pool, token)
    post = request.method == 'POST'
    if (not limiter.allow(('ip', page.ip), IP_LIMIT)
            or (post and not limiter.allow(
                    ('ip-post', page.ip), IP_POST_LIMIT))):
        page.language = page.browser_language()
        with Transaction().set_context(language=page.language):
            return page.refused(429, _('too_many'))
    link = Link.find(token)
    if (link is None or link.scope not in PAGES
            or (post and not limiter.allow(
                    ('token', link.token_hash), TOKEN_POST_LIMIT))):
        if link is not None and link.scope in PAGES:
            page.link = link
            page.language = page.choose_language()
            with Transaction().set_context(language=page.language):
                return page.refused(429, _('too_many'))
        return page.not_found()
    page.link = link
    page.language = page.choose_language()
    show, take = PAGES[link.scope]
    context = {
        'language': page.language,
        'company': link.company.id,
        }
    with Transaction().set_context(**context):
        if not post:
            link.touch(page.ip)
            return show(page)
        if (request.content_length or 0) > MAX_REQUEST_BYTES:
            return page.refused(413, _('error_photo'))
        request.max_content_length = MAX_REQUEST_BYTES
        if not page.valid_post():
            return page.refused(403, _('error_form'))
        if page.honeypot():
            # a robot: answered as if it was taken, nothing is done
            return page.html(
                _('refused_title'), '<div class="card"><p class="ok">{}'
                '</p></div>'.format(e(_('comment_thanks'))))
        try:
            response, used = take(page)
        except UserError:
            # nothing of the form is kept
            Transaction().rollback()
            return page.refused(400, _('error_form'))
        link.touch(page.ip, use=used)
        return response


@app.route('/<database_name>/service/l/<token>', methods={'GET', 'POST'})
@with_pool
def portal(request, pool, token):
    return serve(request, pool, token)

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The customer portal through trytond's WSGI application: the pages a link
opens, and what they refuse (R-ROLE-7, R-INFRA-2, R-CS-4)"""
import datetime as dt
import io
import re
import unittest
import zipfile
from unittest.mock import patch

from PIL import Image
from werkzeug.test import Client

from trytond.modules.company.tests import create_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db
from trytond.transaction import Transaction
from trytond.worker import run_task
from trytond.wsgi import app

from .. import access_link, portal
from ..access_label import qr_png


def photo(size=(64, 48), format='JPEG', exif=True):
    "A picture as a phone sends it, with its camera's metadata"
    image = Image.new('RGB', size, (200, 30, 30))
    output = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010f] = 'SecretCam'  # Make
        data[0x8825] = {2: (30.0, 40.0, 50.0)}  # GPS latitude
        kwargs['exif'] = data.tobytes()
    image.save(output, format, **kwargs)
    return output.getvalue()


class PortalTestCase(unittest.TestCase):
    "The customer portal's pages and their security"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        drop_db()
        activate_module(['service_desk'])
        with Transaction().start(DB_NAME, 0) as transaction:
            pool = Pool()
            ContactMechanism = pool.get('party.contact_mechanism')
            Equipment = pool.get('service.equipment')
            Party = pool.get('party.party')
            Site = pool.get('service.site')
            Template = pool.get('product.template')
            Uom = pool.get('product.uom')
            company = create_company()
            company.timezone = 'Asia/Shanghai'
            company.save()
            ContactMechanism(
                party=company.party, type='phone',
                value='0839-5335003').save()
            with transaction.set_context(company=company.id):
                customer = Party(name="Xinhua Primary School")
                customer.save()
                ContactMechanism(
                    party=customer, type='email',
                    value='office@xinhua.example.cn').save()
                site = Site(name="Xinhua Primary School", party=customer)
                site.save()
                unit, = Uom.search([('name', '=', "Unit")])
                template = Template(
                    name="Projector", type='goods', default_uom=unit,
                    products=[{}])
                template.save()
                product, = template.products
                item = Equipment(
                    site=site, product=product, label='QR-0001',
                    location="Room 3")
                item.save()
            cls.company = company.id
            cls.site = site.id
            cls.item = item.id
            cls.customer = customer.id

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        drop_db()

    def setUp(self):
        portal.limiter.clear()
        self.ip = '10.0.0.%s' % (id(self) % 200 + 1)

    def transaction(self):
        return Transaction().start(
            DB_NAME, 0, context={'company': self.company})

    def issue(self, scope, record, **values):
        "Return the token of a new link of scope for record"
        with self.transaction():
            pool = Pool()
            Link = pool.get('service.access.link')
            model, id_ = record
            link, token = Link.issue(scope, pool.get(model)(id_), **values)
            return token

    def url(self, token):
        return f'/{DB_NAME}/service/l/{token}'

    def client(self, language='en'):
        return Client(app, use_cookies=True)

    def get(self, client, token, language='en', **kwargs):
        return client.get(
            self.url(token), headers={'Accept-Language': language},
            environ_base={'REMOTE_ADDR': self.ip}, **kwargs)

    def post(self, client, token, data, csrf=None, language='en'):
        if csrf is None:
            csrf = self.csrf
        data = dict(data, csrf=csrf)
        return client.post(
            self.url(token), data=data,
            headers={'Accept-Language': language},
            environ_base={'REMOTE_ADDR': self.ip})

    def open_form(self, client, token, language='en'):
        response = self.get(client, token, language=language)
        self.assertEqual(response.status_code, 200, response.text)
        self.csrf, = re.findall(r'name="csrf" value="([^"]+)"', response.text)
        return response

    def report(self, client, token, **values):
        data = {
            'name': "Li Hua",
            'phone': '13812345678',
            'description': "The projector shows no picture.",
            }
        data.update(values)
        return self.post(client, token, data)

    def tickets(self):
        with self.transaction():
            Ticket = Pool().get('service.ticket')
            return [(t.id, t.state, t.channel) for t in Ticket.search([])]

    def resolved_ticket(self):
        "Return the ids of a resolved repair ticket and of its callback"
        with self.transaction():
            pool = Pool()
            Ticket = pool.get('service.ticket')
            ticket = Ticket(
                party=self.customer, site=self.site, equipment=self.item,
                subject="No picture", caller_phone='13812345678')
            ticket.save()
            Ticket.open([ticket])
            Ticket.resolve([ticket])
            callback, = ticket.callbacks
            return ticket.id, callback.id

    def test_refused_tokens_answer_the_same_404(self):
        "Unknown, tampered, expired, revoked and used-up links look alike"
        good = self.issue('report', ('service.equipment', self.item))
        expired = self.issue(
            'report', ('service.equipment', self.item),
            expires_at=dt.datetime(2020, 1, 1))
        revoked = self.issue('report', ('service.equipment', self.item))
        used = self.issue(
            'report', ('service.equipment', self.item), max_uses=1)
        with self.transaction():
            Link = Pool().get('service.access.link')
            link, = Link.search([
                    ('token_hash', '=', portal_hash(revoked))])
            Link.revoke([link])
            link, = Link.search([('token_hash', '=', portal_hash(used))])
            link.uses = 1
            link.save()
        tampered = good[:-1] + ('A' if good[-1] != 'A' else 'B')
        guessed = 'x' * 43
        answers = set()
        for token in [tampered, guessed, expired, revoked, used, '1',
                '....', '%00', 'é' * 30]:
            response = self.get(self.client(), token)
            self.assertEqual(response.status_code, 404, token)
            self.assertNotIn('Set-Cookie', response.headers)
            answers.add(response.data)
        self.assertEqual(len(answers), 1)
        self.assertIn(b'This link is unknown', answers.pop())
        self.assertEqual(self.get(self.client(), good).status_code, 200)

    def test_report_fault_from_item_label(self):
        "The label's link opens a ticket of the portal and a follow page"
        token = self.issue('report', ('service.equipment', self.item))
        client = self.client()
        response = self.open_form(client, token)
        self.assertIn('QR-0001', response.text)
        self.assertIn('Set-Cookie', response.headers)
        self.assertEqual(
            response.headers['Referrer-Policy'], 'no-referrer')
        self.assertNotIn('<script', response.text)
        self.assertNotIn('http', response.text.replace(
                'http-equiv', ''))
        before = len(self.tickets())

        response = self.post(client, token, {
                'name': "Li Hua",
                'phone': '138 1234 5678',
                'description': "The projector shows no picture.\r\nRoom 3",
                'photos': [
                    (io.BytesIO(photo()), 'IMG_0001.jpg', 'image/jpeg'),
                    (io.BytesIO(photo(format='PNG', exif=False)),
                        'screen.png', 'image/png'),
                    ],
                })
        self.assertEqual(response.status_code, 303, response.text)
        follow = response.headers['Location']
        self.assertIn('/service/l/', follow)

        with self.transaction():
            pool = Pool()
            Attachment = pool.get('ir.attachment')
            Link = pool.get('service.access.link')
            Ticket = pool.get('service.ticket')
            tickets = Ticket.search([], order=[('id', 'DESC')])
            self.assertEqual(len(tickets), before + 1)
            ticket = tickets[0]
            self.assertEqual(ticket.channel, 'portal')
            self.assertEqual(ticket.state, 'open')
            self.assertEqual(ticket.equipment.id, self.item)
            self.assertEqual(ticket.caller_name, "Li Hua")
            self.assertEqual(ticket.contact.value_compact, '+8613812345678')
            self.assertEqual(
                ticket.description, "The projector shows no picture.\nRoom 3")
            self.assertEqual(ticket.create_uid.login, 'service_portal')
            attachments = Attachment.search([
                    ('resource', '=', str(ticket))])
            self.assertEqual(len(attachments), 2)
            for attachment in attachments:
                image = Image.open(io.BytesIO(attachment.data))
                self.assertEqual(image.format, 'JPEG')
                self.assertFalse(image.getexif())
                self.assertNotIn(b'SecretCam', attachment.data)
            link, = Link.search([('token_hash', '=', portal_hash(token))])
            self.assertEqual(link.uses, 1)
            self.assertEqual(link.last_used_ip, self.ip)
            number = ticket.number

        response = client.get(follow, environ_base={'REMOTE_ADDR': self.ip})
        self.assertEqual(response.status_code, 200)
        self.assertIn(number, response.text)
        self.assertIn('Request received', response.text)

    def test_report_refuses_without_csrf(self):
        "A form sent without the visitor's CSRF token takes nothing"
        token = self.issue('report', ('service.equipment', self.item))
        before = self.tickets()
        # from another site: no cookie
        response = self.post(self.client(), token, {
                'name': "X", 'phone': '13812345678', 'description': "X"},
            csrf='forged-token-of-another-page')
        self.assertEqual(response.status_code, 403)
        client = self.client()
        self.open_form(client, token)
        response = self.post(client, token, {
                'name': "X", 'phone': '13812345678', 'description': "X"},
            csrf='')
        self.assertEqual(response.status_code, 403)
        response = self.post(client, token, {
                'name': "X", 'phone': '13812345678', 'description': "X"},
            csrf=self.csrf[:-2])
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.tickets(), before)

    def test_report_honeypot(self):
        "A robot filling the hidden field is thanked and nothing is made"
        token = self.issue('report', ('service.equipment', self.item))
        client = self.client()
        self.open_form(client, token)
        before = self.tickets()
        response = self.report(client, token, website='http://spam.example')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.tickets(), before)

    def test_report_escapes_and_strips_line_breaks(self):
        "HTML and CR/LF typed in any field are shown as text, never run"
        token = self.issue('report', ('service.site', self.site))
        client = self.client()
        self.open_form(client, token)
        script = '<script>alert(1)</script>'
        before = self.tickets()
        response = self.report(
            client, token,
            name=script + '\r\nSet-Cookie: a=b',
            phone='"><img src=x onerror=alert(1)>',
            description='</textarea>' + script,
            item='"><b>')
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(script, response.text)
        self.assertNotIn('<img', response.text)
        self.assertNotIn('</textarea><script', response.text)
        self.assertIn('&lt;script&gt;', response.text)
        self.assertIn('Please give a phone number', response.text)
        self.assertEqual(self.tickets(), before)

        response = self.report(
            client, token,
            name=script + '\r\nSet-Cookie: a=b', item='',
            description='</textarea>' + script + '\r\n\x00second line')
        self.assertEqual(response.status_code, 303)
        self.assertNotIn('a=b', response.headers.get('Set-Cookie', ''))
        with self.transaction():
            Ticket = Pool().get('service.ticket')
            ticket, = Ticket.search([], order=[('id', 'DESC')], limit=1)
            self.assertEqual(
                ticket.caller_name, script + ' Set-Cookie: a=b')
            self.assertEqual(
                ticket.description,
                '</textarea>' + script + '\nsecond line')
            self.assertEqual(ticket.site.id, self.site)
            self.assertIsNone(ticket.equipment)
        response = client.get(
            response.headers['Location'],
            environ_base={'REMOTE_ADDR': self.ip})
        self.assertNotIn(script, response.text)

    def test_report_refuses_bad_uploads(self):
        "Not a picture, too large, or too many: refused, no ticket"
        token = self.issue('report', ('service.equipment', self.item))
        client = self.client()
        self.open_form(client, token)
        before = self.tickets()
        for photos in [
                [(io.BytesIO(b'MZ\x90\x00 not a picture'), 'a.jpg',
                        'image/jpeg')],
                [(io.BytesIO(b'<svg onload="alert(1)"/>'), 'a.svg',
                        'image/svg+xml')],
                [(io.BytesIO(photo(format='GIF', exif=False)), 'a.gif',
                        'image/gif')],
                [(io.BytesIO(photo()
                            + b'\0' * portal.MAX_PHOTO_BYTES), 'big.jpg',
                        'image/jpeg')],
                [(io.BytesIO(photo()), f'{i}.jpg', 'image/jpeg')
                    for i in range(portal.MAX_PHOTOS + 1)],
                ]:
            response = self.post(client, token, {
                    'name': "Li Hua", 'phone': '13812345678',
                    'description': "Broken", 'photos': photos})
            self.assertEqual(response.status_code, 200)
            self.assertIn('A photo was not accepted', response.text)
        self.assertEqual(self.tickets(), before)

    def test_rate_not_solved_reopens_once(self):
        "The rating link answers the callback; its replay finds nothing"
        ticket_id, callback_id = self.resolved_ticket()
        token = self.issue('rate', ('service.callback', callback_id))
        client = self.client()
        self.open_form(client, token)
        response = self.post(client, token, {
                'solved': 'no', 'satisfaction': '2',
                'comment': "Still dark <b>"})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn('open again', response.text)
        with self.transaction():
            pool = Pool()
            Callback = pool.get('service.callback')
            callback = Callback(callback_id)
            self.assertEqual(callback.state, 'done')
            self.assertEqual(callback.solved, 'no')
            self.assertEqual(callback.satisfaction, '2')
            self.assertEqual(callback.comment, "Still dark <b>")
            self.assertTrue(callback.answered_by_link)
            self.assertEqual(callback.ticket.state, 'open')
        # replayed: the single use is spent
        response = self.post(client, token, {
                'solved': 'yes', 'satisfaction': '5'})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.get(client, token).status_code, 404)

    def test_rate_checks_answers(self):
        "A rating without its answers is asked again and not spent"
        _, callback_id = self.resolved_ticket()
        token = self.issue('rate', ('service.callback', callback_id))
        client = self.client()
        self.open_form(client, token)
        response = self.post(client, token, {
                'solved': 'maybe', 'satisfaction': '9'})
        self.assertEqual(response.status_code, 200)
        self.assertIn('Please say whether', response.text)
        self.assertIn('from 1 to 5', response.text)
        response = self.post(client, token, {
                'solved': 'yes', 'satisfaction': '5'})
        self.assertEqual(response.status_code, 200)
        with self.transaction():
            Callback = Pool().get('service.callback')
            callback = Callback(callback_id)
            self.assertEqual(callback.state, 'done')
            self.assertEqual(callback.ticket.state, 'resolved')

    def test_follow_link_ends_30_days_after_closing(self):
        "A follow link works while the ticket is open and 30 days after"
        ticket_id, callback_id = self.resolved_ticket()
        token = self.issue('follow', ('service.ticket', ticket_id))
        with self.transaction():
            pool = Pool()
            Link = pool.get('service.access.link')
            Ticket = pool.get('service.ticket')
            ticket = Ticket(ticket_id)
            Ticket.close([ticket])
            link, = Link.search([('token_hash', '=', portal_hash(token))])
            self.assertIsNone(link.expires_at)
            closed_at = Ticket(ticket_id).closed_at
            self.assertEqual(
                link.refusal(closed_at + dt.timedelta(days=29)), 'valid')
            self.assertEqual(
                link.refusal(closed_at + dt.timedelta(days=31)), 'expired')
        self.assertEqual(self.get(self.client(), token).status_code, 200)
        with self.transaction():
            Ticket = Pool().get('service.ticket')
            Ticket.write([Ticket(ticket_id)], {
                    'closed_at': dt.datetime.now() - dt.timedelta(days=31)})
        self.assertEqual(self.get(self.client(), token).status_code, 404)

    def test_follow_comment_goes_to_the_thread(self):
        "A comment of the follow page is a public message of the ticket"
        ticket_id, _ = self.resolved_ticket()
        token = self.issue('follow', ('service.ticket', ticket_id))
        client = self.client()
        response = self.open_form(client, token)
        self.assertIn('Repaired', response.text)
        response = self.post(client, token, {
                'comment': "Thanks!\r\n<img src=x onerror=alert(1)>"})
        self.assertEqual(response.status_code, 200)
        self.assertIn('your message was received', response.text)
        self.assertIn('&lt;img src=x', response.text)
        self.assertNotIn('<img', response.text)
        with self.transaction():
            Message = Pool().get('ir.chat.message')
            message, = Message.search([
                    ('channel.resource', '=', f'service.ticket,{ticket_id}'),
                    ('audience', '=', 'public')])
            self.assertEqual(
                message.content, "Thanks!\n<img src=x onerror=alert(1)>")

    def test_rate_limits(self):
        "Too many requests from one address or on one link: 429"
        token = self.issue('report', ('service.equipment', self.item))
        client = self.client()
        with patch.object(portal, 'IP_LIMIT', (3, 600)):
            for _ in range(3):
                self.assertEqual(self.get(client, token).status_code, 200)
            self.assertEqual(self.get(client, token).status_code, 429)
            # guessing from the same address is stopped too
            self.assertEqual(
                self.get(client, 'y' * 43).status_code, 429)
        portal.limiter.clear()
        ticket_id, _ = self.resolved_ticket()
        follow = self.issue('follow', ('service.ticket', ticket_id))
        self.open_form(client, follow)
        with patch.object(portal, 'TOKEN_POST_LIMIT', (2, 3600)):
            for _ in range(2):
                response = self.post(client, follow, {'comment': "Hello"})
                self.assertEqual(response.status_code, 200)
            self.ip = '10.9.9.9'
            response = self.post(client, follow, {'comment': "Hello"})
            self.assertEqual(response.status_code, 429)

    def test_send_link_by_email(self):
        "Send Link e-mails the follow link, which opens the ticket"
        ticket_id, _ = self.resolved_ticket()
        sent = []
        with patch.object(
                access_link, 'send_message_transactional', sent.append), \
                self.transaction():
            Ticket = Pool().get('service.ticket')
            Ticket.send_link([Ticket(ticket_id)])
        message, = sent
        self.assertEqual(message['To'], 'office@xinhua.example.cn')
        url, = re.findall(r'http\S+/service/l/(\S+)', message.get_content())
        self.assertEqual(self.get(self.client(), url).status_code, 200)
        with self.transaction():
            Link = Pool().get('service.access.link')
            link, = Link.search([
                    ('record', '=', f'service.ticket,{ticket_id}'),
                    ('sent_to', '!=', None)])
            self.assertEqual(link.scope, 'follow')
            self.assertEqual(link.state, 'valid')
            self.assertEqual(link.sent_to, 'office@xinhua.example.cn')

    def appointment(self, ticket_id):
        """Book a visit for the ticket tomorrow at 09:00 in Shanghai and
        return the work order's id"""
        with self.transaction():
            pool = Pool()
            Employee = pool.get('company.employee')
            Party = pool.get('party.party')
            WorkOrder = pool.get('service.work_order')
            party = Party(name="Wang Qiang")
            party.save()
            engineer = Employee(party=party, company=self.company)
            engineer.save()
            tomorrow = dt.date.today() + dt.timedelta(days=1)
            start = dt.datetime.combine(tomorrow, dt.time(1, 0))
            order = WorkOrder(
                ticket=ticket_id, party=self.customer, site=self.site,
                equipment=self.item, lead=engineer, planned_start=start,
                planned_end=start + dt.timedelta(hours=2),
                state='scheduled', scheduled_at=dt.datetime.now())
            order.save()
            return order.id, f'{tomorrow.isoformat()} 09:00–11:00'

    def open_ticket(self):
        with self.transaction():
            Ticket = Pool().get('service.ticket')
            ticket = Ticket(
                party=self.customer, site=self.site, equipment=self.item,
                subject="No picture", caller_phone='13812345678')
            ticket.save()
            Ticket.open([ticket])
            return ticket.id

    def test_follow_shows_promises_and_appointment(self):
        "The follow page shows the promised times and the visit booked, in"
        " the company's time zone"
        ticket_id = self.open_ticket()
        with self.transaction():
            Ticket = Pool().get('service.ticket')
            Ticket.write([Ticket(ticket_id)], {
                    'promised_at': dt.datetime(2031, 5, 6, 2, 30),
                    'response_deadline': dt.datetime(2031, 5, 6, 3, 0),
                    'resolution_deadline': dt.datetime(2031, 5, 8, 9, 0),
                    })
        token = self.issue('follow', ('service.ticket', ticket_id))
        response = self.get(self.client(), token)
        self.assertNotIn('Your appointment', response.text)
        self.assertNotIn('does not suit me', response.text)
        self.assertIn('answer you by 2031-05-06 10:30', response.text)
        self.assertIn('resolve it by 2031-05-08 17:00', response.text)
        _, when = self.appointment(ticket_id)
        response = self.get(self.client(), token)
        self.assertIn('Your appointment', response.text)
        self.assertIn(when + ', engineer Wang Qiang', response.text)
        self.assertIn('This time does not suit me', response.text)

    def test_follow_time_does_not_suit(self):
        "The customer asks for another time: the thread says so, customer"
        " service is told, the visit stays as booked"
        with self.transaction():
            pool = Pool()
            Group = pool.get('res.group')
            ModelData = pool.get('ir.model.data')
            User = pool.get('res.user')
            user = User(
                login='cs_portal', name="Zhang Min",
                groups=[Group(ModelData.get_id(
                            'service_desk',
                            'group_service_customer_service'))],
                companies=[self.company], company=self.company)
            user.save()
            cs_user = user.id
        ticket_id = self.open_ticket()
        token = self.issue('follow', ('service.ticket', ticket_id))
        client = self.client()
        self.open_form(client, token)
        # no appointment yet: nothing to change
        response = self.post(client, token, {
                'do': 'reschedule', 'reason': "Afternoons"})
        self.assertEqual(response.status_code, 200)
        self.assertIn('no appointment to change', response.text)

        order_id, when = self.appointment(ticket_id)
        # from another site: without the visitor's cookie
        response = self.post(self.client(), token, {
                'do': 'reschedule', 'reason': "Afternoons only"})
        self.assertEqual(response.status_code, 403)
        script = '<script>alert(1)</script>'
        response = self.post(client, token, {
                'do': 'reschedule',
                'reason': "Afternoons " + script + 'x' * 600})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn('customer service will call you', response.text)
        self.assertNotIn(script, response.text)
        self.assertIn('&lt;script&gt;', response.text)
        with self.transaction():
            pool = Pool()
            Message = pool.get('ir.chat.message')
            Notification = pool.get('res.notification')
            WorkOrder = pool.get('service.work_order')
            Ticket = pool.get('service.ticket')
            order = WorkOrder(order_id)
            self.assertEqual(order.state, 'scheduled')
            self.assertEqual(Ticket(ticket_id).state, 'open')
            message, = Message.search([
                    ('channel.resource', '=', f'service.ticket,{ticket_id}'),
                    ('audience', '=', 'public')])
            self.assertIn(when, message.content)
            self.assertIn("Afternoons " + script, message.content)
            self.assertLessEqual(
                len(message.content), portal.MAX_REASON + 200)
            self.assertEqual(message.user.login, 'service_portal')
            notification, = Notification.search([('user', '=', cs_user)])
            self.assertIn('asks for another visit time', notification.label)
            self.assertEqual(notification.records, f'[{ticket_id}]')

    def test_follow_comment_with_photos(self):
        "Photos of a comment are re-encoded without metadata and bounded"
        ticket_id = self.open_ticket()
        token = self.issue('follow', ('service.ticket', ticket_id))
        client = self.client()
        self.open_form(client, token)

        def send(photos, comment=''):
            return self.post(client, token, {
                    'comment': comment, 'photos': photos})

        def attachments():
            with self.transaction():
                Attachment = Pool().get('ir.attachment')
                return [(a.name, a.data) for a in Attachment.search([
                            ('resource', '=',
                                f'service.ticket,{ticket_id}')],
                        order=[('id', 'ASC')])]
        response = send([(io.BytesIO(photo()), 'a.jpg', 'image/jpeg'),
                (io.BytesIO(photo(format='WEBP')), 'b.webp', 'image/webp')])
        self.assertEqual(response.status_code, 200, response.text)
        self.assertIn('your message was received', response.text)
        photos = attachments()
        self.assertEqual(
            [n for n, _ in photos], ['portal-1.jpg', 'portal-2.jpg'])
        for _, data in photos:
            self.assertEqual(Image.open(io.BytesIO(data)).format, 'JPEG')
            self.assertNotIn(b'SecretCam', data)
        for bad in [
                [(io.BytesIO(photo()), f'{i}.jpg', 'image/jpeg')
                    for i in range(portal.MAX_COMMENT_PHOTOS + 1)],
                [(io.BytesIO(b'<svg onload="alert(1)"/>'), 'a.jpg',
                        'image/jpeg')],
                [(io.BytesIO(b'\xff\xd8' + b'\0' * portal.MAX_PHOTO_BYTES),
                        'big.jpg', 'image/jpeg')],
                ]:
            response = send(bad, comment="Look")
            self.assertEqual(response.status_code, 200)
            self.assertIn('A photo was not accepted', response.text)
        # in all, a ticket takes a bounded number of photos
        with patch.object(portal, 'MAX_TICKET_PHOTOS', 3):
            response = send([
                    (io.BytesIO(photo()), f'{i}.jpg', 'image/jpeg')
                    for i in range(2)])
            self.assertIn('A photo was not accepted', response.text)
            response = send([(io.BytesIO(photo()), 'c.jpg', 'image/jpeg')])
            self.assertIn('your message was received', response.text)
        self.assertEqual(len(attachments()), 3)
        response = send([], comment='')
        self.assertIn('write your message or add a photo', response.text)

    def mailed(self, action):
        """Run action(pool) in a transaction, then its queued tasks (the
        notifications), and return what action returned and the mails"""
        with patch('trytond.sendmail.get_smtp_server') as get_smtp:
            smtp = get_smtp.return_value
            smtp.send_message.return_value = {}
            with self.transaction() as transaction:
                result = action(Pool())
                tasks = list(transaction.tasks)
            for task_id in tasks:
                run_task(DB_NAME, task_id)
            mails = [c.args[0] for c in smtp.send_message.call_args_list]
        return result, mails

    def mail_token(self, mail):
        "The token of the portal address in mail, or None"
        urls = re.findall(r'http\S+/service/l/(\S+)', mail.get_content())
        if urls:
            url, = urls
            return url

    def test_mails_carry_follow_and_rating_links(self):
        "The acknowledgement links to the follow page, the resolution to the"
        " rating page; a customer without e-mail gets no link at all"
        def open_ticket(pool):
            Ticket = pool.get('service.ticket')
            ticket = Ticket(
                party=self.customer, site=self.site, equipment=self.item,
                subject="No sound", caller_phone='13812345678')
            ticket.save()
            Ticket.open([ticket])
            return ticket.id
        ticket_id, mails = self.mailed(open_ticket)
        acknowledgement, = mails
        self.assertIn('office@xinhua.example.cn', acknowledgement['To'])
        self.assertIn('Follow your request', acknowledgement.get_content())
        follow = self.mail_token(acknowledgement)
        response = self.get(self.client(), follow)
        self.assertEqual(response.status_code, 200)
        self.assertIn('No sound', response.text)

        def resolve(pool):
            Ticket = pool.get('service.ticket')
            Ticket.resolve([Ticket(ticket_id)])
        _, mails = self.mailed(resolve)
        resolution, = mails
        self.assertIn('Is the problem solved', resolution.get_content())
        rate = self.mail_token(resolution)
        client = self.client()
        self.open_form(client, rate)
        response = self.post(client, rate, {
                'solved': 'yes', 'satisfaction': '5'})
        self.assertEqual(response.status_code, 200)
        with self.transaction():
            pool = Pool()
            Link = pool.get('service.access.link')
            Ticket = pool.get('service.ticket')
            ticket = Ticket(ticket_id)
            callback, = ticket.callbacks
            self.assertEqual(callback.state, 'done')
            self.assertTrue(callback.answered_by_link)
            link, = Link.search([('token_hash', '=', portal_hash(follow))])
            self.assertEqual(link.record, ticket)
            self.assertEqual(link.sent_to, 'office@xinhua.example.cn')
            link, = Link.search([('token_hash', '=', portal_hash(rate))])
            self.assertEqual(link.record, callback)
            self.assertEqual(link.max_uses, 1)

        # a ticket the customer reports himself is acknowledged too
        with patch('trytond.sendmail.get_smtp_server') as get_smtp:
            smtp = get_smtp.return_value
            smtp.send_message.return_value = {}
            token = self.issue('report', ('service.equipment', self.item))
            client = self.client()
            self.open_form(client, token)
            self.assertEqual(self.report(client, token).status_code, 303)
            mails = [c.args[0] for c in smtp.send_message.call_args_list]
        acknowledgement, = mails
        self.assertIn('Follow your request', acknowledgement.get_content())
        self.assertEqual(
            self.get(self.client(), self.mail_token(acknowledgement))
            .status_code, 200)

        def without_email(pool):
            Party = pool.get('party.party')
            Ticket = pool.get('service.ticket')
            party = Party(name="Village Kindergarten")
            party.save()
            ticket = Ticket(
                party=party, subject="Broken", caller_phone='13812345678')
            ticket.save()
            Ticket.open([ticket])
            Ticket.resolve([ticket])
            return ticket.id
        ticket_id, mails = self.mailed(without_email)
        self.assertEqual(mails, [])
        with self.transaction():
            pool = Pool()
            Link = pool.get('service.access.link')
            Ticket = pool.get('service.ticket')
            ticket = Ticket(ticket_id)
            records = [str(ticket)] + [str(c) for c in ticket.callbacks]
            self.assertEqual(
                Link.search([('record', 'in', records)]), [])

    def test_label_sheet_prints_a_qr_code_of_each_item_link(self):
        "The label sheet of a site: each item's new report link as QR code"
        with self.transaction() as transaction:
            pool = Pool()
            Wizard = pool.get('service.equipment.print_labels', type='wizard')
            LabelSheet = pool.get('service.equipment.labels', type='report')
            session_id, _, _ = Wizard.create()
            with transaction.set_context(
                    active_model='service.site', active_id=self.site,
                    active_ids=[self.site]):
                result = Wizard.execute(session_id, {}, 'issue')
            (action, data), = result['actions']
            self.assertEqual(data['ids'], [self.item])
            url = data['urls'][str(self.item)]
            extension, content, _, _ = LabelSheet.execute(data['ids'], data)
        self.assertEqual(extension, 'odt')
        with zipfile.ZipFile(io.BytesIO(content)) as odt:
            pictures = [odt.read(n) for n in odt.namelist()
                if n.startswith('Pictures/')]
            text = odt.read('content.xml').decode()
        self.assertEqual(pictures, [qr_png(url)])
        self.assertIn('QR-0001', text)
        self.assertIn('+86 839 533 5003', text)
        token = url.rsplit('/', 1)[1]
        response = self.get(self.client(), token)
        self.assertEqual(response.status_code, 200)
        self.assertIn('Report a fault', response.text)


def portal_hash(token):
    from ..access_link import hash_token
    return hash_token(token)

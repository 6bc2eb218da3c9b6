# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Links of the customer portal: a secret in a URL that lets a customer,
without an account, do one thing about one record (R-ROLE-7, R-INFRA-2)"""
import contextlib
import datetime as dt
import hashlib
import hmac
import secrets
import urllib.parse

from trytond import config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.modules.company.model import employee_field, set_employee
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.sendmail import send_message_transactional
from trytond.transaction import Transaction
from trytond.url import http_host

from .common import BoundedMixin, CompanyMixin, GuardedMixin, set_timestamp
from .exceptions import AccessLinkError

# 32 random bytes: 256 bits, far above the 128 bits asked
TOKEN_BYTES = 32
SCOPES = [
    ('report', "Report a Fault"),
    ('follow', "Follow a Ticket"),
    ('rate', "Rate a Repair"),
    ('training', "Answer a Training"),
    ]
# the record each scope names
SCOPE_MODELS = {
    'report': {'service.equipment', 'service.site'},
    'follow': {'service.ticket'},
    'rate': {'service.callback'},
    'training': {'service.training.attendee'},
    }
LABEL_VALIDITY = dt.timedelta(days=2 * 365)
FOLLOW_AFTER_CLOSE = dt.timedelta(days=30)
RATE_VALIDITY = dt.timedelta(days=14)


def hash_token(token):
    "Return the hash of token kept in the database (hex SHA-256)"
    return hashlib.sha256(token.encode('utf-8')).hexdigest()


def portal_url(token, database=None):
    "Return the address of the portal page of token"
    if database is None:
        database = Transaction().database.name
    return urllib.parse.urljoin(
        http_host(), f'/{urllib.parse.quote(database)}/service/l/{token}')


class AccessLink(
        BoundedMixin, CompanyMixin, GuardedMixin, ModelSQL, ModelView):
    "A secret link that lets a customer act on one record without an account"
    __name__ = 'service.access.link'

    token_hash = fields.Char("Token Hash", readonly=True)
    scope = fields.Selection(SCOPES, "Scope", required=True, readonly=True)
    scope_string = scope.translated('scope')
    record = fields.Reference(
        "Record", selection='get_records', required=True, readonly=True)
    contact = fields.Many2One(
        'party.contact_mechanism', "Contact", ondelete='RESTRICT',
        readonly=True,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="To whom the link was sent.")
    expires_at = fields.DateTime(
        "Expires at", readonly=True,
        help="Empty: valid while the ticket is open and 30 days after it is "
        "closed.")
    max_uses = fields.Integer(
        "Maximum Uses", readonly=True,
        help="How many times the form of the link can be sent; empty for no "
        "limit.")
    uses = fields.Integer("Uses", readonly=True)
    revoked_at = fields.DateTime("Revoked at", readonly=True)
    revoked_by = employee_field("Revoked by", states=['revoked'])
    sent_at = fields.DateTime("Sent at", readonly=True)
    sent_to = fields.Char("Sent to", readonly=True)
    last_used_at = fields.DateTime("Last Used at", readonly=True)
    last_used_ip = fields.Char("Last Used from", readonly=True)
    state = fields.Function(fields.Selection([
                ('valid', "Valid"),
                ('expired', "Expired"),
                ('used', "Used Up"),
                ('revoked', "Revoked"),
                ], "State"), 'get_state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('token_hash_unique', Unique(t, t.token_hash),
                'service_desk.msg_access_link_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.record, Index.Equality())),
                # default order
                Index(t, (t.create_date, Index.Range()),
                    (t.id, Index.Range())),
                })
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'revoke': {
                    'invisible': Bool(Eval('revoked_at')),
                    'depends': ['revoked_at'],
                    },
                })

    @classmethod
    def default_uses(cls):
        return 0

    @classmethod
    def get_records(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        names = sorted(set().union(*SCOPE_MODELS.values()))
        return [(None, '')] + [(n, Model.get_name(n)) for n in names]

    @classmethod
    def _now(cls):
        return dt.datetime.now()

    def get_state(self, name=None):
        return self.refusal(self._now())

    def refusal(self, now):
        "Return why the link cannot be used at now, or 'valid'"
        if self.revoked_at:
            return 'revoked'
        if self.max_uses and (self.uses or 0) >= self.max_uses:
            return 'used'
        if self.expires_at and now > self.expires_at:
            return 'expired'
        if self.scope == 'follow':
            ticket = self.record
            if ticket.state == 'cancelled':
                return 'expired'
            if (ticket.state == 'closed' and ticket.closed_at
                    and now > ticket.closed_at + FOLLOW_AFTER_CLOSE):
                return 'expired'
        if self.scope == 'rate' and self.record.state != 'pending':
            return 'used'
        return 'valid'

    @classmethod
    def validate_fields(cls, links, field_names):
        super().validate_fields(links, field_names)
        for link in links:
            if (link.record
                    and link.record.__name__ not in SCOPE_MODELS[link.scope]):
                raise AccessLinkError(gettext(
                        'service_desk.msg_access_link_record',
                        scope=link.scope_string))

    @classmethod
    def issue(cls, scope, record, contact=None, expires_at=None,
            max_uses=None):
        """Create the link of scope for record and return it with its token,
        which is known only to the caller from then on"""
        now = cls._now().replace(microsecond=0)
        if expires_at is None:
            if scope == 'report':
                expires_at = now + LABEL_VALIDITY
            elif scope == 'rate':
                expires_at = now + RATE_VALIDITY
        if max_uses is None and scope == 'rate':
            max_uses = 1
        token = secrets.token_urlsafe(TOKEN_BYTES)
        link = cls(
            company=record.company,
            token_hash=hash_token(token),
            scope=scope,
            record=record,
            contact=contact,
            expires_at=expires_at,
            max_uses=max_uses,
            uses=0)
        link.save()
        return link, token

    @classmethod
    def find(cls, token, now=None):
        """Return the link of token valid at now, or None: an unknown,
        expired, used-up or revoked token alike"""
        if (not isinstance(token, str) or not 20 <= len(token) <= 100
                or not token.isascii()):
            return None
        token_hash = hash_token(token)
        links = cls.search([('token_hash', '=', token_hash)], limit=1)
        if not links:
            # as long as a known token to compare
            hmac.compare_digest(token_hash, '0' * len(token_hash))
            return None
        link, = links
        if not hmac.compare_digest(link.token_hash, token_hash):
            return None
        if link.refusal(now or cls._now()) != 'valid':
            return None
        return link

    def touch(self, ip, use=False):
        "Record that the link was opened from ip, and used when use"
        values = {
            'last_used_at': self._now().replace(microsecond=0),
            'last_used_ip': (ip or '')[:45] or None,
            }
        if use:
            values['uses'] = (self.uses or 0) + 1
        self.write([self], values)

    @property
    def language(self):
        "The language of the contact the link was issued for, or None"
        party = None
        if self.contact:
            party = self.contact.party
        elif self.record and getattr(self.record, 'party', None):
            party = self.record.party
        if party and party.lang:
            return party.lang.code

    @classmethod
    @ModelView.button
    @set_employee('revoked_by', when='before')
    @set_timestamp('revoked_at', when='before')
    def revoke(cls, links):
        pass

    # the sending: a method _send_<contact type> per medium, so that SMS or
    # WeChat templates are added by a module that defines its method
    @classmethod
    def send(cls, link, token):
        "Send the address of link to its contact"
        contact = link.contact
        if not contact:
            raise AccessLinkError(gettext(
                    'service_desk.msg_access_link_no_contact'))
        method = getattr(cls, f'_send_{contact.type}', None)
        if method is None:
            raise AccessLinkError(gettext(
                    'service_desk.msg_access_link_no_sender',
                    contact=contact.rec_name))
        method(link, portal_url(token))
        cls.write([link], {
                'sent_at': cls._now().replace(microsecond=0),
                'sent_to': contact.value,
                })

    @classmethod
    def _send_email(cls, link, url):
        from email.message import EmailMessage
        language = link.language
        with Transaction().set_context(language=language):
            subject = gettext(
                'service_desk.msg_access_link_email_subject',
                scope=cls(link.id).scope_string,
                record=link.record.rec_name)
            body = gettext(
                'service_desk.msg_access_link_email_body',
                scope=cls(link.id).scope_string,
                record=link.record.rec_name,
                url=url)
        msg = EmailMessage()
        msg['From'] = config.get('email', 'from')
        msg['To'] = link.contact.value
        msg['Subject'] = subject
        msg.set_content(body)
        send_message_transactional(msg)


class LinkedMixin:
    "A record with portal links listed on it, and a button to send one"
    __slots__ = ()
    _link_scope = None

    access_links = fields.Function(fields.Many2Many(
            'service.access.link', None, None, "Portal Links",
            help="The links sent or printed for this record."),
        'get_access_links')

    def get_access_links(self, name):
        Link = Pool().get('service.access.link')
        return [k.id for k in Link.search([
                    ('record', '=', f'{self.__name__},{self.id}'),
                    ])]

    def _link_contact(self):
        "The e-mail contact the link is sent to"
        contact = getattr(self, 'contact', None)
        if contact and contact.type == 'email':
            return contact
        party = getattr(self, 'party', None)
        if party:
            return party.contact_mechanism_get({'email'})

    @classmethod
    def send_links(cls, records):
        "Issue and send a link of the model's scope for each record"
        pool = Pool()
        Link = pool.get('service.access.link')
        for record in records:
            contact = record._link_contact()
            if not contact:
                raise AccessLinkError(gettext(
                        'service_desk.msg_access_link_no_contact_record',
                        record=record.rec_name))
            link, token = Link.issue(cls._link_scope, record, contact=contact)
            Link.send(link, token)
            record._link_sent(link)

    def _link_sent(self, link):
        pass


class Ticket(LinkedMixin, metaclass=PoolMeta):
    __name__ = 'service.ticket'
    _link_scope = 'follow'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'send_link': {
                    'invisible': Eval('state').in_(
                        ['draft', 'closed', 'cancelled']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    @ModelView.button
    def send_link(cls, tickets):
        "Send the customer a link to follow the ticket"
        cls.send_links(tickets)

    def _link_sent(self, link):
        self.chat_post(
            'service_desk.msg_portal_link_sent',
            scope=link.scope_string, contact=link.contact.value)


class Callback(LinkedMixin, metaclass=PoolMeta):
    __name__ = 'service.callback'
    _link_scope = 'rate'

    answered_by_link = fields.Boolean(
        "Answered by Link", readonly=True,
        help="The customer answered through the link sent to him.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'send_link': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_answered_by_link(cls):
        return False

    @classmethod
    @ModelView.button
    def send_link(cls, callbacks):
        "Send the customer a link to answer the callback himself"
        cls.send_links(callbacks)

    def _link_sent(self, link):
        if self.ticket:
            self.ticket.chat_post(
                'service_desk.msg_portal_link_sent',
                scope=link.scope_string, contact=link.contact.value)

    def answer_by_link(self, solved, satisfaction, comment):
        """Record the customer's answer as a phone callback is: "not
        solved" reopens the ticket"""
        self.reached = True
        self.solved = solved
        self.satisfaction = satisfaction
        self.comment = comment
        self.answered_by_link = True
        self.save()
        self.record([self])


class Equipment(LinkedMixin, metaclass=PoolMeta):
    __name__ = 'service.equipment'
    _link_scope = 'report'


# the e-mails of a ticket that carry a link, by their report: the scope and
# the record of the link
MAIL_LINKS = {
    'service.ticket.acknowledged': 'follow',
    'service.ticket.resolved': 'rate',
    }


class NotificationEmail(metaclass=PoolMeta):
    __name__ = 'notification.email'

    def get_email(self, record, sender, to, cc, bcc, languages):
        """The acknowledgement of a ticket carries a follow link, its
        resolution a rating link of its callback: issued for the e-mail
        contact of the customer, and only when the mail goes to someone"""
        url = None
        scope = MAIL_LINKS.get(self.content.report_name)
        if scope and to and record.__name__ == 'service.ticket':
            url = self._portal_link(scope, record)
        with Transaction().set_context(service_portal_url=url), \
                self._rendering_user():
            return super().get_email(record, sender, to, cc, bcc, languages)

    @staticmethod
    def _rendering_user():
        """The mail of a ticket the portal opened is rendered as root: the
        report checks that its user reads the ticket, which the portal user,
        without group, does not; the record is the one the trigger names"""
        ModelData = Pool().get('ir.model.data')
        transaction = Transaction()
        if transaction.user == ModelData.get_id('service_desk', 'user_portal'):
            return transaction.set_user(0)
        return contextlib.nullcontext()

    @classmethod
    def _portal_link(cls, scope, ticket):
        "Return the address of a new link of scope for ticket, or None"
        Link = Pool().get('service.access.link')
        contact = ticket._link_contact()
        if not contact or contact.type != 'email':
            return None
        if scope == 'follow':
            record = ticket
        else:
            pending = [c for c in ticket.callbacks if c.state == 'pending']
            if not pending:
                return None
            record = max(pending, key=lambda c: c.id)
        link, token = Link.issue(scope, record, contact=contact)
        Link.write([link], {
                'sent_at': Link._now().replace(microsecond=0),
                'sent_to': contact.value,
                })
        return portal_url(token)


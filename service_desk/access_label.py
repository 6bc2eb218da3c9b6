# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The QR label sheet of a site: each item with its label code, the service
phone and a QR code of a new report link (R-INFRA-3)"""
import io

from trytond.i18n import gettext
from trytond.modules.company import CompanyReport
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import StateReport, StateTransition, Wizard

from .access_link import portal_url
from .exceptions import AccessLinkError

try:
    import segno
except ImportError:
    segno = None

QR_SIZE = '3.2cm'


def qr_png(url):
    "Return the QR code of url as a PNG image"
    if segno is None:
        raise AccessLinkError(gettext('service_desk.msg_label_no_qr'))
    output = io.BytesIO()
    segno.make(url, error='m').save(output, kind='png', scale=8, border=2)
    return output.getvalue()


class PrintLabels(Wizard):
    "Print the QR labels of sites or items: a new report link for each item"
    __name__ = 'service.equipment.print_labels'
    start_state = 'issue'
    issue = StateTransition()
    print_ = StateReport('service.equipment.labels')

    def _items(self):
        pool = Pool()
        Equipment = pool.get('service.equipment')
        model = Transaction().context.get('active_model')
        if model == 'service.site':
            items = Equipment.search([
                    ('site', 'in', [r.id for r in self.records]),
                    ], order=[('site', 'ASC'), ('label', 'ASC')])
        elif model == 'service.equipment':
            items = list(self.records)
        else:
            # opened on no site or item: no label
            items = []
        return [i for i in items if i.active]

    def transition_issue(self):
        pool = Pool()
        Link = pool.get('service.access.link')
        urls = {}
        for item in self._items():
            link, token = Link.issue('report', item)
            urls[str(item.id)] = portal_url(token)
        self._urls = urls
        return 'print_'

    def do_print_(self, action):
        urls = getattr(self, '_urls', None) or {}
        ids = [int(i) for i in urls]
        return action, {
            'model': 'service.equipment',
            'ids': ids,
            'id': ids[0] if ids else None,
            'urls': urls,
            }

    def transition_print_(self):
        return 'end'


class LabelSheet(CompanyReport):
    "The sheet of QR labels to stick on the items"
    __name__ = 'service.equipment.labels'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        context = super().get_context(records, header, data)
        urls = data.get('urls') or {}
        labels = []
        for item in records:
            url = urls.get(str(item.id))
            if not url:
                # only the links the wizard has just issued are printed
                continue
            labels.append({
                    'item': item,
                    'url': url,
                    'qr': (qr_png(url), 'image/png', QR_SIZE, QR_SIZE),
                    })
        context['labels'] = labels
        company = context.get('company')
        if not company and records:
            company = records[0].company
        phone = None
        if company:
            mechanism = Company(company.id).party.contact_mechanism_get(
                {'phone', 'mobile'})
            phone = mechanism.value if mechanism else None
        context['service_phone'] = phone or ''
        return context

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Id


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __name__ = 'service.configuration'

    equipment_sequence = fields.Many2One(
        'ir.sequence', "Equipment Label Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('service_desk', 'sequence_type_equipment')),
            ],
        help="Used to number the QR labels of new equipment.")

    @classmethod
    def default_equipment_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('service_desk', 'sequence_equipment')
        except KeyError:
            return None

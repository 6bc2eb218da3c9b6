# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserWarning
from trytond.model.exceptions import ValidationError


class EquipmentValidationError(ValidationError):
    pass


class TicketError(ValidationError):
    pass


class CallbackError(ValidationError):
    pass


class WorkOrderError(ValidationError):
    pass


class InspectionError(ValidationError):
    pass


class CancelReasonError(ValidationError):
    pass


class RequisitionError(ValidationError):
    pass


class BoundsError(ValidationError):
    pass


class RequisitionBackOrderWarning(UserWarning):
    pass

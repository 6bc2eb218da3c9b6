# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
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


class ContextError(UserError):
    "A value of the context that the client sent is not valid"


class SearchError(UserError):
    "A search that a field does not take"


class RequisitionBackOrderWarning(UserWarning):
    pass


class AccessLinkError(ValidationError):
    pass


class WizardValueError(UserError):
    "A value of a wizard's form that the client sent is not valid"

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"After-sales technical service desk for Tryton."

from . import portal, routes

__all__ = ["portal", "routes"]

# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo of service_desk, built and served by bin/serve.

The demo is a county (云溪县) whose schools and offices, spread over six
townships, run equipment installed by the company; the users of the
service department (``service_desk.tests.tools.USERS``) log in with a known
password.
"""

# The demo's passwords: fictitious users on a server of 127.0.0.1
PASSWORD = 'service-demo'
ADMIN_PASSWORD = 'admin-demo'

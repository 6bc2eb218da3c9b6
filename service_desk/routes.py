# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from pathlib import Path

from werkzeug.wrappers import Response

from trytond.wsgi import app

SAO_CUSTOM = Path(__file__).parent / 'sao' / 'custom.js'


@app.route('/custom.js', methods={'GET'})
def sao_custom_js(request):
    """The corrections of sao that the module's users need (a file of the
    web root of the same name is served instead)"""
    return Response(
        SAO_CUSTOM.read_bytes(), mimetype='text/javascript',
        headers={'Cache-Control': 'no-cache'})

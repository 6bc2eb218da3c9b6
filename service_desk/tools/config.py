# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Print a trytond configuration for a local server with the sao web client."
import argparse
import configparser
import sys

# Chinese mailboxes (QQ, 163, Foxmail) send attachments of up to 25 MB
# directly; in base64 they take 4/3 of that, plus the text and headers.
INBOUND_EMAIL_MAX_SIZE = 36 * 1024 * 1024


# the analysis facts that PostgreSQL stores as materialized views, with the
# seconds between refreshes (the cron refreshes them every 10 minutes)
MATERIALIZED = [
    'service.analysis.fact.ticket',
    'service.analysis.fact.callback',
    'service.analysis.fact.failure',
    'service.analysis.fact.scorecard',
    ]
REFRESH_INTERVAL = 300

# LibreOffice converts the forms to PDF with a profile in the conversion's
# temporary directory, so that nothing is written in the user's home
CONVERT_COMMAND = (
    'soffice -env:UserInstallation=file://%(directory)s/profile '
    '--headless --nolockcheck --nodefault --norestore '
    '--convert-to "%(output_extension)s" --outdir "%(directory)s" '
    '"%(input_path)s"')


def build(database_path, listen, sao_root, uri='sqlite://'):
    config = configparser.ConfigParser(interpolation=None)
    config['database'] = {'uri': uri, 'path': database_path}
    config['web'] = {'listen': listen, 'root': sao_root}
    config['inbound_email'] = {'max_size': str(INBOUND_EMAIL_MAX_SIZE)}
    config['report'] = {'convert_command': CONVERT_COMMAND}
    if uri.startswith('postgresql'):
        config['table_query_materialized'] = {
            name: str(REFRESH_INTERVAL) for name in MATERIALIZED}
    return config


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--database-path', required=True)
    parser.add_argument('--listen', default='127.0.0.1:8000')
    parser.add_argument('--sao-root', required=True)
    parser.add_argument('--uri', default='sqlite://')
    args = parser.parse_args(argv)
    build(args.database_path, args.listen, args.sao_root, uri=args.uri
        ).write(sys.stdout)


if __name__ == '__main__':
    main()

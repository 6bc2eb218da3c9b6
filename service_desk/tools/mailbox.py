# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Bring the messages of a mailbox to the inbound e-mail route of trytond.

    service-desk-mailbox -c mailbox.conf imap [--once]
    service-desk-mailbox -c mailbox.conf pipe < message
    service-desk-mailbox -c mailbox.conf flush

``imap`` fetches the new (unseen) messages of an IMAP folder, waiting for
new mail with IDLE when the server has it, else polling; ``pipe`` takes
one message from the standard input, for a mail server's delivery to a
program; ``flush`` posts what is left in the queue.

Every message is first written to a queue on disk, then posted to the
inbox's URL.  It leaves the queue, and is marked seen (or deleted) on the
IMAP server, only once trytond answered 2xx; while trytond cannot be
reached, it stays queued and is posted again at the next round.  A message
that the route refuses for good (too large, unreadable) is moved aside,
to the refused folder of the IMAP server or the queue's ``refused``
directory, and logged; it is not posted again.  A message posted twice
(when the bridge stopped between trytond's answer and the flag) is
recognised by trytond by its Message-ID.

The password is read from the configuration file or from a file it
names, never from the command line.  The configuration::

    [mailbox]
    url = https://tryton.example.com/county/inbound_email/inbox/IDENTIFIER
    queue = /var/spool/service-desk-mailbox

    [imap]
    host = imap.exmail.qq.com
    security = tls
    user = service@example.com
    password_file = /etc/service-desk/mailbox.password

See ``doc/deployment.rst`` (The mailbox) for every setting.
"""
import argparse
import configparser
import fcntl
import http.client
import imaplib
import logging
import os
import re
import ssl
import stat
import sys
import time
import urllib.error
import urllib.request

logger = logging.getLogger('service_desk.mailbox')

# the exit codes of sysexits.h that mail servers understand
EX_OK = 0
EX_USAGE = 64
EX_DATAERR = 65
EX_CONFIG = 78
# "try again later": the mail server keeps the message and retries
EX_TEMPFAIL = 75

# the answers of the route that posting again will not change: a message
# too large or unreadable; any other failure (trytond stopped, a 5xx, an
# unknown inbox while trytond starts) is tried again
REFUSED = {400, 411, 413, 415, 422}
DELIVERED, REFUSED_FOR_GOOD, LATER = 'delivered', 'refused', 'later'

LOOPBACK = {'127.0.0.1', '::1', 'localhost'}
# servers close an IDLE after 30 minutes
IDLE_MAX = 25 * 60


class ConfigError(Exception):
    pass


class Settings:
    "The settings of the configuration file"

    def __init__(self, path):
        parser = configparser.ConfigParser(interpolation=None)
        try:
            with open(path, encoding='utf-8') as file:
                parser.read_file(file)
        except OSError as error:
            raise ConfigError(
                f"cannot read the configuration {path}: {error.strerror}"
                ) from error
        self.path = path

        def get(section, option, default=None):
            value = parser.get(section, option, fallback=None)
            if value is None or not value.strip():
                if default is None:
                    raise ConfigError(
                        f"[{section}] {option} is missing in {path}")
                return default
            return value.strip()

        def number(section, option, default):
            value = get(section, option, str(default))
            try:
                value = float(value)
            except ValueError:
                raise ConfigError(
                    f"[{section}] {option} must be a number of seconds, "
                    f"not {value!r}") from None
            if value <= 0:
                raise ConfigError(
                    f"[{section}] {option} must be more than 0")
            return value

        self.url = get('mailbox', 'url')
        if not re.match(r'https?://', self.url):
            raise ConfigError(
                "[mailbox] url must be the http(s) URL of the inbox: "
                f"{self.url!r}")
        self.queue = get('mailbox', 'queue')
        self.timeout = number('mailbox', 'timeout', 120)

        self.imap = parser.has_section('imap')
        if not self.imap:
            return
        self.host = get('imap', 'host')
        self.security = get('imap', 'security', 'tls').lower()
        if self.security not in {'tls', 'starttls', 'none'}:
            raise ConfigError(
                "[imap] security must be tls, starttls or none, not "
                f"{self.security!r}")
        if self.security == 'none' and self.host not in LOOPBACK:
            raise ConfigError(
                "[imap] security = none sends the password in clear: only "
                "for a server on this machine (127.0.0.1)")
        default_port = '993' if self.security == 'tls' else '143'
        port = get('imap', 'port', default_port)
        if not port.isdigit():
            raise ConfigError(f"[imap] port must be a number, not {port!r}")
        self.port = int(port)
        self.cafile = parser.get('imap', 'cafile', fallback='').strip()
        self.user = get('imap', 'user')
        password_file = parser.get(
            'imap', 'password_file', fallback='').strip()
        password = parser.get('imap', 'password', fallback='')
        if password_file:
            warn_readable(password_file)
            try:
                with open(password_file, encoding='utf-8') as file:
                    password = file.read().rstrip('\r\n')
            except OSError as error:
                raise ConfigError(
                    f"cannot read the password file {password_file}: "
                    f"{error.strerror}") from error
        elif password:
            warn_readable(path)
        if not password:
            raise ConfigError(
                "[imap] password_file (or password) is missing in "
                f"{path}")
        self.password = password
        self.folder = get('imap', 'folder', 'INBOX')
        self.refused_folder = get('imap', 'refused_folder', 'Refused')
        self.after = get('imap', 'after', 'seen').lower()
        if self.after not in {'seen', 'delete'}:
            raise ConfigError(
                f"[imap] after must be seen or delete, not {self.after!r}")
        self.interval = number('imap', 'interval', 60)
        idle = get('imap', 'idle', 'yes').lower()
        if idle not in {'yes', 'no', 'true', 'false', '1', '0', 'on', 'off'}:
            raise ConfigError(f"[imap] idle must be yes or no, not {idle!r}")
        self.idle = idle in {'yes', 'true', '1', 'on'}


def warn_readable(path):
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if mode & stat.S_IROTH:
        logger.warning(
            "%s holds a password and every user of this machine can read "
            "it: chmod 600 it", path)


class Queue:
    """Messages waiting for trytond's answer, one file each, written in tmp/
    and renamed into new/ (so a file in new/ is whole); refused/ keeps the
    messages refused for good.  The name tells the order and the origin:
    <nanoseconds>.pipe.<pid> or <nanoseconds>.imap.<uidvalidity>.<uid>"""

    def __init__(self, path):
        self.path = path
        self.new = os.path.join(path, 'new')
        self.tmp = os.path.join(path, 'tmp')
        self.refused = os.path.join(path, 'refused')
        for directory in (self.new, self.tmp, self.refused):
            os.makedirs(directory, mode=0o700, exist_ok=True)

    def add(self, data, origin):
        name = f'{time.time_ns():020d}.{origin}'
        tmp = os.path.join(self.tmp, name)
        with open(tmp, 'wb') as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.rename(tmp, os.path.join(self.new, name))
        directory = os.open(self.new, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return name

    def lock(self):
        "Hold the queue while posting it, one process at a time"
        file = open(os.path.join(self.path, 'lock'), 'a')
        fcntl.flock(file, fcntl.LOCK_EX)
        return file

    def names(self):
        return sorted(os.listdir(self.new))

    def imap_uids(self, uidvalidity):
        "The UIDs of the folder's messages already queued"
        uids = set()
        for name in self.names():
            origin = name.split('.')[1:]
            if origin[:2] == ['imap', str(uidvalidity)]:
                uids.add(origin[2])
        return uids

    def read(self, name):
        with open(os.path.join(self.new, name), 'rb') as file:
            return file.read()

    def remove(self, name):
        os.unlink(os.path.join(self.new, name))

    def set_aside(self, name):
        os.rename(
            os.path.join(self.new, name), os.path.join(self.refused, name))


def post(url, data, timeout):
    "Post the message to the route: DELIVERED, REFUSED_FOR_GOOD or LATER"
    request = urllib.request.Request(
        url, data=data, method='POST',
        headers={'Content-Type': 'message/rfc822'})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
        error.close()
    except (OSError, http.client.HTTPException) as error:
        reason = getattr(error, 'reason', error)
        return LATER, f"trytond cannot be reached at {url}: {reason}"
    if 200 <= status < 300:
        return DELIVERED, str(status)
    if status in REFUSED:
        return REFUSED_FOR_GOOD, f"refused by trytond ({status})"
    if status == 404:
        return LATER, (f"trytond answered 404: no such inbox or database "
            f"at {url} (check [mailbox] url)")
    return LATER, f"trytond answered {status}"


def subject_of(data):
    match = re.search(
        rb'^Subject:[ \t]*(.*(?:\r?\n[ \t].*)*)', data[:65536],
        re.MULTILINE | re.IGNORECASE)
    return (match.group(1).decode('ascii', 'replace').strip()
        if match else '')


class Mailbox:
    "An IMAP folder, logged in"

    def __init__(self, settings):
        self.settings = settings
        timeout = settings.timeout
        context = ssl.create_default_context(cafile=settings.cafile or None)
        if settings.security == 'tls':
            self.imap = imaplib.IMAP4_SSL(
                settings.host, settings.port, ssl_context=context,
                timeout=timeout)
        else:
            self.imap = imaplib.IMAP4(
                settings.host, settings.port, timeout=timeout)
            if settings.security == 'starttls':
                self.imap.starttls(ssl_context=context)
        self.imap.login(settings.user, settings.password)
        typ, data = self.imap.capability()
        self.capabilities = set(
            data[0].decode('ascii', 'replace').upper().split())
        self.uidvalidity = None

    def close(self):
        try:
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def command(self, *args):
        typ, data = self.imap.uid(*args)
        if typ != 'OK':
            raise imaplib.IMAP4.error(
                f"{args[0]} failed: {data[0]!r}")
        return data

    def select(self):
        typ, data = self.imap.select(quote(self.settings.folder))
        if typ != 'OK':
            raise imaplib.IMAP4.error(
                f"cannot open the folder {self.settings.folder}: "
                f"{data[0]!r}")
        typ, data = self.imap.response('UIDVALIDITY')
        self.uidvalidity = int(data[0]) if data and data[0] else 0

    def unseen(self):
        data = self.command('SEARCH', 'UNSEEN', 'UNDELETED')
        return [uid.decode() for uid in (data[0] or b'').split()]

    def fetch(self, uid):
        data = self.command('FETCH', uid, '(BODY.PEEK[])')
        for item in data:
            if isinstance(item, tuple):
                return item[1]
        return None

    def done(self, uid):
        flags = (r'(\Seen \Deleted)' if self.settings.after == 'delete'
            else r'(\Seen)')
        self.command('STORE', uid, '+FLAGS.SILENT', flags)

    def set_aside(self, uid):
        "Move the message to the refused folder, creating it when missing"
        folder = quote(self.settings.refused_folder)
        typ, data = self.imap.list('""', folder)
        if not [d for d in data if d]:
            self.imap.create(folder)
        if 'MOVE' in self.capabilities:
            self.command('MOVE', uid, folder)
        else:
            self.command('COPY', uid, folder)
            self.command('STORE', uid, '+FLAGS.SILENT', r'(\Seen \Deleted)')
            self.expunge(uid)

    def expunge(self, uid=None):
        if uid and 'UIDPLUS' in self.capabilities:
            self.command('EXPUNGE', uid)
        else:
            self.imap.expunge()

    def wait(self, seconds):
        """Wait for new mail up to seconds: IDLE when the server has it,
        else NOOP after sleeping"""
        if not (self.settings.idle and 'IDLE' in self.capabilities):
            time.sleep(seconds)
            self.imap.noop()
            return
        imap = self.imap
        tag = imap._new_tag()
        imap.send(tag + b' IDLE\r\n')
        while True:
            line = imap.readline()
            if not line:
                raise imaplib.IMAP4.abort("the server closed the connection")
            if line.startswith(b'+'):
                break
            if line.startswith(tag):
                raise imaplib.IMAP4.error(f"IDLE refused: {line!r}")
        logger.debug("waiting for new mail (IDLE, %s s)", seconds)
        imap.sock.settimeout(min(seconds, IDLE_MAX))
        try:
            while True:
                line = imap.readline()
                if not line:
                    raise imaplib.IMAP4.abort(
                        "the server closed the connection")
                if re.match(rb'\* \d+ (EXISTS|RECENT)', line):
                    break
        except TimeoutError:
            pass
        finally:
            imap.sock.settimeout(self.settings.timeout)
        imap.send(b'DONE\r\n')
        while True:
            line = imap.readline()
            if not line:
                raise imaplib.IMAP4.abort("the server closed the connection")
            if line.startswith(tag):
                break


def quote(folder):
    return '"' + folder.replace('\\', '\\\\').replace('"', '\\"') + '"'


def deliver(settings, queue, mailbox=None):
    """Post the queued messages in order; True when none is left.  Without
    a mailbox, the messages fetched from IMAP wait for the IMAP loop."""
    with queue.lock():
        return _deliver(settings, queue, mailbox)


def _deliver(settings, queue, mailbox):
    left = False
    for name in queue.names():
        origin = name.split('.')[1:]
        from_imap = origin[0] == 'imap'
        if from_imap and mailbox is None:
            left = True
            continue
        data = queue.read(name)
        result, reason = post(settings.url, data, settings.timeout)
        what = f"message {name} ({subject_of(data)!r}, {len(data)} bytes)"
        if result == LATER:
            logger.warning("%s: %s; kept in the queue", what, reason)
            return False
        same_folder = (from_imap
            and origin[1] == str(mailbox.uidvalidity))
        if result == DELIVERED:
            if same_folder:
                mailbox.done(origin[2])
            queue.remove(name)
            logger.info("%s: delivered", what)
        else:
            if same_folder:
                mailbox.set_aside(origin[2])
                queue.remove(name)
                logger.error("%s: %s; moved to the folder %s", what, reason,
                    settings.refused_folder)
            else:
                queue.set_aside(name)
                logger.error("%s: %s; moved to %s", what, reason,
                    queue.refused)
    if mailbox and settings.after == 'delete':
        mailbox.expunge()
    return not left


def imap_round(settings, queue, mailbox):
    "Queue the folder's new messages and post the queue; True when done"
    mailbox.select()
    queued = queue.imap_uids(mailbox.uidvalidity)
    for uid in mailbox.unseen():
        if uid in queued:
            continue
        data = mailbox.fetch(uid)
        if data is None:
            continue
        queue.add(data, f'imap.{mailbox.uidvalidity}.{uid}')
    return deliver(settings, queue, mailbox)


def run_imap(settings, queue, once=False):
    if not settings.imap:
        raise ConfigError(f"no [imap] section in {settings.path}")
    while True:
        try:
            with Mailbox(settings) as mailbox:
                logger.info("connected to %s as %s", settings.host,
                    settings.user)
                while True:
                    done = imap_round(settings, queue, mailbox)
                    if once:
                        return EX_OK if done else EX_TEMPFAIL
                    mailbox.wait(settings.interval)
        except (OSError, imaplib.IMAP4.error, ssl.SSLError) as error:
            logger.error("IMAP %s:%s: %s", settings.host, settings.port,
                error)
            if once:
                return EX_TEMPFAIL
            time.sleep(settings.interval)


def run_pipe(settings, queue, stdin):
    data = stdin.read()
    if not data.strip():
        logger.error("no message on the standard input")
        return EX_DATAERR
    try:
        name = queue.add(data, f'pipe.{os.getpid()}')
    except OSError as error:
        logger.error("cannot queue the message in %s: %s", queue.path,
            error)
        return EX_TEMPFAIL
    logger.info("message %s queued", name)
    deliver(settings, queue)
    return EX_OK


def run_flush(settings, queue):
    return EX_OK if deliver(settings, queue) else EX_TEMPFAIL


def main(argv=None, stdin=None):
    parser = argparse.ArgumentParser(
        prog='service-desk-mailbox',
        description="Post the messages of a mailbox to the inbound e-mail "
        "route of trytond: from an IMAP folder, or one message from the "
        "standard input (a mail server's pipe).  The password is in the "
        "configuration file or a file it names.")
    parser.add_argument(
        '-c', '--config',
        default=os.environ.get('SERVICE_DESK_MAILBOX_CONFIG'),
        help="the configuration file (default: "
        "$SERVICE_DESK_MAILBOX_CONFIG)")
    parser.add_argument(
        '-v', '--verbose', action='store_true', help="log every step")
    commands = parser.add_subparsers(dest='command', required=True)
    imap = commands.add_parser(
        'imap', help="fetch the new messages of the IMAP folder, then wait "
        "for more (IDLE or polling)")
    imap.add_argument(
        '--once', action='store_true',
        help="one round, then exit: 0 when every message was delivered, "
        "75 when some wait for trytond")
    commands.add_parser(
        'pipe', help="queue and post the message of the standard input; "
        "0 once it is queued")
    commands.add_parser(
        'flush', help="post the messages left in the queue: 0 when none "
        "is left, 75 otherwise")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    if not args.config:
        parser.error("the configuration file is needed: -c FILE")
    try:
        settings = Settings(args.config)
    except ConfigError as error:
        logger.error("%s", error)
        return EX_CONFIG
    try:
        queue = Queue(settings.queue)
    except OSError as error:
        logger.error("cannot create the queue %s: %s", settings.queue, error)
        return EX_TEMPFAIL
    try:
        if args.command == 'imap':
            return run_imap(settings, queue, once=args.once)
        elif args.command == 'pipe':
            return run_pipe(
                settings, queue, stdin or sys.stdin.buffer)
        else:
            return run_flush(settings, queue)
    except ConfigError as error:
        logger.error("%s", error)
        return EX_CONFIG
    except KeyboardInterrupt:
        return EX_OK


if __name__ == '__main__':
    sys.exit(main())

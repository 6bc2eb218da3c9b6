# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Varied MIME messages as customers' mail programs (QQ Mail, 163, Foxmail,
Outlook, phones) and mail robots send them.

Each entry: (key, raw bytes, expectation), the expectation a dict whose
``kind`` is

- ``new``: a ticket is created with ``subject`` and ``text`` (the exact
  description), ``attachments`` (names), ``party`` (the sender is a known
  customer's contact), ``unknown`` (the address flagged as unknown sender)
  and ``referenced`` (key of the ticket the subject names);
- ``thread``: the message is added to the thread of the ticket of the
  message ``ticket``, the chat message being ``content``, its
  ``attachments`` added to the ticket's;
  A ``new`` ticket may be an ``altered`` copy (its Message-ID was taken by
  another message) and then has the ``status`` ``altered``;
- ``duplicate``: already received, the result is the ticket of ``ticket``;
- ``ignored``: written by a program, no ticket, ``reason``;
- ``error``: kept to be checked, no ticket.

``%NUMBER:key%`` in a message stands for the number of the ticket created
by the message ``key``, known once it was posted; a message given as a
function is written from these numbers ({key: number}) when it is posted.

An expectation may have ``before``: (state, key, days), the ticket of the
message ``key`` being resolved or closed that many days ago before the
message is posted, and ``state``: the state of the result just after.
A thread's ``status`` is ``reopened`` when the message reopened it.
"""
import base64
import quopri
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

KNOWN = 'teacher@school.example'
# the e-mail of the service company's own party
COMPANY_CONTACT = 'engineer@desk.example'
# the contact of another customer
OTHER_CUSTOMER = 'head@other-school.example'
STRANGER = 'someone@stranger.example'
CONTACTS = {'customer': KNOWN, 'company': COMPANY_CONTACT,
    'other': OTHER_CUSTOMER}
# as the service desk's messages name themselves when no language is set
NO_SUBJECT = "(No subject) E-mail from %s"
ATTACHMENTS_ONLY = "(Attachments only) E-mail from %s: %s"
EMPTY = "(Empty e-mail) E-mail from %s without subject or text"
FORWARDED = "---------- Forwarded message ----------"


def new(subject, text, attachments=(), party=True, unknown=None,
        referenced=None, altered=False, **more):
    return {'kind': 'new', 'subject': subject, 'text': text,
        'attachments': list(attachments), 'party': party,
        'unknown': unknown, 'referenced': referenced, 'altered': altered,
        'status': 'altered' if altered else 'ticket', **more}


def thread(ticket, content, attachments=(), status='thread', **more):
    return {'kind': 'thread', 'ticket': ticket, 'content': content,
        'attachments': list(attachments), 'status': status, **more}


def duplicate(ticket):
    return {'kind': 'duplicate', 'ticket': ticket}


def ignored(reason, **more):
    return {'kind': 'ignored', 'reason': reason, **more}


ERROR = {'kind': 'error'}


def _message(subject, body, charset='utf-8', cte='base64', sender=KNOWN,
        message_id=None, **headers):
    message = EmailMessage()
    message['From'] = sender
    message['To'] = 'service@desk.example'
    if subject is not None:
        message['Subject'] = subject
    if message_id:
        message['Message-ID'] = message_id
    for name, value in headers.items():
        message[name.replace('_', '-')] = value
    message.set_content(body, charset=charset, cte=cte)
    return message.as_bytes()


def _raw(headers, body, content_type='text/plain; charset="utf-8"',
        encoding='8bit'):
    "A message written byte for byte, as broken programs write them"
    lines = [b'MIME-Version: 1.0']
    for name, value in headers:
        if isinstance(value, str):
            value = value.encode('ascii')
        lines.append(name.encode('ascii') + b': ' + value)
    lines.append(b'Content-Type: ' + content_type.encode('ascii'))
    lines.append(b'Content-Transfer-Encoding: ' + encoding.encode('ascii'))
    return b'\r\n'.join(lines) + b'\r\n\r\n' + body


def _word(text, charset, data=None):
    "One RFC 2047 encoded-word"
    data = text.encode(charset) if data is None else data
    return f'=?{charset}?B?{base64.b64encode(data).decode()}?='


def _legacy(subject_bytes, charset, body, encoding, sender=KNOWN,
        message_id=None):
    "A message built by hand, as older mail programs write them"
    if encoding == 'base64':
        payload = base64.encodebytes(body.encode(charset))
    elif encoding == 'quoted-printable':
        payload = quopri.encodestring(body.encode(charset))
    else:
        payload = body.encode(charset)
    subject = Header(subject_bytes.decode(charset), charset).encode()
    lines = [
        f'From: {sender}',
        'To: service@desk.example',
        f'Subject: {subject}',
        'MIME-Version: 1.0',
        f'Content-Type: text/plain; charset="{charset}"',
        f'Content-Transfer-Encoding: {encoding}',
        ]
    if message_id:
        lines.append(f'Message-ID: {message_id}')
    return '\r\n'.join(lines).encode('ascii') + b'\r\n\r\n' + payload


def _with_attachment(subject, body, filename, data, message_id,
        sender=KNOWN):
    message = MIMEMultipart()
    message['From'] = sender
    message['To'] = 'service@desk.example'
    if subject is not None and not subject.isascii():
        subject = Header(subject, 'utf-8').encode()
    if subject is not None:
        message['Subject'] = subject
    message['Message-ID'] = message_id
    if body is not None:
        message.attach(MIMEText(body, 'plain', 'utf-8'))
    part = MIMEApplication(data, Name=filename)
    part.add_header(
        'Content-Disposition', 'attachment', filename=('utf-8', '', filename))
    message.attach(part)
    return message.as_bytes()


def _alternative(subject, text, html, message_id):
    message = MIMEMultipart('alternative')
    message['From'] = KNOWN
    message['Subject'] = Header(subject, 'gb18030').encode()
    message['Message-ID'] = message_id
    message.attach(MIMEText(text, 'plain', 'gb18030'))
    message.attach(MIMEText(html, 'html', 'gb18030'))
    return message.as_bytes()


def _robot(subject, body, message_id, sender=KNOWN, **headers):
    return _message(subject, body, message_id=message_id, sender=sender,
        **headers)


def _bounce(message_id):
    "A delivery status notification as Postfix writes it"
    return _raw([
            ('From', 'Mail Delivery System <MAILER-DAEMON@mx.school.example>'),
            ('To', 'service@desk.example'),
            ('Subject', 'Undelivered Mail Returned to Sender'),
            ('Message-ID', message_id),
            ], b'--r\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n'
        b"I'm sorry to have to inform you that your message could not be "
        b'delivered.\r\n--r\r\n'
        b'Content-Type: message/delivery-status\r\n\r\n'
        b'Reporting-MTA: dns; mx.school.example\r\n\r\n'
        b'Final-Recipient: rfc822; nobody@school.example\r\n'
        b'Action: failed\r\nStatus: 5.1.1\r\n--r--\r\n',
        content_type='multipart/report; report-type=delivery-status; '
        'boundary="r"')


def _forward(note_html, inner, message_id):
    "A forward from Foxmail/QQ Mail: an HTML note and the message attached"
    message = MIMEMultipart('mixed')
    message['From'] = KNOWN
    message['To'] = 'service@desk.example'
    message['Subject'] = Header("转发：" + inner['Subject-Text'], 'utf-8'
        ).encode()
    message['Message-ID'] = message_id
    message.attach(MIMEText(note_html, 'html', 'utf-8'))
    del inner['Subject-Text']
    message.attach(MIMEMessage(inner))
    return message.as_bytes()


def _inner(subject, body, charset):
    inner = MIMEText(body, 'plain', charset)
    inner['From'] = '"李老师" <li@school.example>'
    inner['To'] = KNOWN
    inner['Subject'] = Header(subject, charset).encode()
    inner['Date'] = 'Mon, 23 Nov 2026 08:30:00 +0800'
    inner['Subject-Text'] = subject
    return inner


def _html_message(subject, html_bytes, content_type, message_id):
    return _raw([
            ('From', KNOWN), ('To', 'service@desk.example'),
            ('Subject', _word(subject, 'utf-8')), ('Message-ID', message_id),
            ], html_bytes, content_type=content_type)


HTML = (
    '<html><head><title>邮件</title>'
    '<style>p {{ color: red; }} .x:before {{ content: "样式"; }}</style>'
    '<script>var a = "脚本" && 1;</script></head>'
    '<body><div>王老师：</div><p>{}</p>'
    '<!-- 注释 --><script>alert("脚本")</script></body></html>')
TRANSLATED_FILENAME = "故障照片（教室）.jpg"
NO_CHARSET = (
    "没有声明字符集，实际是GBK：办公室的电脑开机蓝屏，重启多次仍然无法进入系统。")


def corpus():
    # --- ordinary mail, as it was received before
    yield ('utf8_b64', _message(
            "机房交换机故障", "机房交换机所有指示灯熄灭。",
            message_id='<c1@school>'),
        new("机房交换机故障", "机房交换机所有指示灯熄灭。"))
    yield ('utf8_qp', _message(
            "打印机卡纸", "二楼办公室打印机频繁卡纸。", cte='quoted-printable',
            message_id='<c2@school>'),
        new("打印机卡纸", "二楼办公室打印机频繁卡纸。"))
    yield ('gbk_b64', _legacy(
            "监控黑屏".encode('gbk'), 'gbk', "门口摄像头画面黑屏。",
            'base64', message_id='<c3@school>'),
        new("监控黑屏", "门口摄像头画面黑屏。"))
    yield ('gb2312_qp', _legacy(
            "广播无声".encode('gb2312'), 'gb2312', "校园广播没有声音。",
            'quoted-printable', message_id='<c4@school>'),
        new("广播无声", "校园广播没有声音。"))
    # GBK-only characters (镕, 喆) in a body labelled GB2312
    yield ('gb2312_with_gbk', _legacy(
            "电脑蓝屏".encode('gbk'), 'gbk', "朱镕老师和王喆老师的电脑蓝屏。",
            'base64', message_id='<c5@school>').replace(
            b'charset="gbk"', b'charset="gb2312"'),
        new("电脑蓝屏", "朱镕老师和王喆老师的电脑蓝屏。"))
    yield ('gb18030_8bit', _legacy(
            "白板触摸偏移".encode('gb18030'), 'gb18030',
            "触摸位置偏移约两厘米。", '8bit', message_id='<c6@school>'),
        new("白板触摸偏移", "触摸位置偏移约两厘米。"))
    yield ('big5', _legacy(
            "網路斷線".encode('big5'), 'big5', "整棟樓網路斷線。", 'base64',
            message_id='<c7@school>'), new("網路斷線", "整棟樓網路斷線。"))
    yield ('alternative', _alternative(
            "投影仪偏色", "投影画面偏黄。", "<p>投影画面<b>偏黄</b>。</p>",
            '<c8@school>'), new("投影仪偏色", "投影画面偏黄。"))
    yield ('html_only', _message(
            "Projector flicker", "<html><body><p>The projector in room "
            "201 flickers.</p></body></html>", cte='7bit',
            message_id='<c9@school>').replace(
            b'text/plain', b'text/html'),
        new("Projector flicker", "The projector in room 201 flickers."))
    yield ('attachment_cn_name', _with_attachment(
            "UPS告警", "UPS持续蜂鸣，见附件照片。", "告警照片.jpg",
            b'\xff\xd8\xff\xe0fakejpeg', '<c10@school>'),
        new("UPS告警", "UPS持续蜂鸣，见附件照片。", ['告警照片.jpg']))
    yield ('no_subject', _message(
            None, "没有主题的报修：录像机无法回放。",
            message_id='<c11@school>'),
        new(NO_SUBJECT % KNOWN, "没有主题的报修：录像机无法回放。"))
    yield ('unknown_sender', _message(
            "Router down", "Our router is down.", cte='7bit',
            sender='"IT" <it@nowhere.example>', message_id='<c12@nowhere>'),
        new("Router down", "Our router is down.", party=False,
            unknown='it@nowhere.example'))
    yield ('long_subject', _message(
            "很长的主题" * 80, "主题很长的邮件。", message_id='<c13@school>'),
        new(("很长的主题" * 80)[:250], "主题很长的邮件。"))
    yield ('crlf_garbage_header', b'From: ' + KNOWN.encode() + b'\r\n'
        b'Subject: =?utf-8?B?' + base64.b64encode("空调遥控".encode())
        + b'?=\r\nX-Broken header without colon\r\n'
        b'Message-ID: <c14@school>\r\n'
        b'Content-Type: text/plain; charset=utf-8\r\n\r\n'
        + "会议室空调遥控器失灵。".encode(),
        new("空调遥控", "会议室空调遥控器失灵。"))
    yield ('reply_by_references', _message(
            "Re: 机房交换机故障", "已经重启，恢复正常。",
            message_id='<c15@school>', In_Reply_To='<c1@school>',
            References='<c1@school>'),
        thread('utf8_b64', "已经重启，恢复正常。"))
    yield ('reply_by_references_gbk', _legacy(
            "回复：监控黑屏".encode('gbk'), 'gbk', "摄像头已恢复。", 'base64',
            message_id='<c16@school>').replace(
            b'Message-ID', b'In-Reply-To: <c3@school>\r\nMessage-ID'),
        thread('gbk_b64', "摄像头已恢复。"))
    yield ('duplicate', _message(
            "机房交换机故障", "机房交换机所有指示灯熄灭。",
            message_id='<c1@school>'), duplicate('utf8_b64'))
    yield ('duplicate_reply', _message(
            "Re: 机房交换机故障", "已经重启，恢复正常。",
            message_id='<c15@school>', In_Reply_To='<c1@school>'),
        duplicate('utf8_b64'))
    yield ('no_sender', b'Subject: no sender\r\n\r\nWho am I?\r\n', ERROR)
    yield ('bad_sender', b'From: not an address\r\nSubject: x\r\n\r\nx\r\n',
        ERROR)
    # an unknown label: the text is read as it is (here UTF-8)
    yield ('unknown_charset', _legacy(
            b'x', 'utf-8', "机房空调漏水，请派人检修。", '8bit',
            message_id='<c21@school>').replace(
            b'charset="utf-8"', b'charset="x-klingon"'),
        new("x", "机房空调漏水，请派人检修。"))
    yield ('empty_body', _message(
            "只有主题", "", message_id='<c22@school>'), new("只有主题", ""))

    # --- headers Python's own parser fails on: kept, no error answered
    yield ('truncated_message_id', _raw([
                ('From', KNOWN), ('Subject', _word("门禁失灵", 'utf-8')),
                ('Message-ID', '<x@'),
                ], "东门门禁刷卡无反应。".encode()),
        new("门禁失灵", "东门门禁刷卡无反应。"))
    yield ('empty_from', _raw([
                ('From', ''), ('Subject', 'nobody'), ('Message-ID', '<e1@x>'),
                ], b'no sender'), ERROR)
    yield ('broken_cc', _raw([
                ('From', KNOWN), ('To', 'service@desk.example'),
                ('Cc', '"Li Lei <li@x.example, =?utf-8?B?broken <@>,,'),
                ('Subject', _word("抄送损坏", 'utf-8')),
                ('Message-ID', '<b1@school>'),
                ], "抄送栏写坏了，但报修有效。".encode()),
        new("抄送损坏", "抄送栏写坏了，但报修有效。"))
    yield ('broken_cc_encoded', _raw([
                ('From', KNOWN), ('To', '<<<>>>@@'),
                ('Cc', '=?gb2312?B?zsLQwg==?= <@>, "unterminated'),
                ('Subject', _word("收件人损坏", 'utf-8')),
                ('Message-ID', '<b2@school>'),
                ], "收件人栏写坏了。".encode()),
        new("收件人损坏", "收件人栏写坏了。"))
    yield ('punycode_charset', _raw([
                ('From', KNOWN), ('Subject', _word("标签错误", 'utf-8')),
                ('Message-ID', '<p1@school>'),
                ], "字符集写成了punycode。".encode(),
            content_type='text/plain; charset=punycode'),
        new("标签错误", "字符集写成了punycode。"))
    yield ('nul_in_body', _raw([
                ('From', KNOWN), ('Subject', _word("空字符", 'utf-8')),
                ('Message-ID', '<n1@school>'),
                ], "正文里\x00有空字符。".encode()),
        new("空字符", "正文里有空字符。"))
    yield ('nul_in_subject', _raw([
                ('From', KNOWN), ('Subject', _word("主题\x00空字符", 'utf-8')),
                ('Message-ID', '<n2@school>'),
                ], "主题里有空字符。".encode()),
        new("主题空字符", "主题里有空字符。"))

    # --- nothing but attachments, or nothing at all
    yield ('no_subject_no_body', _message(
            None, "", message_id='<a1@school>'),
        new(EMPTY % KNOWN, ""))
    yield ('attachment_only', _with_attachment(
            None, None, "照片.jpg", b'\xff\xd8\xff\xe0photo',
            '<a2@school>'),
        new(ATTACHMENTS_ONLY % (KNOWN, "照片.jpg"), "", ['照片.jpg']))
    yield ('attachment_with_subject_only', _with_attachment(
            "见附件", None, "报修单.pdf", b'%PDF-1.4', '<a3@school>'),
        new("见附件", "", ['报修单.pdf']))
    yield ('attachment_encoded_word_name', _raw([
                ('From', KNOWN), ('Subject', _word("附件名", 'utf-8')),
                ('Message-ID', '<a4@school>'),
                ], (b'--b\r\nContent-Type: text/plain; charset=gb2312\r\n\r\n'
                + "附件名是编码字。".encode('gb2312') + b'\r\n--b\r\n'
                b'Content-Type: image/jpeg; name="'
                + _word(TRANSLATED_FILENAME, 'gb2312').encode() + b'"\r\n'
                b'Content-Disposition: attachment; filename="'
                + _word(TRANSLATED_FILENAME, 'gb2312').encode() + b'"\r\n'
                b'Content-Transfer-Encoding: base64\r\n\r\n'
                + base64.b64encode(b'jpeg') + b'\r\n--b--\r\n'),
            content_type='multipart/mixed; boundary="b"'),
        new("附件名", "附件名是编码字。", [TRANSLATED_FILENAME]))

    # --- robots: kept as ignored, no ticket, never answered
    yield ('auto_replied', _robot(
            "Re: 机房交换机故障", "我正在休假，回来后回复。", '<r1@school>',
            Auto_Submitted='auto-replied'), ignored('auto_submitted'))
    yield ('auto_generated_bulk', _robot(
            "学校通知", "这是系统自动发送的邮件。", '<r2@school>',
            Auto_Submitted='auto-generated', Precedence='bulk'),
        ignored('auto_submitted'))
    yield ('auto_submitted_no', _robot(
            "自行提交", "Auto-Submitted 为 no 的正常邮件。", '<r3@school>',
            Auto_Submitted='no'),
        new("自行提交", "Auto-Submitted 为 no 的正常邮件。"))
    yield ('outlook_out_of_office', _robot(
            "自动答复: 机房交换机故障", "我目前不在办公室。", '<r4@school>',
            X_Autoreply='yes', Precedence='auto_reply'), ignored('autoreply'))
    yield ('x_autorespond', _robot(
            "Re: 打印机卡纸", "已收到。", '<r5@school>',
            X_Autorespond='yes'), ignored('autoreply'))
    yield ('precedence_bulk', _robot(
            "教育局通知", "请各校注意。", '<r6@school>', Precedence='bulk'),
        ignored('precedence'))
    yield ('precedence_junk', _robot(
            "优惠", "促销。", '<r7@school>', Precedence='junk'),
        ignored('precedence'))
    yield ('precedence_list', _robot(
            "[list] 讨论", "邮件列表。", '<r8@school>', Precedence='list'),
        ignored('precedence'))
    yield ('precedence_auto_reply', _robot(
            "Re: 广播无声", "收到。", '<r9@school>',
            Precedence='auto_reply'), ignored('precedence'))
    yield ('qq_auto_reply', _robot(
            "自动回复: 机房交换机故障", "您好，邮件已收到，我会尽快回复。",
            '<r10@school>'), ignored('subject'))
    yield ('qq_auto_reply_fullwidth', _robot(
            "自动回复：打印机卡纸", "您的来信已收到。", '<r11@school>'),
        ignored('subject'))
    yield ('163_auto_reply', _robot(
            "来自王老师的自动回复", "本人休假中。", '<r12@school>'),
        ignored('subject'))
    yield ('big5_auto_reply', _robot(
            "自動回覆：網路斷線", "來信已收到。", '<r13@school>'),
        ignored('subject'))
    yield ('outlook_automatic_reply', _robot(
            "Automatic reply: Projector flicker", "I am out of the office.",
            '<r14@school>'), ignored('subject'))
    yield ('dsn_report', _bounce('<r15@mx>'), ignored('report'))
    yield ('mailer_daemon_plain', _robot(
            "Delivery failure", "Your message could not be delivered.",
            '<r16@mx>', sender='MAILER-DAEMON@mx.qq.com'),
        ignored('mailer_daemon'))
    yield ('postmaster', _robot(
            "退信通知", "邮件无法投递。", '<r17@mx>',
            sender='"Postmaster" <postmaster@163.com>'),
        ignored('mailer_daemon'))
    yield ('robot_names_ticket', _robot(
            "Auto-reply: Re: [%NUMBER:utf8_b64%] switch", "休假中。",
            '<r18@school>',
            Auto_Submitted='auto-replied'), ignored('auto_submitted'))
    yield ('robot_again', _robot(
            "Re: 机房交换机故障", "我正在休假，回来后回复。", '<r1@school>',
            Auto_Submitted='auto-replied'), ignored('auto_submitted'))

    # --- sender addresses match exactly, without wildcards
    yield ('wildcard_percent', _message(
            "通配符", "百分号地址。", message_id='<w1@x>',
            sender='%@school.example'),
        new("通配符", "百分号地址。", party=False,
            unknown='%@school.example'))
    yield ('wildcard_underscore', _message(
            "下划线", "下划线地址。", message_id='<w2@x>',
            sender='_eacher@school.example'),
        new("下划线", "下划线地址。", party=False,
            unknown='_eacher@school.example'))
    yield ('sender_upper_case', _message(
            "大写地址", "发件人地址大写。", message_id='<w3@school>',
            sender='"王老师" <TEACHER@School.Example>'),
        new("大写地址", "发件人地址大写。"))

    # --- decoding whatever the client did
    yield ('big5_cp950', _legacy(
            "機房裏的碁盤".encode('cp950'), 'cp950',
            "機房裏的恒溫空調故障，碁盤機櫃很熱。", 'base64',
            message_id='<d1@school>').replace(
            b'charset="cp950"', b'charset="big5"').replace(
            b'?cp950?', b'?big5?'),
        new("機房裏的碁盤", "機房裏的恒溫空調故障，碁盤機櫃很熱。"))
    yield ('gb2312_subject_gbk_char', _raw([
                ('From', KNOWN), ('Message-ID', '<d2@school>'),
                ('Subject',
                    _word(None, 'gb2312', "朱镕老师电脑".encode('gbk'))),
                ], "主题里有镕字。".encode('gbk'),
            content_type='text/plain; charset="gb2312"'),
        new("朱镕老师电脑", "主题里有镕字。"))
    subject = "多媒体教室投影机".encode('gb2312')
    yield ('split_encoded_word', _raw([
                ('From', KNOWN), ('Message-ID', '<d3@school>'),
                ('Subject', _word(None, 'gb2312', subject[:5]) + '\r\n '
                    + _word(None, 'gb2312', subject[5:])),
                ], "主题的编码字在字中间断开。".encode('gb2312'),
            content_type='text/plain; charset="gb2312"'),
        new("多媒体教室投影机", "主题的编码字在字中间断开。"))
    yield ('raw_8bit_gbk_subject', _raw([
                ('From', KNOWN), ('Message-ID', '<d4@school>'),
                ('Subject', "电子白板无法触控".encode('gbk')),
                ], "主题没有编码，直接是GBK字节。".encode('gbk'),
            content_type='text/plain; charset="gbk"'),
        new("电子白板无法触控", "主题没有编码，直接是GBK字节。"))
    yield ('declared_gb2312_sent_utf8', _raw([
                ('From', KNOWN), ('Message-ID', '<d5@school>'),
                ('Subject', _word("声明错误", 'utf-8')),
                ], "声明GB2312，实际发送UTF-8，录播系统无法启动。".encode(),
            content_type='text/plain; charset="gb2312"'),
        new("声明错误", "声明GB2312，实际发送UTF-8，录播系统无法启动。"))
    yield ('declared_utf8_sent_gb2312', _raw([
                ('From', KNOWN), ('Message-ID', '<d6@school>'),
                ('Subject', _word("声明错误二", 'utf-8')),
                ], ("声明UTF-8，实际发送GB2312，"
                    "校园广播没有声音，请尽快派人检修。").encode('gb2312'),
            content_type='text/plain; charset="utf-8"'),
        new("声明错误二",
            "声明UTF-8，实际发送GB2312，校园广播没有声音，请尽快派人检修。"))
    yield ('no_charset_gbk', _raw([
                ('From', KNOWN), ('Message-ID', '<d7@school>'),
                ('Subject', _word("没有字符集", 'utf-8')),
                ], NO_CHARSET.encode('gbk'), content_type='text/plain'),
        new("没有字符集", NO_CHARSET))
    yield ('html_entities', _html_message(
            "网页邮件", HTML.format(
                "&#26426;房&nbsp;交换机&amp;路由器 &lt;故障&gt;").encode(),
            'text/html; charset="utf-8"', '<d8@school>'),
        new("网页邮件", "王老师：\n机房 交换机&路由器 <故障>"))
    yield ('html_meta_charset', _html_message(
            "网页字符集", HTML.replace(
                '<head>', '<head><meta charset="gbk">').format(
                "机房空调漏水。").encode('gbk'),
            'text/html', '<d9@school>'),
        new("网页字符集", "王老师：\n机房空调漏水。"))
    yield ('html_meta_http_equiv', _html_message(
            "网页字符集二", HTML.replace(
                '<head>', '<head><meta http-equiv="Content-Type" '
                'content="text/html; charset=gb2312">').format(
                "朱镕老师的投影仪不亮。").encode('gbk'),
            'text/html', '<d10@school>'),
        new("网页字符集二", "王老师：\n朱镕老师的投影仪不亮。"))
    yield ('html_outlook', _html_message(
            "Outlook 网页邮件", (
                '<html xmlns:o="urn:schemas-microsoft-com:office:office">'
                '<head><meta http-equiv=Content-Type content="text/html; '
                'charset=gb2312">'
                '<style><!-- p.MsoNormal {margin:0} --></style>'
                '<!--[if gte mso 9]><xml><o:shapedefaults/></xml><![endif]-->'
                '</head><body lang=ZH-CN><div class=WordSection1>'
                '<p class=MsoNormal><span>录播教室</span><span>摄像机'
                '<o:p></o:p></span></p><p class=MsoNormal>无法转动。'
                '<o:p>&nbsp;</o:p></p></div></body></html>').encode('gb2312'),
            'text/html; charset="gb2312"', '<d11@school>'),
        new("Outlook 网页邮件", "录播教室摄像机\n无法转动。"))
    yield ('forward_html_note', _forward(
            "<div>请处理下面这封报修，谢谢。</div><div>——王老师</div>",
            _inner(
                "实验室电脑无法开机", "实验室三号电脑按电源键没反应。", 'gbk'),
            '<f1@school>'),
        new("转发：实验室电脑无法开机",
            "请处理下面这封报修，谢谢。\n——王老师\n\n"
            f"> {FORWARDED}\n"
            "> From: \"李老师\" <li@school.example>\n"
            "> Date: Mon, 23 Nov 2026 08:30:00 +0800\n"
            "> Subject: 实验室电脑无法开机\n"
            f"> To: {KNOWN}\n"
            ">\n"
            "> 实验室三号电脑按电源键没反应。",
            ["实验室电脑无法开机.eml"]))
    yield ('forward_no_note', _forward(
            "", _inner(
                "校门道闸不抬杆", "校门道闸识别车牌后不抬杆。", 'utf-8'),
            '<f2@school>'),
        new("转发：校门道闸不抬杆",
            f"> {FORWARDED}\n"
            "> From: \"李老师\" <li@school.example>\n"
            "> Date: Mon, 23 Nov 2026 08:30:00 +0800\n"
            "> Subject: 校门道闸不抬杆\n"
            f"> To: {KNOWN}\n"
            ">\n"
            "> 校门道闸识别车牌后不抬杆。",
            ["校门道闸不抬杆.eml"]))

    # --- a ticket number in the subject threads only known senders
    yield ('reply_by_number_customer', _message(
            "Re: [%NUMBER:utf8_b64%] switch", "交换机又坏了。",
            message_id='<t1@school>'),
        thread('utf8_b64', "交换机又坏了。"))
    yield ('reply_by_number_company', _message(
            "Re: [%NUMBER:utf8_b64%] switch", "工程师已到现场。",
            message_id='<t2@desk>', sender=COMPANY_CONTACT),
        thread('utf8_b64', "工程师已到现场。"))
    yield ('reply_by_number_stranger', _message(
            "Re: [%NUMBER:utf8_b64%] switch", "我也要报修交换机。",
            message_id='<t3@stranger>', sender=STRANGER),
        new("Re: [%NUMBER:utf8_b64%] switch", "我也要报修交换机。",
            party=False, unknown=STRANGER, referenced='utf8_b64'))
    yield ('reply_by_number_other_customer', _message(
            "Re: [%NUMBER:utf8_b64%] switch", "别的学校也有这个问题。",
            message_id='<t4@other>', sender=OTHER_CUSTOMER),
        new("Re: [%NUMBER:utf8_b64%] switch", "别的学校也有这个问题。",
            party=True, unknown=OTHER_CUSTOMER, referenced='utf8_b64'))
    yield ('stranger_again', _message(
            "Re: [%NUMBER:utf8_b64%] switch", "我也要报修交换机。",
            message_id='<t3@stranger>', sender=STRANGER),
        duplicate('reply_by_number_stranger'))
    yield ('reply_with_attachment', _with_attachment(
            "Re: [%NUMBER:gbk_b64%] camera", "补充照片。", "现场.jpg",
            b'\xff\xd8photo', '<t5@school>'),
        thread('gbk_b64', "补充照片。", ['现场.jpg']))
    yield from hostile()


def _from(sender, subject, body, message_id, *headers, charset='utf-8'):
    "A message whose From header is written byte for byte"
    # some programs write the name in UTF-8 without encoding it
    fields = [('From', sender.encode()), ('To', 'service@desk.example')]
    if subject is not None:
        fields.append(('Subject', subject if subject.isascii()
                else _word(subject, 'utf-8')))
    if message_id:
        fields.append(('Message-ID', message_id))
    fields.extend(headers)
    return _raw(fields, body.encode(charset),
        content_type=f'text/plain; charset="{charset}"')


def _encoded(text, charset, body, message_id, sender=KNOWN, subject=None,
        content_type=None, encoding='7bit'):
    "A message whose subject and body are in a 7-bit charset"
    subject = text if subject is None else subject
    return _raw([
            ('From', sender), ('To', 'service@desk.example'),
            ('Subject', _word(subject, charset)),
            ('Message-ID', message_id),
            ], body.encode(charset),
        content_type=content_type or f'text/plain; charset="{charset}"',
        encoding=encoding)


def _forward_with_files(subject, body, files, message_id, note="请看附件。"):
    "A forward whose forwarded message has its own attachments"
    inner = MIMEMultipart()
    inner['From'] = '"李老师" <li@school.example>'
    inner['To'] = KNOWN
    inner['Subject'] = Header(subject, 'utf-8').encode()
    inner['Date'] = 'Mon, 23 Nov 2026 08:30:00 +0800'
    inner.attach(MIMEText(body, 'plain', 'utf-8'))
    for name, data in files:
        if isinstance(data, MIMEMessage):
            inner.attach(data)
            continue
        part = MIMEApplication(data, Name=name)
        part.add_header('Content-Disposition', 'attachment',
            filename=('utf-8', '', name))
        inner.attach(part)
    outer = MIMEMultipart('mixed')
    outer['From'] = KNOWN
    outer['To'] = 'service@desk.example'
    outer['Subject'] = Header("转发：" + subject, 'utf-8').encode()
    outer['Message-ID'] = message_id
    outer.attach(MIMEText(note, 'plain', 'utf-8'))
    outer.attach(MIMEMessage(inner))
    return outer, outer.as_bytes()


def _quote(inner_headers, text):
    "The quoted forward as the ticket's description shows it"
    lines = [FORWARDED, *inner_headers, '', *text.splitlines()]
    return '\n'.join('> ' + line if line else '>' for line in lines)


FORWARD_HEADERS = [
    'From: "李老师" <li@school.example>',
    'Date: Mon, 23 Nov 2026 08:30:00 +0800',
    ]


def _fullwidth(text):
    "The text in full-width letters and digits, as Chinese input writes"
    return ''.join(chr(ord(c) + 0xFEE0) if '!' <= c <= '~' else c
        for c in text)


def hostile():
    "The messages of issue 26: forged senders, robots, odd charsets..."
    # --- the sender is the address of the raw header, never a name
    customer_word = _word(KNOWN, 'utf-8')
    yield ('spoof_encoded_name_is_address', _from(
            f'{customer_word} <{STRANGER}>', "交换机坏了",
            "名字里写了客户的地址。", '<s1@stranger>'),
        new("交换机坏了", "名字里写了客户的地址。", party=False,
            unknown=STRANGER))
    yield ('spoof_encoded_name_is_mailbox', _from(
            _word(f'"王老师" <{KNOWN}>', 'utf-8') + f' <{STRANGER}>',
            "投影仪坏了", "名字里写了客户的整个邮箱。", '<s2@stranger>'),
        new("投影仪坏了", "名字里写了客户的整个邮箱。", party=False,
            unknown=STRANGER))
    yield ('spoof_quoted_name_is_address', _from(
            f'"{KNOWN}" <{STRANGER}>', "打印机坏了", "引号里的名字是地址。",
            '<s3@stranger>'),
        new("打印机坏了", "引号里的名字是地址。", party=False,
            unknown=STRANGER))
    yield ('spoof_unquoted_name_is_address', _from(
            f'{KNOWN} <{STRANGER}>', "电脑坏了", "没有引号的名字是地址。",
            '<s4@stranger>'),
        new("电脑坏了", "没有引号的名字是地址。", party=False,
            unknown=STRANGER))
    yield ('spoof_crlf_in_encoded_name', _from(
            _word(f'王老师\r\nFrom: {KNOWN}', 'utf-8') + f' <{STRANGER}>',
            "音响坏了", "名字里有换行。", '<s5@stranger>'),
        new("音响坏了", "名字里有换行。", party=False, unknown=STRANGER))
    # a line break inside a quoted name makes a second From header
    yield ('spoof_crlf_in_quoted_name', _from(
            f'"Li\r\nFrom: {KNOWN}" <{STRANGER}>', "话筒坏了",
            "引号里的名字有换行。", '<s6@stranger>'),
        new("话筒坏了", "引号里的名字有换行。", party=False,
            unknown=KNOWN))
    yield ('spoof_two_from_headers', _from(
            KNOWN, "门铃坏了", "两个发件人栏。", '<s7@stranger>',
            ('From', STRANGER)),
        new("门铃坏了", "两个发件人栏。", party=False, unknown=STRANGER))
    yield ('spoof_two_addresses', _from(
            f'<{KNOWN}>, <{STRANGER}>', "插座坏了", "一个发件人栏两个地址。",
            '<s8@stranger>'),
        new("插座坏了", "一个发件人栏两个地址。", party=False,
            unknown=STRANGER))
    yield ('spoof_encoded_name_number', _from(
            f'{customer_word} <{STRANGER}>',
            "Re: [%NUMBER:utf8_b64%] switch", "冒充客户回复工单。",
            '<s9@stranger>'),
        new("Re: [%NUMBER:utf8_b64%] switch", "冒充客户回复工单。",
            party=False, unknown=STRANGER, referenced='utf8_b64'))
    yield ('spoof_unquoted_name_number', _from(
            f'{KNOWN} <{STRANGER}>', "Re: [%NUMBER:utf8_b64%] switch",
            "冒充客户回复工单二。", '<s10@stranger>'),
        new("Re: [%NUMBER:utf8_b64%] switch", "冒充客户回复工单二。",
            party=False, unknown=STRANGER, referenced='utf8_b64'))
    yield ('spoof_crlf_name_number', _from(
            _word(f'x\r\nFrom: {KNOWN}', 'utf-8') + f' <{STRANGER}>',
            "Re: [%NUMBER:utf8_b64%] switch", "换行冒充回复工单。",
            '<s11@stranger>'),
        new("Re: [%NUMBER:utf8_b64%] switch", "换行冒充回复工单。",
            party=False, unknown=STRANGER, referenced='utf8_b64'))
    yield ('encoded_address_only', _from(
            customer_word, "只有编码的地址", "发件人地址本身是编码字。",
            '<s12@stranger>'), ERROR)
    # real customers whose names have a comma or an @ keep their link
    yield ('customer_unquoted_comma', _from(
            f'Wang, Li <{KNOWN}>', "空调坏了", "名字里有逗号。",
            '<k1@school>'),
        new("空调坏了", "名字里有逗号。"))
    yield ('customer_encoded_comma', _from(
            _word("王, 老师", 'utf-8') + f' <{KNOWN}>', "灯坏了",
            "编码的名字里有逗号。", '<k2@school>'),
        new("灯坏了", "编码的名字里有逗号。"))
    yield ('customer_encoded_at', _from(
            _word("王老师@三小", 'utf-8') + f' <{KNOWN}>', "门禁坏了",
            "编码的名字里有@。", '<k3@school>'),
        new("门禁坏了", "编码的名字里有@。"))
    yield ('customer_unquoted_at', _from(
            f'wang@home <{KNOWN}>', "网络慢", "没有引号的名字里有@。",
            '<k4@school>'),
        new("网络慢", "没有引号的名字里有@。"))
    yield ('customer_quoted_comma', _from(
            f'"王, 老师" <{KNOWN}>', "服务器报警", "引号里的名字有逗号。",
            '<k5@school>'),
        new("服务器报警", "引号里的名字有逗号。"))
    yield ('customer_comment', _from(
            f'{KNOWN} (王老师)', "显示器闪烁", "名字写在括号里。",
            '<k6@school>'),
        new("显示器闪烁", "名字写在括号里。"))
    yield ('customer_comma_number', _from(
            _word("王, 老师", 'utf-8') + f' <{KNOWN}>',
            "Re: [%NUMBER:html_only%] projector", "投影仪还在闪。",
            '<k7@school>'),
        thread('html_only', "投影仪还在闪。"))
    # CR/LF shown nowhere: the subject and the file names are one line
    yield ('crlf_in_subject', _raw([
                ('From', KNOWN), ('Message-ID', '<k8@school>'),
                ('Subject',
                    _word("电脑坏了\r\nBcc: all@desk.example", 'utf-8')),
                ], "主题里有换行。".encode()),
        new("电脑坏了 Bcc: all@desk.example", "主题里有换行。"))
    yield ('crlf_in_filename', _with_attachment(
            "文件名换行", "附件名里有换行。", "照片\r\n1.jpg", b'jpeg',
            '<k9@school>'),
        new("文件名换行", "附件名里有换行。", ["照片 1.jpg"]))

    # file names read in their charset, however they are written
    for key, disposition in [
            ('filename_rfc2231_gbk_in_gb2312', "attachment; "
                "filename*=gb2312''%D6%EC%E9F%C0%CF%CA%A6.jpg"),
            ('filename_rfc2231_continued', "attachment; "
                "filename*0*=gb2312''%D6%EC%E9F; "
                "filename*1*=%C0%CF%CA%A6.jpg"),
            ('filename_raw_utf8', 'attachment; filename="朱镕老师.jpg"'),
            ]:
        yield (key, _raw([
                    ('From', KNOWN), ('Subject', _word("附件名", 'utf-8')),
                    ('Message-ID', f'<{key}@school>'),
                    ], (b'--b\r\nContent-Type: text/plain; charset=gbk\r\n\r\n'
                    + "照片见附件。".encode('gbk') + b'\r\n--b\r\n'
                    b'Content-Type: image/jpeg\r\n'
                    b'Content-Disposition: ' + disposition.encode() + b'\r\n'
                    b'Content-Transfer-Encoding: base64\r\n\r\n'
                    + base64.b64encode(b'jpeg') + b'\r\n--b--\r\n'),
                content_type='multipart/mixed; boundary="b"'),
            new("附件名", "照片见附件。", ["朱镕老师.jpg"]))
    yield ('filename_raw_gbk', _raw([
                ('From', KNOWN), ('Subject', _word("附件名GBK", 'utf-8')),
                ('Message-ID', '<filename_raw_gbk@school>'),
                ], (b'--b\r\nContent-Type: text/plain; charset=gbk\r\n\r\n'
                + "照片见附件。".encode('gbk') + b'\r\n--b\r\n'
                b'Content-Type: image/jpeg; name="'
                + "朱镕老师.jpg".encode('gbk') + b'"\r\n'
                b'Content-Disposition: attachment; filename="'
                + "朱镕老师.jpg".encode('gbk') + b'"\r\n'
                b'Content-Transfer-Encoding: base64\r\n\r\n'
                + base64.b64encode(b'jpeg') + b'\r\n--b--\r\n'),
            content_type='multipart/mixed; boundary="b"'),
        new("附件名GBK", "照片见附件。", ["朱镕老师.jpg"]))
    yield ('utf16_body', _raw([
                ('From', KNOWN), ('Subject', _word("UTF-16正文", 'utf-8')),
                ('Message-ID', '<utf16@school>'),
                ], base64.encodebytes("UPS no power 停电".encode('utf-16')),
            content_type='text/plain; charset="utf-16"', encoding='base64'),
        new("UTF-16正文", "UPS no power 停电"))

    # --- a reply to a resolved or closed ticket reopens it
    yield ('reply_resolved_by_number', _message(
            "Re: [%NUMBER:utf8_qp%] printer", "打印机又卡纸了。",
            message_id='<o1@school>'),
        thread('utf8_qp', "打印机又卡纸了。", status='reopened',
            state='open', before=('resolved', 'utf8_qp', 1)))
    yield ('reply_closed_by_references', _message(
            "Re: 广播无声", "广播又没声音了。", message_id='<o2@school>',
            In_Reply_To='<c4@school>'),
        thread('gb2312_qp', "广播又没声音了。", status='reopened',
            state='open', before=('closed', 'gb2312_qp', 2)))
    yield ('reply_closed_long_ago', _message(
            "Re: [%NUMBER:big5%] 網路斷線", "兩個月後網路又斷了。",
            message_id='<o3@school>'),
        new("Re: [%NUMBER:big5%] 網路斷線", "兩個月後網路又斷了。",
            referenced='big5', before=('closed', 'big5', 60)))
    yield ('reply_resolved_by_stranger', _message(
            "Re: [%NUMBER:alternative%] projector", "我们学校也偏色。",
            message_id='<o4@stranger>', sender=STRANGER),
        new("Re: [%NUMBER:alternative%] projector", "我们学校也偏色。",
            party=False, unknown=STRANGER, referenced='alternative',
            before=('resolved', 'alternative', 1)))
    yield ('robot_to_resolved', _robot(
            "自动回复: [%NUMBER:alternative%] projector", "休假中。",
            '<o5@school>'),
        ignored('subject'))
    yield ('reply_resolved_lower_number', lambda numbers: _message(
            f"re: [{numbers['alternative'].lower()}] projector",
            "投影画面还是偏黄。", message_id='<o6@school>'),
        thread('alternative', "投影画面还是偏黄。", status='reopened',
            state='open'))

    # --- robots
    yield ('bracket_auto_reply', _robot(
            "【自动回复】机房交换机故障", "您的邮件已收到。", '<r21@school>'),
        ignored('subject'))
    yield ('bracket_auto_reply_number', _robot(
            "【自动回复】Re: [%NUMBER:gbk_b64%] camera", "休假中。",
            '<r22@school>'), ignored('subject'))
    yield ('fullwidth_bracket_auto_reply', _robot(
            "［自动回复］打印机卡纸", "已收到。", '<r23@school>'),
        ignored('subject'))
    yield ('english_bracket_auto_reply', _robot(
            "[Auto-Reply] Projector flicker", "Received.", '<r24@school>'),
        ignored('subject'))
    yield ('return_path_null', _robot(
            "Re: [%NUMBER:gbk_b64%] camera", "邮件无法送达。",
            '<r25@mx>', Return_Path='<>'), ignored('bounce'))
    yield ('x_failed_recipients', _robot(
            "投递失败", "以下收件人投递失败。", '<r26@mx>',
            sender='noreply@mail.example', X_Failed_Recipients=KNOWN),
        ignored('bounce'))
    yield ('bounce_null_and_failed', _robot(
            "系统通知", "投递失败。", '<r27@mx>', sender='notice@qq.example',
            Return_Path='<>', X_Failed_Recipients='li@school.example'),
        ignored('bounce'))
    yield ('newsletter_list_id', _robot(
            "教育装备简讯第12期", "本期内容……", '<r28@list>',
            sender='news@list.example', List_Id='<news.list.example>',
            List_Unsubscribe='<mailto:leave@list.example>'),
        ignored('list'))
    yield ('newsletter_unsubscribe_only', _robot(
            "优惠活动", "点击退订。", '<r29@list>',
            sender='promo@shop.example',
            List_Unsubscribe='<https://shop.example/leave>'),
        ignored('list'))
    yield ('list_from_customer_number', _robot(
            "Re: [%NUMBER:gbk_b64%] camera", "列表转发。", '<r30@list>',
            List_Id='<teachers.school.example>'), ignored('list'))

    # --- ticket numbers and Message-IDs however they are written
    yield ('number_fullwidth', lambda numbers: _message(
            f"回复：［{_fullwidth(numbers['gbk_b64'])}］摄像头",
            "摄像头又黑屏了。", message_id='<m1@school>'),
        thread('gbk_b64', "摄像头又黑屏了。"))
    yield ('number_fullwidth_gbk', lambda numbers: _legacy(
            "回复：【{}】电脑蓝屏".format(
                _fullwidth(numbers['gb2312_with_gbk'])).encode('gbk'),
            'gbk', "朱镕老师的电脑又蓝屏了。", 'base64',
            message_id='<m2@school>'),
        thread('gb2312_with_gbk', "朱镕老师的电脑又蓝屏了。"))
    yield ('number_lower', lambda numbers: _message(
            f"re: [{numbers['gb18030_8bit'].lower()}] whiteboard",
            "白板还是偏移。", message_id='<m3@school>'),
        thread('gb18030_8bit', "白板还是偏移。"))
    yield ('in_reply_to_bare', _message(
            "Re: UPS告警", "UPS已更换电池。", message_id='<m4@school>',
            In_Reply_To='c10@school'),
        thread('attachment_cn_name', "UPS已更换电池。"))
    yield ('references_bare', _message(
            "Re: 网络", "整栋楼网络恢复后又断了。", message_id='<m5@school>',
            References='gone@nowhere c12@nowhere'),
        thread('unknown_sender', "整栋楼网络恢复后又断了。"))
    yield ('message_id_bare', _raw([
                ('From', KNOWN), ('Subject', _word("电子班牌黑屏", 'utf-8')),
                ('Message-ID', 'm6@school'),
                ], "三楼电子班牌黑屏。".encode()),
        new("电子班牌黑屏", "三楼电子班牌黑屏。"))
    yield ('message_id_bare_again', _raw([
                ('From', KNOWN), ('Subject', _word("电子班牌黑屏", 'utf-8')),
                ('Message-ID', '<m6@school>'),
                ], "三楼电子班牌黑屏。".encode()),
        duplicate('message_id_bare'))
    yield ('reply_to_bare_id', _message(
            "Re: 电子班牌黑屏", "班牌重启后正常。", message_id='<m7@school>',
            In_Reply_To='<m6@school>'),
        thread('message_id_bare', "班牌重启后正常。"))

    # --- the same Message-ID saying something else is another message
    yield ('same_id_other_body', _message(
            "机房交换机故障", "不用修了，请把工单关掉。",
            message_id='<c1@school>'),
        new("机房交换机故障", "不用修了，请把工单关掉。", altered=True,
            referenced='utf8_b64'))
    yield ('same_id_other_attachment', _with_attachment(
            "UPS告警", "UPS持续蜂鸣，见附件照片。", "告警照片.jpg",
            b'\xff\xd8\xff\xe0another', '<c10@school>'),
        new("UPS告警", "UPS持续蜂鸣，见附件照片。", ['告警照片.jpg'],
            altered=True, referenced='attachment_cn_name'))
    yield ('same_id_same_body_relayed', b'Received: from mx2.school '
        b'(mx2.school [10.0.0.2]); Mon, 7 Dec 2026 08:00:00 +0800\r\n'
        + _message("机房交换机故障", "机房交换机所有指示灯熄灭。",
            message_id='<c1@school>'),
        duplicate('utf8_b64'))
    no_id = _raw([
            ('From', KNOWN), ('Subject', _word("没有邮件标识", 'utf-8')),
            ('Date', 'Mon, 07 Dec 2026 09:00:00 +0800'),
            ], "这封邮件没有Message-ID。".encode())
    yield ('no_message_id', no_id,
        new("没有邮件标识", "这封邮件没有Message-ID。"))
    yield ('no_message_id_again', no_id, duplicate('no_message_id'))
    yield ('no_message_id_other', no_id.replace(
            "这封邮件没有".encode(), "这封信也没有".encode()),
        new("没有邮件标识", "这封信也没有Message-ID。"))

    # --- 7-bit charsets read, not shown as escapes
    yield ('iso2022jp', _encoded(
            "プロジェクターが故障", 'iso-2022-jp',
            "教室のプロジェクターが映りません。", '<j1@school>'),
        new("プロジェクターが故障", "教室のプロジェクターが映りません。"))
    yield ('iso2022jp_raw_subject', _raw([
                ('From', KNOWN), ('Message-ID', '<j2@school>'),
                ('Subject', "プリンター故障".encode('iso-2022-jp')),
                ], "プリンターが動きません。".encode('iso-2022-jp'),
            content_type='text/plain; charset="ISO-2022-JP"',
            encoding='7bit'),
        new("プリンター故障", "プリンターが動きません。"))
    yield ('iso2022jp_unlabelled', _raw([
                ('From', KNOWN), ('Message-ID', '<j3@school>'),
                ('Subject', _word("ラベルなし", 'iso-2022-jp')),
                ], "文字コードの指定がないメールです。".encode('iso-2022-jp'),
            content_type='text/plain', encoding='7bit'),
        new("ラベルなし", "文字コードの指定がないメールです。"))
    yield ('hz_gb_2312', _encoded(
            "机房空调故障", 'hz-gb-2312', "机房空调不制冷，温度很高。",
            '<h1@school>'),
        new("机房空调故障", "机房空调不制冷，温度很高。"))
    yield ('hz_subject_only', _raw([
                ('From', KNOWN), ('Message-ID', '<h2@school>'),
                ('Subject', _word("门禁系统离线", 'hz-gb-2312')),
                ], "正文是UTF-8。".encode()),
        new("门禁系统离线", "正文是UTF-8。"))
    yield ('hz_quoted_printable', _raw([
                ('From', KNOWN), ('Message-ID', '<h3@school>'),
                ('Subject', _word("广播系统杂音", 'hz-gb-2312')),
                ], quopri.encodestring(
                    "广播系统有很大的杂音。".encode('hz-gb-2312')),
            content_type='text/plain; charset=HZ-GB-2312',
            encoding='quoted-printable'),
        new("广播系统杂音", "广播系统有很大的杂音。"))
    yield ('utf7', _encoded(
            "监控录像丢失", 'utf-7', "昨天的监控录像找不到了。",
            '<u1@school>'),
        new("监控录像丢失", "昨天的监控录像找不到了。"))
    yield ('utf7_filename', _raw([
                ('From', KNOWN), ('Subject', _word("附件名UTF-7", 'utf-8')),
                ('Message-ID', '<u2@school>'),
                ], (b'--b\r\nContent-Type: text/plain; charset=utf-7\r\n\r\n'
                + "附件名是UTF-7编码字。".encode('utf-7') + b'\r\n--b\r\n'
                b'Content-Type: image/jpeg\r\n'
                b'Content-Disposition: attachment; filename="'
                + _word("现场照片.jpg", 'utf-7').encode() + b'"\r\n'
                b'Content-Transfer-Encoding: base64\r\n\r\n'
                + base64.b64encode(b'jpeg') + b'\r\n--b--\r\n'),
            content_type='multipart/mixed; boundary="b"'),
        new("附件名UTF-7", "附件名是UTF-7编码字。", ["现场照片.jpg"]))

    # --- a forwarded message's attachments are the ticket's too
    _, forwarded = _forward_with_files(
        "机房漏水", "机房天花板漏水，见照片。",
        [("漏水照片.jpg", b'\xff\xd8leak'), ("位置图.pdf", b'%PDF-1.4')],
        '<f11@school>')
    yield ('forward_with_attachments', forwarded,
        new("转发：机房漏水",
            "请看附件。\n\n" + _quote(
                [*FORWARD_HEADERS, "Subject: 机房漏水", f"To: {KNOWN}"],
                "机房天花板漏水，见照片。"),
            ["机房漏水.eml", "漏水照片.jpg", "位置图.pdf"]))
    inner, _ = _forward_with_files(
        "电源跳闸", "配电箱跳闸。", [("跳闸.jpg", b'\xff\xd8trip')],
        '<f12@inner>')
    del inner['Message-ID']
    _, nested = _forward_with_files(
        "再转发", "见下面转发的邮件。", [("说明.txt", MIMEMessage(inner))],
        '<f13@school>')
    yield ('forward_nested', nested,
        new("转发：再转发",
            "请看附件。\n\n" + _quote(
                [*FORWARD_HEADERS, "Subject: 再转发", f"To: {KNOWN}"],
                "见下面转发的邮件。\n\n" + _quote([
                        f"From: {KNOWN}", "Subject: 转发：电源跳闸",
                        "To: service@desk.example"],
                    "请看附件。\n\n" + _quote(
                        [*FORWARD_HEADERS, "Subject: 电源跳闸",
                            f"To: {KNOWN}"],
                        "配电箱跳闸。"))),
            ["再转发.eml", "转发：电源跳闸.eml", "电源跳闸.eml", "跳闸.jpg"]))

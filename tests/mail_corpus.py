# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Varied MIME messages as customers' mail programs send them.

Each entry: (key, raw bytes, expectation) where the expectation is
``('new', subject, text snippet)``, ``('reply', key of the message it
answers)``, ``('duplicate', key)`` or ``('error', None)``.
"""
import base64
import quopri
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

KNOWN = 'teacher@school.example'


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


def _with_attachment(subject, body, filename, data, message_id):
    message = MIMEMultipart()
    message['From'] = KNOWN
    message['To'] = 'service@desk.example'
    message['Subject'] = Header(subject, 'utf-8').encode()
    message['Message-ID'] = message_id
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


def corpus():
    yield ('utf8_b64', _message(
            "机房交换机故障", "机房交换机所有指示灯熄灭。",
            message_id='<c1@school>'), ('new', "机房交换机故障", "指示灯熄灭"))
    yield ('utf8_qp', _message(
            "打印机卡纸", "二楼办公室打印机频繁卡纸。", cte='quoted-printable',
            message_id='<c2@school>'), ('new', "打印机卡纸", "频繁卡纸"))
    yield ('gbk_b64', _legacy(
            "监控黑屏".encode('gbk'), 'gbk', "门口摄像头画面黑屏。",
            'base64', message_id='<c3@school>'),
        ('new', "监控黑屏", "画面黑屏"))
    yield ('gb2312_qp', _legacy(
            "广播无声".encode('gb2312'), 'gb2312', "校园广播没有声音。",
            'quoted-printable', message_id='<c4@school>'),
        ('new', "广播无声", "没有声音"))
    # GBK-only characters (镕, 喆) in a message labelled GB2312
    yield ('gb2312_with_gbk', _legacy(
            "电脑蓝屏".encode('gbk'), 'gbk', "朱镕老师和王喆老师的电脑蓝屏。",
            'base64', message_id='<c5@school>').replace(
            b'charset="gbk"', b'charset="gb2312"'),
        ('new', "电脑蓝屏", "王喆"))
    yield ('gb18030_8bit', _legacy(
            "白板触摸偏移".encode('gb18030'), 'gb18030',
            "触摸位置偏移约两厘米。", '8bit', message_id='<c6@school>'),
        ('new', "白板触摸偏移", "偏移约两厘米"))
    yield ('big5', _legacy(
            "網路斷線".encode('big5'), 'big5', "整棟樓網路斷線。", 'base64',
            message_id='<c7@school>'), ('new', "網路斷線", "網路斷線"))
    yield ('alternative', _alternative(
            "投影仪偏色", "投影画面偏黄。", "<p>投影画面<b>偏黄</b>。</p>",
            '<c8@school>'), ('new', "投影仪偏色", "投影画面偏黄"))
    yield ('html_only', _message(
            "Projector flicker", "<html><body><p>The projector in room "
            "201 flickers.</p></body></html>", cte='7bit',
            message_id='<c9@school>').replace(
            b'text/plain', b'text/html'),
        ('new', "Projector flicker", "room 201 flickers"))
    yield ('attachment_cn_name', _with_attachment(
            "UPS告警", "UPS持续蜂鸣，见附件照片。", "告警照片.jpg",
            b'\xff\xd8\xff\xe0fakejpeg', '<c10@school>'),
        ('new', "UPS告警", "持续蜂鸣"))
    yield ('no_subject', _message(
            None, "没有主题的报修：录像机无法回放。",
            message_id='<c11@school>'),
        ('new', KNOWN, "录像机无法回放"))
    yield ('unknown_sender', _message(
            "Router down", "Our router is down.", cte='7bit',
            sender='"IT" <it@nowhere.example>', message_id='<c12@nowhere>'),
        ('new', "Router down", "router is down"))
    yield ('long_subject', _message(
            "很长的主题" * 80, "主题很长的邮件。", message_id='<c13@school>'),
        ('new', ("很长的主题" * 80)[:250], "主题很长"))
    yield ('crlf_garbage_header', b'From: ' + KNOWN.encode() + b'\r\n'
        b'Subject: =?utf-8?B?' + base64.b64encode("空调遥控".encode())
        + b'?=\r\nX-Broken header without colon\r\n'
        b'Message-ID: <c14@school>\r\n'
        b'Content-Type: text/plain; charset=utf-8\r\n\r\n'
        + "会议室空调遥控器失灵。".encode(), ('new', "空调遥控", "遥控器失灵"))
    yield ('reply_by_references', _message(
            "Re: 机房交换机故障", "已经重启，恢复正常。",
            message_id='<c15@school>', In_Reply_To='<c1@school>',
            References='<c1@school>'), ('reply', 'utf8_b64'))
    yield ('reply_by_references_gbk', _legacy(
            "回复：监控黑屏".encode('gbk'), 'gbk', "摄像头已恢复。", 'base64',
            message_id='<c16@school>').replace(
            b'Message-ID', b'In-Reply-To: <c3@school>\r\nMessage-ID'),
        ('reply', 'gbk_b64'))
    yield ('duplicate', _message(
            "机房交换机故障", "机房交换机所有指示灯熄灭。",
            message_id='<c1@school>'), ('duplicate', 'utf8_b64'))
    yield ('duplicate_reply', _message(
            "Re: 机房交换机故障", "已经重启，恢复正常。",
            message_id='<c15@school>', In_Reply_To='<c1@school>'),
        ('duplicate', 'utf8_b64'))
    yield ('no_sender', b'Subject: no sender\r\n\r\nWho am I?\r\n',
        ('error', None))
    yield ('bad_sender', b'From: not an address\r\nSubject: x\r\n\r\nx\r\n',
        ('error', None))
    yield ('unknown_charset', _legacy(
            b'x', 'utf-8', "body", '8bit', message_id='<c21@school>').replace(
            b'charset="utf-8"', b'charset="x-klingon"'), ('error', None))
    yield ('empty_body', _message(
            "只有主题", "", message_id='<c22@school>'),
        ('new', "只有主题", ""))

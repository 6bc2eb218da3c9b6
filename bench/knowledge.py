#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: the knowledge base's suggestions at intake and its search.

Builds --articles published articles (titles and texts in Chinese drawn
from a vocabulary of the trade, each on one of --products products and
one of as many fault codes), then alternates rounds of:

- intake: --batch tickets created one per transaction on an item with a
  subject and a fault code, each followed by the read of its suggested
  articles as the ticket form shows them (product, fault code and the
  words of the subject), next to as many tickets created alone (the
  baseline).  Target: the suggestions add at most 10 % to the creation
  (ratio <= 1.10).
- search: --batch searches of the articles by a two-character word
  inside their sentences (``words ilike``, as customer service searches)
  next to the same substring selected by raw SQL on the column (the
  baseline).

The order of the pair turns every round; each ratio is the median of the
per-round ratios.

    bench/knowledge.py [--articles 10000] [--products 50] [--batch 20]
        [--rounds 5] [--uri postgresql://127.0.0.1:5432/]
"""
import datetime as dt
import os
import random
import statistics
import time

import benchtools

WORDS = [
    "投影仪", "灯泡", "滤网", "风扇", "主板", "电源", "遥控器", "信号线",
    "白板", "触摸屏", "打印机", "硒鼓", "卡纸", "音箱", "话筒", "功放",
    "开机", "黑屏", "花屏", "无画面", "无声音", "过热", "报警", "重启",
    "更换", "清洗", "检查", "调整", "升级", "校准", "教室", "机房",
    "电脑", "网络", "交换机", "路由器", "摄像头", "录播", "中控", "幕布",
    ]
START = dt.datetime(2026, 4, 3, 11, 30)


def sentence(rng, count):
    return ''.join(rng.choice(WORDS) for _ in range(count))


def build(company, args):
    """Create the products, fault codes, items and --articles published
    articles; return the items and the fault codes"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Article = pool.get('service.knowledge.article')
    Equipment = pool.get('service.equipment')
    FaultCategory = pool.get('service.fault.category')
    Party = pool.get('party.party')
    Site = pool.get('service.site')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')
    rng = random.Random(33)

    unit, = Uom.search([('name', '=', 'Unit')])
    templates = Template.create([{
                'name': f"{rng.choice(WORDS)} {i}", 'default_uom': unit.id,
                'type': 'goods', 'products': [('create', [{}])]}
            for i in range(args.products)])
    products = [t.products[0] for t in templates]
    root, = FaultCategory.create([{'name': "故障"}])
    codes = FaultCategory.create([{
                'name': f"{rng.choice(WORDS)}{i}", 'kind': 'symptom',
                'parent': root.id} for i in range(args.products)])
    parties = Party.create([{
                'name': f"School {i}",
                'contact_mechanisms': [('create', [{
                                'type': 'phone',
                                'value': f'+86 10 6{i:03d} 0000',
                                }])],
                } for i in range(10)])
    sites = Site.create([{
                'name': p.name, 'party': p.id, 'company': company.id}
            for p in parties])
    equipment = Equipment.create([{
                'site': sites[i % len(sites)].id, 'company': company.id,
                'product': products[i % len(products)].id}
            for i in range(len(products))])

    for first in range(0, args.articles, 1000):
        Article.create([{
                    'kind': 'known_fault',
                    'title': sentence(rng, 3),
                    'body': sentence(rng, 30),
                    'products': [('add', [rng.choice(products).id])],
                    'fault_codes': [('add', [rng.choice(codes).id])],
                    } for _ in range(first, min(first + 1000, args.articles))])
    # published at once: the versions of the workflow are not measured
    table = Article.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.update(
            [table.state, table.version, table.published_at],
            ['published', 1, START]))
    return equipment, codes


def main():
    arguments = benchtools.parser(__doc__)
    arguments.add_argument('--articles', type=int, default=10000)
    arguments.add_argument('--products', type=int, default=50)
    arguments.add_argument('--batch', type=int, default=20)
    arguments.add_argument('--rounds', type=int, default=5)
    args = benchtools.configure(arguments.parse_args())

    from sql.operators import ILike
    from trytond.pool import Pool

    from service_desk.tests.tools import service_database

    database = f'bench_knowledge_{os.getpid()}'
    with service_database(name=database, uri=args.uri, create=True,
            drop=True) as (transaction, company):
        pool = Pool()
        Article = pool.get('service.knowledge.article')
        Ticket = pool.get('service.ticket')
        begin = time.perf_counter()
        equipment, codes = build(company, args)
        transaction.commit()
        built = time.perf_counter() - begin
        benchtools.as_served()
        rng = random.Random(8)
        cursor = transaction.connection.cursor()
        table = Article.__table__()
        number = iter(range(10 ** 9))

        def ticket_values():
            i = next(number)
            item = equipment[i % len(equipment)]
            return {
                'party': item.site.party.id,
                'site': item.site.id,
                'equipment': item.id,
                'subject': sentence(rng, 2) + "又坏了",
                'symptom_code': codes[i % len(codes)].id,
                'received_at': START + dt.timedelta(minutes=i),
                }

        def create_alone():
            for _ in range(args.batch):
                Ticket.create([ticket_values()])
                transaction.commit()

        def create_and_suggest():
            for _ in range(args.batch):
                ticket, = Ticket.create([ticket_values()])
                transaction.commit()
                Ticket.read([ticket.id], ['suggested_articles'])
                transaction.commit()

        found = []

        def search_words():
            for _ in range(args.batch):
                word = rng.choice(WORDS)[:2]
                found.append(len(Article.search(
                            [('words', 'ilike', f'%{word}%')])))

        def search_raw():
            for _ in range(args.batch):
                word = rng.choice(WORDS)[:2]
                cursor.execute(*table.select(table.id,
                        where=ILike(table.search_text, f'%{word}%')))
                cursor.fetchall()

        intake = measure(create_and_suggest, create_alone, args.rounds)
        search = measure(search_words, search_raw, args.rounds)
        transaction.rollback()

    print(f"{args.articles} published articles on {args.products} products "
        f"built in {built:.1f} s on {args.uri}; {args.rounds} rounds of "
        f"{args.batch} alternated; {benchtools.load()}")
    for name, (times, base, ratio) in [
            ('intake with suggestions', intake),
            ('search by a word', search)]:
        print(f"{name:<24} median {statistics.median(times):7.3f} s, "
            f"baseline {statistics.median(base):7.3f} s, "
            f"median ratio {ratio:.2f}")
    print(f"articles found by a word: median "
        f"{statistics.median(found) if found else 0:.0f}")
    benchtools.figures(
        f"suggestions at intake on {args.articles} articles: median ratio "
        f"{intake[2]:.2f} to creating the ticket alone (target <= 1.10); "
        f"search by a word: median ratio {search[2]:.2f} to raw SQL")


def measure(measured, baseline, rounds):
    """Time measured and baseline once a round, in a turning order; return
    their times and the median of the per-round ratios"""
    times, base = [], []
    for round_ in range(rounds):
        pair = [(measured, times), (baseline, base)]
        if round_ % 2:
            pair.reverse()
        for function, results in pair:
            begin = time.perf_counter()
            function()
            results.append(time.perf_counter() - begin)
    ratio = statistics.median(
        t / b for t, b in zip(times, base, strict=True))
    return times, base, ratio


if __name__ == '__main__':
    main()

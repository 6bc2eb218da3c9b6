# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the department knows: articles on the products, known faults and
their solutions, how-tos and service rules, their versions, their use on
tickets and the acknowledgement of the rules (R-ROLE-1, R-ENG-1,
R-TRAIN-2)"""
import re
from collections import defaultdict

from sql import Cast, Literal, operators
from sql.aggregate import Count, Max, Sum
from sql.conditionals import Case
from sql.operators import Exists

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company.model import set_employee
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

from .common import (
    BoundedMixin, CheckedSearchMixin, CompanyMixin, GuardedMixin, KeptMixin,
    set_timestamp, user_employee)

KINDS = [
    ('product', "Product Information"),
    ('known_fault', "Known Fault and Solution"),
    ('how_to', "How-to"),
    ('rule', "Service Rule"),
    ]
STATES = [
    ('draft', "Draft"),
    ('published', "Published"),
    ('archived', "Archived"),
    ]
# the most articles suggested on a ticket or a visit
SUGGESTIONS = 10
# the most words of a subject looked for in the articles
SUBJECT_TERMS = 12
# the words of the subject an article found by its words alone holds
WORDS_NEEDED = 2
# the records whose suggestions one query finds: their subjects' words
# make as many substring searches in the query
SUGGESTION_BATCH = 8
BATCH_TERMS = SUGGESTION_BATCH * SUBJECT_TERMS
# the runs of Chinese characters, whose words have no boundaries
_CJK = re.compile(r'[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+')
# the words of the other languages: letters and digits
_WORD = re.compile(r'[^\W_]+')
# the ticket states in which an article may still answer it
ANSWER_STATES = ['draft', 'open', 'in_progress', 'waiting']
SOLVED_STATES = ['resolved', 'closed']
# the roles a service rule concerns, by the name of their group
ROLES = [
    ('manager', "Service Manager"),
    ('technical_engineer', "Technical Engineer"),
    ('field_engineer', "Field Engineer"),
    ('customer_service', "Customer Service"),
    ('parts_keeper', "Spare-Parts Keeper"),
    ('accountant', "Accountant"),
    ]


def _role_groups():
    "Return {role: group id}"
    ModelData = Pool().get('ir.model.data')
    return {r: ModelData.get_id('service_desk', f'group_service_{r}')
        for r, _ in ROLES}


class KnowledgeError(ValidationError):
    pass


def _escape_like(value):
    return (value.replace('\\', '\\\\').replace('%', '\\%')
        .replace('_', '\\_'))


def subject_terms(text):
    """Return the words of text looked for in the articles, with where
    they start in text: each two Chinese characters that follow each other
    (Chinese writes no spaces between its words, most of which have two
    characters) and the other words of three letters or more, lower-cased;
    at most SUBJECT_TERMS"""
    text = text or ''
    terms = {}
    for run in _CJK.finditer(text):
        for i in range(run.start(), run.end() - 1):
            terms.setdefault(text[i:i + 2], i)
    blanked = _CJK.sub(lambda m: ' ' * len(m.group()), text)
    for word in _WORD.finditer(blanked):
        if len(word.group()) >= 3:
            terms.setdefault(word.group().lower(), word.start())
    return dict(sorted(terms.items(), key=lambda t: t[1])[:SUBJECT_TERMS])


def _words_found(positions):
    """The words of a subject an article holds, from where the terms it
    holds start: the two-character terms that overlap make one word (投影
    and 影仪 are 投影仪)"""
    words, last = 0, None
    for position in sorted(positions):
        if last is None or position > last + 1:
            words += 1
        last = position
    return words


class Article(
        BoundedMixin, CompanyMixin, KeptMixin, GuardedMixin, Workflow,
        ModelSQL, ModelView):
    "An article of the department's knowledge base (知识库)"
    __name__ = 'service.knowledge.article'
    _rec_name = 'title'
    _delete_message = 'service_desk.msg_article_delete_draft'
    _field_bounds = {'search_text': None}

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    kind = fields.Selection(
        KINDS, "Kind", required=True, sort=False, states=_states)
    kind_string = kind.translated('kind')
    title = fields.Char(
        "Title", required=True, translate=True, states=_states)
    body = fields.Text("Text", translate=True, states=_states)
    products = fields.Many2Many(
        'service.knowledge.article-product.product', 'article', 'product',
        "Products", states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    product_categories = fields.Many2Many(
        'service.knowledge.article-product.category', 'article',
        'category', "Product Categories", states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    fault_codes = fields.Many2Many(
        'service.knowledge.article-service.fault.category', 'article',
        'fault_code', "Fault Codes", states=_states,
        domain=[
            ('kind', 'in', ['symptom', 'cause', 'remedy']),
            ],
        help="The symptoms, causes and remedies of the fault "
        "classification the article is about.")
    groups = fields.Many2Many(
        'service.knowledge.article-res.group', 'article', 'group',
        "Concerned Groups", states=_states,
        help="The staff of these groups must acknowledge each new version "
        "of the rule.")
    roles = fields.Function(
        fields.MultiSelection(
            ROLES, "Concerned Roles", sort=False,
            states={
                'readonly': _states['readonly'],
                'invisible': Eval('kind') != 'rule',
                'required': ((Eval('kind') == 'rule')
                    & (Eval('state') == 'draft')),
                },
            help="The staff of these roles must acknowledge each new "
            "version of the rule."),
        'get_roles', setter='set_roles')
    change_note = fields.Text(
        "What Changed", states=_states,
        help="What this version changes, kept in the history when it is "
        "published.")
    fault_analysis = fields.Many2One(
        'service.fault.analysis', "Fault Analysis", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('fault_analysis'),
            },
        help="The fault analysis the solution was learned from.")
    ticket = fields.Many2One(
        'service.ticket', "Answered Ticket", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': ~Eval('ticket'),
            },
        help="The inquiry whose technical answer the article publishes.")
    version = fields.Integer(
        "Version", readonly=True,
        help="The number of the last published version.")
    published_by = fields.Many2One(
        'company.employee', "Published by", readonly=True,
        ondelete='RESTRICT')
    published_at = fields.DateTime("Published at", readonly=True)
    versions = fields.One2Many(
        'service.knowledge.article.version', 'article', "Versions",
        readonly=True)
    uses = fields.One2Many(
        'service.knowledge.article.use', 'article', "Uses", readonly=True)
    use_count = fields.Function(
        fields.Integer("Used", help="How many tickets it answered."),
        'get_use_count')
    resolved_tickets = fields.Function(
        fields.Many2Many(
            'service.ticket', None, None, "Tickets Resolved",
            help="The inquiry whose answer the article publishes, the "
            "tickets of the fault analysis behind the article and those it "
            "answered that are resolved."),
        'get_resolved_tickets')
    acknowledgements = fields.One2Many(
        'service.knowledge.acknowledgement', 'article', "Acknowledgements",
        readonly=True,
        states={
            'invisible': Eval('kind') != 'rule',
            })
    search_text = fields.Text("Search Text", readonly=True)
    # a substring, not PostgreSQL's full text, whose words Chinese lacks
    search_text.search_full_text = False
    words = fields.Function(
        fields.Char(
            "Words",
            help="Words of the title or the text, in any language."),
        'get_words', searcher='search_words')
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)
    state_string = state.translated('state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.kind, Index.Equality(cardinality='low'))),
                Index(t, (t.fault_analysis, Index.Equality())),
                Index(t, (t.ticket, Index.Equality())),
                Index(t, (t.published_at, Index.Range())),
                # a trigram index on PostgreSQL when pg_trgm is there: the
                # words of Chinese have no boundaries, a substring is
                # searched
                Index(t, (t.search_text, Index.Similarity())),
                })
        cls._order = [('published_at', 'DESC NULLS LAST'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'published'),
            ('published', 'draft'),
            ('published', 'archived'),
            ('archived', 'draft'),
            }
        cls._buttons.update({
                'publish': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'revise': {
                    'invisible': ~Eval('state').in_(
                        ['published', 'archived']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'archive': {
                    'invisible': Eval('state') != 'published',
                    'depends': ['state'],
                    },
                'acknowledge': {
                    'invisible': (Eval('state') != 'published')
                    | (Eval('kind') != 'rule'),
                    'depends': ['state', 'kind'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'how_to'

    @classmethod
    def default_version(cls):
        return 0

    def get_roles(self, name):
        groups = {g.id for g in self.groups}
        return [r for r, g in _role_groups().items() if g in groups]

    @classmethod
    def set_roles(cls, articles, name, value):
        role_groups = _role_groups()
        wanted = {role_groups[r] for r in value or [] if r in role_groups}
        to_write = []
        for article in articles:
            current = {g.id for g in article.groups}
            ours = current & set(role_groups.values())
            remove = ours - wanted
            add = wanted - current
            actions = []
            if remove:
                actions.append(('remove', sorted(remove)))
            if add:
                actions.append(('add', sorted(add)))
            if actions:
                to_write.extend(([article], {'groups': actions}))
        if to_write:
            cls.write(*to_write)

    @classmethod
    def get_use_count(cls, articles, name):
        pool = Pool()
        Use = pool.get('service.knowledge.article.use')
        use = Use.__table__()
        cursor = Transaction().connection.cursor()
        result = {a.id: 0 for a in articles}
        for sub_ids in grouped_slice([a.id for a in articles]):
            cursor.execute(*use.select(
                    use.article, Count(use.id),
                    where=use.article.in_(list(sub_ids)),
                    group_by=[use.article]))
            result.update(cursor)
        return result

    @classmethod
    def get_resolved_tickets(cls, articles, name):
        pool = Pool()
        Use = pool.get('service.knowledge.article.use')
        Relation = pool.get('service.fault.analysis-service.ticket')
        Ticket = pool.get('service.ticket')
        use = Use.__table__()
        relation = Relation.__table__()
        ticket = Ticket.__table__()
        cursor = Transaction().connection.cursor()
        result = defaultdict(set)
        analyses = defaultdict(list)
        for article in articles:
            if article.fault_analysis:
                analyses[article.fault_analysis.id].append(article.id)
            if article.ticket:
                result[article.id].add(article.ticket.id)
        for sub_ids in grouped_slice([a.id for a in articles]):
            cursor.execute(*use.join(
                    ticket, condition=use.ticket == ticket.id).select(
                    use.article, use.ticket,
                    where=use.article.in_(list(sub_ids))
                    & ticket.state.in_(SOLVED_STATES)))
            for article_id, ticket_id in cursor:
                result[article_id].add(ticket_id)
        for sub_ids in grouped_slice(list(analyses)):
            cursor.execute(*relation.select(
                    relation.analysis, relation.ticket,
                    where=relation.analysis.in_(list(sub_ids))))
            for analysis_id, ticket_id in cursor:
                for article_id in analyses[analysis_id]:
                    result[article_id].add(ticket_id)
        return {a.id: sorted(result[a.id]) for a in articles}

    def get_words(self, name):
        return None

    @classmethod
    def search_words(cls, name, clause):
        _, operator, value = clause[:3]
        if operator in {'=', '!='} and isinstance(value, str):
            # a word is found inside the sentences
            operator = 'ilike' if operator == '=' else 'not ilike'
            value = f'%{_escape_like(value)}%'
        return [('search_text', operator, value)]

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        if operator.startswith('!') or operator.startswith('not '):
            return [('title', operator, value)]
        return ['OR',
            ('title', operator, value),
            ('search_text', operator, value),
            ]

    @classmethod
    def _languages(cls):
        pool = Pool()
        Config = pool.get('ir.configuration')
        Lang = pool.get('ir.lang')
        codes = {Config.get_language()}
        with without_check_access():
            codes.update(
                lang.code for lang in Lang.search([
                        ('translatable', '=', True)]))
        return sorted(codes)

    @classmethod
    def index_words(cls, articles):
        """Keep in search_text the title and the text of the articles in
        every language, which a substring search reads"""
        table = cls.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        texts = defaultdict(list)
        ids = [a.id for a in articles]
        for code in cls._languages():
            with transaction.set_context(language=code), \
                    without_check_access():
                for article in cls.browse(ids):
                    for text in [article.title, article.body]:
                        if text and text not in texts[article.id]:
                            texts[article.id].append(text)
        for id_ in ids:
            cursor.execute(*table.update(
                    [table.search_text], ['\n'.join(texts[id_])],
                    where=table.id == id_))
        transaction.counter += 1
        for cache in transaction.cache.values():
            if cls.__name__ in cache:
                for id_ in ids:
                    cache[cls.__name__].pop(id_, None)

    @classmethod
    def create(cls, vlist):
        articles = super().create(vlist)
        cls.index_words(articles)
        return articles

    @classmethod
    def write(cls, *args):
        super().write(*args)
        names = set()
        articles = []
        for records, values in zip(args[::2], args[1::2], strict=True):
            articles.extend(records)
            names.update(values)
        if names & {'title', 'body'}:
            cls.index_words(articles)

    @classmethod
    def copy(cls, articles, default=None):
        default = default.copy() if default is not None else {}
        for name in ['fault_analysis', 'ticket', 'versions', 'uses',
                'acknowledgements', 'search_text']:
            default.setdefault(name, None)
        default.setdefault('version', 0)
        return super().copy(articles, default=default)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'delete':
            for article in records:
                if article.version:
                    raise AccessError(gettext(
                            'service_desk.msg_article_delete_draft',
                            article=article.rec_name))

    @classmethod
    def validate_fields(cls, articles, field_names):
        super().validate_fields(articles, field_names)
        if field_names & {'kind', 'groups', 'state'}:
            for article in articles:
                if (article.kind == 'rule' and article.state == 'published'
                        and not article.groups):
                    raise KnowledgeError(gettext(
                            'service_desk.msg_article_rule_groups',
                            article=article.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('published')
    def publish(cls, articles):
        pool = Pool()
        Version = pool.get('service.knowledge.article.version')
        for article in articles:
            if not article.body:
                raise KnowledgeError(gettext(
                        'service_desk.msg_article_body',
                        article=article.rec_name))
            if article.kind == 'rule' and not article.groups:
                raise KnowledgeError(gettext(
                        'service_desk.msg_article_rule_groups',
                        article=article.rec_name))
        to_write = []
        versions = []
        for article in articles:
            number = (article.version or 0) + 1
            to_write.extend(([article], {
                        'version': number,
                        'change_note': None,
                        'published_by': None,
                        'published_at': None,
                        }))
            versions.append(Version(
                    article=article,
                    number=number,
                    title=article.title,
                    change_note=article.change_note))
        if to_write:
            cls.write(*to_write)
        Version.save(versions)
        Version.stamp(versions)
        cls._stamp_published(articles)

    @classmethod
    @set_employee('published_by')
    @set_timestamp('published_at')
    def _stamp_published(cls, articles):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def revise(cls, articles):
        "A new version is written as a draft, then published again"
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('archived')
    def archive(cls, articles):
        pass

    @classmethod
    @ModelView.button
    def acknowledge(cls, articles):
        """The user acknowledges, as himself, the version of the rules
        that concern him (R-ROLE-1)"""
        pool = Pool()
        Acknowledgement = pool.get('service.knowledge.acknowledgement')
        User = pool.get('res.user')
        employee = user_employee()
        if not employee:
            raise KnowledgeError(gettext(
                    'service_desk.msg_acknowledge_no_employee'))
        groups = set(User.get_groups())
        acknowledgements = []
        for article in articles:
            if article.kind != 'rule' or article.state != 'published':
                raise KnowledgeError(gettext(
                        'service_desk.msg_acknowledge_not_rule',
                        article=article.rec_name))
            if not groups & {g.id for g in article.groups}:
                raise KnowledgeError(gettext(
                        'service_desk.msg_acknowledge_not_concerned',
                        article=article.rec_name))
            if Acknowledgement.search([
                        ('article', '=', article.id),
                        ('version', '=', article.version),
                        ('employee', '=', employee),
                        ]):
                continue
            acknowledgements.append(Acknowledgement(
                    article=article, version=article.version,
                    employee=employee))
        Acknowledgement.save(acknowledgements)
        Acknowledgement.stamp(acknowledgements)

    @classmethod
    def suggestions(cls, company, products, fault_codes, subjects=None):
        """Return for each (product, fault codes, subject) of the lists the
        published articles of company about the product (or its
        categories), one of the fault codes or the words of the subject,
        best first, in one query for the batch.

        An article found by the words alone must hold two of the subject's
        words at least (one when the subject has no more than two terms),
        the overlapping two-character terms making one word; the words
        rank the articles found by the product or the fault codes too."""
        pool = Pool()
        ArticleProduct = pool.get('service.knowledge.article-product.product')
        ArticleCategory = pool.get(
            'service.knowledge.article-product.category')
        ArticleCode = pool.get(
            'service.knowledge.article-service.fault.category')
        article = cls.__table__()
        a_product = ArticleProduct.__table__()
        a_category = ArticleCategory.__table__()
        a_code = ArticleCode.__table__()
        cursor = Transaction().connection.cursor()
        if subjects is None:
            subjects = [None] * len(products)

        categories = {}
        for product in filter(None, products):
            if product.id not in categories:
                categories[product.id] = {
                    c.id for c in product.template.categories_all}
        product_ids = set(categories)
        category_ids = set().union(*categories.values())
        code_ids = {c.id for codes in fault_codes for c in codes}
        # the words of the subjects, numbered; a batch looks for at most
        # BATCH_TERMS of them (the first subjects' first)
        record_terms = [subject_terms(s) for s in subjects]
        term_ids = {}
        for terms in record_terms:
            for term in terms:
                if term not in term_ids and len(term_ids) < BATCH_TERMS:
                    term_ids[term] = len(term_ids)
        if not (product_ids or code_ids or term_ids):
            return [[] for _ in products]

        null = Cast(Literal(None), 'INTEGER')
        matches = None
        if product_ids:
            matches = a_product.select(
                a_product.article.as_('article'),
                a_product.product.as_('product'),
                null.as_('category'), null.as_('code'), null.as_('term'),
                where=a_product.product.in_(list(product_ids)))
        if category_ids:
            query = a_category.select(
                a_category.article.as_('article'),
                null.as_('product'), a_category.category.as_('category'),
                null.as_('code'), null.as_('term'),
                where=a_category.category.in_(list(category_ids)))
            matches = query if matches is None else matches | query
        if code_ids:
            query = a_code.select(
                a_code.article.as_('article'),
                null.as_('product'), null.as_('category'),
                a_code.fault_code.as_('code'), null.as_('term'),
                where=a_code.fault_code.in_(list(code_ids)))
            matches = query if matches is None else matches | query
        for term, number in term_ids.items():
            # a substring, as the search by words: on PostgreSQL the
            # trigram index of search_text answers it
            words = cls.__table__()
            query = words.select(
                words.id.as_('article'),
                null.as_('product'), null.as_('category'), null.as_('code'),
                Cast(Literal(number), 'INTEGER').as_('term'),
                where=operators.ILike(
                    words.search_text, f'%{_escape_like(term)}%',
                    escape='\\')
                & (words.state == 'published')
                & (words.company == company.id))
            matches = query if matches is None else matches | query
        cursor.execute(*matches.join(
                article, condition=matches.article == article.id).select(
                matches.article, matches.product, matches.category,
                matches.code, matches.term, article.published_at,
                where=(article.state == 'published')
                & (article.company == company.id)))
        by_article = defaultdict(lambda: (set(), set(), set(), set()))
        published = {}
        for (article_id, product_id, category_id, code_id, term,
                at) in cursor:
            p, c, f, w = by_article[article_id]
            if product_id is not None:
                p.add(product_id)
            if category_id is not None:
                c.add(category_id)
            if code_id is not None:
                f.add(code_id)
            if term is not None:
                w.add(term)
            published[article_id] = at
        result = []
        for product, codes, terms in zip(
                products, fault_codes, record_terms, strict=True):
            codes = {c.id for c in codes}
            starts = {term_ids[t]: p for t, p in terms.items()
                if t in term_ids}
            # a subject of one word (two terms at most: 遥控器) needs it
            needed = max(min(len(starts) - 1, WORDS_NEEDED), 1)
            if not starts:
                needed = None
            scored = []
            for article_id, (p, c, f, w) in by_article.items():
                product_match = bool(product and (
                        product.id in p or categories[product.id] & c))
                code_match = bool(codes & f)
                held = starts.keys() & w
                words = _words_found(starts[t] for t in held)
                if (product_match or code_match
                        or (needed and words >= needed)):
                    scored.append((
                            -(2 * code_match + product_match),
                            -words, -len(held),
                            -(published[article_id].timestamp()
                                if published[article_id] else 0),
                            article_id))
            result.append([a for *_, a in sorted(scored)][:SUGGESTIONS])
        return result


class _ArticleLinkMixin(BoundedMixin, GuardedMixin):
    __slots__ = ()
    _guard_parent = ('article', ['draft'])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('article')


class ArticleProduct(_ArticleLinkMixin, ModelSQL):
    "The products of an article"
    __name__ = 'service.knowledge.article-product.product'
    article = fields.Many2One(
        'service.knowledge.article', "Article", required=True,
        ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.product, Index.Equality())))


class ArticleCategory(_ArticleLinkMixin, ModelSQL):
    "The product categories of an article"
    __name__ = 'service.knowledge.article-product.category'
    article = fields.Many2One(
        'service.knowledge.article', "Article", required=True,
        ondelete='CASCADE')
    category = fields.Many2One(
        'product.category', "Category", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.category, Index.Equality())))


class ArticleFaultCode(_ArticleLinkMixin, ModelSQL):
    "The fault codes of an article"
    __name__ = 'service.knowledge.article-service.fault.category'
    article = fields.Many2One(
        'service.knowledge.article', "Article", required=True,
        ondelete='CASCADE')
    fault_code = fields.Many2One(
        'service.fault.category', "Fault Code", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.fault_code, Index.Equality())))


class ArticleGroup(_ArticleLinkMixin, ModelSQL):
    "The groups a service rule concerns"
    __name__ = 'service.knowledge.article-res.group'
    article = fields.Many2One(
        'service.knowledge.article', "Article", required=True,
        ondelete='CASCADE')
    group = fields.Many2One(
        'res.group', "Group", required=True, ondelete='CASCADE')


class _RecordedMixin:
    """A record that only the server writes (a version, a use, an
    acknowledgement): created by the buttons, never created, changed,
    copied or deleted from outside, whatever the rights on its parent"""
    __slots__ = ()

    @classmethod
    def _refuse(cls):
        raise AccessError(gettext('service_desk.msg_article_history_kept'))

    @classmethod
    def create(cls, vlist):
        if Transaction().check_access:
            cls._refuse()
        return super().create(vlist)

    @classmethod
    def copy(cls, records, default=None):
        if Transaction().check_access:
            cls._refuse()
        return super().copy(records, default=default)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            cls._refuse()


class ArticleVersion(_RecordedMixin, BoundedMixin, ModelSQL, ModelView):
    "A published version of an article, kept (stamped by the server)"
    __name__ = 'service.knowledge.article.version'
    article = fields.Many2One(
        'service.knowledge.article', "Article", required=True,
        readonly=True, ondelete='RESTRICT')
    number = fields.Integer("Version", required=True, readonly=True)
    title = fields.Char("Title", readonly=True)
    change_note = fields.Text("What Changed", readonly=True)
    published_by = fields.Many2One(
        'company.employee', "Published by", readonly=True,
        ondelete='RESTRICT')
    published_at = fields.DateTime("Published at", readonly=True)
    company = fields.Function(
        fields.Many2One('company.company', "Company"), 'get_company')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('article')
        cls._sql_indexes.add(
            Index(t, (t.article, Index.Equality()),
                (t.number, Index.Range())))
        cls._order = [('article', 'ASC'), ('number', 'DESC'), ('id', 'DESC')]

    @classmethod
    def _now(cls):
        return Pool().get('service.ticket')._now()

    def get_company(self, name):
        return self.article.company

    @classmethod
    @set_employee('published_by')
    @set_timestamp('published_at')
    def stamp(cls, versions):
        pass



class ArticleUse(_RecordedMixin, BoundedMixin, ModelSQL, ModelView):
    "An article that answered a ticket (R-CS-9, R-ENG-1)"
    __name__ = 'service.knowledge.article.use'
    article = fields.Many2One(
        'service.knowledge.article', "Article", required=True,
        readonly=True, ondelete='RESTRICT')
    version = fields.Integer("Version", readonly=True)
    ticket = fields.Many2One(
        'service.ticket', "Ticket", required=True, readonly=True,
        ondelete='RESTRICT')
    used_by = fields.Many2One(
        'company.employee', "Used by", readonly=True, ondelete='RESTRICT')
    used_at = fields.DateTime("Used at", readonly=True)
    ticket_state = fields.Function(
        fields.Selection('get_ticket_states', "Ticket State"),
        'get_ticket_state')
    solved_without_visit = fields.Function(
        fields.Boolean(
            "Solved without Visit",
            help="The ticket is resolved and no visit was made."),
        'get_solved_without_visit')
    company = fields.Function(
        fields.Many2One('company.company', "Company"), 'get_company')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('ticket')
        cls._sql_indexes.update({
                Index(t, (t.article, Index.Equality())),
                Index(t, (t.ticket, Index.Equality())),
                Index(t, (t.used_at, Index.Range())),
                })
        cls._order = [('used_at', 'DESC'), ('id', 'DESC')]

    @classmethod
    def _now(cls):
        return Pool().get('service.ticket')._now()

    def get_company(self, name):
        return self.ticket.company

    @classmethod
    @set_employee('used_by')
    @set_timestamp('used_at')
    def stamp(cls, uses):
        pass

    @classmethod
    def get_ticket_states(cls):
        Ticket = Pool().get('service.ticket')
        return Ticket.fields_get(['state'])['state']['selection']

    def get_ticket_state(self, name):
        return self.ticket.state

    def get_solved_without_visit(self, name):
        return (self.ticket.state in SOLVED_STATES
            and not self.ticket.work_orders)



class Acknowledgement(
        _RecordedMixin, BoundedMixin, ModelSQL, ModelView):
    """An employee's acknowledgement of a version of a service rule,
    stamped by the server (R-ROLE-1)"""
    __name__ = 'service.knowledge.acknowledgement'
    article = fields.Many2One(
        'service.knowledge.article', "Rule", required=True, readonly=True,
        ondelete='RESTRICT')
    version = fields.Integer("Version", required=True, readonly=True)
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, readonly=True,
        ondelete='RESTRICT')
    acknowledged_at = fields.DateTime("Acknowledged at", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls.__access__.add('article')
        cls._sql_indexes.update({
                Index(t, (t.article, Index.Equality()),
                    (t.version, Index.Equality()),
                    (t.employee, Index.Equality())),
                Index(t, (t.employee, Index.Equality())),
                Index(t, (t.acknowledged_at, Index.Range())),
                })
        cls._order = [('acknowledged_at', 'DESC'), ('id', 'DESC')]

    @classmethod
    def _now(cls):
        return Pool().get('service.ticket')._now()

    @classmethod
    @set_timestamp('acknowledged_at')
    def stamp(cls, acknowledgements):
        pass



class AcknowledgementMissing(CheckedSearchMixin, ModelSQL, ModelView):
    """Who has not yet acknowledged the last version of a published
    service rule that concerns him (R-ROLE-1)"""
    __name__ = 'service.knowledge.acknowledgement.missing'
    company = fields.Many2One('company.company', "Company")
    article = fields.Many2One('service.knowledge.article', "Rule")
    version = fields.Integer("Version")
    employee = fields.Many2One('company.employee', "Employee")
    published_at = fields.DateTime("Published at")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('published_at', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Article = pool.get('service.knowledge.article')
        ArticleGroup = pool.get('service.knowledge.article-res.group')
        Acknowledgement = pool.get('service.knowledge.acknowledgement')
        User = pool.get('res.user')
        UserGroup = pool.get('res.user-res.group')
        Employee = pool.get('company.employee')
        article = Article.__table__()
        article_group = ArticleGroup.__table__()
        acknowledgement = Acknowledgement.__table__()
        user = User.__table__()
        user_group = UserGroup.user_group_all_table()
        employee = Employee.__table__()
        # who is concerned: the main employee of a user of a group named
        # (or of a group below it), in the company of the rule
        concerned = (article
            .join(article_group,
                condition=article_group.article == article.id)
            .join(user_group,
                condition=user_group.group == article_group.group)
            .join(user, condition=(user.id == user_group.user)
                & (user.active == Literal(True)))
            .join(employee, condition=(employee.id == user.employee)
                & (employee.company == article.company)))
        acknowledged = acknowledgement.select(
            acknowledgement.id,
            where=(acknowledgement.article == article.id)
            & (acknowledgement.version == article.version)
            & (acknowledgement.employee == employee.id))
        return concerned.select(
            (Cast(article.id, 'BIGINT') * 1_000_000 + employee.id).as_('id'),
            article.company.as_('company'),
            article.id.as_('article'),
            article.version.as_('version'),
            employee.id.as_('employee'),
            Max(article.published_at).as_('published_at'),
            where=(article.kind == 'rule')
            & (article.state == 'published')
            & ~Exists(acknowledged),
            group_by=[article.id, article.company, article.version,
                employee.id])

    def get_rec_name(self, name):
        return ' - '.join(filter(None, [
                    self.article.rec_name if self.article else '',
                    self.employee.rec_name if self.employee else '']))


class ArticleUsefulness(CheckedSearchMixin, ModelSQL, ModelView):
    """How often each article answered a ticket and how often the ticket
    was solved, and solved without a visit (R-ENG-1, R-DATA-4)"""
    __name__ = 'service.knowledge.article.usefulness'
    company = fields.Many2One('company.company', "Company")
    article = fields.Many2One('service.knowledge.article', "Article")
    kind = fields.Selection(KINDS, "Kind", sort=False)
    used = fields.Integer("Used")
    solved = fields.Integer("Solved")
    solved_without_visit = fields.Integer("Solved without Visit")
    solved_without_visit_rate = fields.Float(
        "Solved without Visit %", digits=(1, 4))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('used', 'DESC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Article = pool.get('service.knowledge.article')
        Use = pool.get('service.knowledge.article.use')
        Ticket = pool.get('service.ticket')
        WorkOrder = pool.get('service.work_order')
        article = Article.__table__()
        use = Use.__table__()
        ticket = Ticket.__table__()
        work_order = WorkOrder.__table__()
        solved = ticket.state.in_(SOLVED_STATES)
        visited = work_order.select(
            work_order.id, where=(work_order.ticket == ticket.id)
            & (work_order.state != 'cancelled'))
        solved_alone = Sum(Case((solved & ~Exists(visited), 1), else_=0))
        solved_count = Sum(Case((solved, 1), else_=0))
        return use.join(article, condition=use.article == article.id).join(
            ticket, condition=use.ticket == ticket.id).select(
            article.id.as_('id'),
            article.company.as_('company'),
            article.id.as_('article'),
            article.kind.as_('kind'),
            Count(use.id).as_('used'),
            solved_count.as_('solved'),
            solved_alone.as_('solved_without_visit'),
            (Cast(solved_alone, cls.solved_without_visit_rate.sql_type().base)
                / Count(use.id)).as_('solved_without_visit_rate'),
            group_by=[article.id, article.company, article.kind])

    def get_rec_name(self, name):
        return self.article.rec_name if self.article else ''


class _SuggestedMixin:
    __slots__ = ()

    suggested_articles = fields.Function(
        fields.Many2Many(
            'service.knowledge.article', None, None, "Suggested Articles",
            help="The published articles on the product of the equipment, "
            "the fault codes and the words of the subject."),
        'get_suggested_articles')

    @classmethod
    def get_suggested_articles(cls, records, name):
        Article = Pool().get('service.knowledge.article')
        result = {r.id: [] for r in records}
        by_company = defaultdict(list)
        for record in records:
            by_company[record.company].append(record)
        for company, company_records in by_company.items():
            for batch in grouped_slice(company_records, SUGGESTION_BATCH):
                batch = list(batch)
                products = [r.equipment.product if r.equipment else None
                    for r in batch]
                codes = [[c for c in [
                            r.symptom_code, r.cause_code, r.remedy_code]
                        if c] for r in batch]
                subjects = [r._suggestion_subject() for r in batch]
                # the user's rules apply below, to the articles found
                with without_check_access():
                    suggestions = Article.suggestions(
                        company, products, codes, subjects)
                for record, ids in zip(batch, suggestions, strict=True):
                    result[record.id] = ids
        readable = set()
        all_ids = {i for ids in result.values() for i in ids}
        if all_ids:
            readable = {a.id for a in Article.search([
                        ('id', 'in', list(all_ids)),
                        ])}
        return {k: [i for i in v if i in readable] for k, v in result.items()}

    def _suggestion_subject(self):
        "The words the articles suggested are looked for by"
        return None


class Ticket(_SuggestedMixin, metaclass=PoolMeta):
    __name__ = 'service.ticket'

    answer_article = fields.Many2One(
        'service.knowledge.article', "Answer from Article",
        ondelete='RESTRICT',
        domain=[
            ('state', '=', 'published'),
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': ~Eval('state').in_(ANSWER_STATES),
            },
        help="A published article that answers the customer.")
    article_uses = fields.One2Many(
        'service.knowledge.article.use', 'ticket', "Articles Used",
        readonly=True)
    answer_articles = fields.One2Many(
        'service.knowledge.article', 'ticket', "Articles of the Answer",
        readonly=True,
        states={
            'invisible': Eval('type') != 'inquiry',
            },
        help="The articles that publish the technical answer.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'publish_answer': {
                    'invisible': ((Eval('type') != 'inquiry')
                        | Eval('state').in_(['draft', 'cancelled'])),
                    'readonly': ~Bool(Eval('technical_answer')),
                    'depends': ['type', 'state', 'technical_answer'],
                    },
                'answer_from_article': {
                    'invisible': ~Eval('state').in_(ANSWER_STATES),
                    'readonly': ~Bool(Eval('answer_article')),
                    'depends': ['state', 'answer_article'],
                    },
                })

    @classmethod
    def copy(cls, tickets, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('article_uses', None)
        default.setdefault('answer_article', None)
        default.setdefault('answer_articles', None)
        return super().copy(tickets, default=default)

    def _suggestion_subject(self):
        return self.subject

    @classmethod
    @ModelView.button_action('service_desk.act_knowledge_article_form')
    def publish_answer(cls, tickets):
        """Draft an article of the technical answer of the inquiries,
        linked back, for the engineer who answered them (or the manager)
        to publish (R-ENG-1)"""
        pool = Pool()
        Article = pool.get('service.knowledge.article')
        ModelData = pool.get('ir.model.data')
        User = pool.get('res.user')
        employee = user_employee()
        manager = (Transaction().user == 0
            or ModelData.get_id('service_desk', 'group_service_manager')
            in User.get_groups())
        articles = []
        existing = []
        for ticket in tickets:
            if (ticket.type != 'inquiry'
                    or ticket.state in {'draft', 'cancelled'}
                    or not ticket.technical_answer):
                raise KnowledgeError(gettext(
                        'service_desk.msg_ticket_publish_answer_none',
                        ticket=ticket.rec_name))
            if not manager and (not employee or not ticket.answered_by
                    or ticket.answered_by.id != employee):
                raise KnowledgeError(gettext(
                        'service_desk.msg_ticket_publish_answer_not_yours',
                        ticket=ticket.rec_name))
            drafts = [a for a in ticket.answer_articles
                if a.state == 'draft']
            if drafts:
                existing.extend(drafts)
                continue
            product = ticket.equipment.product if ticket.equipment else None
            codes = [c for c in [ticket.symptom_code, ticket.cause_code,
                    ticket.remedy_code] if c]
            articles.append(Article(
                    company=ticket.company,
                    kind='how_to',
                    title=ticket.subject,
                    body=ticket.technical_answer,
                    products=[product] if product else [],
                    fault_codes=codes,
                    ticket=ticket,
                    change_note=ticket.rec_name))
        Article.save(articles)
        return {'res_id': [a.id for a in existing + articles]}

    @classmethod
    @ModelView.button
    def answer_from_article(cls, tickets):
        """Answer the customer with the article chosen: its text goes to
        the reply and the use is counted on the article"""
        pool = Pool()
        Use = pool.get('service.knowledge.article.use')
        uses = []
        to_write = []
        for ticket in tickets:
            article = ticket.answer_article
            if ticket.state not in ANSWER_STATES:
                continue
            if not article or article.state != 'published':
                raise KnowledgeError(gettext(
                        'service_desk.msg_ticket_answer_article',
                        ticket=ticket.rec_name))
            reply = '\n\n'.join(filter(None, [ticket.reply, article.body]))
            to_write.extend(([ticket], {
                        'reply': reply,
                        'answer_article': None,
                        }))
            uses.append(Use(
                    article=article, version=article.version, ticket=ticket))
        if to_write:
            cls.write(*to_write)
        Use.save(uses)
        Use.stamp(uses)


class WorkOrder(_SuggestedMixin, metaclass=PoolMeta):
    __name__ = 'service.work_order'

    def _suggestion_subject(self):
        return self.ticket.subject if self.ticket else None


class FaultAnalysis(metaclass=PoolMeta):
    __name__ = 'service.fault.analysis'

    articles = fields.One2Many(
        'service.knowledge.article', 'fault_analysis', "Articles",
        readonly=True,
        help="The known fault articles drafted from the analysis.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'propose_article': {
                    'invisible': Eval('state') != 'closed',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def copy(cls, analyses, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('articles', None)
        return super().copy(analyses, default=default)

    def _article_body(self):
        "The root cause and the actions that worked, for the article"
        lines = []
        if self.symptoms:
            lines += [gettext('service_desk.msg_article_symptoms'),
                self.symptoms, '']
        lines += [gettext('service_desk.msg_article_root_cause'),
            self.root_cause or '', '']
        done = [a for a in self.actions if a.state == 'done']
        if done:
            lines.append(gettext('service_desk.msg_article_solution'))
            for i, action in enumerate(done, 1):
                lines.append(f'{i}. {action.description}')
                if action.result:
                    lines.append(f'   {action.result}')
        if self.effect:
            lines += ['', gettext('service_desk.msg_article_effect'),
                self.effect]
        return '\n'.join(lines).strip()

    @classmethod
    @ModelView.button_action('service_desk.act_knowledge_article_form')
    def propose_article(cls, analyses):
        """Draft the known fault article of the closed analyses, with the
        root cause and the actions that worked, linked back (R-ENG-8)"""
        pool = Pool()
        Article = pool.get('service.knowledge.article')
        articles = []
        existing = []
        for analysis in analyses:
            if analysis.state != 'closed':
                continue
            drafts = [a for a in analysis.articles if a.state == 'draft']
            if drafts:
                existing.extend(drafts)
                continue
            codes = [c for c in [analysis.symptom_code, analysis.cause_code,
                    analysis.remedy_code] if c]
            articles.append(Article(
                    company=analysis.company,
                    kind='known_fault',
                    title=analysis.subject,
                    body=analysis._article_body(),
                    products=[analysis.product] if analysis.product else [],
                    fault_codes=codes,
                    fault_analysis=analysis,
                    change_note=analysis.rec_name))
        Article.save(articles)
        return {'res_id': [a.id for a in existing + articles]}

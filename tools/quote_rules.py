"""Which words of each article state which triples of its article graph (read by tools/quotes.py).

A quote is a Span of the article text: from the ``occurrence``-th occurrence of ``start`` to the end of the first
``end`` after it (or just ``start`` itself). A rule is (subject, predicate, object, quote key or keys): the first
rule that matches a triple of the article graph gives its quote(s); subject is an id path (``event/forum-2022``)
or a path prefix ending in ``*``; predicate a CURIE, object an id path; None matches anything.
Qualifiers are extra triples on the reified statement of (subject, predicate); none is used since issue 17 moved
ugkg:approximate (约800人) from the statement onto the count itself, in the article graph.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal


@dataclass(frozen=True)
class Span:
    start: str
    end: str | None = None
    occurrence: int = 1


@dataclass(frozen=True)
class Retired:
    """A quote no fact rests on any more: it keeps its place in the table, so the quotes after it keep their numbers
    (their IRIs are published and cited), and is not written."""
    why: str


@dataclass
class Article:
    article: str  # id path of the article
    title: str  # a string only its seed text contains
    lang: str
    quotes: dict[str, Span | Retired]
    rules: list[tuple]
    qualifiers: dict[tuple[str, str], list[tuple[str, Literal]]] = field(default_factory=dict)


# --- The Beijing News, 2022-12-20, A11 (Chinese) ----------------------------------------------------------------

BJN_CITIES = Span("在19日举行的闭幕式上", "共同发布了《城市治理现代化北京宣言》。")
BJN_QUOTES = {
    "alt-headline": Span("北京党建引领接诉即办改革论坛闭幕,清华大学研究团队发布《中国城市善治指数指标体系》"),
    "photo-caption": Span("12月19日,北京党建引领接诉即办改革论坛闭幕式上,清华大学社会科学学院副院长", "孟天广发布《中国城市善治指数指标体系》。"),
    "lead": Span("12月19日,在北京党建引领接诉即办改革论坛闭幕式上", "。"),
    "short-forms": Span("京沪津渝等13个城市共同发布《城市治理现代化北京宣言》"),
    "first-declaration": Span("这是国内第一个城市治理现代化宣言", None, 1),
    "theme-and-initiative": Span("这是国内第一个城市治理现代化宣言,聚焦", "中国智慧。"),
    "index-also-released": Span("闭幕式上还发布了《中国城市善治指数指标体系》。"),
    "team-proposal": Span("清华大学研究团队围绕中国式现代化的城市之治", "构建设想。"),
    "mixed-attendance": Span("论坛采取线上线下相结合的方式"),
    "covid-measures": Span("结合当前疫情形势", "严格落实疫情防控措施"),
    "offline": Span("线下约800人参加了多场次活动"),
    "online": Span("线上约7万人云端参会"),
    "dates-and-place": Span("12月18日至19日,北京党建引领接诉即办改革论坛在京举办。"),
    "hosts": Span("论坛由中国社会科学院、北京市委、北京市政府共同主办。"),
    "cities-consensus-issue": BJN_CITIES,
    "coverage": Span("发起宣言的城市覆盖面广", "也有南方城市"),
    "voice": Span("共同发出建设人民城市、推进城市治理现代化的时代强音"),
    "city-of-the-people": Span("城市是人民的城市,是现代化的重要载体"),
    "national-governance": Span("城市治理现代化是国家治理体系和治理能力现代化的重要内容"),
    "experience": Span("近年来,全国各地坚持党建引领", "重要实践成果"),
    "challenges": Span("城市治理仍面临一些挑战和问题", "共同破解"),
    "guidance": Span("《宣言》坚持以习近平新时代中国特色社会主义思想为指引"),
    "theoretical-basis": Span("以党的二十大精神", "为理论依据"),
    "people-city": Span("深入落实“人民城市人民建、人民城市为人民”重要理念"),
    "initiated": Span("由论坛主办方发起"),
    "experts": Span("邀请知名专家论证"),
    "consulted": Span("征求参加论坛的各兄弟城市意见"),
    "theme": Span("一致赞成以“坚持人民至上", "为主题"),
    "chinese-modernization": Span("共同携手在中国式现代化发展进程中"),
    "grassroots": Span("充分发挥我国党建引领基层治理的制度优势"),
    "aim": Span("积极推进城市治理体系和治理能力现代化"),
    "index-first": Span("12月19日,北京党建引领接诉即办改革论坛闭幕式上,清华大学研究团队发布", "这是我国首个城市善治指数指标体系。"),
    "index-first-claim": Span("这是我国首个城市善治指数指标体系"),
    "rate": Span("孟天广介绍,根据国家统计局的数据", "关键载体。"),
    "understanding": Span("深刻理解城市治理的规律、路径和模式", "关键基础部分"),
    "core-elements": Span("中国式城市治理现代化的核心要素", "幸福感和安全感。"),
    "good-governance": Span("据介绍,以人民为中心是中国城市善治的核心原则", "是善治的目标。"),
    "core-principle": Span("以人民为中心是中国城市善治的核心原则"),
    "characteristics": Span("回应性、透明性、问责性、法制化等是善治的特征"),
    "structure": Span("一核多元共治格局", "是善治治理的结构"),
    "goals": Span("回应诉求、保障民生和共享成果是善治的目标"),
    "principles": Span("为了构建一套体现中国特色", "保持国际引领。"),
    "principle-1": Span("一是人民性原则", "治理理念"),
    "principle-2": Span("二是系统性原则", "综合评价体系"),
    "principle-3": Span("三是可靠性原则", "信度和效度"),
    "principle-4": Span("四是引领性原则", "保持国际引领"),
    "dimensions": Span("从评估指标体系构成的角度来看", "协同关系。"),
    "dim-system": Span("治理体系用于衡量城市治理中体制机制的完备程度"),
    "dim-capacity": Span("治理能力用于衡量城市治理中的治理能力体系"),
    "dim-effectiveness": Span("治理成效用于衡量城市治理各方面的绩效"),
    "dim-feedback": Span("治理反馈用于衡量城市治理过程中的政民互动和协同关系"),
    "indicators-speech": Span("具体而言,构建共建共治共享的社会治理共同体", "综合治理绩效。"),
    "system-indicators": Span("构建共建共治共享的社会治理共同体是城市治理的本质要求", "作为衡量城市治理体系的二级指标"),
    "fields": Span("用义务教育、创业、就业、养老、医疗等跟民生福祉高度相关的领域的治理绩效来评估城市的综合治理绩效"),
    "feedback-basis": Retired("issue 17: the governance-feedback dimension's note it supported was stitched by the project (curation.ttl)"),
    "feedback-speech": Span("因此,我们将人大政协的议政、城市形象等作为衡量治理反馈的二级指标。"),
    "feedback-indicators": Span("我们将人大政协的议政、城市形象等作为衡量治理反馈的二级指标"),
    "ten-point-heading": Span("《城市治理现代化北京宣言》提出“十点倡议”"),
    **{f"initiative-{n}": Span(start, "。") for n, start in enumerate([
        "坚持以人为本、增进民生福祉", "坚持依靠人民、建设人民城市", "坚持依法治理、保障公平正义", "坚持源头治理、强化主动治理",
        "坚持协同治理、强化共治体系", "加强基层治理、筑牢治理基础", "加强数字治理、建设智慧城市", "加强韧性治理、实现安全发展",
        "加强区域协调、促进平衡发展", "加强生态文明、共享低碳生活"], start=1)},
    # issue 17: whole sentences for notes that were supported clause by clause (appended: the order numbers the IRIs)
    "coverage-and-voice": Span("发起宣言的城市覆盖面广", "时代强音。"),
    # the 13 cities, then (next paragraph) "the cities that initiated the declaration": one quote across the break
    "cities-and-coverage": Span("在19日举行的闭幕式上", "也有南方城市"),
}
TOPIC_OF = {  # initiative topics: quoted from the initiative that names them
    "peoples-well-being": 1, "public-services": 1, "law-based-governance": 3, "source-governance": 4, "proactive-governance": 4,
    "collaborative-governance": 5, "grassroots-governance": 6, "digital-governance": 7, "smart-city": 7,
    "resilience-governance": 8, "safe-development": 8, "regional-coordination": 9, "ecological-civilization": 10, "low-carbon-life": 10,
}
D = "document/beijing-declaration"
BJN_RULES = [
    ("event/forum-2022", "ugkg:coHost", None, "hosts"),
    ("event/forum-2022", "ugkg:closingCeremony", None, "lead"),
    ("event/forum-2022", "ugkg:attendanceMode", None, "mixed-attendance"),
    ("event/forum-2022", "ugkg:offlineAttendance", None, "offline"),
    ("event/forum-2022", "ugkg:onlineAttendance", None, "online"),
    ("event/forum-2022/offline-attendance", None, None, "offline"),
    ("event/forum-2022/online-attendance", None, None, "online"),
    ("event/forum-2022", "skos:note", None, "covid-measures"),
    ("event/forum-2022", None, None, "dates-and-place"),
    ("event/forum-2022-closing-ceremony", "schema:startDate", None, "lead"),  # 12月19日 (在19日… gives no month)
    ("event/forum-2022-closing-ceremony", None, None, "lead"),
    ("org/cass", None, None, "hosts"),
    ("org/beijing-municipal-*", None, None, "hosts"),
    ("city/*", "skos:altLabel", None, "short-forms"),
    ("city/*", None, None, "cities-consensus-issue"),
    ("new-area/*", None, None, "cities-consensus-issue"),  # Xiong'an, one of the 13
    (D, "ugkg:issuedBy", None, "cities-consensus-issue"),
    (D, "ugkg:initiatingCity", None, "cities-and-coverage"),
    (D, "ugkg:precededByConsensus", None, "cities-consensus-issue"),
    (D, "ugkg:initiatedBy", None, ("initiated", "hosts")),  # 由论坛主办方发起 + who the organisers (主办) are
    (D, "ugkg:reviewedBy", None, "experts"),
    (D, "ugkg:consulted", None, "consulted"),
    (D, "ugkg:theme", None, "theme"),
    (D, "ugkg:aim", None, "aim"),
    (D, "ugkg:hasGuidingIdeology", None, "guidance"),
    (D, "ugkg:hasTheoreticalBasis", None, "theoretical-basis"),
    (D, "ugkg:invokesConcept", "concept/people-city", "people-city"),
    (D, "ugkg:invokesConcept", "concept/party-building-led-grassroots-governance", "grassroots"),
    (D, "ugkg:invokesConcept", "concept/chinese-modernization", "chinese-modernization"),
    (D, "ugkg:signatoriesCover", None, "coverage"),
    *[(D, "ugkg:hasInitiative", f"{D}/initiative/{n}", ("ten-point-heading", f"initiative-{n}")) for n in range(1, 11)],
    (D, "ugkg:proposesInitiatives", None, "theme-and-initiative"),
    (D, "dcterms:description", None, ("theme-and-initiative", "coverage-and-voice")),
    (D, None, None, "lead"),
    ("concept/xi-jinping-thought", None, None, "guidance"),
    ("concept/spirit-of-20th-party-congress", None, None, "theoretical-basis"),
    ("concept/xi-speeches-on-urban-community-governance", None, None, "theoretical-basis"),
    ("concept/people-city", None, None, "people-city"),
    ("concept/party-building-led-grassroots-governance", None, None, "grassroots"),
    ("concept/chinese-modernization", None, None, "chinese-modernization"),
    ("concept/party-building-led-megacity-governance", None, None, "cities-consensus-issue"),
    ("concept/multi-actor-participation-in-urban-governance", None, None, "cities-consensus-issue"),
    ("concept/good-governance", "ugkg:corePrinciple", None, "core-principle"),
    ("concept/good-governance", "ugkg:hasCharacteristic", None, "characteristics"),
    ("concept/good-governance", "ugkg:hasStructure", None, "structure"),
    ("concept/good-governance", "ugkg:hasGoal", None, "goals"),
    ("concept/good-governance", None, None, "good-governance"),
    *[(f"concept/{slug}", None, None, f"initiative-{n}") for slug, n in TOPIC_OF.items()],
    *[(f"{D}/initiative/{n}", None, None, f"initiative-{n}") for n in range(1, 11)],
    *[(f"{D}/ten-point-initiative", "dcterms:hasPart", f"{D}/initiative/{n}", ("ten-point-heading", f"initiative-{n}")) for n in range(1, 11)],
    (f"{D}/ten-point-initiative", None, None, "ten-point-heading"),
    ("index/cuggi", "ugkg:presenter", None, "photo-caption"),
    ("index/cuggi", "ugkg:issuedAt", None, ("index-also-released", "index-first")),
    ("index/cuggi", "dcterms:description", None, "team-proposal"),
    ("index/cuggi", "skos:hasTopConcept", None, "dimensions"),
    ("index/cuggi", "ugkg:hasPrinciple", None, "principles"),
    ("index/cuggi", "ugkg:citesStatistic", None, "rate"),
    ("index/cuggi", None, None, "index-first"),
    # a dimension's place in the index (type, scheme, order) is said by the sentence that lists the four as the
    # index's composition (从评估指标体系构成的角度来看，…); its name and definition by its own clause
    *[("index/cuggi/dimension/*", p, None, "dimensions") for p in ("rdf:type", "skos:topConceptOf", "skos:inScheme", "ugkg:ordinal")],
    ("index/cuggi/dimension/governance-system", "skos:scopeNote", None, "system-indicators"),
    ("index/cuggi/dimension/governance-system", None, None, "dim-system"),
    ("index/cuggi/dimension/governance-capacity", None, None, "dim-capacity"),
    ("index/cuggi/dimension/governance-effectiveness", "skos:scopeNote", None, "fields"),
    ("index/cuggi/dimension/governance-effectiveness", None, None, "dim-effectiveness"),
    ("index/cuggi/dimension/governance-feedback", None, None, "dim-feedback"),
    *[(f"index/cuggi/indicator/{s}", None, None, "system-indicators") for s in (
        "party-committee-leadership", "government-responsibility", "democratic-consultation", "social-coordination",
        "public-participation", "rule-of-law-guarantee", "technological-support")],
    # the fields' clause does not say they are part of the indicator system; Meng's whole sentence does (二级指标)
    *[(f"index/cuggi/assessment-field/{s}", "skos:inScheme", None, "indicators-speech") for s in (
        "compulsory-education", "entrepreneurship", "employment", "elderly-care", "medical-care")],
    *[(f"index/cuggi/assessment-field/{s}", None, None, "fields") for s in (
        "compulsory-education", "entrepreneurship", "employment", "elderly-care", "medical-care")],
    *[(f"index/cuggi/indicator/{s}", None, None, "feedback-indicators") for s in ("npc-cppcc-deliberation", "city-image")],
    *[(f"index/cuggi/principle/{s}", None, None, f"principle-{n}") for n, s in enumerate(
        ("people-orientation", "systematicness", "reliability", "leadership"), start=1)],
    ("index/cuggi/feature/people-centredness", None, None, "core-principle"),
    *[(f"index/cuggi/feature/{s}", None, None, "characteristics") for s in ("responsiveness", "transparency", "accountability", "legalization")],
    *[(f"index/cuggi/feature/{s}", None, None, "structure") for s in (
        "one-core-multi-actor-co-governance", "party-led-government-directed", "multi-actor-co-governance")],
    *[(f"index/cuggi/feature/{s}", None, None, "goals") for s in ("responding-to-demands", "safeguarding-livelihoods", "sharing-outcomes")],
    ("org/tsinghua-research-team", None, None, "index-first"),
    ("org/tsinghua-*", None, None, "photo-caption"),
    ("person/meng-tianguang", None, None, "photo-caption"),
    ("post/*", None, None, "photo-caption"),
    ("quotation/meng-tianguang-core-elements", None, None, "core-elements"),
    ("quotation/meng-tianguang-principles", None, None, "principles"),
    ("quotation/meng-tianguang-indicators", None, None, "indicators-speech"),
    ("quotation/meng-tianguang-feedback", None, None, "feedback-speech"),
    ("org/national-bureau-of-statistics", None, None, "rate"),
    ("country/china", None, None, "rate"),
    ("dataset/*", None, None, "rate"),
    ("observation/*", None, None, "rate"),
    ("group/invited-experts", None, None, "experts"),
    ("group/forum-participating-cities", None, None, "consulted"),
    ("consensus/*", None, None, "cities-consensus-issue"),
    ("claim/beijing-declaration-first-in-china", None, None, "first-declaration"),
    ("claim/cuggi-first-in-china", None, None, "index-first-claim"),
    ("proposition/city-of-the-people", None, None, "city-of-the-people"),
    ("proposition/urban-governance-in-national-governance", None, None, "national-governance"),
    ("proposition/valuable-experience", None, None, "experience"),
    ("proposition/challenges-remain", None, None, "challenges"),
    ("proposition/voice-of-the-times", None, None, "voice"),
    ("proposition/understanding-urban-governance", None, None, "understanding"),
]
BJN_QUOTES.pop("alt-headline")  # the headline is bibliographic (data/sources.ttl), not a fact of this graph

# --- Beijing Daily client, 2022-12-19 (English machine translation, quoted as published) -------------------------

BJD_QUOTES = {
    "closed": Span("On December 19, the Beijing Party Construction Leading Action Reform Forum", "closed."),
    "cities-issue": Span("At the closing ceremony, 13 cities", "was jointly issued."),
    "cities": Span("At the closing ceremony, 13 cities", "and Chengdu"),
    "consensus": Span("At the closing ceremony, 13 cities", "A broad consensus was reached"),
    "declaration-issued": Span("A broad consensus was reached, and the “Beijing Declaration on the Modernization of Urban Governance” was jointly issued."),
    "reported-first": Span("It is reported that this is the first urban governance modernization declaration in China."),
    "coverage": Span("The cities that initiated the declaration have a wide coverage", "southern cities."),
    "voice": Span("Send out the strong voice of the times", "modernization of urban governance."),
    "city-of-the-people": Span("A city is a city for the people and an important carrier of modernization."),
    "national-governance": Span("The modernization of urban governance is an important part of the modernization of the national governance system and governance capabilities."),
    "experience": Span("In recent years, all parts of the country", "important practical results."),
    "challenges": Span("urban governance still faces some challenges and problems", "solve them together."),
    "guidance": Span("The declaration adheres to the guidance of Xi Jinping Thought on Socialism with Chinese Characteristics for a New Era"),
    "theoretical-basis": Span("the spirit of the 20th National Congress of the Communist Party of China", "as the theoretical basis"),
    "people-city": Span("thoroughly implements the “people’s cities built by the people", "The important concept of “people”"),
    "initiated": Span("was initiated by the organizer of the forum"),
    "experts": Span("Well-known experts were invited to discuss"),
    "consulted": Span("solicit the opinions of the brothers and cities participating in the forum"),
    "theme": Span("They unanimously agreed to take “putting the people first", "as the theme"),
    "chinese-modernization": Span("work together in the process of Chinese-style modernization development"),
    "grassroots": Span("give full play to the institutional advantages of our country’s party building leading grassroots governance"),
    "aim": Span("actively promote the modernization of the urban governance system and governance capabilities"),
    "addresses-and-distils": Span("Aiming at the main problems faced by urbanization and urban governance", "mass appeals driving mega-city governance."),
    "addresses": Span("Aiming at the main problems faced by urbanization and urban governance"),
    "echoes": Span("The important concepts put forward by the 2020 Sustainable Development Agenda", "multi-subject collaborative governance."),
    "consensus-areas": Span("participated in the party building to lead the governance of mega cities and the participation of multiple subjects in urban governance"),
    "ten-point-heading": Span("The “ten-point initiative” includes:"),
    **{f"initiative-{n}": Span(start, end) for n, (start, end) in enumerate([
        ("adhere to people-oriented", "improve the level of public services"),
        ("insist on relying on the people", "stimulate people’s creative vitality"),
        ("adhere to the rule of law", "on the track of the rule of law"),
        ("adhere to source governance", "key areas and key areas"),
        ("adhere to coordinated governance", "and market players"),
        ("strengthen grassroots governance", "professional level of grassroots governance"),
        ("strengthen digital governance", "refinement, and intelligence"),
        ("strengthen resilience governance", "development, and security"),
        ("strengthen regional coordination", "urban and rural areas"),
        ("strengthen ecological civilization", "living, entertainment and travel."),
    ], start=1)},
    # issue 17: facts the first paragraph states across adjacent sentences, quoted by one span (appended: the order
    # numbers the IRIs)
    "closed-and-issued": Span("On December 19, the Beijing Party Construction Leading Action Reform Forum", "was jointly issued."),
    "cities-and-coverage": Span("At the closing ceremony, 13 cities", "southern cities."),
    "reported-first-and-coverage": Span("It is reported that this is the first urban governance modernization declaration in China.", "southern cities."),
}
BJD_RULES = [
    ("event/forum-2022*", None, None, "closed"),
    ("org/*", None, None, "closed"),
    ("city/*", None, None, "cities"),
    ("new-area/*", None, None, "cities"),
    (D, "ugkg:issuedBy", None, "cities-issue"),
    (D, "ugkg:initiatingCity", None, "cities-and-coverage"),
    (D, "ugkg:issuedAt", None, "cities-issue"),
    (D, "ugkg:precededByConsensus", None, "consensus"),
    (D, "dcterms:issued", None, "closed-and-issued"),
    (D, "ugkg:initiatedBy", None, ("initiated", "closed")),  # "initiated by the organizer" + who co-sponsored it
    (D, "ugkg:reviewedBy", None, "experts"),
    (D, "ugkg:consulted", None, "consulted"),
    (D, "ugkg:theme", None, "theme"),
    (D, "ugkg:aim", None, "aim"),
    (D, "ugkg:addresses", None, "addresses"),
    (D, "ugkg:hasGuidingIdeology", None, "guidance"),
    (D, "ugkg:hasTheoreticalBasis", None, "theoretical-basis"),
    (D, "ugkg:invokesConcept", "concept/people-city", "people-city"),
    (D, "ugkg:invokesConcept", "concept/party-building-led-grassroots-governance", "grassroots"),
    (D, "ugkg:invokesConcept", "concept/chinese-modernization", "chinese-modernization"),
    (D, "ugkg:invokesConcept", None, "addresses-and-distils"),
    (D, "ugkg:echoesAgenda", None, "echoes"),
    (D, "ugkg:echoesTopic", None, "echoes"),
    (D, "ugkg:signatoriesCover", None, "coverage"),
    (D, "dcterms:description", None, "reported-first-and-coverage"),
    (D, None, None, "declaration-issued"),
    ("concept/xi-jinping-thought", None, None, "guidance"),
    ("concept/spirit-of-20th-party-congress", None, None, "theoretical-basis"),
    ("concept/xi-speeches-on-urban-community-governance", None, None, "theoretical-basis"),
    ("concept/people-city", None, None, "people-city"),
    ("concept/party-building-led-grassroots-governance", None, None, "grassroots"),
    ("concept/chinese-modernization", None, None, "chinese-modernization"),
    ("concept/party-building-leadership", None, None, "addresses-and-distils"),
    ("concept/immediate-response-to-public-complaints", None, None, "addresses-and-distils"),
    ("concept/complaint-driven-megacity-governance", None, None, "addresses-and-distils"),
    ("concept/party-building-led-megacity-governance", None, None, "consensus-areas"),
    ("concept/multi-actor-participation-in-urban-governance", None, None, "consensus-areas"),
    ("concept/*", None, None, "echoes"),
    ("agenda/*", None, None, "echoes"),
    *[(f"{D}/initiative/{n}", None, None, f"initiative-{n}") for n in range(1, 11)],
    *[(f"{D}/ten-point-initiative", "dcterms:hasPart", f"{D}/initiative/{n}", ("ten-point-heading", f"initiative-{n}")) for n in range(1, 11)],
    (f"{D}/ten-point-initiative", None, None, "ten-point-heading"),
    ("group/invited-experts", None, None, "experts"),
    ("group/forum-participating-cities", None, None, "consulted"),
    ("consensus/*", "ugkg:sourceWording", None, "consensus-areas"),
    ("consensus/*", None, None, "consensus"),
    ("claim/*", None, None, "reported-first"),
    ("country/china", None, None, "reported-first"),
    ("proposition/city-of-the-people", None, None, "city-of-the-people"),
    ("proposition/urban-governance-in-national-governance", None, None, "national-governance"),
    ("proposition/valuable-experience", None, None, "experience"),
    ("proposition/challenges-remain", None, None, "challenges"),
    ("proposition/voice-of-the-times", None, None, "voice"),
]

ARTICLES = {
    "bjnews-2022-12-20": Article(
        "article/bjnews-2022-12-20-a11", "13城发布《城市治理现代化北京宣言》", "zh", BJN_QUOTES, BJN_RULES),
    "bjd-2022-12-19": Article(
        "article/bjd-2022-12-19", "The first in China! 13 cities including Beijing jointly issued", "en", BJD_QUOTES, BJD_RULES),
}

"""Detect special care-required personal information (APPI) in CV text, Japanese and English.

The categories are `SensitiveCategory`. A CV that reveals one is refused unless the student
declared it volunteered, so the detector aims at sentences that reveal *the applicant's own*
trait or history, not at every use of a sensitive word.

Method
------
1. Normalise: Unicode NFKC (full-width Latin and digits, half-width katakana) then casefold;
   curly apostrophes become straight ones. Normalisation runs per grapheme-like cluster so
   every normalised character maps back to a span of the original text: `Finding` offsets
   index the text the caller passed in.
2. Match a table of `Rule`s, compiled once. English patterns use word boundaries and mostly
   need a self-reference or an act (``I am a practising Buddhist``, ``convicted of``,
   ``took part in ... demonstrations``); Japanese patterns are substrings specific enough to
   stand alone (``障害者手帳``, ``前科``, ``労働組合``, ``うつ病``).
3. Drop a match when one of the rule's `excludes` occurs in the same clause (text between
   ``, 、 . 。 ; ! ?`` or a line break). Excludes describe contexts that do not reveal the
   person: work products and industries (``healthcare software``, ``障害保険の請求``), academic
   subjects (``criminal law course``, ``政治学科``), other people (``users``, ``利用者``,
   ``祖母``), the employer's side of bargaining (``労働組合との``), negation (``no criminal
   record``, ``前科はありません``) and homonyms (``システム障害``, ``student union``,
   ``生活協同組合``, ``product demo``).

What counts as revealing (decisions)
------------------------------------
- Religion/belief: self-identification, worship, membership of a religious body, baptism,
  mission work. A course (``religious studies``), a school's denomination or a church hall
  used as a venue are not.
- Race/ethnicity/family origin: ethnic or racial self-identification, parents' nationality,
  Buraku/dowa origin, Zainichi status, Ainu heritage, registered domicile (本籍). Birthplace,
  nationality and language ability are not (they are ordinary CV facts).
- Disability: certificates (手帳), quota hiring, the person's impairment or developmental
  disorder. Work for or with disabled people is not.
- Criminal history: arrests, convictions, sentences, probation, prison, juvenile training
  school. A stated clean record is not.
- Collective bargaining: union membership or office, strikes, bargaining as a worker.
  Bargaining for management, student unions and co-operatives are not.
- Political rights: party membership, campaigning, candidacy, voting, demonstrations,
  petitions.
- Sex life/health: diagnoses, illness, hospital or medical treatment, pregnancy, sexual
  orientation and gender identity. A good-health statement is not.

Known limits: a lexicon misses paraphrases it does not list, and clause-level excludes can
hide a real disclosure that shares a clause with a work word. Findings store no matched text,
so they can be logged.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from ac_events.catalogue.vocab import SensitiveCategory

__all__ = ["RULES", "Finding", "Rule", "detect", "findings"]

REL = SensitiveCategory.BELIEFS_RELIGION
RACE = SensitiveCategory.RACE_ETHNICITY_FAMILY_ORIGIN
DIS = SensitiveCategory.DISABILITY
CRIME = SensitiveCategory.CRIMINAL_HISTORY
UNION = SensitiveCategory.COLLECTIVE_BARGAINING
POL = SensitiveCategory.POLITICAL_RIGHTS
HEALTH = SensitiveCategory.SEX_LIFE_HEALTH


@dataclass(frozen=True, slots=True)
class Finding:
    """Where a rule found a category: offsets into the original text, never the text."""

    category: SensitiveCategory
    start: int
    end: int
    rule: str


@dataclass(frozen=True, slots=True)
class Rule:
    """A pattern for one category, and the clause contexts that cancel its matches.

    Patterns apply to normalised (NFKC, casefolded) text. A named group ``hit`` narrows
    the reported span.
    """

    category: SensitiveCategory
    name: str
    pattern: re.Pattern[str]
    excludes: tuple[re.Pattern[str], ...] = ()


def _rule(category: SensitiveCategory, name: str, pattern: str, *excludes: str) -> Rule:
    return Rule(category, name, re.compile(pattern), tuple(re.compile(e) for e in excludes))


# Fragments shared by several rules (normalised text: lower case, NFKC).
_W = r"[\w'-]+\s+"  # one English word and the space after it
_SELF = r"\b(?:i am|i'm|as an?|being)\s+"
_GAI = "[害がい碍]"  # 障害, 障がい, 障碍

_EN_WORK = (
    r"\b(?:software|apps?|applications?|platforms?|systems?|tools?|dashboards?|databases?"
    r"|data|datasets?|models?|apis?|features?|products?|industry|sector|markets?|insurance"
    r"|claims?|clients?|customers?|users?|vendors?|saas|consult\w*)\b"
)
_EN_WORK_NOT_USERS = _EN_WORK.replace("|users?", "")
"""For self-descriptions such as "I am a wheelchair user", where "user" is the person."""
_EN_ACADEMIC = (
    r"\b(?:course|courses|class|seminar|lectures?|module|elective|major|minor in|degree|thesis"
    r"|dissertation|research\w*|study of|studies|textbook|paper on|law|history of|statistics)\b"
)
_EN_OTHERS = (
    r"\b(?:mother|father|mum|mom|dad|parents?|grand\w+|brother|sister|son|daughter|friends?"
    r"|family|(?<!-)patients?|children|people with|students with|colleagues?)\b"
)
_JA_WORK = (
    "向け|業界|開発|システム|アプリ|ソフト|データ|研究|ゼミ|授業|講義|学科|専攻|論文|研修|保険"
    "|請求|製品|商品|サービス|記事|調査|分析|支援|施設|利用者|お客様|顧客|患者|啓発|対策|ボランティア"
)
_JA_FAMILY = "(?:祖母|祖父|父|母|兄|姉|弟|妹|家族|親族|友人|子ども|子供)(?:が|の|は)"

_RELIGIONS = (
    r"(?:buddhist|christian|catholic|protestant|evangelical|muslim|moslem|hindu|jewish|jew"
    r"|sikh|jain|mormon|latter-day saint|jehovah's witness|shintoist|atheist|agnostic|quaker"
    r"|baptist|methodist|anglican|pentecostal|secular humanist)"
)
_REL_INSTITUTION = (
    rf"{_RELIGIONS}\s+(?:university|school|college|foundation|charity|hospital|institution"
    r"|organi[sz]ation|ngo|temples?|churches|art|architecture)|christian dior"
)
_RACES = r"(?:black|white|asian|latina|latino|latinx|hispanic|indigenous|aboriginal|ryukyuan)"
_EN_DIAGNOSES = (
    r"(?:depression|depressive disorder|bipolar(?: disorder)?|schizophrenia|ptsd"
    r"|post-traumatic stress|ocd|obsessive-compulsive|anxiety disorder|panic disorder"
    r"|eating disorder|anorexia|bulimia|adjustment disorder|burnout|cancer|leuka?emia"
    r"|lymphoma|tumou?r|diabetes|asthma|epilepsy|hiv|aids|hepatitis|crohn's|colitis"
    r"|multiple sclerosis|lupus|stroke|heart disease|heart condition|chronic \w+"
    r"|long covid|alcohol dependence|alcohol addiction|alcoholism|addiction|substance abuse"
    r"|insomnia|migraines?|infertility|miscarriage|gender dysphoria)"
)
_JA_DIAGNOSES = (
    f"(?:うつ病|鬱病|躁うつ|双極性障{_GAI}|統合失調症|適応障{_GAI}|パニック障{_GAI}|不安障{_GAI}"
    f"|社交不安|摂食障{_GAI}|拒食症|過食症|強迫性障{_GAI}|(?<![a-z])ptsd|心的外傷後"
    f"|自律神経失調症|睡眠障{_GAI}|不眠症|癌|がん(?:で|と診断|治療|の(?:治療|手術)|を(?:患|発症|克服))"
    "|抗がん剤|白血病|リンパ腫|腫瘍|糖尿病|喘息|ぜんそく|てんかん|(?<![a-z])hiv(?![a-z])|エイズ"
    f"|肝炎|クローン病|潰瘍性大腸炎|心臓病|心疾患|脳梗塞|脳卒中|難病|持病|膠原病|依存症|不妊"
    f"|流産|性同一性障{_GAI}|性別違和)"
)

RULES: tuple[Rule, ...] = (
    # --- beliefs and religion ---------------------------------------------------------------
    _rule(REL, "en_religion_self", rf"{_SELF}(?:{_W})?{_RELIGIONS}\b", _REL_INSTITUTION),
    _rule(
        REL,
        "en_religion_devout",
        rf"\b(?:devout|devoted|practi[sc]ing|observant|born-again|converted to|my)\s+(?:{_W})?"
        rf"{_RELIGIONS}\b",
        _REL_INSTITUTION,
    ),
    _rule(
        REL,
        "en_my_faith",
        r"\bmy\s+(?:[\w'-]+\s+)?(?:faith|religion|religious beliefs|spiritual practice)\b"
        r"|\bmy\s+political\s+(?:views|beliefs|convictions)\b",
    ),
    _rule(
        REL,
        "en_my_congregation",
        r"\b(?:my|our)\s+(?:local\s+|home\s+)?(?:church|parish|mosque|temple|synagogue"
        r"|congregation|gurdwara)\b",
    ),
    _rule(
        REL,
        "en_worship",
        r"\b(?:bible study|sunday school|missionary|mission trip|bapti[sz]ed|hajj|sermons?"
        r"|catechist|church choir|daily prayers|go to church|attend church)\b"
        r"|\b(?:observe|observing|fast|fasting)\s+(?:during\s+)?(?:the\s+)?(?:ramadan|lent"
        r"|navratri|sabbath|shabbat|yom kippur|the five daily prayers)\b"
        r"|\bconvert(?:ed)?\s+to\s+(?:islam|christianity|buddhism|judaism|catholicism"
        r"|hinduism|sikhism)\b"
        r"|\bi\s+(?:eat|keep|need|require)\s+(?:a\s+)?(?:halal|kosher)\b"
        r"|\b(?:lead|led|leading|attend|attended|attending|offer)\s+(?:[\w'-]+\s+){0,2}"
        r"(?:prayers?|mass|worship)\b",
        _EN_WORK,
        _EN_ACADEMIC,
    ),
    _rule(
        REL,
        "en_religious_body",
        r"\b(?:soka gakkai|tenrikyo|rissho kosei-kai|happy science|unification church"
        r"|jehovah's witnesses|latter-day saints)\b",
        _EN_ACADEMIC,
    ),
    _rule(
        REL,
        "ja_believer",
        "クリスチャン|キリスト教徒|仏教徒|イスラム教徒|ムスリム|ヒンドゥー教徒|ユダヤ教徒"
        "|カトリック信者|プロテスタント信者|モルモン教徒|無神論者",
        "ディオール|系|大学|学校|" + _JA_WORK,
    ),
    _rule(
        REL,
        "ja_faith",
        "信仰|信者|信徒|入信|改宗|洗礼|受洗|礼拝に(?:通|参加|出席)|ミサに(?:通|参加)"
        "|教会の(?:青年会|聖歌隊|日曜学校|奉仕)|檀家|門徒|僧侶|読経|お経を|聖書を読|お祈り"
        "|礼拝の時間|(?:教会|寺|モスク)に通|断食|ラマダン|ハラール食|宗教上の理由",
        _JA_WORK + "|インタビュー|観光|ガイド|取材",
    ),
    _rule(
        REL,
        "ja_religious_body",
        "創価学会|エホバの証人|統一教会|世界平和統一家庭連合|幸福の科学|天理教|立正佼成会"
        "|真如苑|生長の家|霊友会",
        _JA_WORK + "|報道",
    ),
    _rule(
        REL,
        "ja_sect_family",
        "(?:浄土真宗|曹洞宗|日蓮宗|真言宗|臨済宗|天台宗|浄土宗)の(?:寺|僧侶|門徒|檀家)",
        _JA_WORK,
    ),
    # --- race, ethnicity, family origin ------------------------------------------------------
    _rule(
        RACE,
        "en_buraku_zainichi",
        r"\b(?:burakumin|buraku|dowa\s+(?:district|area|community)|zainichi)\b",
        _EN_ACADEMIC,
        r"\btraining\b",
    ),
    _rule(
        RACE,
        "en_ainu",
        rf"\bainu\s+(?:heritage|descent|ancestry|roots|blood|family)\b|{_SELF}(?:{_W})?ainu\b",
        _EN_ACADEMIC,
    ),
    _rule(
        RACE,
        "en_heritage",
        rf"\b(?:my|of)\s+(?:{_W}){{0,4}}?(?:ethnicity|heritage|ancestry|descent"
        r"|ethnic background|racial background|roots)\b",
        r"\b(?:gradient|steepest|coordinate)\s+descent|\bworld heritage|\bcultural heritage"
        r"|\bheritage\s+(?:sites?|tourism|management|buildings?)|\broot cause",
        _EN_ACADEMIC,
    ),
    _rule(
        RACE,
        "en_race_self",
        rf"\b(?:mixed[- ]race|biracial|multiracial)\b|{_SELF}{_RACES}\s+(?:{_W})?"
        r"(?:woman|man|person|student|engineer|american|japanese)\b"
        rf"|{_SELF}(?:{_W})?(?:person|woman|man) of colou?r\b"
        r"|\b(?:i am|i'm|as an?)\s+(?:\w+\s+)?(?:okinawan|ryukyuan|uchinanchu|zainichi"
        r"|korean-japanese|japanese-brazilian|nikkei)\b"
        r"|\b[\w-]+\s+on\s+my\s+(?:mother|father|mum|mom|dad)'s\s+side\b",
    ),
    _rule(RACE, "en_family_register", r"\b(?:honseki|registered domicile)\b"),
    _rule(RACE, "ja_buraku", "部落|同和(?:地区|地域)", _JA_WORK + "|問題"),
    _rule(
        RACE,
        "ja_zainichi",
        "在日(?:韓国|朝鮮|コリアン|中国|[一二三四]世)",
        _JA_WORK,
    ),
    _rule(RACE, "ja_honseki", "本籍"),
    _rule(
        RACE,
        "ja_ainu",
        "アイヌ(?:民族)?(?:の(?:血|出身|ルーツ|家系|家庭)|です|として)",
        _JA_WORK,
    ),
    _rule(
        RACE,
        "ja_mixed",
        "(?:ハーフ|クォーター|ダブル)(?:です|として|であ|で、|の(?:私|自分))",
    ),
    _rule(
        RACE,
        "ja_parent_nationality",
        "(?:父|母|父親|母親|両親|祖父|祖母)(?:が|は)(?:[ァ-ヴー]{2,12}|日本|韓国|中国|台湾|朝鮮)"
        "(?:人|籍|系)",
    ),
    _rule(
        RACE,
        "ja_ethnic_origin",
        "日系[ァ-ヴー]{2,10}人|(?:[ァ-ヴー]{2,10}|韓国|中国|朝鮮|台湾)系日本人|出自|門地|家柄"
        "|民族(?:の出身|的(?:ルーツ|背景)|として|の(?:血|誇り|ルーツ))|琉球|ウチナーンチュ"
        "|ルーツ(?:を持|があ|とする)",
        _JA_WORK,
    ),
    # --- disability --------------------------------------------------------------------------
    _rule(
        DIS,
        "en_disability_certificate",
        r"\bdisability\s+(?:certificate|card|handbook|grade)\b"
        r"|\b(?:hired|employed|apply|applying|application)\s+(?:[\w'-]+\s+){0,3}disability"
        r"\s+(?:employment\s+)?(?:quota|track|scheme|programme|program)\b",
        _EN_WORK,
    ),
    _rule(
        DIS,
        "en_disabled_self",
        rf"{_SELF}(?:{_W})?(?:deaf|blind|visually impaired|hearing impaired|hard of hearing"
        r"|partially sighted|disabled|autistic|dyslexic|paraplegic|quadriplegic"
        r"|wheelchair user|amputee|neurodivergent)\b"
        rf"|{_SELF}a\s+person\s+with\s+(?:an?\s+)?(?:{_W})?(?:disability|impairment)\b",
        _EN_WORK_NOT_USERS,
        _EN_OTHERS,
    ),
    _rule(
        DIS,
        "en_condition_self",
        r"\b(?:i have|i've got|i live with|living with|i was born with|diagnosed with)\s+"
        r"(?:an?\s+)?(?:[\w'-]+\s+)?(?:adhd|add|autism|asd|asperger'?s?|dyslexia|dyspraxia"
        r"|dyscalculia|cerebral palsy|spina bifida|hearing loss|visual impairment"
        r"|hearing impairment|\w+ disability|developmental disorder|tourette'?s?"
        r"|muscular dystrophy|down syndrome)\b",
        _EN_OTHERS,
    ),
    _rule(
        DIS,
        "en_assistive_self",
        r"\bi\s+(?:[\w'-]+\s+)?(?:use|rely on)\s+(?:a\s+)?(?:wheelchair|screen reader"
        r"|hearing aids?|cochlear implants?|white cane|guide dog|prosthetic \w+)\b"
        r"|\b(?:i\s+(?:can't|cannot)\s+(?:hear|see)|deaf in (?:one|both) ears?|blind in one eye"
        r"|low vision|limited mobility|mobility impairment|my\s+(?:wheelchair|prosthe\w+))\b"
        r"|\band\s+use\s+a\s+wheelchair\b",
        _EN_WORK,
        _EN_OTHERS,
    ),
    _rule(
        DIS,
        "ja_disability_certificate",
        f"障{_GAI}者(?:保健福祉)?手帳|療育手帳|障{_GAI}者(?:雇用)?枠",
        _JA_WORK + "|業務|確認|窓口|促進|人事",
    ),
    _rule(
        DIS,
        "ja_impairment",
        f"(?:聴覚|視覚|身体|知的|精神|発達|学習|言語|肢体|内部)障{_GAI}|肢体不自由|難聴|全盲|弱視"
        "|自閉(?:症|スペクトラム)|(?<![a-z])(?:adhd|asd)(?![a-z])|ディスレクシア|吃音|脳性麻痺",
        _JA_WORK + "|理解|講座|" + _JA_FAMILY,
    ),
    _rule(
        DIS,
        "ja_disability_self",
        f"障{_GAI}を(?:持|抱え)|障{_GAI}が(?:あり|あります|ある)"
        "|(?:車椅子|車いす)(?:を|で)(?:使用|利用|生活)"
        "|(?:耳|片耳|両耳|目|片目|両目|視力)が(?:聞こえ|見え|弱)(?:ない|にくい|づらい|く)"
        "|義足|義手|人工内耳|補聴器|白杖|盲導犬|合理的配慮",
        _JA_WORK + "|通信|ネットワーク|サーバ|回線|機器|" + _JA_FAMILY,
    ),
    # --- criminal history --------------------------------------------------------------------
    _rule(
        CRIME,
        "en_convicted",
        r"\b(?:i was|i've been|i have been|i got|was|been)\s+(?:[\w'-]+\s+)?(?:convicted"
        r"|arrested|charged with|imprisoned|jailed|incarcerated|sentenced|indicted)\b"
        r"|\bconvicted\s+of\b|\bpleaded\s+(?:guilty|no contest)\b|\bserved\s+time\b"
        r"|\b(?:i was|was)\s+fined\s+for\b|\b(?:prior|previous|my)\s+convictions?\b"
        r"|(?:^|(?<=[.;:\n]))\s*(?P<hit>arrested|convicted|sentenced|jailed|imprisoned)\b",
        _EN_ACADEMIC,
        _EN_WORK,
    ),
    _rule(
        CRIME,
        "en_criminal_record",
        r"\bcriminal\s+(?:record|conviction|convictions|history|offen[cs]e|charges?)\b",
        r"\b(?:no|clean|without|never|checks?|screening|background|justice)\b",
        _EN_ACADEMIC,
        _EN_WORK,
    ),
    _rule(
        CRIME,
        "en_prison",
        r"\b(?:in|from|out of)\s+(?:an?\s+)?(?:prison|jail|gaol|custody|reform school"
        r"|juvenile\s+\w+|reformatory|young offenders?'? institution)\b"
        r"|\b(?:prison|jail|suspended|custodial|community)\s+sentence\b"
        r"|\bserved\s+(?:a|my)\s+(?:[\w'-]+\s+)?sentence\b"
        r"|\b(?:on|under)\s+(?:probation|parole)\b",
        r"\b(?:volunteer\w*|taught|teach\w*|tutor\w*|visits?|inmates|guard|officers?"
        r"|programm?es?\s+for|probation(?:ary)? period)\b",
        _EN_ACADEMIC,
    ),
    _rule(
        CRIME,
        "en_offence",
        r"\b(?:dui|dwi|drink[- ]driving|drunk[- ]driving|shoplifting|theft|assault|fraud"
        r"|possession|drug)\s+(?:offen[cs]e|conviction|charge|arrest)\b"
        r"|\b(?:i am an?|as an?)\s+(?:ex-offender|ex-convict|ex-prisoner|former (?:offender"
        r"|inmate|prisoner))\b",
        _EN_ACADEMIC,
        _EN_WORK,
    ),
    _rule(
        CRIME,
        "ja_record",
        "前科|前歴|犯罪歴|逮捕歴|補導歴|非行歴",
        "(?:前科|前歴|犯罪歴|逮捕歴|補導歴|非行歴)(?:は|も)?(?:一切)?(?:ありません|なし|無し|ない)",
        _JA_WORK + "|照会|確認|チェック",
    ),
    _rule(
        CRIME,
        "ja_prosecution",
        "逮捕され|起訴(?:され|猶予)|有罪(?:判決|となり|になり)|執行猶予|服役|懲役|禁錮|罰金刑"
        "|仮釈放|保護観察(?:中|処分|を受け)|少年院|少年鑑別所|刑務所(?:で|に|を出|から)"
        "|書類送検|実刑|(?:補導|検挙|送検|摘発)され|家庭裁判所|保護処分"
        "|(?:万引き|窃盗|傷害|詐欺|暴行|飲酒運転|薬物|大麻|覚醒剤)(?:で|の罪で|容疑で)(?:逮捕|補導|検挙|有罪|起訴)"
        "|(?:罪|犯罪)を犯",
        _JA_WORK + "|制度|判例|傍聴|事務所",
    ),
    # --- collective bargaining ---------------------------------------------------------------
    _rule(
        UNION,
        "en_union",
        r"\b(?:labou?r|trade|teachers'?|workers'?|nurses'?|railway|dock|enterprise|company"
        r"|part-timers'?)\s+unions?\b"
        r"|\bunion\s+(?:member|membership|rep|representative|steward|branch|chapter|local"
        r"|official|officer|organi[sz]er|activist|executive|committee|chair|chairperson"
        r"|president|secretary|treasurer|delegate|activities)s?\b"
        rf"|\bjoined\s+(?:the|a)\s+(?:{_W}){{0,2}}union\b"
        r"|\b(?:our|my)\s+(?:[\w'-]+\s+)?union\b",
        r"\b(?:student|students'|european|credit|customs|postal|soviet)\s+union"
        r"|\b(?:on behalf of (?:the\s+)?management|management side|employer side|hr)\b"
        r"|\bwith the (?:[\w'-]+\s+)?unions?\b|\bnegotiations? software",
        _EN_WORK,
        _EN_ACADEMIC,
    ),
    _rule(
        UNION,
        "en_bargaining",
        r"\b(?:shop steward|collective bargaining|industrial action|picket line|shunto"
        r"|spring wage offensive)\b"
        r"|\b(?:organi[sz]ed|organi[sz]ing|joined|joining|led|leading|took part in"
        r"|taking part in|participated in|went on|go on|was on|were on)\s+(?:an?\s+|the\s+)?"
        r"(?:[\w'-]+\s+)?(?:strikes?|walkouts?|picket)\b"
        r"|\b(?:staff|general|national|wildcat|teachers'?|nurses'?|workers'?|rail|transit"
        r"|sympathy|labou?r|pay|wage)\s+strikes?\b|\bstrike\s+action\b|\bwalked\s+out\b",
        r"\b(?:on behalf of (?:the\s+)?management|management side|employer side|hr|hunger"
        r"|climate)\b",
        _EN_WORK,
        _EN_ACADEMIC,
    ),
    _rule(
        UNION,
        "ja_union",
        "労働組合|労組|ユニオン|組合員|組合の?(?:委員長|副委員長|書記長|執行委員|役員|支部|分会)"
        "|団体交渉|団交|ストライキ|スト権|春闘|労働争議|争議行為|組合(?:活動|役員|専従)"
        "|スト(?:に参加|を(?:実施|決行|行))|ピケ",
        "協同組合|生協|健康保険組合|(?:組合|労組|ユニオン)(?:側)?との|人事|労務管理|会社側|経営側"
        "|労働組合法|労働法|" + _JA_WORK,
    ),
    # --- political rights --------------------------------------------------------------------
    _rule(
        POL,
        "en_party",
        r"\b(?:liberal democratic|constitutional democratic|japanese communist|communist"
        r"|komeito|ishin|reiwa|social democratic|sanseito|democratic|republican|labou?r"
        r"|conservative|green|libertarian|socialist)\s+party\b"
        r"|\b(?:party|political)\s+(?:member|membership|activist|activism|campaign|volunteer"
        r"|youth wing|youth league|candidate)s?\b",
        r"\b(?:news|articles?|coverage|polic(?:y|ies)|analysis|analy[sz]ed|journalis\w*)\b",
        _EN_ACADEMIC,
        _EN_WORK,
    ),
    _rule(
        POL,
        "en_campaign",
        r"\b(?:election|electoral|re-election)\s+campaigns?\b"
        r"|\b(?:campaign(?:ed|ing)?|canvass(?:ed|ing)?|leaflet(?:ed|ing)?|door-to-door)\b"
        r"(?:\s+[\w'-]+){0,6}\s+(?:candidate|party|election|mayor|councillor|referendum)s?\b"
        rf"|\b(?:ran|run|running|stood|standing)\s+(?:as\s+an?\s+(?:{_W})?candidate\s+)?"
        rf"(?:for|in)\s+(?:the\s+)?(?:{_W}){{0,3}}(?:elections?|office|council|assembly|diet"
        r"|parliament|mayor|governor)\b",
        r"\b(?:polling station|visuali[sz]ation|coverage|results|student council|student union"
        r"|class|club)\b",
        _EN_ACADEMIC,
        _EN_WORK,
    ),
    _rule(
        POL,
        "en_vote",
        rf"\bvoted\s+in\s+(?:{_W}){{0,5}}(?:elections?|referend(?:um|a|ums)|polls?|primar(?:y|ies))\b"
        rf"|\bvoted\s+for\s+(?:the\s+)?(?:{_W}){{0,3}}(?:party|candidate|mayor|governor)\b",
    ),
    _rule(
        POL,
        "en_protest",
        r"\b(?:took part in|take part in|taking part in|joined|joining|participated in"
        r"|participating in|attended|attending|organi[sz]ed|organi[sz]ing|marched in|spoke at"
        rf"|led)\s+(?:the\s+|an?\s+)?(?:{_W}){{0,3}}(?:demonstrations?|protests?|rall(?:y|ies)"
        r"|marches|sit-ins?)\b"
        r"|\b(?:marched|rallied|demonstrated|protested|picketed)\s+(?:with|against|for|in"
        r"|outside)\b"
        r"|\b(?:with|among|alongside|joined)\s+(?:[\w'-]+\s+){0,4}(?:protesters|demonstrators"
        r"|marchers)\b"
        r"|\bclimate\s+(?:strikes?|marches|protests?)\b",
        r"\b(?:pep|car|charity|motor)\s+rall",
        _EN_ACADEMIC,
    ),
    _rule(
        POL,
        "en_petition",
        r"\b(?:organi[sz]ed|started|launched|signed|circulated|delivered|submitted|led)\s+"
        rf"(?:an?|the)\s+(?:{_W}){{0,2}}petitions?\b",
        _EN_ACADEMIC,
    ),
    _rule(
        POL,
        "ja_party",
        "自由民主党|自民党|立憲民主党|公明党|日本共産党|共産党|日本維新の会|維新の会|国民民主党"
        "|れいわ新選組|社会民主党|社民党|参政党|党員|支持政党|後援会|政治団体|政治活動",
        _JA_WORK + "|報道|政策|ニュース",
    ),
    _rule(
        POL,
        "ja_election",
        "選挙(?:活動|運動|ボランティア|事務所)|立候補|出馬"
        "|投票(?:に行|し(?:た|ました|ています)|を続け|を欠かさ)|期日前投票|不在者投票"
        "|選挙(?:に行|へ行|には必ず|を欠かさ)|候補者?の(?:応援|ポスター|ビラ|選挙|演説|事務所)"
        "|(?:応援|街頭)演説|ビラ配り",
        "選挙管理|選挙速報|投票所|開票|生徒会|学生自治会|自治会|学級|模擬|部長|サークル|クラブ"
        "|" + _JA_WORK,
    ),
    _rule(
        POL,
        "ja_protest",
        "デモ(?:に参加|行進|活動|隊)|(?:抗議|反対|反戦|反原発|反核)(?:する)?(?:デモ|集会)"
        "|抗議(?:集会|活動|運動)|座り込み|請願|陳情|署名(?:活動|運動|を集め)"
        "|(?:反対|抗議|反戦|反核|反原発|護憲|改憲)(?:する)?[^、。]{0,6}(?:団体|運動|集会|署名)"
        "|(?:市民|平和|政治|社会)運動に(?:参加|参画|関わ)",
        "製品|デモ版|デモ機|電子署名|報道|" + _JA_WORK,
    ),
    # --- sex life and health -----------------------------------------------------------------
    _rule(
        HEALTH,
        "en_diagnosis",
        r"\b(?:i have|i've had|i had|i suffer from|i suffered from|i live with|living with"
        r"|diagnosed with|treated for|treatment for|recovering from|recovered from|survivor of"
        r"|battle with|due to|because of|treatment of|therapy for|counsell?ing for"
        r"|recovery from|in recovery|my)\s+(?:an?\s+)?(?:[\w'-]+\s+){0,2}"
        rf"{_EN_DIAGNOSES}\b|\b{_EN_DIAGNOSES}\s+survivor\b|\bhiv[\s-]*(?:positive|\+)",
        r"\b(?:charity|fundrais\w*|funds|awareness|drugs?|trials?|clinical|oncology|pharma\w*"
        r"|great depression|economic|market|recession)\b",
        _EN_WORK,
        _EN_ACADEMIC,
        _EN_OTHERS,
    ),
    _rule(
        HEALTH,
        "en_treatment",
        r"\bdiagnosed\s+(?:with|as)\b"
        r"|\b(?:hospitali[sz]ed|hospitali[sz]ation|in-patient|inpatient|chemotherapy"
        r"|radiotherapy|dialysis|underwent surgery|had surgery|medical leave|sick leave"
        r"|(?:health|medical|mental health) reasons)\b"
        r"|\badmitted to (?:a\s+)?hospital\b|\bundergoing\s+(?:ivf|fertility treatment"
        r"|chemotherapy|dialysis|treatment|therapy|surgery|rehab\w*)\b"
        r"|\b(?:ivf|fertility treatment|(?:kidney|liver|heart|lung|bone marrow|organ) transplant"
        r"|sober for|mental breakdown|nervous breakdown)\b"
        rf"|\b(?:my|daily|prescribed)\s+(?:{_W})?(?:medications?|antidepressants?|insulin"
        r"|hormone therapy|antiretrovirals?)\b|\binsulin pump\b"
        rf"|\bmy\s+(?:{_W})?(?:illness|condition|diagnosis|disorder|disease|surgery"
        r"|medical history|mental health)\b",
        r"\b(?:records?|readmission|wards?|polic(?:y|ies))\b",
        _EN_WORK,
        _EN_ACADEMIC,
        _EN_OTHERS,
    ),
    _rule(
        HEALTH,
        "en_pregnancy",
        rf"\b(?:i am|i'm|currently|now)\s+(?:{_W})?pregnant\b|\bmy\s+(?:pregnancy"
        r"|maternity leave)\b",
    ),
    _rule(
        HEALTH,
        "en_orientation",
        r"\b(?:i am|i'm|as an?|being|openly|identify as|came out as|coming out as)\s+"
        rf"(?:an?\s+)?(?:{_W})?(?:gay|lesbian|bisexual|queer|transgender|trans|asexual"
        r"|pansexual|non-binary|nonbinary|intersex|homosexual)\b"
        r"|\bmy\s+(?:same-sex|gay|lesbian)\s+(?:partner|relationship)\b"
        r"|\bmy\s+(?:sexual orientation|sexuality|gender identity|sex life)\b",
        r"\bally\b",
    ),
    _rule(
        HEALTH,
        "ja_diagnosis",
        _JA_DIAGNOSES,
        "チャリティ|募金|予防|治験|製薬|" + _JA_WORK + "|" + _JA_FAMILY,
    ),
    _rule(
        HEALTH,
        "ja_treatment",
        "入院|通院|手術を受け|手術し|治療(?:を受け|中|を続け|のため|に専念)|療養|服薬|投薬"
        "|病気休学|心療内科|精神科|カウンセリングを受け|診断(?:を受け|され)|発症"
        "|(?:病気|体調不良|体調を崩し|療養|治療|怪我|けが)(?:のため|で|て)?(?:休職|休学|退職|離職)"
        "|(?:[乳肺胃大腸子宮卵巣前立腺膵臓肝]|皮膚)がん|ヘルニア|骨折|靭帯"
        "|(?:精神|心臓|慢性|呼吸器|内臓)疾患|疾患(?:を抱え|があり|を持)|病気(?:を抱え|があり)",
        "病院の|医事|受付|看護|介護|付き添い|見舞い|" + _JA_WORK + "|" + _JA_FAMILY,
    ),
    _rule(
        HEALTH,
        "ja_pregnancy",
        "妊娠(?:中|[0-9]+(?:か|ヶ|カ|ケ|箇)月|しており|しています|が判明)|出産予定|つわり|不妊治療",
        _JA_WORK,
    ),
    _rule(
        HEALTH,
        "ja_orientation",
        "ゲイ(?![ンツトムルシャ])|レズビアン|バイセクシュアル|バイセクシャル|トランスジェンダー"
        "|ノンバイナリー|アセクシュアル|同性愛者|性的少数者|性的マイノリティ|(?<![a-z])lgbt[a-z+]*(?:の)?当事者"
        "|カミングアウト|同性の(?:パートナー|恋人)",
        _JA_WORK,
    ),
)


# --- normalisation with an offset map back to the original text ---------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'"})
_JOINERS = frozenset("\uff9e\uff9f")  # half-width (semi-)voiced sound marks


@dataclass(frozen=True, slots=True)
class _Normalised:
    text: str
    starts: tuple[int, ...]  # original start of each normalised character
    ends: tuple[int, ...]  # original end of each normalised character

    def original(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


def _clusters(text: str) -> Iterator[tuple[int, int]]:
    """Spans of a character and the combining marks that follow it."""
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not _joins(text[i]):
            yield start, i
            start = i


def _joins(char: str) -> bool:
    return unicodedata.combining(char) != 0 or char in _JOINERS


def _normalise(text: str) -> _Normalised:
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in _clusters(text):
        piece = unicodedata.normalize("NFKC", text[start:end]).casefold().translate(_QUOTES)
        pieces.append(piece)
        starts.extend([start] * len(piece))
        ends.extend([end] * len(piece))
    return _Normalised("".join(pieces), tuple(starts), tuple(ends))


# --- clauses: the context a rule's excludes are looked for in ------------------------------

_CLAUSE_BREAK = re.compile(r"[,、，。!！?？;；\n]|\.(?=\s|$)")


def _clause_bounds(text: str) -> tuple[int, ...]:
    return (0, *(m.end() for m in _CLAUSE_BREAK.finditer(text)), len(text))


def _clause(text: str, bounds: tuple[int, ...], start: int, end: int) -> str:
    first = bounds[bisect_right(bounds, start) - 1]
    last = bounds[min(bisect_right(bounds, max(start, end - 1)), len(bounds) - 1)]
    return text[first:last]


# --- matching -----------------------------------------------------------------------------


def _span(match: re.Match[str]) -> tuple[int, int]:
    if "hit" in match.re.groupindex and match.group("hit") is not None:
        return match.span("hit")
    return match.span()


def _excluded(rule: Rule, clause: str) -> bool:
    return any(exclude.search(clause) for exclude in rule.excludes)


def _matches(rule: Rule, text: str, bounds: tuple[int, ...]) -> Iterator[tuple[int, int]]:
    for match in rule.pattern.finditer(text):
        start, end = _span(match)
        if end > start and not _excluded(rule, _clause(text, bounds, start, end)):
            yield start, end


def findings(text: str) -> tuple[Finding, ...]:
    """Every rule match that survives its excludes, in text order (offsets into `text`)."""
    normalised = _normalise(text)
    bounds = _clause_bounds(normalised.text)
    found = {
        Finding(rule.category, *normalised.original(start, end), rule.name)
        for rule in RULES
        for start, end in _matches(rule, normalised.text, bounds)
    }
    return tuple(sorted(found, key=lambda f: (f.start, f.end, f.category, f.rule)))


def detect(text: str) -> frozenset[SensitiveCategory]:
    """The special care-required categories `text` reveals about its author."""
    return frozenset(finding.category for finding in findings(text))

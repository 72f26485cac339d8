"""What simulated callers say: the call mix, the category mix, names, numbers and narratives.

Shares follow DOMAIN.md: only 30–45% of calls to 110 are valid incidents; the rest are advice,
transfers (12345 / 119 / 120) and invalid calls (misdial, silent, harassment, hoax). The category
mix leans on disputes, theft, traffic accidents and help requests, as 110 data do.
Everything is drawn from a `random.Random` the caller seeds, so a run is repeatable.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from cad110.catalog.loader import Catalog, Category, CategoryClass
from cad110.models.call import CallOutcome

# --- calls ----------------------------------------------------------------------------------

# Share of each call outcome. With repeat callers and second callers about the same incident,
# about 40% of all calls end up on an incident (the valid share).
CALL_MIX: Mapping[CallOutcome, float] = {
    CallOutcome.INCIDENT_CREATED: 0.36,
    CallOutcome.ADVICE: 0.16,
    CallOutcome.TRANSFERRED_12345: 0.16,
    CallOutcome.TRANSFERRED_119: 0.025,
    CallOutcome.TRANSFERRED_120: 0.045,
    CallOutcome.INVALID_MISDIAL: 0.09,
    CallOutcome.INVALID_SILENT: 0.09,
    CallOutcome.INVALID_HARASSMENT: 0.05,
    CallOutcome.INVALID_HOAX: 0.02,
}

# Seconds a call lasts, by outcome (uniform between the bounds).
CALL_SECONDS: Mapping[CallOutcome, tuple[int, int]] = {
    CallOutcome.INCIDENT_CREATED: (60, 240),
    CallOutcome.ATTACHED: (30, 120),
    CallOutcome.ADVICE: (40, 180),
    CallOutcome.TRANSFERRED_12345: (40, 150),
    CallOutcome.TRANSFERRED_119: (20, 60),
    CallOutcome.TRANSFERRED_120: (20, 60),
    CallOutcome.INVALID_MISDIAL: (3, 15),
    CallOutcome.INVALID_SILENT: (5, 30),
    CallOutcome.INVALID_HARASSMENT: (10, 90),
    CallOutcome.INVALID_HOAX: (20, 90),
}

CALL_NOTES: Mapping[CallOutcome, tuple[str, ...]] = {
    CallOutcome.ADVICE: (
        "咨询户籍办理流程，已解答",
        "咨询身份证补办事宜，已告知到派出所办理",
        "咨询居住证办理，已解答",
        "询问交通违法处理地点，已告知",
        "咨询丢失物品如何报失，已指引",
    ),
    CallOutcome.TRANSFERRED_12345: (
        "反映小区路灯损坏，已一键转12345",
        "反映占道经营，已转12345",
        "车辆被挡需挪车，已转12345",
        "反映夜间施工噪音，已转12345",
        "消费纠纷投诉，已转12345",
        "反映停水停电，已转12345",
    ),
    CallOutcome.TRANSFERRED_119: (
        "报称厨房起火，无人员被困，已转119",
        "报称垃圾堆着火，已转119",
    ),
    CallOutcome.TRANSFERRED_120: (
        "老人在家中晕倒，已转120",
        "路人突发疾病倒地，已转120",
        "孕妇临产需送医，已转120",
    ),
    CallOutcome.INVALID_MISDIAL: ("误拨，已核实", "小孩玩手机误拨"),
    CallOutcome.INVALID_SILENT: ("无声电话", "接通后无人应答"),
    CallOutcome.INVALID_HARASSMENT: ("骚扰电话，辱骂接警员", "醉酒人员反复拨打110闲聊"),
    CallOutcome.INVALID_HOAX: ("谎报警情，经回拨核实无此事", "报称有人持刀，回拨核实系谎报"),
}
ATTACHED_NOTES = (
    "另一报警人报称同一事件",
    "路过群众报称同一事件",
    "报警人家属再次来电反映同一情况",
)

# --- categories -----------------------------------------------------------------------------

# Relative weight of each category among valid incidents (codes missing from a catalog are
# skipped). Non-police, fire and medical requests end at the call (transfers) instead.
CATEGORY_MIX: Mapping[str, float] = {
    # disputes (纠纷)
    "family_dispute": 8,
    "neighbour_dispute": 6,
    "economic_dispute": 4,
    "labour_dispute": 2,
    "property_management_dispute": 2,
    "romantic_dispute": 2,
    # crime and public order (刑事、治安)
    "theft": 10,
    "telecom_fraud": 5,
    "fraud": 3,
    "assault": 3,
    "noise_nuisance": 5,
    "provocation": 2,
    "property_damage": 2,
    "domestic_violence": 2,
    "affray": 1.2,
    "intentional_injury": 0.8,
    "snatching": 0.8,
    "robbery": 0.4,
    "trespass": 0.4,
    "gambling": 0.8,
    "drugs": 0.3,
    "threat_extreme_behaviour": 0.4,
    "sexual_assault": 0.2,
    # traffic (交通)
    "traffic_accident": 12,
    "traffic_accident_injury": 2,
    "hit_and_run": 1,
    "drunk_driving": 1,
    # urgent help (求助)
    "other_urgent_help": 4,
    "drunk_or_mentally_ill_person": 3,
    "person_in_danger": 1.5,
    "public_facility_hazard": 1.5,
    "lost_child_found": 1,
    "missing_person": 1,
    "missing_elderly": 1,
    "missing_child": 0.3,
    "fall": 0.4,
    "suicide": 0.4,
    "drowning": 0.2,
    "medical_violence": 0.2,
    # rare and large
    "mass_incident": 0.15,
    "fire_people_trapped": 0.2,
}

NARRATIVES: Mapping[str, tuple[str, ...]] = {
    "family_dispute": (
        "报警人称与丈夫因家庭琐事发生争吵，对方情绪激动摔砸物品，请求民警到场。",
        "报警人称儿子酒后与父母吵闹，要求民警到场调解。",
    ),
    "neighbour_dispute": (
        "报警人称楼上邻居漏水多次协商未果，双方发生争执。",
        "报警人称与邻居因楼道堆放杂物发生口角，请求处理。",
    ),
    "economic_dispute": (
        "报警人称对方欠款{money}元拒不归还，双方在现场争执。",
        "报警人称在店内消费后与商家因价格发生纠纷。",
    ),
    "labour_dispute": (
        "报警人称工地老板拖欠{count}名工人工资，工人聚集讨薪。",
        "报警人称被公司无故辞退且未结清工资，与老板发生争执。",
    ),
    "property_management_dispute": (
        "报警人称物业停车收费与业主发生争执，道闸被堵。",
        "报警人称物业擅自停水，与物业人员发生争吵。",
    ),
    "romantic_dispute": (
        "报警人称与前男友因分手问题发生争执，对方纠缠不肯离开。",
        "报警人称女友闹分手情绪激动，扬言要离家出走。",
    ),
    "theft": (
        "报警人称停放在楼下的电动车被盗，价值约{money}元。",
        "报警人称在公交车上手机被盗，发现时嫌疑人已下车。",
        "报警人称店铺夜间被撬，收银台现金被盗。",
    ),
    "telecom_fraud": (
        "报警人称接到自称客服电话，按对方指引转账{money}元后发现被骗。",
        "报警人称在网上刷单返利，已转账{money}元，对方失联。",
        "报警人称家中老人正在按陌生人电话要求去银行转账，请求劝阻。",
    ),
    "fraud": (
        "报警人称购买的“黄金”经鉴定为假货，被骗{money}元。",
        "报警人称有人以介绍工作为由收取押金{money}元后失联。",
    ),
    "assault": (
        "报警人称在路边被一名男子无故殴打，面部受轻伤。",
        "报警人称因停车问题与人发生争执被对方推搡殴打。",
    ),
    "noise_nuisance": (
        "报警人称楼下烧烤店深夜噪音扰民，多次劝说无效。",
        "报警人称隔壁住户深夜大声播放音乐，影响休息。",
    ),
    "provocation": (
        "报警人称有几名男子在店内酒后滋事，辱骂店员。",
        "报警人称有人在小区门口随意拦截殴打路人。",
    ),
    "property_damage": (
        "报警人称停在路边的小车车窗被人砸坏。",
        "报警人称店铺玻璃门被人故意砸碎。",
    ),
    "domestic_violence": (
        "报警人称被丈夫殴打，身上多处淤青，现躲在邻居家。",
        "邻居报称隔壁传来打骂声和孩子哭声，怀疑家暴。",
    ),
    "affray": (
        "报警人称饭店门口有{count}人持械互殴。",
        "报警人称两伙人在夜市发生斗殴，有人受伤。",
    ),
    "intentional_injury": (
        "报警人称朋友被人用刀划伤手臂，流血不止，嫌疑人已逃离。",
        "报警人称因琐事被人用酒瓶砸伤头部。",
    ),
    "snatching": (
        "报警人称走在路上被骑电动车男子抢走挎包，向{direction}方向逃离。",
        "报警人称手机被人从手中夺走，嫌疑人骑车逃跑。",
    ),
    "robbery": (
        "报警人称在巷口被两名男子持刀抢走现金和手机，嫌疑人向{direction}逃离。",
        "报警人称便利店遭人持刀抢劫，收银员受惊吓。",
    ),
    "trespass": (
        "报警人称回家发现门锁被撬，屋内有陌生人。",
        "报警人称有陌生男子闯入家中不肯离开。",
    ),
    "gambling": (
        "报警人称某棋牌室内有多人聚众赌博，赌资较大。",
        "报警人称出租屋内有人聚赌，进出人员较多。",
    ),
    "drugs": (
        "报警人称出租屋内有人疑似吸毒，气味刺鼻。",
        "报警人称KTV包厢内有人疑似吸食毒品。",
    ),
    "threat_extreme_behaviour": (
        "报警人称前夫扬言要带汽油上门“同归于尽”，情绪极不稳定。",
        "报警人称有男子站在天台扬言要报复社会。",
    ),
    "sexual_assault": (
        "报警人称在地铁站出口被陌生男子猥亵，嫌疑人尚在附近。",
        "报警人称夜间回家途中被人尾随并被骚扰。",
    ),
    "traffic_accident": (
        "报警人称两车追尾，无人员受伤，双方对责任有争议。",
        "报警人称电动车与小车发生剐蹭，双方在现场等候。",
        "报警人称路口发生{cars}车事故，造成交通拥堵。",
    ),
    "traffic_accident_injury": (
        "报警人称电动车与货车相撞，骑车人倒地受伤。",
        "报警人称行人过马路被车撞伤，已呼叫120。",
    ),
    "hit_and_run": (
        "报警人称被一辆白色小车撞倒后对方驾车逃逸，记下部分车牌。",
        "报警人称停放车辆被撞后肇事车辆驶离。",
    ),
    "drunk_driving": (
        "报警人称一辆小车在路上蛇形行驶，驾驶人疑似醉酒。",
        "报警人称有人酒后驾驶摩托车，刚从饭店离开。",
    ),
    "other_urgent_help": (
        "报警人称被反锁在家中无法出门，请求帮助。",
        "报警人称有老人迷路，说不清住址。",
        "报警人称钥匙遗失，幼儿被锁在车内。",
    ),
    "drunk_or_mentally_ill_person": (
        "报警人称路边有醉酒男子躺在机动车道上。",
        "报警人称有精神异常人员在小区内追赶行人。",
    ),
    "person_in_danger": (
        "报警人称有人被困在电梯内，情绪紧张。",
        "报警人称有人被困在江边礁石上，潮水正在上涨。",
    ),
    "public_facility_hazard": (
        "报警人称路面井盖缺失，已有车辆险些掉入。",
        "报警人称有燃气泄漏气味，楼道内味道很重。",
    ),
    "lost_child_found": (
        "报警人称在商场发现一名走失儿童，约{age}岁，找不到家长。",
        "报警人称公园内有一名小孩独自哭泣，找不到家人。",
    ),
    "missing_person": (
        "报警人称家人离家{hours}小时未归，手机关机。",
        "报警人称同事连续两天未上班，联系不上。",
    ),
    "missing_elderly": (
        "报警人称家中{age}岁老人患有阿尔茨海默病，早上外出后未归。",
        "报警人称母亲出门买菜{hours}小时未回，平时记性不好。",
    ),
    "missing_child": (
        "报警人称{age}岁孩子放学后未回家，已找遍学校周边。",
        "报警人称在菜市场与孩子走散，孩子约{age}岁。",
    ),
    "fall": (
        "报警人称有人从楼上坠落，情况不明。",
        "报警人称工地有工人从脚手架上坠落。",
    ),
    "suicide": (
        "报警人称朋友发微信称要轻生，现联系不上。",
        "报警人称有人站在桥边栏杆外，情绪激动。",
    ),
    "drowning": (
        "报警人称有人在江边游泳时溺水，已看不到人。",
        "报警人称有儿童掉入河中。",
    ),
    "medical_violence": ("报警人称医院急诊室有家属殴打医生。",),
    "mass_incident": ("报警人称有{crowd}余人聚集在路口拉横幅，阻塞交通。",),
    "fire_people_trapped": ("报警人称居民楼起火，楼上有人被困，已同时报119。",),
}
GENERIC_NARRATIVE = "报警人称现场发生{zh}，请求民警到场处理。"

HANDLE_NOTES: Mapping[CategoryClass, tuple[str, ...]] = {
    CategoryClass.DISPUTE: ("民警到场，分开双方，正在调解。", "民警到场了解情况，双方情绪已稳定。"),
    CategoryClass.CRIME: ("民警到场，保护现场，询问报警人。", "民警到场，正在调取周边监控。"),
    CategoryClass.PUBLIC_ORDER: ("民警到场制止，控制现场秩序。", "民警到场，正在核查当事人身份。"),
    CategoryClass.TRAFFIC: ("民警到场，设置警示，疏导交通。", "民警到场，拍照固定现场。"),
    CategoryClass.HELP: ("民警到场，正在开展救助。", "民警到场，联系相关人员协助。"),
}
REPORTS: Mapping[CategoryClass, tuple[tuple[str, str], ...]] = {
    # (result, summary)
    CategoryClass.DISPUTE: (
        ("resolved", "经民警调解，双方达成和解，已离开现场。"),
        ("resolved", "已对双方进行法制教育，矛盾化解。"),
        ("referred", "双方分歧较大，已告知通过司法途径解决，移交社区跟进调解。"),
    ),
    CategoryClass.CRIME: (
        ("case_opened", "已勘查现场、登记损失，移交派出所立案侦查。"),
        ("case_opened", "已制作询问笔录，受案登记，嫌疑人正在追查中。"),
        ("no_finding", "经现场核实，未发现违法犯罪事实。"),
    ),
    CategoryClass.PUBLIC_ORDER: (
        ("resolved", "已制止违法行为，对当事人批评教育。"),
        ("case_opened", "已将当事人带回派出所进一步调查处理。"),
    ),
    CategoryClass.TRAFFIC: (
        ("referred", "已勘查现场，移交交警部门处理。"),
        ("resolved", "双方已协商处理，交通恢复正常。"),
    ),
    CategoryClass.HELP: (
        ("resolved", "已救助当事人，交由家属带回。"),
        ("resolved", "已协助处置，险情已排除。"),
        ("referred", "已联系相关部门到场处置。"),
    ),
}
DEFAULT_REPORTS = (("resolved", "已到场处置完毕。"),)
CLOSE_NOTES = ("处置完毕，结警。", "已反馈处理结果，结警。")
CALLBACK_SATISFACTION: tuple[tuple[str, float], ...] = (
    ("satisfied", 0.82),
    ("basically_satisfied", 0.11),
    ("dissatisfied", 0.02),
    ("unreachable", 0.05),
)
CALLBACK_NOTES = {
    "satisfied": "回访报警人，对处置结果表示满意。",
    "basically_satisfied": "回访报警人，基本满意。",
    "dissatisfied": "回访报警人，对处置时效不满意，已做解释。",
    "unreachable": "回访电话无人接听。",
}

Satisfaction = Literal["satisfied", "basically_satisfied", "dissatisfied", "unreachable"]
Result = Literal["resolved", "case_opened", "referred", "no_finding", "other"]

# --- people -----------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余"
    "于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史"
)
# Mainland mobile prefixes (all valid for libphonenumber).
MOBILE_PREFIXES = tuple(
    str(p)
    for p in (
        *range(130, 140),
        *range(150, 160),
        166,
        173,
        *range(175, 179),
        *range(180, 190),
        191,
        198,
        199,
    )
    if p not in {134, 154, 184}
)
DIRECTIONS = ("东", "南", "西", "北", "东南", "西北")


def weighted(rng: random.Random, items: Sequence[tuple[str, float]]) -> str:
    """One item drawn by weight."""
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def call_outcome(rng: random.Random) -> CallOutcome:
    outcomes = list(CALL_MIX)
    return rng.choices(outcomes, weights=[CALL_MIX[o] for o in outcomes])[0]


def category_weights(catalog: Catalog) -> list[tuple[str, float]]:
    """The category mix restricted to categories the catalog defines."""
    return [(code, w) for code, w in CATEGORY_MIX.items() if catalog.get(code) is not None]


def call_seconds(rng: random.Random, outcome: CallOutcome) -> int:
    low, high = CALL_SECONDS[outcome]
    return rng.randint(low, high)


def call_note(rng: random.Random, outcome: CallOutcome) -> str:
    return rng.choice(CALL_NOTES.get(outcome, ("",)))


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def caller_name(rng: random.Random) -> str | None:
    """How a 110 record usually names a caller ("王先生"), or nobody (anonymous)."""
    if rng.random() < 0.25:
        return None
    return rng.choice(SURNAMES) + rng.choice(("先生", "女士"))


@dataclass(frozen=True)
class _Fill:
    money: int
    count: int
    cars: int
    crowd: int
    age: int
    hours: int
    direction: str
    zh: str


def narrative(rng: random.Random, category: Category) -> str:
    template = rng.choice(NARRATIVES.get(category.code, (GENERIC_NARRATIVE,)))
    fill = _Fill(
        money=rng.choice((800, 1500, 2600, 5000, 12000, 38000, 96000)),
        count=rng.randint(3, 12),
        cars=rng.randint(2, 4),
        crowd=rng.choice((20, 30, 50, 80)),
        age=rng.randint(4, 86),
        hours=rng.randint(3, 20),
        direction=rng.choice(DIRECTIONS),
        zh=category.zh,
    )
    return template.format(**fill.__dict__)


def handle_note(rng: random.Random, category: Category | None) -> str:
    notes = HANDLE_NOTES.get(category.cls, ()) if category else ()
    return rng.choice(notes or ("民警到场处置。",))


def report(rng: random.Random, category: Category | None) -> tuple[Result, str]:
    """The unit's result and summary for its feedback (反馈)."""
    options = REPORTS.get(category.cls, ()) if category else ()
    result, summary = rng.choice(options or DEFAULT_REPORTS)
    allowed: tuple[Result, ...] = ("resolved", "case_opened", "referred", "no_finding", "other")
    for r in allowed:
        if r == result:
            return r, summary
    return "other", summary


def satisfaction(rng: random.Random) -> Satisfaction:
    drawn = weighted(rng, CALLBACK_SATISFACTION)
    allowed: tuple[Satisfaction, ...] = (
        "satisfied",
        "basically_satisfied",
        "dissatisfied",
        "unreachable",
    )
    for s in allowed:
        if s == drawn:
            return s
    return "satisfied"

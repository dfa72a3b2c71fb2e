"""Name pools for the demo street. Every name is invented for the demo.

Place and company words are made-up combinations, not taken from a real street or a real
company: the demo ranks companies on invented figures, so no real company may appear
(docs/DESIGN.md §8). Person names are common surname + given-name combinations.
"""

from __future__ import annotations

from random import Random

STREET_NAME = "春江街道"  # the same as gongzhi.core.demo_mode.STREET_NAME (test_generator checks)
DISTRICT_NAME = "浦江新区"

# The state-owned company that manages half of the old estates (seed: "50% 由 1 家国企物业").
STATE_COMPANY_NAME = "浦江城发物业"

# fmt: off
# Residential areas (居民区): short place words, some numbered, like "云台二" in the seed.
AREA_BASES = [
    "云栖一", "云栖二", "望潮东", "望潮西", "兰汀", "桐荫", "芦湾一", "芦湾二",
    "清渠", "雁塘", "槐安", "梅岸", "杉泾一", "杉泾二", "竹港", "浦晖",
    "春帆", "沙洲", "柳堤", "桂泾", "苇塘", "菱湖", "云锦", "晴川",
    "鹤鸣", "潮音", "棠樾", "杏泾", "澄园", "松荫", "荷塘", "翠渠",
    "临波", "泊岸", "锦帆", "思源", "白鹭", "新沙", "芷汀", "岚桥",
]

# Old estates (built before 1996): plain names of the 1980s–90s, mostly "××新村".
OLD_ESTATE_PREFIXES = [
    "红旗", "向阳", "光明", "团结", "前进", "胜利", "幸福", "和平", "友谊", "新华",
    "长青", "永安", "东风", "建设", "丰收", "工农", "劳动", "育才", "文化", "晨光",
    "朝阳", "旭日", "新风", "兴旺", "昌盛", "康乐", "乐业", "福寿", "安居", "红星",
    "跃进", "曙光", "黎明", "立新", "振兴", "工建", "航运", "船厂", "纺机", "港务",
    "电力", "水产", "粮机", "农场", "钢联", "海运", "浦运", "江电", "江堤", "泾西",
    "芦塘", "杨树", "桐柏", "槐树", "梨园", "枣园", "菜园", "渔港", "盐仓", "泾南",
    "泾北", "渡北", "渡南", "江浦", "浦光",
]
OLD_ESTATE_SUFFIXES = ["新村", "新村", "新村", "新村", "小区", "小区", "一村", "二村", "三村", "坊"]
OLD_SMALL_SUFFIXES = ["大楼", "公寓"]

# Newer estates: the poetic names of later developments.
NEW_ESTATE_PREFIXES = [
    "春晖", "秋实", "蓝湾", "柳岸", "桃源", "碧波", "清风", "明月", "翠竹", "梧桐",
    "银杏", "丹枫", "紫薇", "海棠", "玉兰", "香樟", "金桂", "锦华", "嘉禾", "怡景",
    "馨园", "博雅", "书香", "德馨", "润泽", "泰和", "瑞丰", "祥和", "星辰", "云海",
    "江月", "滨江", "湖光", "林荫", "绿洲", "芳草", "兰庭", "荷风", "莲溪", "枫林",
]
NEW_ESTATE_SUFFIXES = ["花园", "花园", "苑", "苑", "家园", "华庭", "名苑", "雅苑", "佳园", "新城"]
NEW_SMALL_SUFFIXES = ["公寓", "大厦"]

# Property companies: invented brand words + a common company-name ending.
COMPANY_BRANDS = [
    "禾裕", "恒泾", "澄川", "乐邻", "泓庭", "安邻", "宜舍", "沁和", "德邻", "居安",
    "睦邻", "众和", "润嘉", "清和", "悦居", "弘安", "贤居", "汇邻", "和睿", "舒居",
    "泽安", "晴居", "佑安", "凯邻", "雅泾", "卓居", "筑和", "邻里佳", "锦邻", "安澜",
    "恒嘉", "融邻", "仁和居", "泊居",
]
COMPANY_ENDINGS = ["物业", "物业", "物业", "物业管理", "物业服务"]

DEVELOPER_BRANDS = ["鸿景", "锦程", "汇江", "澜庭", "启元", "长滨"]

# Fictional roads for addresses.
ROADS = [
    "春江路", "云栖路", "望潮路", "兰汀路", "桐荫路", "芦湾路", "清渠路", "雁塘路",
    "槐安路", "梅岸路", "杉泾路", "竹港路", "浦晖路", "春帆路", "柳堤路", "桂泾路",
    "苇塘路", "菱湖路", "云锦路", "晴川路", "鹤鸣路", "潮音路", "棠樾路", "杏泾路",
]

SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵吴周周徐徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭"
    "曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈沈姚卢姜崔钟谭陆陆汪范金石廖贾夏韦方邹孟熊秦"
    "邱江尹薛段雷侯龙史陶黎贺顾顾毛郝龚邵万钱严戴莫孔汤施倪"
)
GIVEN_TWO = [
    "建国", "建华", "国庆", "国强", "志强", "志明", "伟民", "卫东", "爱华", "永康",
    "德明", "海涛", "海燕", "秀英", "桂英", "玉兰", "淑珍", "美华", "丽娟", "红梅",
    "秀兰", "凤英", "金凤", "雪芳", "慧敏", "晓燕", "晓东", "文杰", "俊杰", "嘉怡",
    "思远", "子涵", "雨轩", "欣怡", "浩然", "宇航", "佳琪", "梦瑶", "明辉", "振华",
    "建平", "立新", "春生", "秋菊", "冬梅", "小妹", "根宝", "金宝", "阿娣", "菊芳",
    "敏华", "惠琴", "月华", "国华", "培德", "永福", "荣根", "林生", "瑞芳", "雅琴",
]
GIVEN_ONE = "伟芳敏静强磊军洋勇艳杰娟涛明超霞平刚英华兰萍琴梅红斌鹏辉波宁颖琳蕾瑛"

# fmt: on

PHONE_PREFIXES = ["139", "138", "137", "136", "135", "158", "159", "188", "186", "133", "180", "177"]


def person_name(rng: Random) -> str:
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN_TWO) if rng.random() < 0.72 else rng.choice(GIVEN_ONE)
    return surname + given


def phone(rng: Random) -> str:
    """An 11-digit mobile-shaped number drawn from the demo's random stream."""
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"

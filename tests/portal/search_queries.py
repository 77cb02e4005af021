"""The search regression set: (query as a citizen types it, tag the first relevant article carries).

Run `bench/search_words.py` for its MRR with and without the county's words understood.

Over the demo content (govhub.portal.demo). A query passes when an article with the expected tag
ranks in the top 3; the set's MRR (first expected-tag hit) must stay ≥ 0.9.
"""

QUERIES: list[tuple[str, str]] = [
    ("公积金 提取", "公积金"),
    ("公积金怎么取", "公积金"),
    ("租房提取公积金", "公积金"),
    ("离职 公积金", "公积金"),
    ("住房公积金贷款", "公积金"),
    ("公积金缴存基数", "公积金"),
    ("养老保险怎么交", "养老保险"),
    ("城乡居民养老保险缴费档次", "养老保险"),
    ("灵活就业人员养老保险", "养老保险"),
    ("养老金资格认证", "养老保险"),
    ("养老保险关系转移", "养老保险"),
    ("医保报销", "医保"),
    ("异地就医备案", "医保"),
    ("门诊慢特病", "医保"),
    ("医保电子凭证", "医保"),
    ("医疗保险缴费标准", "医保"),
    ("小学一年级入学报名", "入学"),
    ("幼儿园招生", "入学"),
    ("随迁子女入学", "入学"),
    ("学区划分", "入学"),
    ("居住证办理", "居住证"),
    ("居住证 需要什么材料", "居住证"),
    ("居住证签注", "居住证"),
    ("户口迁移", "居住证"),
    ("身份证补领", "居住证"),
    ("低保申请条件", "低保"),
    ("最低生活保障标准", "低保"),
    ("临时救助", "低保"),
    ("特困人员供养", "低保"),
    ("一次性创业补贴", "就业创业"),
    ("创业担保贷款", "就业创业"),
    ("失业保险金", "就业创业"),
    ("职业技能培训补贴", "就业创业"),
    ("招聘会", "就业创业"),
    ("房产证怎么办", "不动产登记"),
    ("二手房过户", "不动产登记"),
    ("不动产抵押登记", "不动产登记"),
    ("加装电梯", "老旧小区改造"),
    ("老旧小区改造", "老旧小区改造"),
    ("住宅专项维修资金", "老旧小区改造"),
    ("防汛应急响应", "防汛"),
    ("山洪灾害", "防汛"),
    ("森林防火", "森林防火"),
    ("野外用火", "森林防火"),
    ("食品安全抽检", "食品安全"),
    ("食品经营许可", "食品安全"),
    ("企业开办", "营商环境"),
    ("12345热线", "营商环境"),
    ("耕地地力保护补贴", "乡村振兴"),
    ("宅基地申请", "乡村振兴"),
    ("高标准农田", "乡村振兴"),
    ("空气质量", "大气污染防治"),
    ("环保举报", "大气污染防治"),
    ("HPV疫苗", "疫苗接种"),
    ("家庭医生签约", "疫苗接种"),
    ("退役军人优抚", "退役军人"),
]

# The county's words (issue 14): synonyms editors keep, near misses, pinyin typed as it sounds.
# Part of QUERIES; WORDS_QUERIES alone is what bench/search_words.py reports separately.
WORDS_QUERIES: list[tuple[str, str]] = [
    ("供暖", "供热"),  # synonym 供暖=供热=暖气
    ("暖气不热", "供热"),
    ("供暖费怎么交", "供热"),
    ("采暖期", "供热"),
    ("公基金", "公积金"),  # near miss: sounds like 公积金
    ("公基金提取", "公积金"),
    ("养老保线", "养老保险"),
    ("居住正办理", "居住证"),
    ("gongjijin", "公积金"),  # pinyin
    ("gongjijin tiqu", "公积金"),
    ("yibao baoxiao", "医保"),
    ("juzhuzheng", "居住证"),
    ("dibao shenqing", "低保"),
    ("最低生活保障金", "低保"),
]
QUERIES = QUERIES + WORDS_QUERIES

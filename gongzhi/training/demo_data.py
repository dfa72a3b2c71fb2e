"""Demo training: a question bank on property law, the maintenance fund, disclosure, the four services and
fire safety; one open exam with results for the demo users and for generated participants."""

from __future__ import annotations

import datetime as dt
import hashlib
from random import Random

from gongzhi.demo.names import person_name
from gongzhi.training import rules
from gongzhi.training.models import Answer, Attempt, Choice, Exam, ExamStatus, Participant, Question

T, F = True, False
# (topic, kind, text, [(option, correct)], explanation)
BANK = [
    (
        "law",
        "single",
        "业主共同决定事项，应当由专有部分面积占比和人数占比均不低于多少的业主参与表决？",
        [("二分之一", F), ("三分之二", T), ("四分之三", F), ("五分之四", F)],
        "《民法典》第二百七十八条第二款：应当由专有部分面积占比三分之二以上的业主且人数占比三分之二以上的业主参与表决。",
    ),
    (
        "law",
        "single",
        "选聘和解聘物业服务企业，应当经参与表决的业主中怎样的多数同意？",
        [("过半数（面积和人数双过半）", T), ("三分之二以上", F), ("四分之三以上", F), ("全体一致", F)],
        "《民法典》第二百七十八条第二款：除筹集、使用维修资金和改建重建等事项外，其他事项经参与表决专有部分面积过半数且参与表决人数过半数的业主同意。",
    ),
    (
        "law",
        "multiple",
        "下列哪些事项须经参与表决的业主面积和人数均四分之三以上同意？",
        [
            ("筹集建筑物及其附属设施的维修资金", T),
            ("改建、重建建筑物及其附属设施", T),
            ("改变共有部分的用途或者利用共有部分从事经营活动", T),
            ("选举业主委员会", F),
        ],
        "《民法典》第二百七十八条第一款第（六）项至第（八）项须双四分之三以上同意。",
    ),
    (
        "law",
        "true_false",
        "业主大会表决时，弃权的业主计入参与表决，但不计入同意。",
        [("正确", T), ("错误", F)],
        "弃权属于参与表决，不属于同意。",
    ),
    (
        "law",
        "single",
        "根据《上海市住宅物业管理规定》，业主委员会的任期一般为几年？",
        [("1至2年", F), ("3至5年", T), ("6年", F), ("不限", F)],
        "业主委员会每届任期三至五年，可以连选连任。",
    ),
    (
        "law",
        "true_false",
        "建筑面积不足一万平方米的小区，业主委员会可以由3人组成。",
        [("正确", T), ("错误", F)],
        "业主委员会一般由5人以上单数组成；建筑面积不足一万平方米的可以由3人组成。",
    ),
    (
        "law",
        "multiple",
        "下列哪些业主不得担任业主委员会委员？",
        [
            ("欠缴物业费的", T),
            ("有违法搭建行为的", T),
            ("近亲属在本小区物业服务企业任职的", T),
            ("退休的党员", F),
        ],
        "《上海市住宅物业管理规定》对业委会委员的禁止情形作了规定。",
    ),
    (
        "law",
        "single",
        "业主委员会应当在任期届满前多久向街道办事处报告？",
        [("一个月", F), ("三个月", F), ("五个月", T), ("一年", F)],
        "任期届满前五个月，业委会应当向街道或乡镇报告。",
    ),
    (
        "law",
        "true_false",
        "物业服务企业不续聘的，应当提前90日书面通知业主委员会。",
        [("正确", T), ("错误", F)],
        "《民法典》第九百四十七条、第九百四十八条的相关规定。",
    ),
    (
        "fund",
        "single",
        "专项维修资金的收支情况至少多久公开一次？",
        [("每月", F), ("每季度", F), ("每半年", T), ("每两年", F)],
        "维修资金使用和结余情况至少每半年公布一次。",
    ),
    (
        "fund",
        "true_false",
        "维修资金余额不足首期归集金额30%的，应当续筹。",
        [("正确", T), ("错误", F)],
        "余额不足首期30%时应当及时续筹。",
    ),
    (
        "fund",
        "single",
        "专项维修资金属于谁所有？",
        [("物业服务企业", F), ("业主委员会", F), ("业主", T), ("街道办事处", F)],
        "维修资金属于业主所有。",
    ),
    (
        "fund",
        "multiple",
        "使用维修资金时，下列哪些做法是正确的？",
        [
            ("按规定经业主表决同意", T),
            ("使用方案在小区公示", T),
            ("工程完成后公开结算", T),
            ("物业公司自行决定后补报", F),
        ],
        "维修资金使用须表决、公示、公开结算。",
    ),
    (
        "fund",
        "true_false",
        "紧急情况下需要维修的，可以按规定程序先行使用维修资金。",
        [("正确", T), ("错误", F)],
        "危及房屋安全等紧急情况可以按应急程序使用。",
    ),
    (
        "fund",
        "single",
        "公共收益主要用于补充维修资金的，每季度应当将多少以上转入维修资金账户？",
        [("30%", F), ("50%", T), ("80%", F), ("100%", F)],
        "公共收益主要用于补充维修资金的，每季度转入比例应超过50%。",
    ),
    (
        "fund",
        "true_false",
        "小区停车费、广告费等公共收益属于物业服务企业的经营收入。",
        [("正确", F), ("错误", T)],
        "利用共有部分产生的收入，扣除合理成本后属于业主共有。",
    ),
    (
        "disclosure",
        "single",
        "公共收益的收支情况应当多久公开一次？",
        [("每月", F), ("每季度", T), ("每年", F), ("换届时", F)],
        "公共收益收支情况每季度公开一次。",
    ),
    (
        "disclosure",
        "multiple",
        "物业服务企业应当公开的内容包括：",
        [("服务事项和服务标准", T), ("收费项目和收费标准", T), ("服务人员", T), ("企业内部工资明细", F)],
        "《民法典》第九百四十三条：物业服务人应当定期公开服务事项、负责人员、质量要求、收费项目、收费标准等。",
    ),
    (
        "disclosure",
        "true_false",
        "业委会作出的决定应当在作出之日起3日内在小区显著位置公告。",
        [("正确", T), ("错误", F)],
        "业委会决定应及时公告。",
    ),
    (
        "disclosure",
        "single",
        "维修资金和公共收益使用的审计结果应当在小区公示多少日？",
        [("7日", F), ("15日", F), ("30日", T), ("60日", F)],
        "审计结果公示不少于三十日。",
    ),
    (
        "disclosure",
        "true_false",
        "联合党支部公示本可以只放在物业办公室，不必向居民开放。",
        [("正确", F), ("错误", T)],
        "公示本是向居民公开的载体，应便于居民查阅。",
    ),
    (
        "disclosure",
        "multiple",
        "联合党支部公示本通常装订哪些内容？",
        [("维修基金收支情况", T), ("物业收费标准", T), ("物业服务合同", T), ("业主个人身份证号码", F)],
        "公示本公开小区重大事项和账目，不公开个人隐私。",
    ),
    (
        "services",
        "single",
        "“四保”服务是指：",
        [
            ("保洁、保绿、保安、保修", T),
            ("保险、保价、保量、保质", F),
            ("保洁、保暖、保安、保养", F),
            ("保卫、保绿、保健、保修", F),
        ],
        "四保：保洁、保绿、保安、保修。",
    ),
    (
        "services",
        "true_false",
        "“质价相符、先质后价”是指先提升服务质量，再协商调整物业费。",
        [("正确", T), ("错误", F)],
        "先质后价：居民感受到服务提升后，再通过议价会议和业主决定调整价格。",
    ),
    (
        "services",
        "single",
        "按周家渡模式，整改提质应当从哪两项居民感受度高的服务着手？",
        [("保安、保修", F), ("保洁、保绿", T), ("停车、充电", F), ("门禁、监控", F)],
        "从保洁、保绿着手整改。",
    ),
    (
        "services",
        "multiple",
        "物业费调整前，下列哪些做法符合要求？",
        [
            ("公布经审计的收支情况或第三方评估", T),
            ("召开议价会议听取意见", T),
            ("由业主依法表决", T),
            ("直接张贴涨价通知", F),
        ],
        "包干制下调价需事先公布收支或第三方评估，并经业主决定。",
    ),
    (
        "services",
        "true_false",
        "居民反映的问题销项，应当由联合党支部核实后关闭。",
        [("正确", T), ("错误", F)],
        "问题清单逐个销项，由支部核实。",
    ),
    (
        "services",
        "single",
        "物业公司整改问题，周家渡案例中通常要求在多长时间内完成？",
        [("三天", F), ("半个月", T), ("三个月", F), ("一年", F)],
        "“物业公司必须在半个月内完成对现有问题的整改”。",
    ),
    (
        "fire",
        "true_false",
        "电动自行车可以在楼道、楼梯间内停放充电。",
        [("正确", F), ("错误", T)],
        "禁止在建筑内的共用走道、楼梯间、安全出口处等公共区域停放电动自行车或者为其充电。",
    ),
    (
        "fire",
        "single",
        "发现电动自行车飞线充电，物业服务企业首先应当：",
        [("视而不见", F), ("劝阻并消除隐患，拒不改正的报告有关部门", T), ("没收电动车", F), ("罚款", F)],
        "物业应劝阻、制止并报告。",
    ),
    (
        "fire",
        "multiple",
        "下列属于消防安全隐患的是：",
        [("占用消防通道停车", T), ("堵塞安全出口", T), ("消防设施损坏未维修", T), ("定期组织消防演练", F)],
        "占用、堵塞、损坏消防设施均属隐患。",
    ),
    (
        "fire",
        "true_false",
        "小区消防通道可以临时停放私家车，只要有人看管。",
        [("正确", F), ("错误", T)],
        "任何时候都不得占用消防车通道。",
    ),
    (
        "fire",
        "single",
        "集中充电设施的建设，通常需要经过：",
        [("物业公司单方决定", F), ("业主共同决定利用共有部分", T), ("个人自行安装", F), ("无需任何程序", F)],
        "利用共有部分建设设施属于业主共同决定事项。",
    ),
]


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


def demo_create(*, street, seed, scale: float = 1.0, today, users) -> dict[str, int]:
    rng = Random(f"training-{seed}")
    questions = Question.objects.bulk_create(
        [Question(street=street, topic=t, kind=k, text=text, explanation=ex) for t, k, text, _c, ex in BANK]
    )
    Choice.objects.bulk_create(
        [
            Choice(question=q, position=i, text=o, is_correct=c)
            for q, (_t, _k, _x, options, _e) in zip(questions, BANK, strict=True)
            for i, (o, c) in enumerate(options)
        ]
    )
    exam = Exam.objects.create(
        street=street,
        title=f"{today.year}年物业治理知识测试",
        status=ExamStatus.OPEN,
        time_limit_minutes=20,
        pass_mark=60,
        max_attempts=2,
        cooling_off_hours=24,
        random_per_topic={},
        created_by=users["demo_admin"],
    )
    # The exam was set up before anyone sat it (attempts start 1–12 days ago); created_at is auto_now_add,
    # so date it explicitly — data health (training.attempts_after_exam) checks the order.
    exam.created_at = _aware(today - dt.timedelta(days=20), 9)
    Exam.objects.filter(pk=exam.pk).update(created_at=exam.created_at)
    fixed = [q for q in questions][::2][:10] + [questions[-1], questions[1]]
    exam.fixed_questions.set(fixed)
    demo = [
        (users["demo_oc"], "oc_members"),
        (users["demo_secretary"], "rc_heads"),
        (users["demo_branch"], "rc_heads"),
        (users["demo_company"], "company_managers"),
    ]
    participants = [
        Participant(exam=exam, user=u, name=u.display_name or u.username, group=g, unit_label=street.name)
        for u, g in demo
    ]
    groups = ["rc_heads"] * 8 + ["oc_members"] * 10 + ["company_managers"] * 6
    participants += [Participant(exam=exam, name=person_name(rng), group=g, unit_label="") for g in groups]
    Participant.objects.bulk_create(participants)
    correct_of = {
        q.pk: [i for i, (_o, c) in enumerate(b[3]) if c] for q, b in zip(questions, BANK, strict=True)
    }
    qids = [q.pk for q in fixed]
    attempts, answers = [], []
    for index, p in enumerate(participants):
        if p.user_id == users["demo_secretary"].pk or index % 7 == 6:
            continue  # not taken yet: the demo secretary can take it live
        skill = 0.95 if p.user_id == users["demo_oc"].pk else rng.uniform(0.35, 0.98)
        day = today - dt.timedelta(days=rng.randint(1, 12))
        start = _aware(day, rng.randint(1, 11), rng.randint(0, 59))
        picks = []
        for qid in qids:
            right = rng.random() < skill or p.user_id == users["demo_oc"].pk
            picks.append((qid, correct_of[qid] if right else [0 if correct_of[qid] != [0] else 1], right))
        correct = sum(1 for *_x, r in picks if r)
        passed = rules.passes(correct, len(qids), exam.pass_mark)
        attempt = Attempt(
            participant=p,
            number=1,
            question_ids=qids,
            question_count=len(qids),
            started_at=start,
            deadline_at=start + dt.timedelta(minutes=20),
            submitted_at=start + dt.timedelta(minutes=rng.randint(6, 18)),
            correct_count=correct,
            passed=passed,
            certificate_code=f"{rng.getrandbits(40):010X}" if passed else "",
        )
        attempts.append(attempt)
        answers.append(
            [Answer(attempt=attempt, question_id=qid, chosen=ch, is_correct=r) for qid, ch, r in picks]
        )
    Attempt.objects.bulk_create(attempts)
    Answer.objects.bulk_create([a for group in answers for a in group])
    return {
        "training_questions": len(questions),
        "exam_participants": len(participants),
        "exam_attempts": len(attempts),
    }


def demo_delete(*, street) -> dict[str, int]:
    exams = Exam.objects.filter(street=street)
    Answer.objects.filter(attempt__participant__exam__in=exams).delete()
    count, _ = exams.delete()
    q, _ = Question.objects.filter(street=street).delete()
    return {"exams": count, "training_questions": q}


def demo_fingerprint(street) -> str:
    digest = hashlib.sha256()
    for row in Question.objects.filter(street=street).order_by("pk").values_list("topic", "kind", "text"):
        digest.update(repr(row).encode())
    for row in (
        Attempt.objects.filter(participant__exam__street=street)
        .order_by("participant__group", "participant__name", "number", "correct_count", "passed")
        .values_list("participant__name", "correct_count", "passed")
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()

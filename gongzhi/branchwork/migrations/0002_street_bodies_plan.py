"""Issue 13: street bodies, one meeting model (organiser: a branch or a body), tracked actions,
the work plan. Existing meetings get their street from their branch's area (filled here; the
column becomes NOT NULL in 0003, a separate transaction, so PostgreSQL has no pending trigger
events when the table is altered)."""

import django.db.models.deletion
import django.utils.timezone
import gongzhi.branchwork.models
from django.conf import settings
from django.db import migrations, models


def fill_street(apps, schema_editor):
    Meeting = apps.get_model("branchwork", "Meeting")
    Branch = apps.get_model("registry", "Branch")
    street = models.Subquery(Branch.objects.filter(pk=models.OuterRef("branch_id")).values("area__street_id")[:1])
    Meeting.objects.filter(street__isnull=True).update(street_id=street)


class Migration(migrations.Migration):

    dependencies = [
        ('branchwork', '0001_branchwork'),
        ('registry', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BodyMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=60, verbose_name='姓名')),
                ('role_label', models.CharField(blank=True, max_length=40, verbose_name='职务')),
                ('unit', models.CharField(blank=True, max_length=80, verbose_name='单位')),
            ],
            options={
                'verbose_name': '机构成员',
                'verbose_name_plural': '机构成员',
                'ordering': ['body', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Milestone',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=120, verbose_name='节点')),
                ('owner_label', models.CharField(max_length=80, verbose_name='责任人')),
                ('due_on', models.DateField(db_index=True, verbose_name='时间节点')),
                ('metric', models.CharField(choices=[('manual', '人工确认'), ('branches_formed', '联合党支部组建数'), ('pilot_branches', '试点联合党支部数'), ('oc_party_share', '业委会党员占比(全街道)'), ('oc_cross_share', '业委会交叉任职占比(全街道)')], default='manual', max_length=30, verbose_name='衡量方式')),
                ('target', models.DecimalField(blank=True, decimal_places=2, help_text='数量或百分比;不填则按规则默认(如全部居民区、选举目标)', max_digits=7, null=True, verbose_name='目标值')),
                ('done_on', models.DateField(blank=True, null=True, verbose_name='完成日期')),
                ('evidence', models.TextField(blank=True, max_length=2000, verbose_name='完成依据')),
                ('evidence_file', models.FileField(blank=True, upload_to=gongzhi.branchwork.models.evidence_path, verbose_name='佐证材料')),
                ('evidence_type', models.CharField(blank=True, max_length=40)),
            ],
            options={
                'verbose_name': '计划节点',
                'verbose_name_plural': '计划节点',
                'ordering': ['stage', 'due_on', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Pilot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('programme', models.TextField(max_length=2000, verbose_name='试点方案')),
                ('agreement', models.CharField(blank=True, help_text='如:党建联建协议', max_length=120, verbose_name='协议')),
                ('since', models.DateField(verbose_name='试点开始')),
            ],
            options={
                'verbose_name': '试点',
                'verbose_name_plural': '试点',
                'ordering': ['street', 'since', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='PlanStage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='阶段')),
                ('title', models.CharField(max_length=60, verbose_name='阶段名称')),
                ('goal', models.TextField(blank=True, max_length=1000, verbose_name='阶段目标')),
                ('starts_on', models.DateField(verbose_name='开始日期')),
                ('ends_on', models.DateField(verbose_name='结束日期')),
            ],
            options={
                'verbose_name': '计划阶段',
                'verbose_name_plural': '计划阶段',
                'ordering': ['plan', 'number'],
            },
        ),
        migrations.CreateModel(
            name='TrackedAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('owner_label', models.CharField(max_length=80, verbose_name='责任人')),
                ('due_on', models.DateField(db_index=True, verbose_name='完成期限')),
                ('status', models.CharField(choices=[('open', '落实中'), ('done', '已办结')], default='open', max_length=10, verbose_name='状态')),
                ('evidence', models.TextField(blank=True, max_length=2000, verbose_name='办结情况')),
                ('evidence_file', models.FileField(blank=True, upload_to=gongzhi.branchwork.models.evidence_path, verbose_name='佐证材料')),
                ('evidence_type', models.CharField(blank=True, max_length=40)),
                ('closed_on', models.DateField(blank=True, null=True, verbose_name='办结日期')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'verbose_name': '决议落实事项',
                'verbose_name_plural': '决议落实事项',
                'ordering': ['due_on', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='WorkPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=100, verbose_name='计划名称')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'verbose_name': '工作计划',
                'verbose_name_plural': '工作计划',
            },
        ),
        migrations.AddField(
            model_name='meeting',
            name='street',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.street', verbose_name='街道'),
        ),
        migrations.RunPython(fill_street, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='meeting',
            name='branch',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='registry.branch', verbose_name='支部'),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='kind',
            field=models.CharField(choices=[('branch', '支部会议'), ('joint', '五方联席会议'), ('hearing', '听证会'), ('forum', '座谈会'), ('coordination', '协调会'), ('price', '议价会议'), ('owners_committee', '业委会会议'), ('body', '机构会议')], max_length=20, verbose_name='会议类型'),
        ),
        migrations.CreateModel(
            name='Body',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('leadership', '领导小组'), ('company_council', '物业企业理事会'), ('directors_federation', '业委会主任联合会'), ('joint', '联席会议')], max_length=30, verbose_name='类型')),
                ('name', models.CharField(max_length=80, verbose_name='名称')),
                ('remit', models.TextField(blank=True, max_length=2000, verbose_name='职责')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('street', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bodies', to='registry.street', verbose_name='街道')),
            ],
            options={
                'verbose_name': '议事机构',
                'verbose_name_plural': '议事机构',
                'ordering': ['street', 'kind', 'name'],
            },
        ),
        migrations.AddField(
            model_name='meeting',
            name='body',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='branchwork.body', verbose_name='议事机构'),
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('body__isnull', True), ('branch__isnull', False), models.Q(('kind', 'body'), _negated=True)), models.Q(('body__isnull', False), ('branch__isnull', True), ('kind', 'body')), _connector='OR'), name='meeting_exactly_one_organiser'),
        ),
        migrations.AddField(
            model_name='bodymember',
            name='body',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='branchwork.body'),
        ),
        migrations.AddField(
            model_name='bodymember',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='invitee',
            name='body_member',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='branchwork.bodymember'),
        ),
        migrations.AddField(
            model_name='milestone',
            name='owner',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='milestone',
            name='ticked_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='pilot',
            name='branch',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='pilot', to='registry.branch', verbose_name='支部'),
        ),
        migrations.AddField(
            model_name='pilot',
            name='company',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='pilot', to='registry.company', verbose_name='物业企业'),
        ),
        migrations.AddField(
            model_name='pilot',
            name='street',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.street'),
        ),
        migrations.AddField(
            model_name='milestone',
            name='stage',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='milestones', to='branchwork.planstage'),
        ),
        migrations.AddField(
            model_name='trackedaction',
            name='closed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='trackedaction',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='trackedaction',
            name='owner',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='trackedaction',
            name='resolution',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='tracked', to='branchwork.resolution'),
        ),
        migrations.AddField(
            model_name='workplan',
            name='street',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='work_plan', to='registry.street'),
        ),
        migrations.AddField(
            model_name='planstage',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stages', to='branchwork.workplan'),
        ),
        migrations.AddConstraint(
            model_name='body',
            constraint=models.UniqueConstraint(fields=('street', 'name'), name='body_name_unique_in_street', violation_error_message='本街道已有同名的议事机构。'),
        ),
        migrations.AddConstraint(
            model_name='bodymember',
            constraint=models.UniqueConstraint(fields=('body', 'name'), name='body_member_unique_name', violation_error_message='该机构已有同名成员。'),
        ),
        migrations.AddConstraint(
            model_name='pilot',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('branch__isnull', False), ('company__isnull', True)), models.Q(('branch__isnull', True), ('company__isnull', False)), _connector='OR'), name='pilot_branch_or_company'),
        ),
        migrations.AddConstraint(
            model_name='milestone',
            constraint=models.CheckConstraint(condition=models.Q(('done_on__isnull', True), models.Q(('metric', 'manual'), models.Q(('evidence', ''), _negated=True)), _connector='OR'), name='milestone_manual_tick_has_evidence'),
        ),
        migrations.AddConstraint(
            model_name='trackedaction',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('closed_on__isnull', True), ('status', 'open')), models.Q(('closed_on__isnull', False), ('status', 'done'), models.Q(('evidence', ''), _negated=True)), _connector='OR'), name='tracked_action_done_has_evidence'),
        ),
        migrations.AddConstraint(
            model_name='planstage',
            constraint=models.UniqueConstraint(fields=('plan', 'number'), name='plan_stage_number_unique'),
        ),
        migrations.AddConstraint(
            model_name='planstage',
            constraint=models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='plan_stage_dates_in_order'),
        ),
    ]

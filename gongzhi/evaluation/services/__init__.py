"""Writes to evaluation, one module per topic: templates, campaigns, household codes, anonymous
responses, inspections, branch assessments, the score recompute, the elimination workflow and awards.

Every service is keyword-only, atomic, checks the actor's right (permissions.py) and writes its
audit row in the same transaction. Survey submissions write no audit row at all: the household
marker says who took part, and each release of a ballot box is audited by day (docs/EVALUATION.md §5).

Callers import from here (``from gongzhi.evaluation import services``); the names below are the
package's public surface."""

from gongzhi.evaluation.services.assessments import branch_assessment_record
from gongzhi.evaluation.services.awards import award_grant
from gongzhi.evaluation.services.benchmarks import benchmark_name, benchmark_revoke
from gongzhi.evaluation.services.campaigns import (
    DEFAULT_WEIGHTS,
    campaign_close,
    campaign_create,
    campaign_open,
    campaign_set_weights,
    campaign_update,
)
from gongzhi.evaluation.services.codes import IssuedCode, codes_issue
from gongzhi.evaluation.services.common import EvaluationError
from gongzhi.evaluation.services.elimination import (
    elimination_advance,
    elimination_approve,
    elimination_close,
    elimination_create,
    elimination_propose,
    elimination_refer,
    elimination_return,
    elimination_start_rectification,
    elimination_start_reevaluation,
    fault_file,
)
from gongzhi.evaluation.services.inspections import ChecklistLine, inspection_record
from gongzhi.evaluation.services.recompute import (
    RecomputeResult,
    campaign_recompute,
    campaigns_recompute,
    compute_scores,
    gather_inputs,
)
from gongzhi.evaluation.services.replacement import (
    replacement_choose,
    replacement_contract,
    replacement_for,
    replacement_open_vote,
    replacement_record_outcome,
)
from gongzhi.evaluation.services.responses import (
    BALLOT_RNG,
    box_contents,
    release_k,
    response_submit_by_code,
    response_submit_by_owner,
)
from gongzhi.evaluation.services.templates import (
    YUNTAI_TEMPLATE,
    template_create,
    template_create_default,
    template_new_version,
    template_update,
)

__all__ = [
    "benchmark_name",
    "benchmark_revoke",
    "BALLOT_RNG",
    "DEFAULT_WEIGHTS",
    "YUNTAI_TEMPLATE",
    "ChecklistLine",
    "EvaluationError",
    "IssuedCode",
    "RecomputeResult",
    "award_grant",
    "box_contents",
    "branch_assessment_record",
    "campaign_close",
    "campaign_create",
    "campaign_open",
    "campaign_recompute",
    "campaigns_recompute",
    "campaign_set_weights",
    "campaign_update",
    "codes_issue",
    "compute_scores",
    "elimination_advance",
    "elimination_approve",
    "elimination_close",
    "elimination_create",
    "elimination_propose",
    "elimination_refer",
    "elimination_return",
    "elimination_start_reevaluation",
    "elimination_start_rectification",
    "fault_file",
    "gather_inputs",
    "inspection_record",
    "release_k",
    "replacement_choose",
    "replacement_contract",
    "replacement_for",
    "replacement_open_vote",
    "replacement_record_outcome",
    "response_submit_by_code",
    "response_submit_by_owner",
    "template_create",
    "template_create_default",
    "template_new_version",
    "template_update",
]

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


def check_release_k(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse to start with a ballot-box k below 5: answers of fewer households would be told apart."""
    from gongzhi.evaluation import rules

    k = getattr(settings, "GONGZHI_SURVEY_RELEASE_K", rules.RELEASE_BATCH_MIN)
    if k < rules.RELEASE_BATCH_MIN:
        return [
            checks.Error(
                f"GONGZHI_SURVEY_RELEASE_K = {k}: must be at least {rules.RELEASE_BATCH_MIN}",
                hint="docs/EVALUATION.md §5",
                id="gongzhi.evaluation.E001",
            )
        ]
    return []


class EvaluationConfig(AppConfig):
    name = "gongzhi.evaluation"
    verbose_name = _("测评与排名")

    def ready(self) -> None:
        checks.register(check_release_k)
        from gongzhi.evaluation.services.replacement import follow_counted_decision
        from gongzhi.voting.signals import decision_counted

        # The replacement of an eliminated company moves on when its owners' vote is counted.
        decision_counted.connect(
            follow_counted_decision, dispatch_uid="gongzhi.evaluation.replacement_outcome"
        )

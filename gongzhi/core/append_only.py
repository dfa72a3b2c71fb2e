"""One append-only behaviour for the records that are history (ledger entries, ballot casts, fee
standards): a saved row is never changed, by ``save()`` or by a QuerySet, and (unless the model says
its rows may be deleted) never deleted. The database triggers of each app stay the last word; this
is the model layer's refusal, the same error class everywhere.

An abstract model with no fields: a model that takes it on needs no migration.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class AppendOnlyError(Exception):
    """A change or deletion of a row of an append-only model."""


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk ``update()`` (so ``bulk_update`` too) and, unless the model allows it, ``delete()``."""

    def update(self, **kwargs: Any) -> int:
        raise self.model.append_only_refusal()

    def delete(self) -> tuple[int, dict[str, int]]:
        if not self.model.append_only_deletable:
            raise self.model.append_only_refusal()
        return super().delete()


class AppendOnlyModel(models.Model):
    """Base of an append-only model; a subclass sets the message (and may narrow the error class)."""

    append_only_error: ClassVar[type[AppendOnlyError]] = AppendOnlyError
    append_only_message: ClassVar[Any] = "rows are append-only"
    # True where a whole record may still go (a demo street's purge), though never be edited.
    append_only_deletable: ClassVar[bool] = False

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise self.append_only_refusal()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if not self.append_only_deletable:
            raise self.append_only_refusal()
        return super().delete(*args, **kwargs)

    @classmethod
    def append_only_refusal(cls) -> AppendOnlyError:
        return cls.append_only_error(cls.append_only_message)

"""What voting tells the apps that wait on an owners' decision.

``decision_counted`` is sent inside the closing transaction, right after the exact tally is stored, with
``decision``: an app whose process waits on the vote (the replacement of an eliminated company) moves on in the
same transaction, so the count and its consequence are written together or not at all. Voting knows none of
its listeners; each app connects its own in ``AppConfig.ready``."""

from django.dispatch import Signal

decision_counted = Signal()

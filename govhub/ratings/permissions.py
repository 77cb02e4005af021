"""The ratings app's actions, declared through core's one permission table."""

from govhub.core.models import Role as R
from govhub.core.permissions import register_action

register_action(
    "handle_rating", "回访办理差评", [R.DISPATCHER, R.HANDLER, R.SUPERVISOR, R.ADMINISTRATOR]
)

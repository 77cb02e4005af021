"""The services app's actions, declared through core's one permission table."""

from govhub.core.models import Role as R
from govhub.core.permissions import register_action

register_action("manage_guides", "维护办事指南", [R.EDITOR, R.ADMINISTRATOR])
register_action("manage_connectors", "配置微查询接口", [R.ADMINISTRATOR])
register_action("view_service_figures", "查看好差评统计", [R.SUPERVISOR, R.ADMINISTRATOR])
register_action("manage_appointments", "发布预约号源、登记到场", [R.HANDLER, R.ADMINISTRATOR])

"""The life events (人生事件) and enterprise stages a guide can be filed under."""

from django.db import migrations

EVENTS = [
    ("birth", "出生", "出生医学证明、落户、医保参保", "person"),
    ("school", "上学", "入学、转学、学生资助", "person"),
    ("work", "就业", "求职登记、失业保险、社保缴费", "person"),
    ("marriage", "结婚", "婚姻登记、户口迁移", "person"),
    ("housing", "购房", "公积金、不动产登记、契税", "person"),
    ("driving", "出行", "驾驶证、车辆、交通违法", "person"),
    ("health", "就医", "医保、异地就医、生育", "person"),
    ("retirement", "退休", "养老金、高龄补贴", "person"),
    ("death", "身后事", "死亡登记、丧葬补助、遗产", "person"),
    ("startup", "开办企业", "设立登记、印章、税务", "legal"),
    ("operation", "经营许可", "食品经营、卫生许可", "legal"),
    ("hiring", "招工用工", "社保登记、就业补贴", "legal"),
]


def add(apps, schema_editor):
    LifeEvent = apps.get_model("services", "LifeEvent")
    for order, (slug, name, desc, audience) in enumerate(EVENTS):
        LifeEvent.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "description": desc, "audience": audience, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]

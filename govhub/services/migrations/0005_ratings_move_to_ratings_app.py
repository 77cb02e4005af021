"""好差评 move to their own app (``govhub.ratings``), low in the import graph, so that letters,
the answers engine and the inbox can use them without importing services. The tables are
renamed, not copied: existing ratings and call-backs keep their ids."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0004_connector_labels"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="rating", table="ratings_rating"),
                migrations.AlterModelTable(name="callbacktask", table="ratings_callbacktask"),
            ],
            state_operations=[
                migrations.DeleteModel(name="CallbackTask"),
                migrations.DeleteModel(name="Rating"),
            ],
        ),
    ]

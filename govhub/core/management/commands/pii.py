from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from govhub.core import audit
from govhub.core.pii import key_id_of, newest_key_id, pii_fields


def stale_pks(model, newest: str) -> list:
    """Primary keys of rows with a personal-data value under an older key (or in clear)."""
    fields = pii_fields(model)
    qn = connection.ops.quote_name
    cols = ", ".join(qn(f.column) for f in fields)
    sql = f"SELECT {qn(model._meta.pk.column)}, {cols} FROM {qn(model._meta.db_table)}"  # nosec B608 - column and table names from model metadata, quoted; raw SQL reads the ciphertext
    with connection.cursor() as cur:
        cur.execute(sql)
        return [
            row[0] for row in cur.fetchall() if any(v and key_id_of(v) != newest for v in row[1:])
        ]


class Command(BaseCommand):
    help = (
        "个人信息：govhub pii rotate 用最新密钥重新加密所有个人信息字段；pii status 统计旧密钥行数"
    )

    def add_arguments(self, parser):
        parser.add_argument("subcommand", choices=["rotate", "status"])

    def handle(self, *args, subcommand, **opts):
        newest = newest_key_id()
        total = 0
        for model in apps.get_models():
            fields = pii_fields(model)
            if not fields or model._meta.proxy:  # a proxy's rows are its concrete model's
                continue
            pks = stale_pks(model, newest)
            self.stdout.write(f"{model._meta.label}: {len(pks)} 行使用旧密钥或未加密")
            if subcommand != "rotate" or not pks:
                continue
            for i, pk in enumerate(pks, 1):
                with transaction.atomic():
                    # the base manager: a default manager may hide rows (a filtered queryset)
                    obj = model._base_manager.select_for_update().get(pk=pk)
                    # Saving the decrypted values through the field encrypts them with the newest key.
                    model._base_manager.filter(pk=pk).update(
                        **{f.attname: getattr(obj, f.attname) for f in fields}
                    )
                if i % 1000 == 0:
                    self.stdout.write(f"  已重新加密 {i}/{len(pks)} 行…")
            total += len(pks)
            audit.record(
                actor=None,
                action="pii_rotate",
                obj=(model._meta.label_lower, "*"),
                summary={"rows": len(pks), "key": newest},
            )
        if subcommand == "rotate":
            self.stdout.write(f"完成：{total} 行已用密钥 {newest} 重新加密")

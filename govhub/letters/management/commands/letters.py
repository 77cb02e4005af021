"""``govhub letters train-router FILE | evaluate-router FILE | rollback-router VERSION |
check-deadlines``."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from govhub.letters import router


class Command(BaseCommand):
    help = "领导信箱：训练/评估分办模型，回滚模型版本，执行催办督办检查"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        train = sub.add_parser(
            "train-router", help="从 CSV/xlsx（或数据库中已办结的信件）训练分办模型"
        )
        train.add_argument(
            "file", nargs="?", help="CSV 或 xlsx：标题/subject、内容/text、类别或部门/label"
        )
        train.add_argument(
            "--from-db",
            action="store_true",
            help="用数据库中已分办的信件训练（标签为主办单位代码）",
        )
        train.add_argument("--cv", type=int, default=5, help="交叉验证折数（0 跳过）")
        train.add_argument("--no-activate", action="store_true", help="只保存，不启用")
        ev = sub.add_parser("evaluate-router", help="用标注文件评估当前（或指定版本的）模型")
        ev.add_argument("file")
        ev.add_argument("--version", type=int)
        rb = sub.add_parser("rollback-router", help="启用某个已保存的版本")
        rb.add_argument("version", type=int)
        sub.add_parser("check-deadlines", help="立即执行一次催办/督办检查")

    def handle(self, *args, **opts):
        getattr(self, "_" + opts["sub"].replace("-", "_"))(opts)

    def _train_router(self, opts):
        if opts["from_db"]:
            texts, labels = _from_db()
            source = "数据库中的信件"
        elif opts["file"]:
            try:
                texts, labels = router.read_training_file(opts["file"])
            except (OSError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
            source = opts["file"]
        else:
            raise CommandError("请给出训练文件，或使用 --from-db")
        if len(set(labels)) < 2:
            raise CommandError("至少需要两个类别。")
        self.stdout.write(f"训练数据：{len(texts)} 封，{len(set(labels))} 个类别")
        metrics = {}
        folds = opts["cv"] if min(labels.count(x) for x in set(labels)) >= opts["cv"] > 1 else 0
        start = time.perf_counter()
        if folds:
            metrics = router.cross_validate(
                texts,
                labels,
                folds=folds,
                progress=lambda it: tqdm(it, desc="交叉验证", unit="折", file=self.stderr._out),
            )
            self.stdout.write(
                f"交叉验证 macro-F1 {metrics['macro_f1']:.4f}，准确率 {metrics['accuracy']:.4f}"
            )
        with tqdm(total=1, desc="训练最终模型", file=self.stderr._out) as bar:
            trained = router.fit(texts, labels)
            bar.update(1)
        summary = {k: metrics[k] for k in ("macro_f1", "accuracy", "n")} if metrics else {}
        summary["train_seconds"] = round(time.perf_counter() - start, 1)
        model = router.store_model(
            trained, metrics=summary, source=source, activate=not opts["no_activate"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已保存分办模型 v{model.version}{'（已启用）' if model.active else ''}；"
                f"回滚：govhub letters rollback-router <版本>"
            )
        )

    def _evaluate_router(self, opts):
        from govhub.letters.models import RouterModel

        if opts["version"]:
            trained = router.TrainedRouter.loads(
                bytes(RouterModel.objects.get(version=opts["version"]).blob)
            )
        else:
            trained = router.active_router()
        if trained is None:
            raise CommandError("尚无启用的分办模型：先运行 govhub letters train-router FILE")
        try:
            texts, labels = router.read_training_file(opts["file"])
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        preds = []
        for i in tqdm(range(0, len(texts), 500), desc="分类", file=self.stderr._out):
            preds.extend(trained.predict(texts[i : i + 500]))
        self.stdout.write(format_report(router.evaluate_predictions(labels, preds)))

    def _rollback_router(self, opts):
        from govhub.letters.models import RouterModel

        try:
            model = router.activate_version(opts["version"])
        except RouterModel.DoesNotExist as exc:
            raise CommandError(f"没有版本 v{opts['version']}") from exc
        self.stdout.write(self.style.SUCCESS(f"已启用分办模型 v{model.version}"))

    def _check_deadlines(self, opts):
        from govhub.letters.reminders import check_deadlines

        made = check_deadlines()
        self.stdout.write(f"新发出催办/督办 {len(made)} 条")


def _from_db() -> tuple[list[str], list[str]]:
    from govhub.letters.models import Letter

    texts, labels = [], []
    for subject, content, code in Letter.objects.filter(department__isnull=False).values_list(
        "subject_redacted", "content_redacted", "department__code"
    ):
        texts.append(router.letter_text(subject, content))
        labels.append(code)
    return texts, labels


def format_report(m: dict) -> str:
    """Accuracy, macro-F1, the per-class table and the confusion matrix as plain text."""
    lines = [
        f"样本 {m['n']}  准确率 accuracy {m['accuracy']:.4f}  宏平均 macro-F1 {m['macro_f1']:.4f}",
        "",
        f"{'类别':<14}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}",
    ]
    for row in m["per_class"]:
        lines.append(
            f"{row['label']:<14}{row['precision']:>10.3f}{row['recall']:>10.3f}"
            f"{row['f1']:>10.3f}{row['support']:>9}"
        )
    lines += ["", "混淆矩阵（行：真实，列：预测）"]
    short = [lab[:4] for lab in m["labels"]]
    lines.append(" " * 10 + "".join(f"{s:>8}" for s in short))
    for lab, row in zip(short, m["confusion"], strict=True):
        lines.append(f"{lab:<10}" + "".join(f"{v:>8}" for v in row))
    return "\n".join(lines)

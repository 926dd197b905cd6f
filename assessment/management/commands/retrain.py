from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessment import services
from assessment.evaluate import CORPUS_PATH, evaluate, format_report, load_corpus
from assessment.model import MODEL_PATH, Config, TextClassifier, train
from mamoru.policy.loader import current as current_policy

MAX_FPR = 0.05
MAX_MACRO_F1_DROP = 0.02


class Command(BaseCommand):
    help = (
        "同梱のコーパス（split=train）と職員が確認したラベル（export_labels の出力）から分類モデルを学習し直し、"
        "評価用データでの結果を示してから置き換えます。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--labels", action="append", default=[], help="export_labels の出力（複数可）")
        parser.add_argument("--corpus", default=str(CORPUS_PATH))
        parser.add_argument("--output", default=str(MODEL_PATH))
        parser.add_argument("--folds", type=int, default=5)
        parser.add_argument("--dry-run", action="store_true", help="評価だけして置き換えない")
        parser.add_argument("--force", action="store_true", help="評価が下がっても置き換える")

    def handle(self, *args, labels, corpus, output, folds, dry_run, force, **options):
        codes = current_policy().category_codes()
        items = load_corpus(Path(corpus))
        train_items = [i for i in items if i.get("split") == "train"]
        test_items = [i for i in items if i.get("split") == "test"]
        for path in labels:
            try:
                extra, problems = services.read_label_file(Path(path))
            except OSError as error:
                raise CommandError(f"ラベルファイルを開けません: {error}") from error
            for problem in problems:
                self.stderr.write(f"{path}: {problem}")
            self.stdout.write(f"{path}: {len(extra)}件を追加")
            train_items += extra
        if not train_items:
            raise CommandError("学習データがありません")
        self.stdout.write(f"学習 {len(train_items)}件、評価 {len(test_items)}件")
        model = train(train_items, codes, Config(), folds=folds)
        new = evaluate(model, test_items, codes) if test_items else None
        if new:
            self.stdout.write(format_report("new model", new))
        output_path = Path(output)
        old = None
        if output_path.exists() and test_items:
            try:
                old = evaluate(TextClassifier.load(output_path), test_items, codes)
                self.stdout.write(format_report("current model", old))
            except (ValueError, OSError, KeyError) as error:
                self.stderr.write(f"現在のモデルを読めません（{error}）")
        if dry_run:
            self.stdout.write("--dry-run: モデルは置き換えていません")
            return
        if new and old and not force:
            if new["false_positive_rate"] > MAX_FPR or new["macro_f1"] < old["macro_f1"] - MAX_MACRO_F1_DROP:
                raise CommandError(
                    "新しいモデルの評価が基準（誤検知率5%以下、macro-F1の低下0.02以内）を満たさないため置き換えません。"
                    "置き換えるには --force を付けてください。"
                )
        digest = model.save(output_path)
        if output_path.resolve() == MODEL_PATH.resolve():
            services.classifier.cache_clear()
        self.stdout.write(f"モデルを保存しました: {output_path} (sha256 {digest})")

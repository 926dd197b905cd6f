import time

from django.core.management.base import BaseCommand

from assessment.evaluate import evaluate, format_report, load_corpus
from assessment.keywords import KeywordClassifier
from assessment.model import MODEL_PATH, TextClassifier
from mamoru.policy.loader import current as current_policy


class Command(BaseCommand):
    help = "学習に使っていない評価用データ（split=test）で、分類モデルとキーワード方式を評価します。"

    def add_arguments(self, parser):
        parser.add_argument("--model", default=str(MODEL_PATH))

    def handle(self, *args, model, **options):
        codes = current_policy().category_codes()
        items = load_corpus(split="test")
        started = time.perf_counter()
        classifier = TextClassifier.load(model)
        load_seconds = time.perf_counter() - started
        self.stdout.write(format_report("model", evaluate(classifier, items, codes), load_seconds=load_seconds))
        self.stdout.write("")
        self.stdout.write(format_report("keyword baseline", evaluate(KeywordClassifier(), items, codes)))

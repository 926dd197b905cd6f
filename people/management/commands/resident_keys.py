"""``python manage.py resident_keys``: compute the matching keys (名寄せ) of
every resident again, in batches; after the variant table or the
normalisation changes, or after residents were loaded without the services."""

from django.core.management.base import BaseCommand
from django.db import transaction

from people.matching import resident_match_keys
from people.models import Resident

KEYS = ("name_key", "reading_key", "address_key")


class Command(BaseCommand):
    help = "住民等の名寄せ用のキー（氏名・読み・住所）を計算し直します。"

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000, help="1回に更新する件数")
        parser.add_argument("--only-missing", action="store_true", help="キーが空の住民等のみ計算する")

    def handle(self, *args, batch_size: int, only_missing: bool, **options):
        residents = Resident.objects.only("id", "name", "name_kana", "address", *KEYS).order_by("pk")
        if only_missing:
            residents = residents.filter(name_key="")
        changed = total = 0
        last_pk = 0
        while True:
            batch = list(residents.filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                break
            last_pk = batch[-1].pk
            dirty = []
            for resident in batch:
                keys = resident_match_keys(name=resident.name, kana=resident.name_kana, address=resident.address)
                if any(getattr(resident, key) != value for key, value in keys.items()):
                    for key, value in keys.items():
                        setattr(resident, key, value)
                    dirty.append(resident)
            with transaction.atomic():
                Resident.objects.bulk_update(dirty, KEYS)
            changed += len(dirty)
            total += len(batch)
        self.stdout.write(f"住民等 {total} 件のうち {changed} 件のキーを更新しました。")

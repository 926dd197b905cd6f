"""Fill the keys for finding the same person (名寄せ) on residents that
existed before people.matching computed them."""

from django.db import migrations


def fill_keys(apps, schema_editor):
    from people.matching import resident_match_keys

    Resident = apps.get_model("people", "Resident")
    batch = []
    for resident in Resident.objects.only("id", "name", "name_kana", "address").iterator(chunk_size=2000):
        for key, value in resident_match_keys(
            name=resident.name, kana=resident.name_kana, address=resident.address
        ).items():
            setattr(resident, key, value)
        batch.append(resident)
        if len(batch) >= 2000:
            Resident.objects.bulk_update(batch, ["name_key", "reading_key", "address_key"])
            batch = []
    if batch:
        Resident.objects.bulk_update(batch, ["name_key", "reading_key", "address_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_matching_and_merge"),
    ]

    operations = [
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]

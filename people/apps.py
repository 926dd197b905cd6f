from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "住民等"

    def ready(self):
        from . import held
        from .hooks import resident_data_held

        resident_data_held.connect(held.resident_data_held)

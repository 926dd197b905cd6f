from django.apps import AppConfig


class BusinessRequestsConfig(AppConfig):
    name = "business_requests"
    verbose_name = "他事業者からの申入れ"

    def ready(self):
        from notifications.hooks import deadlines_due

        from . import deadlines, evidence, letters, panels

        deadlines_due.connect(deadlines.business_request_deadlines)
        letters.register()
        evidence.register()  # the files the business sent, in the evidence locker
        panels.register()  # the due dates on the specialist section's home page

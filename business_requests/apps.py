from django.apps import AppConfig


class BusinessRequestsConfig(AppConfig):
    name = "business_requests"
    verbose_name = "他事業者からの申入れ"

    def ready(self):
        from accounts.permissions import is_specialist
        from mamoru.lib.figures import register_figures
        from notifications.hooks import deadlines_due

        from . import deadlines, evidence, figures, letters, panels

        deadlines_due.connect(deadlines.business_request_deadlines)
        letters.register()
        evidence.register()  # the files the business sent, in the evidence locker
        register_figures(
            key="business_requests",
            title="他事業者からの申入れ",
            order=70,
            compute=figures.business_request_figures,
            audience=is_specialist,  # a manager reads only the requests naming them
        )
        panels.register()  # the due dates on the specialist section's home page

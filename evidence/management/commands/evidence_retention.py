"""``python -m mamoru evidence-retention [--dry-run]``: delete the evidence whose
retention period (the policy pack's ``[evidence_retention]``) has passed — daily,
from cron (docs/evidence.md). The bytes go from storage; the evidence's record,
custody log and audit entries stay. Evidence under a legal hold is kept and listed.
``--dry-run`` lists what would go and changes nothing."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.choices import EvidenceKind
from evidence.retention import ORPHAN_GRACE, retention_run
from mamoru.policy.loader import current as current_policy


def _attached(evidence) -> str:
    if evidence.case_id:
        return _("事案 No.{number:06d}").format(number=evidence.case_id)
    return _("対応記録 No.{number}").format(number=evidence.contact_id)


class Command(BaseCommand):
    help = "保存期間を過ぎた証拠を削除します（ファイルを消去し、記録と保管記録は残します）。毎日実行します。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="削除するものを表示するだけで、何も変更しない")
        parser.add_argument(
            "--orphan-grace-hours",
            type=float,
            default=ORPHAN_GRACE.total_seconds() / 3600,
            help="どの証拠も指していないファイルを、書き込みからこの時間が過ぎたら消去する（既定 24）",
        )

    def handle(self, *args, dry_run, orphan_grace_hours, **options):
        pack = current_policy()
        now = timezone.now()
        self.stdout.write(
            _("証拠の保存期間の確認（{now}、ポリシーパック {pack}）{mode}").format(
                now=timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
                pack=pack.code,
                mode=_("— 試行: 何も変更しません") if dry_run else "",
            )
        )
        if pack.evidence_retention is None:
            self.stdout.write(_("ポリシーパックに保存期間（[evidence_retention]）がないため、証拠は削除しません。"))
        report = retention_run(dry_run=dry_run, now=now, orphan_grace=dt.timedelta(hours=orphan_grace_hours))
        verb = _("削除予定") if dry_run else _("削除")
        for evidence, retention in report.deleted:
            self.stdout.write(
                _("{verb}: {evidence}（{kind}・{attached}）— {basis}、期限 {until}").format(
                    verb=verb,
                    evidence=evidence,
                    kind=dict(EvidenceKind.choices).get(evidence.kind, evidence.kind),
                    attached=_attached(evidence),
                    basis=retention.basis,
                    until=timezone.localtime(retention.until).strftime("%Y-%m-%d"),
                )
            )
        for evidence, retention in report.held:
            self.stdout.write(
                _("保存（削除停止）中のため残す: {evidence}（{attached}）— 期限 {until}、理由: {reason}").format(
                    evidence=evidence,
                    attached=_attached(evidence),
                    until=timezone.localtime(retention.until).strftime("%Y-%m-%d"),
                    reason=evidence.legal_hold_reason,
                )
            )
        for stored in report.purged:
            self.stdout.write(
                _("{verb}: ファイル {name}（{size:,} バイト）").format(
                    verb=_("消去予定") if dry_run else _("消去"), name=stored.storage_name, size=stored.size
                )
            )
        for name in report.orphans:
            self.stdout.write(
                _("{verb}: どの証拠も指していないファイル {name}").format(
                    verb=_("消去予定") if dry_run else _("消去"), name=name
                )
            )
        self.stdout.write(
            _(
                "合計: 証拠の{verb} {deleted}件、保存（削除停止）中 {held}件、ファイルの消去 {purged}件、"
                "どの証拠も指していないファイル {orphans}件"
            ).format(
                verb=verb,
                deleted=len(report.deleted),
                held=len(report.held),
                purged=len(report.purged),
                orphans=len(report.orphans),
            )
        )

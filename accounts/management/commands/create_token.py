"""``python -m mamoru create-token USERNAME [--name 用途]``: issue an API token.

Prints only the key on stdout so that a script can capture it; the key is
shown this once and only its hash is stored."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import token_issue


class Command(BaseCommand):
    help = _("API トークンを発行し、キーだけを標準出力に表示します（キーは再表示できません）。")

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("トークンを使う利用者のユーザー名"))
        parser.add_argument("--name", default="API", help=_("用途（例: 通話録音システム連携）"))

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("利用者「{username}」は存在しません。").format(username=username))
        if not user.is_active:
            raise CommandError(
                _("利用者「{username}」は無効になっているため、トークンを発行できません。").format(username=username)
            )
        try:
            token, key = token_issue(actor=None, user=user, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(key)
        self.stderr.write(
            _("利用者「{username}」にトークン「{name}」（{prefix}…）を発行しました。").format(
                username=user.username, name=token.name, prefix=token.prefix
            )
        )

"""``python -m mamoru create-token USERNAME [--name 用途] [--scope read|write] [--days N]
[--area contacts|residents ...] [--allow 192.0.2.0/24 ...]``: issue an API token.

Whoever runs it operates the server (and could read the database anyway), so the token
is usable at once; the audit log names the command line as its issuer.

Prints only the key on stdout so that a script can capture it; the key is
shown this once and only its hash is stored."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from accounts.services import token_issue


class Command(BaseCommand):
    help = _("API トークンを発行し、キーだけを標準出力に表示します（キーは再表示できません）。")

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("トークンを使う利用者のユーザー名"))
        parser.add_argument("--name", default="API", help=_("用途（例: 通話録音システム連携）"))
        parser.add_argument(
            "--scope",
            choices=ApiToken.Scope.values,
            default=ApiToken.Scope.READ,
            help=_("read: 参照のみ、write: 登録・更新も"),
        )
        parser.add_argument("--days", type=int, default=None, help=_("有効期間（日）。省略時は上限の日数"))
        parser.add_argument(
            "--area",
            action="append",
            choices=ApiToken.Area.values,
            default=[],
            help=_("対象（複数可。省略時はすべて）"),
        )
        parser.add_argument("--allow", action="append", default=[], help=_("利用を許可するアドレス（複数可）"))

    def handle(self, *args, username, name, scope, days, area, allow, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("利用者「{username}」は存在しません。").format(username=username))
        if not user.is_active:
            raise CommandError(
                _("利用者「{username}」は無効になっているため、トークンを発行できません。").format(username=username)
            )
        try:
            token, key = token_issue(
                actor=None, user=user, name=name, scope=scope, areas=area, days=days, allowed_addresses="\n".join(allow)
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(key)
        self.stderr.write(
            _("利用者「{username}」にトークン「{name}」（{prefix}…）を発行しました。").format(
                username=user.username, name=token.name, prefix=token.prefix
            )
        )

"""``gongzhi api_token create USERNAME --name NAME`` / ``list [USERNAME]`` / ``revoke PREFIX``.

The secret is printed once, at creation; only its SHA-256 is kept.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from gongzhi.api.models import ApiToken
from gongzhi.api.services import PREFIX_LENGTH, TokenError, api_token_create, api_token_revoke, hash_secret


class Command(BaseCommand):
    help = _("管理个人 API 令牌：create（创建，密钥只显示一次）、list（列出）、revoke（吊销）。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help=_("为用户创建令牌"))
        create.add_argument("username")
        create.add_argument("--name", required=True, help=_("令牌名称，例如对接的系统名"))
        listing = sub.add_parser("list", help=_("列出令牌（不含密钥）"))
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help=_("吊销令牌"))
        revoke.add_argument("prefix", help=_("令牌前缀（list 中显示），或完整令牌"))

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    def _create(self, *, username, name, **_options):
        user = self._user(username)
        try:
            token, secret = api_token_create(user=user, name=name)
        except TokenError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            _("已为 %(user)s 创建令牌“%(name)s”。请立即保存，它不会再次显示：")
            % {"user": user.username, "name": token.name}
        )
        self.stdout.write(secret)

    def _list(self, *, username=None, **_options):
        tokens = ApiToken.objects.select_related("user")
        if username:
            tokens = tokens.filter(user=self._user(username))
        for t in tokens:
            state = _("已吊销") if t.revoked else _("有效")
            last = localtime(t.last_used).isoformat(timespec="seconds") if t.last_used else "-"
            created = localtime(t.created).isoformat(timespec="seconds")
            self.stdout.write(f"{t.key_prefix}\t{t.user.username}\t{t.name}\t{state}\t{created}\t{last}")

    def _revoke(self, *, prefix, **_options):
        if len(prefix) > PREFIX_LENGTH:  # the whole secret: match it exactly
            matches = list(ApiToken.objects.filter(key_hash=hash_secret(prefix)))
        else:
            matches = list(ApiToken.objects.filter(key_prefix=prefix))
        if len(matches) != 1:
            raise CommandError(_("找不到前缀为 %(prefix)s 的唯一令牌。") % {"prefix": prefix})
        token = api_token_revoke(token=matches[0])
        self.stdout.write(
            _("令牌 %(prefix)s（%(name)s）已吊销。") % {"prefix": token.key_prefix, "name": token.name}
        )

    def _user(self, username):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(_("用户 %(user)s 不存在。") % {"user": username}) from None

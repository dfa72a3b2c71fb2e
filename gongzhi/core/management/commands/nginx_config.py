"""``gongzhi nginx_config``: print the nginx site for this server (core/deploy.py, deploy/nginx/)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.core.deploy import nginx_values, render_nginx


class Command(BaseCommand):
    help = "输出本服务器的 nginx 站点配置（deploy/nginx/gongzhi.conf 填入本机的值）。"

    def add_arguments(self, parser):
        parser.add_argument("--server-name", required=True, help=_("对外的主机名，如 gongzhi.example.gov.cn"))
        parser.add_argument("--tls-cert", required=True, help=_("证书链文件（PEM）"))
        parser.add_argument("--tls-key", required=True, help=_("证书私钥文件（PEM）"))
        parser.add_argument(
            "--upstream", default="127.0.0.1:8000", help=_("gunicorn 的地址（gongzhi serve）")
        )
        parser.add_argument("--http-listen", default="80")
        parser.add_argument("--https-listen", default="443")
        parser.add_argument("--access-log", default="/var/log/nginx/gongzhi.access.log")

    def handle(self, *args, **options):
        values = nginx_values(
            server_name=options["server_name"],
            tls_cert=options["tls_cert"],
            tls_key=options["tls_key"],
            upstream=options["upstream"],
            http_listen=options["http_listen"],
            https_listen=options["https_listen"],
            access_log=options["access_log"],
        )
        try:
            self.stdout.write(render_nginx(values), ending="")
        except (KeyError, ValueError) as error:
            raise CommandError(_("无法生成 nginx 配置：%(error)s") % {"error": error}) from error

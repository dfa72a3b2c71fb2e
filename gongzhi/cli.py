"""The ``gongzhi`` command: Django's management commands under the product's name.

gongzhi migrate      create/upgrade the database
gongzhi demo         load the demo street (idempotent) and print the demo logins
gongzhi serve        serve at http://127.0.0.1:8000
gongzhi check        the data-health report (数据体检; the ``datacheck`` command): exit 1 on errors
gongzhi check --system   Django's system check (what ``manage.py check`` does)
gongzhi <command>    any other management command (createsuperuser, import_registry …)
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongzhi", *command_line(sys.argv[1:])])


def command_line(args: list[str]) -> list[str]:
    """``check`` is the data-health report; ``check --system`` is Django's system check."""
    if args[:1] == ["check"]:
        if "--system" in args:
            return [arg for arg in args if arg != "--system"]
        return ["datacheck", *args[1:]]
    return args


if __name__ == "__main__":
    main()

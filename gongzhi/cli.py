"""The ``gongzhi`` command: Django's management commands under the product's name.

gongzhi migrate      create/upgrade the database
gongzhi demo         load the demo street (idempotent) and print the demo logins
gongzhi serve        serve at http://127.0.0.1:8000
gongzhi <command>    any other management command (createsuperuser, import_registry …)
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongzhi", *sys.argv[1:]])


if __name__ == "__main__":
    main()

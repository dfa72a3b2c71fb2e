"""The ``gongzhi`` command: Django's management commands under the product's name.

gongzhi migrate      create/upgrade the database
gongzhi demo         load the demo street (idempotent) and print the demo logins
gongzhi serve        serve at http://127.0.0.1:8000
gongzhi check        the data-health report (数据体检; the ``datacheck`` command): exit 1 on errors
gongzhi check --system   Django's system check (what ``manage.py check`` does)
gongzhi <command>    any other management command (createsuperuser, import_registry …)

Two file checks of the open contract (docs/DESIGN.md §6) start without Django — no settings, no database,
no web stack — so an outsider with only the package installed can run them, quickly:

gongzhi tally FILE            re-count a ballot file (voting/console.py)
gongzhi ledger verify FILE    check a ledger's hash chain (finance/console.py)

(``-`` for standard input.) They print, word for word, what the management commands print, and exit with
the same status. Any other form of these commands (``tally --export``, ``ledger verify --database``,
``--help``, Django's options) goes to the management command.
"""

import os
import sys


def _file_argument(args: list[str], verb: list[str]) -> str | None:
    """The FILE of ``<verb> FILE`` when ``args`` is exactly that (FILE may be ``-``), else None."""
    if len(args) != len(verb) + 1 or args[: len(verb)] != verb:
        return None
    path = args[-1]
    return path if path == "-" or (path and not path.startswith("-")) else None


def main() -> None:
    args = sys.argv[1:]
    if (path := _file_argument(args, ["tally"])) is not None:
        from gongzhi.voting.console import main as tally_main

        sys.exit(tally_main(path))
    if (path := _file_argument(args, ["ledger", "verify"])) is not None:
        from gongzhi.finance.console import main as verify_main

        sys.exit(verify_main(path))

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongzhi", *command_line(args)])


def command_line(args: list[str]) -> list[str]:
    """``check`` is the data-health report; ``check --system`` is Django's system check."""
    if args[:1] == ["check"]:
        if "--system" in args:
            return [arg for arg in args if arg != "--system"]
        return ["datacheck", *args[1:]]
    return args


if __name__ == "__main__":
    main()

"""``python -m mamoru COMMAND``: the same as ``python manage.py COMMAND``.

Commands with dashes (create-token, seed-demo) map to the management
commands of the same name with underscores. ``access-matrix`` is the project's
own (``mamoru.access_matrix``): it walks the whole URLconf, which no app may import."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamoru.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1 and argv[1] == "access-matrix":
        from mamoru.access_matrix import main as access_matrix

        sys.exit(access_matrix(argv[2:]))
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(["python -m mamoru", *argv[1:]])


if __name__ == "__main__":
    main()

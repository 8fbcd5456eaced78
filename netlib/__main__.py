"""``python -m netlib``: the same as the ``netlib`` command."""

from .cli import main

raise SystemExit(main())

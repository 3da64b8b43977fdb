"""The commands of the app, one module per kind: :mod:`.bounds` (list, show, eval, solve, plot),
:mod:`.crossover`, :mod:`.experiments` (``run`` and ``compare``, one verb per experiment family) and
:mod:`.data` (examples of every task).
Each exports ``COMMANDS``; :mod:`tbounds.cli.main` registers them, so no command imports the app."""

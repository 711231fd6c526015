"""The terminal front ends: the `rigfit` command line (cli.py), the console (console.py), `rigfit myrig` (myrig.py)
and the member-report commands (reports.py)."""

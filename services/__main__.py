"""`python -m services` runs the armswatch command."""

from services.cli import main

main()

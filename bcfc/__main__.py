"""`python -m bcfc`: the same command as `bcfc`."""
from bcfc.cli import main

main()

"""`python -m bcfc`: the same command as `bcfc`."""
from bcfc.entry import main

main()

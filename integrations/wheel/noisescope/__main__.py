"""``python -m noisescope ...`` runs the bundled binary."""

from . import main

main()

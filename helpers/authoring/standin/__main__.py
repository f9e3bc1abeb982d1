"""`python -m helpers.authoring.standin [--port N]`: serve the stand-in API until Ctrl-C."""
import sys

from .server import main

main(sys.argv[1:])

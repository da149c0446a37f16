import sys

from .validation import main

main(sys.argv[1:])

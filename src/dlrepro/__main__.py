import sys

from dlrepro.cli import main

sys.exit(main())

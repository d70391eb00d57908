import sys

from dangvu.cli import main

sys.exit(main())

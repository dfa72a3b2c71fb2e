#!/usr/bin/env python
"""List (check) or rewrite (fix FILE…) the ISO-shaped dates templates show as text: gongzhi/core/datelint.py."""

import sys

from gongzhi.core.datelint import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`make bench`: run every benchmark in bench/ and print figures with their ratios."""

import importlib
import pkgutil
import sys

import bench


def main() -> int:
    names = [m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")]
    wanted = sys.argv[1:] or names
    for name in wanted:
        print(f"\n== bench.{name}")
        importlib.import_module(f"bench.{name}").run()
    return 0


if __name__ == "__main__":
    sys.exit(main())

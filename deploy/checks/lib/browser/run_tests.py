"""Runs the browser tests (unittest) and prints a one-line summary; exit status 1 on any failure
or error, and also when no test ran (a filter that matches nothing is not a pass).

    python3 run_tests.py [unittest names or -k patterns]
"""

import sys
import time
import unittest

import page


def main(argv):
    loader = unittest.TestLoader()
    patterns = [a[3:] if a.startswith("-k=") else a for a in argv if a != "-k"]
    if patterns:
        loader.testNamePatterns = [p if "*" in p else f"*{p}*" for p in patterns]
    suite = loader.loadTestsFromName("test_plugin_manager")
    started = time.monotonic()
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stderr).run(suite)
    seconds = time.monotonic() - started
    bad = len(result.failures) + len(result.errors)
    print(
        f"browser tests: {result.testsRun} ran, {result.testsRun - bad - len(result.skipped)} passed, "
        f"{len(result.failures)} failed, {len(result.errors)} errors, {len(result.skipped)} skipped "
        f"in {seconds:.1f} s; screenshots in {page.ARTEFACTS}"
    )
    if result.testsRun == 0:
        print("browser tests: no test ran", file=sys.stderr)
        return 1
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

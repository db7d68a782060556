"""Runs the Python SDK's unittest suite for the Node test run (packages/gate/test/python-sdk.test.ts):
``--list`` prints the test ids as JSON; ``--json FILE`` runs them all and writes each one's outcome, so every
Python test is reported as its own test in the suite summary. ``python3 -m unittest discover`` works too."""

from __future__ import annotations

import json
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def suite() -> unittest.TestSuite:
    return unittest.defaultTestLoader.discover(str(ROOT / "tests"), top_level_dir=str(ROOT))


def ids(tests: unittest.TestSuite):
    for test in tests:
        if isinstance(test, unittest.TestSuite):
            yield from ids(test)
        else:
            yield test.id()


class RecordingResult(unittest.TextTestResult):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.outcomes: dict = {}

    def addSuccess(self, test) -> None:
        super().addSuccess(test)
        self.outcomes.setdefault(test.id(), {"outcome": "passed", "detail": ""})

    def addFailure(self, test, err) -> None:
        super().addFailure(test, err)
        self.outcomes[test.id()] = {"outcome": "failed", "detail": self._exc_info_to_string(err, test)}

    def addError(self, test, err) -> None:
        super().addError(test, err)
        self.outcomes[test.id()] = {"outcome": "failed", "detail": self._exc_info_to_string(err, test)}

    def addSkip(self, test, reason) -> None:
        super().addSkip(test, reason)
        self.outcomes[test.id()] = {"outcome": "skipped", "detail": reason}

    def addSubTest(self, test, subtest, err) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            self.outcomes[test.id()] = {"outcome": "failed", "detail": self._exc_info_to_string(err, test)}


def main() -> int:
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:] == ["--list"]:
        print(json.dumps(list(ids(suite()))))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "--json":
        runner = unittest.TextTestRunner(resultclass=RecordingResult, verbosity=2)
        result = runner.run(suite())
        Path(sys.argv[2]).write_text(json.dumps(result.outcomes, indent=2))
        return 0 if result.wasSuccessful() else 1
    print("usage: run.py --list | --json FILE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

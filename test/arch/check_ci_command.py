#!/usr/bin/python3
"""CI runs exactly the README's test command: the command in the code block
under "runs the whole test suite" in README.md is the one command .ci/run
executes, word for word: every other line of .ci/run is a comment."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def readme_test_command():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    m = re.search(r"runs the whole test suite[^\n]*\n+\s*```sh\n\s*(.+?)\n\s*```", text)
    return m.group(1).strip() if m else None


def ci_command():
    lines = [l.strip() for l in open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8")
             if l.strip() and not l.strip().startswith("#")]
    return "\n".join(lines)


def main():
    readme, ci = readme_test_command(), ci_command()
    if not readme:
        print("README.md: no test command under \"runs the whole test suite\"")
        return 1
    if readme != ci:
        print(f".ci/run runs {ci!r}, the README's test command is {readme!r}")
        return 1
    print(f"ok: .ci/run and README.md both run {ci!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Fill in the w3id.org redirect rules (docs/deploy/w3id/ugkg/) for one deployment, ready for a pull request.

The committed ``.htaccess`` and ``README.md`` name a deployment host that cannot exist
(``https://ugkg-deployment-host.invalid/``, a reserved name that never resolves) and placeholder contacts, so that
submitting them unchanged redirects nowhere rather than to a wrong site. This tool replaces the one
``UGKG_TARGET`` value (and, when given, the contacts) and writes the pair into a checkout of perma-id/w3id.org:

    tools/w3id-htaccess.py --target https://ugkg.example.net/ --maintainer "Ada Li" --github adali \\
        --out-dir ../w3id.org/ugkg

Without ``--out-dir`` it prints the ``.htaccess`` alone. Standard library only: it runs without the venv.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent.parent / "docs" / "deploy" / "w3id" / "ugkg"
PLACEHOLDER_TARGET = "https://ugkg-deployment-host.invalid/"
PLACEHOLDER_NAME = "UGKG-MAINTAINER-NAME"
PLACEHOLDER_GITHUB = "UGKG-MAINTAINER-GITHUB-USERNAME"


class TargetError(ValueError):
    """The target is not a URL Apache can put in a redirect as it stands."""


def checked_target(url: str) -> str:
    """An absolute http(s) URL ending in "/", without query, fragment, spaces or characters that would need
    quoting in an Apache directive (the rules append the path to it verbatim)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise TargetError(f"{url!r}: the target must be an absolute http:// or https:// URL")
    if parts.query or parts.fragment or not parts.path.endswith("/"):
        raise TargetError(f"{url!r}: the target must end in '/' and have no query or fragment (the path is appended to it)")
    if re.search(r"[\s\"'\\%$]", url):
        raise TargetError(f"{url!r}: the target may not contain spaces, quotes, backslashes, '%' or '$'")
    return url


def render(text: str, target: str, maintainer: str | None = None, github: str | None = None) -> str:
    """The committed file with the deployment (and contacts) filled in."""
    target = checked_target(target)
    if text.count(PLACEHOLDER_TARGET) == 0:
        raise TargetError("the template no longer names the placeholder target; regenerate from the committed file")
    text = text.replace(PLACEHOLDER_TARGET, target)
    if maintainer:
        text = text.replace(PLACEHOLDER_NAME, maintainer)
    if github:
        text = text.replace(PLACEHOLDER_GITHUB, github)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", required=True, help="the deployment's base URL, e.g. https://ugkg.example.net/ (absolute, ending in /)")
    parser.add_argument("--maintainer", help="the contact's name, written into both files")
    parser.add_argument("--github", help="the contact's GitHub username (w3id.org requires one)")
    parser.add_argument("--out-dir", type=Path, help="write .htaccess and README.md there (a checkout's ugkg/ directory); default: print the .htaccess")
    args = parser.parse_args(argv)
    try:
        files = {name: render((HERE / name).read_text(encoding="utf-8"), args.target, args.maintainer, args.github)
                 for name in (".htaccess", "README.md")}
    except TargetError as error:
        print(f"w3id-htaccess: {error}", file=sys.stderr)
        return 2
    if args.out_dir is None:
        sys.stdout.write(files[".htaccess"])
    else:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (args.out_dir / name).write_text(text, encoding="utf-8")
    left = [p for p in (PLACEHOLDER_NAME, PLACEHOLDER_GITHUB) if any(p in t for t in files.values())]
    if left:
        print(f"w3id-htaccess: fill in the contacts before submitting ({', '.join(left)}: --maintainer, --github)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

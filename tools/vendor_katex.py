"""Vendor KaTeX into docs/assets/vendor/katex so math renders offline.

Run once when upgrading KaTeX (not part of the build):

    npm pack katex@0.19.1          # or download the tarball from the registry
    python tools/vendor_katex.py katex-0.19.1.tgz

Kept: the minified script (run at build time by tools/katex.py and left
out of the site), the stylesheet, the WOFF2 fonts (every browser the site
supports reads WOFF2) and the licence.
The stylesheet's font lists are cut down to WOFF2 so that it never points
at a file we did not ship.
"""

import hashlib
import re
import sys
import tarfile
from pathlib import Path

VERSION = "0.19.1"
SHA256 = "24da5a599eb2fcede2e270b99a6ff48bca816beecc95feeb84e8cccbd1bb34fd"
DEST = Path(__file__).resolve().parents[1] / "docs/assets/vendor/katex"


def woff2_only(css: str) -> str:
    """Keep only the WOFF2 entry of each @font-face src list."""
    return re.sub(
        r"src:url\((fonts/[^)]+\.woff2)\) format\(\"woff2\"\)[^;}]*",
        r'src:url(\1) format("woff2")',
        css,
    )


def main(tarball: str) -> None:
    data = Path(tarball).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{tarball}: sha256 {digest}, expected {SHA256}")
    DEST.mkdir(parents=True, exist_ok=True)
    (DEST / "fonts").mkdir(exist_ok=True)
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/")
            keep = name in ("LICENSE", "dist/katex.min.js") or (
                name.startswith("dist/fonts/") and name.endswith(".woff2")
            )
            if name == "dist/katex.min.css":
                css = tar.extractfile(member).read().decode()
                (DEST / "katex.min.css").write_text(woff2_only(css))
            elif keep:
                target = DEST / name.removeprefix("dist/")
                target.write_bytes(tar.extractfile(member).read())
    (DEST / "VERSION").write_text(f"katex {VERSION} sha256 {SHA256}\n")
    print(f"vendored KaTeX {VERSION} into {DEST}")


main(sys.argv[1])

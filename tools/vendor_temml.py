"""Vendor Temml and the STIX Two Math font, so math renders offline.

Run once when upgrading either (not part of the build):

    npm pack temml@0.13.5 @fontsource/stix-two-math@5.3.0
    python tools/vendor_temml.py temml-0.13.5.tgz \\
        fontsource-stix-two-math-5.3.0.tgz

Temml (a fork of KaTeX that keeps only its MathML) turns TeX into MathML
Core at build time (tools/tex.py), which browsers lay out natively: one
element per symbol instead of KaTeX's HTML, which drew each formula a
second time in about three times as many spans.

Kept, in docs/assets/vendor/temml:
- temml.min.js, run at build time and left out of the site;
- Temml-STIX2.css, Temml's stylesheet for the STIX Two Math font, pointed
  at the subset the build writes (tools/tex.py, ``subset_font``) instead
  of a whole font or one installed on the reader's machine;
- stix-two-math.woff, the whole font (Fontsource's copy, with its OpenType
  MATH table, which lays out fractions, roots and stretchy brackets),
  read by the build and left out of the site;
- both licences (MIT; SIL Open Font License).
"""

import hashlib
import re
import sys
import tarfile
from pathlib import Path

TEMML = ("0.13.5",
         "bca5b76dd26d1d6c81f8d817f6cc8bf0f0a1a7787512e281d5c22b986f8ae582")
STIX = ("5.3.0",
        "948de1b5470fbbd745fedbe6135797454fe833d94feecc6f2073cd771fe2f5fd")
DEST = Path(__file__).resolve().parents[1] / "docs/assets/vendor/temml"
FONT = "stix-two-math.woff"  # the whole font; the site gets a subset
SUBSET = "STIXTwoMath.woff"  # written by the build, named by the CSS


def stix_css(css: str) -> str:
    """Temml's STIX stylesheet, its font pointed at the build's subset
    (not at a font the reader may have installed: the same page on every
    machine)."""
    new, n = re.subn(r"src: local\('STIXTwoMath'\),\s*url\('[^']+'\);",
                     f"src: url('{SUBSET}') format('woff');", css)
    if n != 1:
        raise SystemExit("Temml-STIX2.css changed: update vendor_temml.py")
    return new


def _checked(tarball: str, sha256: str) -> tarfile.TarFile:
    digest = hashlib.sha256(Path(tarball).read_bytes()).hexdigest()
    if digest != sha256:
        raise SystemExit(f"{tarball}: sha256 {digest}, expected {sha256}")
    return tarfile.open(tarball)


def _read(tar: tarfile.TarFile, name: str) -> bytes:
    return tar.extractfile(f"package/{name}").read()


def main(temml_tgz: str, stix_tgz: str) -> None:
    DEST.mkdir(parents=True, exist_ok=True)
    with _checked(temml_tgz, TEMML[1]) as tar:
        (DEST / "temml.min.js").write_bytes(_read(tar, "dist/temml.min.js"))
        (DEST / "Temml-STIX2.css").write_text(
            stix_css(_read(tar, "dist/Temml-STIX2.css").decode()))
        (DEST / "LICENSE").write_bytes(_read(tar, "LICENSE"))
    with _checked(stix_tgz, STIX[1]) as tar:
        (DEST / FONT).write_bytes(
            _read(tar, "files/stix-two-math-latin-400-normal.woff"))
        (DEST / "OFL.txt").write_bytes(_read(tar, "LICENSE"))
    (DEST / "VERSION").write_text(
        f"temml {TEMML[0]} sha256 {TEMML[1]}\n"
        f"@fontsource/stix-two-math {STIX[0]} sha256 {STIX[1]}\n")
    print(f"vendored Temml {TEMML[0]} and STIX Two Math into {DEST}")


if __name__ == "__main__":
    main(*sys.argv[1:3])

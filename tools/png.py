"""Data-URI PNGs made lighter: figures embedded in notebook pages and the
rasterized crowds of SVG figures (tools/notebook_html.py, tools/figures.py).
"""

import base64
import io


def lighter_png(src: str) -> str:
    """A data-URI PNG re-encoded with a 256-colour palette, if smaller."""
    from PIL import Image

    prefix = "data:image/png;base64,"
    if not src.startswith(prefix):
        return src
    image = Image.open(io.BytesIO(base64.b64decode(src[len(prefix):])))
    if image.mode == "P":
        return src  # already a palette image
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")
    # Pillow quantizes RGBA only by octree; median cut is better for RGB
    method = (Image.Quantize.FASTOCTREE if image.mode == "RGBA"
              else Image.Quantize.MEDIANCUT)
    small = image.quantize(colors=256, method=method,
                           dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    encoded = prefix + base64.b64encode(out.getvalue()).decode()
    return encoded if len(encoded) < len(src) else src

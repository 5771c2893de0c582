/**
 * SVG → PNG with resvg and a font loaded from a known file, so the PNG does not depend on whatever fonts
 * a machine happens to have configured.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Resvg } from "@resvg/resvg-js";

/**
 * DejaVu Sans Condensed: close to the Helvetica metrics Graphviz sizes boxes with, so text fits its
 * box. Debian/Ubuntu ship it in fonts-dejavu-core (present on GitHub's ubuntu runners).
 */
const FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF", "/usr/local/share/fonts"];
const FONT_FILES = ["DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"];
export const PNG_FONT_FAMILY = "DejaVu Sans";

export function fontFiles(dirs: readonly string[] = FONT_DIRS): string[] {
  const dir = dirs.find((d) => FONT_FILES.every((f) => fs.existsSync(path.join(d, f))));
  if (!dir) {
    throw new Error(
      `PNG rendering needs ${FONT_FILES.join(" and ")} in one of ${dirs.join(", ")}; ` +
        "install them (Debian/Ubuntu: apt-get install fonts-dejavu-core) or pass --no-png to write only SVG and Mermaid",
    );
  }
  return FONT_FILES.map((f) => path.join(dir, f));
}

export function svgToPng(svg: string, fonts: readonly string[], zoom = 1.5): Buffer {
  const resvg = new Resvg(svg, {
    font: { fontFiles: [...fonts], loadSystemFonts: false, defaultFontFamily: PNG_FONT_FAMILY, sansSerifFamily: PNG_FONT_FAMILY },
    fitTo: { mode: "zoom", value: zoom },
    background: "white",
  });
  return resvg.render().asPng();
}

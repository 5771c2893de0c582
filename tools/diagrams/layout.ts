/** Layout, offline: Graphviz compiled to WebAssembly turns DOT into SVG (an ES module, so kept apart from the rest). */
import { Graphviz } from "@hpcc-js/wasm-graphviz";

let graphviz: Promise<Graphviz> | undefined;

export async function dotToSvg(dot: string): Promise<string> {
  graphviz ??= Graphviz.load();
  return (await graphviz).dot(dot, "svg");
}

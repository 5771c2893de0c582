// Preloaded into the app process by the benchmark (NODE_OPTIONS=--require): records the process's
// peak resident memory when it exits, so the benchmark reports the synth's memory, not that of npx.
const fs = require("node:fs");
const target = process.env.BENCH_RSS_FILE;
if (target && /run\.cjs$|main\.ts$/.test(process.argv[1] || "")) {
  process.on("exit", () => fs.writeFileSync(target, String(process.resourceUsage().maxRSS)));
}

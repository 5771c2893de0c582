// The cdktf app command (cdktf.json "app"): runs main.ts as one prebuilt bundle, fast.
//
// A stock cdktf project type-checks main.ts and the provider bindings on every synth (ts-node),
// which costs many seconds. Here type checking is `npm run typecheck`'s job; this launcher rebuilds
// dist/app.cjs with esbuild only when a source is newer than it, then runs it through a V8 code
// cache so even the compile of cdktf and the bindings is mostly skipped. Plain CommonJS on purpose:
// it must start without a TypeScript loader.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const Module = require("node:module");

const root = path.resolve(__dirname, "..", "..");
const bundle = path.join(root, "dist", "app.cjs");
const cacheFile = `${bundle}.cache`;

/** Newest modification time under the app's inputs: our sources (tools/app holds the synth summary), the bindings and the dependency lock. */
function newestInput() {
  let newest = 0;
  const visit = (p) => {
    const stat = fs.statSync(p, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p)) visit(path.join(p, entry));
    } else if (/\.(ts|json)$/.test(p)) {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const input of ["main.ts", "constructs", "tools/app", ".gen", "package-lock.json"]) visit(path.join(root, input));
  return newest;
}

/** Stops with what is missing from the environment and how to get it, instead of a module-loading stack trace. */
function fail(problem, fix) {
  process.stderr.write(`synth: ${problem}; ${fix}. Nothing was synthesized.\n`);
  process.exit(1);
}

/** What the build needs that a fresh clone or an old Node lacks. */
function checkEnvironment() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 20) fail(`Node ${process.versions.node} is too old, this project needs Node 20 or newer (package.json "engines")`, "install Node 20 and run npm ci");
  for (const dependency of ["esbuild", "cdktf"]) {
    try {
      require.resolve(dependency);
    } catch {
      fail(`the dependencies are not installed (no ${dependency} in node_modules)`, "run npm ci");
    }
  }
  if (!fs.existsSync(path.join(root, ".gen", "providers"))) {
    fail("the provider bindings are missing (.gen/providers)", "run npm run get (npm ci runs it too)");
  }
}

/** Builds to a temporary file and renames it, so concurrent synths (parallel test workers) never read half a bundle. */
function build() {
  checkEnvironment();
  const tmp = `${bundle}.${process.pid}.tmp`;
  try {
    require("esbuild").buildSync({
      entryPoints: [path.join(root, "main.ts")],
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      outfile: tmp,
      logLevel: "warning",
    });
  } catch {
    // esbuild has printed each error with its file and line (logLevel); its exception only repeats them.
    fs.rmSync(tmp, { force: true });
    process.exit(1);
  }
  fs.rmSync(cacheFile, { force: true });
  fs.renameSync(tmp, bundle);
}

// cdktf records a full stack trace for every token it creates, only to name the creation site if the
// token later fails to resolve; formatting those traces took ~15% of a 1,000-worker synth. Plain
// objects (cdktf's trace holders) get an empty trace; real Errors keep theirs.
Error.prepareStackTrace = (target, frames) =>
  target instanceof Error ? `${target}\n    at ${frames.join("\n    at ")}` : "";
// Synth allocates many short-lived objects; a larger young generation halves the scavenges.
require("node:v8").setFlagsFromString("--max-semi-space-size=32");

const built = fs.statSync(bundle, { throwIfNoEntry: false });
if (!built || built.mtimeMs < newestInput()) build();

const source = fs.readFileSync(bundle, "utf8");
const cachedData = fs.existsSync(cacheFile) ? fs.readFileSync(cacheFile) : undefined;
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
if (cachedData === undefined || script.cachedDataRejected) {
  // After the run the cache also holds the functions synth compiled lazily.
  process.on("exit", () => {
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    } catch {
      // A cache is only an optimisation.
    }
  });
}
const mod = new Module(bundle, module);
mod.filename = bundle;
mod.paths = Module._nodeModulePaths(path.dirname(bundle));
script.runInThisContext().call(mod.exports, mod.exports, (id) => mod.require(id), mod, bundle, path.dirname(bundle));

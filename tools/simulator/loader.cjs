// Starts the bundled provider simulator with a V8 code cache beside it
// (simulator.cjs.cache), which saves compile time at every plugin start.
// Copied next to the bundle by build.ts; plain CommonJS on purpose.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const Module = require("node:module");

const file = path.join(__dirname, "simulator.cjs");
const cacheFile = `${file}.cache`;
const source = fs.readFileSync(file, "utf8");
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
const mod = { exports: {}, id: file, filename: file, loaded: false };
script.runInThisContext().call(mod.exports, mod.exports, require, mod, file, __dirname);
if (cachedData === undefined || script.cachedDataRejected) {
  // Write the cache once start-up has compiled what it needs.
  setTimeout(() => {
    try {
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    } catch {
      /* a cache is only an optimisation */
    }
  }, 300).unref();
}

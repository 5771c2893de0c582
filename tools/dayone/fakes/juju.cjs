#!/usr/bin/env node
/**
 * Fake `juju` (3.x CLI) over the world's model: status, run (charm actions of vault and keystone), exec, ssh.
 * Output shapes and refusals follow juju/juju and the charms; README.md in this folder cites each.
 */
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { load, save, stdin, record, secrets, fail, sha256 } = require("./fake-world.cjs");

const argv = process.argv.slice(2);
const sub = argv[0];
// juju ssh hands its stdin to the remote command, so it is read there, not here.
const input = sub === "ssh" ? undefined : stdin();
record("juju", argv, input);
const world = load();

/** gnuflag-style flags before the positionals; value flags take the next argument or =value. */
function parse(args, valueFlags, stopAtPositional) {
  const flags = {};
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      positional.push(...args.slice(i + 1));
      break;
    }
    const m = /^--?([a-z-]+)(?:=(.*))?$/.exec(a);
    if (m && (positional.length === 0 || !stopAtPositional)) {
      if (!(m[1] in valueFlags)) fail(`ERROR option provided but not defined: ${a.split("=")[0]}`, 2);
      flags[m[1]] = m[2] !== undefined ? m[2] : valueFlags[m[1]] ? args[++i] : "true";
    } else {
      positional.push(a);
      if (stopAtPositional) {
        positional.push(...args.slice(i + 1));
        break;
      }
    }
  }
  if (flags.m !== undefined && flags.m !== world.juju.model) fail(`ERROR model ${flags.m} not found`, 1);
  return { flags, positional };
}

/** The charm's actions (name: [parameters, required]): charm-vault stable/1.8 src/actions.yaml, charm-keystone stable/2024.1 actions.yaml. */
const ACTIONS = {
  vault: {
    "authorize-charm": [["token"], ["token"]],
    "get-root-ca": [[], []],
    "generate-root-ca": [["ttl", "allow-any-name", "allowed-domains", "allow-bare-domains", "allow-subdomains", "allow-glob-domains", "enforce-hostnames", "max-ttl"], []],
  },
  keystone: { "get-admin-password": [[], []] },
};

function unitsOf(app) {
  return world.juju.applications[app] ? Object.keys(world.juju.applications[app].units || {}) : [];
}

function resolveUnit(target) {
  const [app, n] = target.split("/");
  if (n === "leader") {
    const leader = unitsOf(app).find((u) => world.juju.applications[app].units[u].leader);
    if (!leader) fail(`ERROR could not determine leader for "${app}"`, 1);
    return leader;
  }
  if (!unitsOf(app).includes(target)) fail(`ERROR unit "${target}" not found`, 1);
  return target;
}

const isLeader = (unit) => Boolean(world.juju.applications[unit.split("/")[0]].units[unit].leader);

/** Vault's workload status as the charm sets it (charm-vault stable/1.8 reactive/vault_handlers.py, _assess_status). */
function vaultWorkload(unit) {
  const v = world.vault;
  if (!v.initialized) return { current: "blocked", message: "Vault needs to be initialized" };
  if (v.units[unit].sealed) return { current: "blocked", message: "Unit is sealed" };
  if (!v.authorized) return { current: "blocked", message: "Vault charm not yet authorized: run authorize-charm action." };
  if (!v.rootCa && isLeader(unit)) return { current: "blocked", message: "Missing CA cert" };
  return { current: "active", message: "Unit is ready (active: true, mlock: disabled)" };
}

function status() {
  const applications = JSON.parse(JSON.stringify(world.juju.applications));
  for (const unit of Object.keys(applications.vault?.units || {})) applications.vault.units[unit]["workload-status"] = vaultWorkload(unit);
  return { model: { name: world.juju.model.split(":")[1], controller: world.juju.model.split(":")[0] }, machines: world.juju.machines, applications };
}

function task(unit, result) {
  world.juju.tasks = (world.juju.tasks || 0) + 1;
  save(world);
  return { [unit]: { id: String(world.juju.tasks), ...result, unit } };
}

const VAULT_PEM = "-----BEGIN CERTIFICATE-----\nMIIFakeRootCAForTheDayOneTests\n-----END CERTIFICATE-----";

/** What the charms' action code does (charm-vault src/actions/actions.py, charm-keystone actions/admin_password.py). */
function runAction(unit, action, params) {
  const v = world.vault;
  const failed = (message) => ({ status: "failed", message, results: { "return-code": 0 } });
  const done = (results) => ({ status: "completed", results: { ...results, "return-code": 0 } });
  switch (action) {
    case "authorize-charm": {
      if (!isLeader(unit)) return failed("Please run action on lead unit");
      if (v.units[unit].sealed) return failed("hvac.exceptions.VaultDown: Vault is sealed");
      const token = v.tokens[sha256(String(params.token))];
      if (!token || token.revoked) return failed("hvac.exceptions.Forbidden: permission denied");
      v.authorized = true;
      save(world);
      return done({});
    }
    case "get-root-ca":
      // leader_get('root-ca') is None until a CA exists; action-set writes it as the string "None".
      return done({ output: v.rootCa || "None" });
    case "generate-root-ca":
      if (!isLeader(unit)) return failed("Please run action on lead unit");
      if (!v.authorized) return failed("Vault is not ready (charm not authorized)");
      if (v.rootCa) return failed("PKI CA already configured");
      v.rootCa = VAULT_PEM;
      save(world);
      return done({ output: v.rootCa });
    case "get-admin-password":
      return done({ "admin-password": secrets.keystonePassword() });
  }
  return failed(`fake juju: action ${action} is not simulated`);
}

function readParams(file) {
  // cmd/juju/action/run.go reads --params with a plain FileVar: no "-" for stdin, a path is opened as a file.
  const full = path.resolve(file);
  if (full === "/dev/stdin") return input.toString();
  if (!fs.existsSync(full)) fail(`ERROR open ${full}: no such file or directory`, 1);
  return fs.readFileSync(full, "utf8");
}

function execOnUnit(unit, command) {
  const app = unit.split("/")[0];
  if (command === "leader-get local-charm-access-id" && app === "vault") return { code: 0, stdout: world.vault.authorized ? "fake-approle-role-id\n" : "\n" };
  if (command === "network-get public --ingress-address" && world.juju.networkGet?.[unit]) return { code: 0, stdout: world.juju.networkGet[unit] + "\n" };
  if (command === "ceph status --format json" && app === "ceph-mon") return { code: 0, stdout: JSON.stringify(world.ceph) + "\n" };
  return { code: 127, stdout: "", stderr: `sh: 1: ${command.split(" ")[0]}: not found\n` };
}

switch (sub) {
  case "status": {
    parse(argv.slice(1), { m: true, format: true }, false);
    process.stdout.write(JSON.stringify(status()) + "\n");
    break;
  }

  case "run": {
    const { flags, positional } = parse(argv.slice(1), { m: true, format: true, wait: true, params: true, "string-args": false }, false);
    const [target, action, ...kv] = positional;
    const unit = resolveUnit(target);
    const spec = ACTIONS[unit.split("/")[0]]?.[action];
    const params = flags.params ? Object.fromEntries(readParams(flags.params).split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf(":")), JSON.parse(l.slice(l.indexOf(":") + 1))])) : {};
    for (const pair of kv) params[pair.slice(0, pair.indexOf("="))] = pair.slice(pair.indexOf("=") + 1);
    // Juju validates params against the action's schema (additionalProperties false) when it enqueues the
    // task; a task that cannot be scheduled is reported on stderr and the command still exits 0.
    const errors = [];
    if (!spec) errors.push(`action "${action}" not defined on unit "${unit}"`);
    else {
      for (const key of Object.keys(params)) if (!spec[0].includes(key)) errors.push(`(root): Additional property ${key} is not allowed`);
      for (const key of spec[1]) if (!(key in params)) errors.push(`(root): ${key} is required`);
    }
    if (errors.length) {
      process.stderr.write(`Operation ${(world.juju.tasks || 0) + 1} failed to schedule any tasks:\nvalidation failed: ${errors.join("; ")}\n`);
      break;
    }
    const out = task(unit, runAction(unit, action, params));
    // cmd/juju/action/common.go processOperationResults: progress goes to stderr, the results to stdout.
    process.stderr.write(`Running operation ${out[unit].id} with 1 task\n  - task ${out[unit].id} on unit-${unit.replace("/", "-")}\n\nWaiting for task ${out[unit].id}...\n`);
    process.stdout.write((flags.format === "json" ? JSON.stringify(out) : JSON.stringify(out, null, 2)) + "\n");
    break;
  }

  case "exec": {
    const { flags, positional } = parse(argv.slice(1), { m: true, format: true, unit: true, wait: true }, false);
    const unit = resolveUnit(flags.unit);
    const result = execOnUnit(unit, positional.join(" "));
    const out = task(unit, { status: "completed", results: { "return-code": result.code, stdout: result.stdout, ...(result.stderr ? { stderr: result.stderr } : {}) } });
    process.stdout.write(JSON.stringify(out) + "\n");
    if (result.code !== 0) fail(`ERROR the following task failed:\n - id "${out[unit].id}" with return code ${result.code}\n\nuse 'juju show-task' to inspect the failure\n`, 1);
    break;
  }

  case "ssh": {
    const { positional } = parse(argv.slice(1), { m: true, pty: false }, true);
    const [target, ...command] = positional;
    const unit = resolveUnit(target);
    // The command runs on the unit as ubuntu: nothing of our environment goes with it, only the session's stdin.
    const remoteTmp = path.join(path.dirname(process.env.FAKE_WORLD), "remote-tmp");
    fs.mkdirSync(remoteTmp, { recursive: true });
    const env = {
      PATH: `${process.env.FAKE_BIN}:/usr/bin:/bin`,
      HOME: remoteTmp,
      TMPDIR: remoteTmp,
      FAKE_WORLD: process.env.FAKE_WORLD,
      FAKE_LOG: process.env.FAKE_LOG,
      FAKE_SEED: process.env.FAKE_SEED,
      FAKE_BIN: process.env.FAKE_BIN,
      FAKE_UNIT: unit,
    };
    const child = spawnSync("sh", ["-c", command.join(" ")], { env, stdio: ["inherit", "inherit", "inherit"] });
    process.exit(child.status ?? 1);
  }

  default:
    fail(`ERROR unrecognized command: juju ${sub} (not simulated by the fake)`, 2);
}

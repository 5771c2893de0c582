/**
 * Terraform state holds secrets in clear: no state file the project writes can be committed by `git add -A`, and
 * synth warns, with the fix, when the local state folder sits in a work tree that does not ignore it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { localStateFolder } from "../../constructs/site";
import { ROOT, STACKS, appScript, defaultSite, synth, tempDirsRemovedAfterAll, type SiteData, type Synth } from "../e2e/harness";
import { siteWith } from "../helpers/sites";

/** Temporary folders, removed after the file's tests. */
const tempDir = tempDirsRemovedAfterAll();

const git = (cwd: string, ...args: string[]) => {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
};

function gitRepo(prefix: string, gitignore?: string): string {
  const dir = tempDir(prefix);
  git(dir, "init", "-q");
  if (gitignore !== undefined) fs.writeFileSync(path.join(dir, ".gitignore"), gitignore);
  return dir;
}

/** The state file of a synthesized stack, where its local backend will write it. */
function statePath(s: Synth, stack: (typeof STACKS)[number]): string {
  const backend = (s.json(stack).terraform as { backend: { local: { path: string } } }).backend.local;
  return path.resolve(s.dir(stack), backend.path);
}

const stateWarning = (s: Synth): string[] => {
  const manifest = JSON.parse(fs.readFileSync(path.join(s.out, "manifest.json"), "utf8")) as { stacks: Record<string, { annotations: { message: string }[] }> };
  return Object.values(manifest.stacks).flatMap((m) => m.annotations.map((a) => a.message)).filter((m) => m.startsWith("state.directory:"));
};

describe("the local state folder", () => {
  it("is where the synthesized backends write, for a relative and an absolute state.directory", () => {
    const work = tempDir("state-folder");
    const absolute = path.join(work, "elsewhere");
    for (const state of [undefined, { backend: "local", directory: "tfstate" }, { backend: "local", directory: absolute }]) {
      const data: SiteData = defaultSite();
      if (state) data.state = state;
      const s = synth(appScript(), path.join(work, String(state?.directory ?? "default")), data);
      const folder = localStateFolder(siteWith((d) => (d.state = data.state)), s.out);
      for (const stack of STACKS) expect(statePath(s, stack)).toBe(path.join(folder!, `${stack}.tfstate`));
    }
    expect(localStateFolder(siteWith(() => undefined), "/srv/site/cdktf.out")).toBe("/srv/site/state/guia-implantacao");
    expect(localStateFolder(siteWith((d) => (d.state = { backend: "local", directory: absolute })), "/srv/site/cdktf.out")).toBe(path.join(absolute, "guia-implantacao"));
    expect(localStateFolder(siteWith((d) => (d.state = { backend: "pg" })), "/srv/site/cdktf.out")).toBeUndefined();
  });
});

describe("git add -A with the project's .gitignore", () => {
  it("adds no state file, backup, lock or saved plan, wherever the project writes them", () => {
    const repo = gitRepo("gitignore", fs.readFileSync(path.join(ROOT, ".gitignore"), "utf8"));
    // The app run in the repo as `npm run synth` runs it: output in cdktf.out/, the default state folder beside it.
    fs.writeFileSync(path.join(repo, "site.json"), JSON.stringify(defaultSite()));
    const out = path.join(repo, "cdktf.out");
    const r = spawnSync("node", [appScript()], { cwd: ROOT, encoding: "utf8", env: { ...process.env, SITE: path.join(repo, "site.json"), CDKTF_OUTDIR: out } });
    expect(r.status).toBe(0);
    const dir = (stack: string) => path.join(out, "stacks", stack);
    const s: Synth = { out, dir, json: (stack) => JSON.parse(fs.readFileSync(path.join(dir(stack), "cdk.tf.json"), "utf8")) };
    const secret = "IPMI password in clear";
    const written: string[] = [];
    const write = (file: string) => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, secret);
      written.push(path.relative(repo, file));
    };
    for (const stack of STACKS) {
      const state = statePath(s, stack);
      write(state);
      write(`${state}.backup`);
      write(path.join(path.dirname(state), `.${path.basename(state)}.lock.info`));
      write(path.join(s.dir(stack), ".terraform", "terraform.tfstate"));
      write(path.join(s.dir(stack), `plan.tfplan`));
    }
    write(path.join(repo, "cdktf.out", "plans", "substrate.tfplan"));
    write(path.join(repo, "terraform.tfstate"));
    write(path.join(repo, "tools", "scratch", "copy.tfstate"));
    write(path.join(repo, "p.tfplan"));
    expect(written.filter((f) => f.startsWith("state/"))).toHaveLength(3 * STACKS.length);

    const added = git(repo, "add", "-A", "--dry-run").trim().split("\n");
    expect(added).toEqual(["add '.gitignore'", "add 'site.json'"]);
    expect(stateWarning(s)).toEqual([]);
  });
});

describe("synth warns when git would commit the local state", () => {
  it("in a work tree that does not ignore the state folder: the warning names the folder and the fixes", () => {
    const repo = gitRepo("state-unignored");
    const s = synth(appScript(), repo, defaultSite());
    const [warning, ...more] = stateWarning(s);
    expect(more).toEqual([]);
    expect(warning).toContain(`the local state goes to ${path.relative(ROOT, path.join(repo, "state", "guia-implantacao"))}/, inside the git work tree ${fs.realpathSync(repo)}`);
    expect(warning).toContain('"git add -A" would commit the IPMI passwords, LXD keys and Juju admin password');
    expect(warning).toContain('Add "/state/" to .gitignore, set state.directory to a folder outside the work tree, or use a remote backend');
  });

  it("names the configured folder in the fix, and is silent once .gitignore covers it", () => {
    const repo = gitRepo("state-custom");
    const site: SiteData = defaultSite();
    site.state = { backend: "local", directory: "secrets/tf" };
    expect(stateWarning(synth(appScript(), repo, site))[0]).toContain('Add "/secrets/tf/" to .gitignore');
    fs.writeFileSync(path.join(repo, ".gitignore"), "/secrets/\n");
    expect(stateWarning(synth(appScript(), repo, site))).toEqual([]);
  });

  it("is silent outside any work tree, and for a folder outside the work tree or a remote backend", () => {
    const plain = tempDir("state-no-git");
    expect(stateWarning(synth(appScript(), plain, defaultSite()))).toEqual([]);
    const repo = gitRepo("state-outside");
    const outside: SiteData = defaultSite();
    outside.state = { backend: "local", directory: tempDir("state-abs") };
    expect(stateWarning(synth(appScript(), repo, outside))).toEqual([]);
    const remote: SiteData = defaultSite();
    remote.state = { backend: "pg" };
    expect(stateWarning(synth(appScript(), repo, remote))).toEqual([]);
  });
});

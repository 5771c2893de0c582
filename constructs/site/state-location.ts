/**
 * Where the local backend writes state, and whether git would commit it. State holds the IPMI passwords, the LXD
 * client key and the Juju admin password in clear, so a state folder inside a work tree that git does not ignore is
 * one `git add -A` away from a leak. Checked at the edge (it asks git), reported as a synth warning.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Site } from "./model";

/**
 * The folder the local backend keeps this site's state in, or undefined for a remote backend. A relative
 * `state.directory` is resolved from the folder holding the output folder, as constructs/common/backend.ts writes it.
 */
export function localStateFolder(site: Site, outdir: string): string | undefined {
  if (site.state.backend !== "local") return undefined;
  return path.resolve(path.dirname(path.resolve(outdir)), site.state.directory, site.name);
}

/** The warning, with the fix, when git would pick up the state files of these stacks; undefined when it would not. */
export function unignoredStateWarning(site: Site, outdir: string, stacks: readonly string[]): string | undefined {
  const configured = localStateFolder(site, outdir);
  if (!configured) return undefined;
  let existing = configured;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  // git answers with real paths; the folder may not exist yet, so only its existing part is resolved.
  const folder = path.join(fs.realpathSync(existing), path.relative(existing, configured));
  const git = (args: string[]) => spawnSync("git", args, { cwd: existing, encoding: "utf8" });
  const top = git(["rev-parse", "--show-toplevel"]);
  // Not in a work tree (or no git): nothing can add the files by accident.
  if (top.status !== 0) return undefined;
  const files = stacks.flatMap((s) => [`${s}.tfstate`, `${s}.tfstate.backup`].map((f) => path.join(folder, f)));
  const ignored = new Set(git(["check-ignore", ...files]).stdout.split("\n"));
  if (files.every((f) => ignored.has(f))) return undefined;
  const root = top.stdout.trim();
  // Ignore the whole state directory (every site's folder in it), unless it is the work tree itself.
  const entry = path.relative(root, path.dirname(folder)) || path.relative(root, folder);
  return (
    `state.directory: the local state goes to ${path.relative(process.cwd(), configured) || "."}/, inside the git work tree ${root}, ` +
    `and git does not ignore it: "git add -A" would commit the IPMI passwords, LXD keys and Juju admin password its state files hold. Add "/${entry}/" to .gitignore, set state.directory to a folder outside ` +
    `the work tree, or use a remote backend (state.backend: s3, pg or http)`
  );
}

/**
 * The simulated "real world" of one provider: a JSON file
 * `$SIM_WORLD_DIR/<provider>.json` (format in ../README.md).
 *
 * Several plugin processes may share a file (one per provider configuration
 * alias, or concurrent Terraform runs), so every change is a locked
 * read-modify-write with an atomic rename.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export type WorldObject = Record<string, unknown>;

export interface WorldData {
  /** Last number handed out, per resource type. */
  counters: Record<string, number>;
  /** Objects per resource (or data source) type, keyed by id. */
  objects: Record<string, Record<string, WorldObject>>;
  /**
   * What the real system knows that no provider schema shows, for the twin's rules: a rack controller's
   * interfaces, where each MAC is cabled, a machine's status, LXD's server certificate and trust store.
   */
  facts: Record<string, unknown>;
}

export function emptyWorld(): WorldData {
  return { counters: {}, objects: {}, facts: {} };
}

export function worldFile(dir: string, provider: string): string {
  return path.join(dir, `${provider}.json`);
}

export function readWorldFile(file: string): WorldData {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return emptyWorld();
    throw e;
  }
  if (text.trim() === "") return emptyWorld();
  const data = JSON.parse(text) as Partial<WorldData>;
  return { counters: data.counters ?? {}, objects: data.objects ?? {}, facts: data.facts ?? {} };
}

export function writeWorldFile(file: string, data: WorldData): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(data, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Runs `fn` holding an exclusive lock on `file` (a sibling `.lock` file). */
export function withFileLock<T>(file: string, fn: () => T): T {
  const lock = `${file}.lock`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, "wx"));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      try {
        // A lock older than 10 s belongs to a process that died.
        if (Date.now() - fs.statSync(lock).mtimeMs > 10_000) fs.rmSync(lock, { force: true });
      } catch {
        /* vanished meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for lock ${lock}`);
      Atomics.wait(sleeper, 0, 0, 5);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

export class World {
  readonly file: string;
  constructor(dir: string, provider: string) {
    this.file = worldFile(dir, provider);
  }

  read(): WorldData {
    return readWorldFile(this.file);
  }

  /** Locked read-modify-write; `fn` mutates the data in place. */
  update<T>(fn: (w: WorldData) => T): T {
    return withFileLock(this.file, () => {
      const w = readWorldFile(this.file);
      const result = fn(w);
      writeWorldFile(this.file, w);
      return result;
    });
  }
}

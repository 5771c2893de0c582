/**
 * The openstack CLI with a given OS_* environment (credentials.ts). Its JSON output (`-f json`) is read from
 * the first bracket: `server create --wait` writes its progress ("\rProgress: 100") to stdout before the
 * server (python-openstackclient compute/v2/server.py, CreateServer.take_action).
 */
import { firstLines } from "./juju";
import type { Runner } from "./run";
import type { Secret } from "./secret";
import { UserError } from "./user-error";

export class OpenStack {
  constructor(
    private readonly run: Runner,
    private readonly env: Readonly<Record<string, string | Secret>>,
  ) {}

  /** Runs a command that prints a resource or a list, and returns it parsed. */
  json<T>(...args: string[]): T {
    const stdout = this.call(...args, "-f", "json");
    const start = stdout.search(/[[{]/);
    try {
      return JSON.parse(stdout.slice(start)) as T;
    } catch {
      throw new UserError(`openstack ${args.slice(0, 3).join(" ")} printed no JSON; is this python-openstackclient?`);
    }
  }

  /** Runs a command and returns its stdout; a failure's message is the client's own. */
  call(...args: string[]): string {
    const result = this.run({ program: "openstack", args, env: this.env });
    if (result.status !== 0) {
      const firstOption = args.findIndex((a) => a.startsWith("-"));
      throw new UserError(`openstack ${args.slice(0, firstOption < 0 ? args.length : firstOption).join(" ")}: ${firstLines(result.stderr, 4)}`);
    }
    return result.stdout;
  }
}

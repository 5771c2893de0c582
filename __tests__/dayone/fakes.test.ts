/**
 * The fakes refuse what the real CLIs refuse (tools/dayone/fakes/README.md cites each), and the runner keeps
 * secrets off command lines. These are the behaviours the day-one commands are built around.
 */
import { spawnSync } from "node:child_process";
import { Juju } from "../../tools/dayone/juju";
import { processRunner } from "../../tools/dayone/run";
import { Secret } from "../../tools/dayone/secret";
import { FakeCloud } from "./fake-cloud";

describe("fakes refuse like the real CLIs", () => {
  const cloud = new FakeCloud();
  const env = cloud.env(cloud.keyring("alice"));
  const onVault = (script: string, input = "") =>
    spawnSync("juju", ["ssh", "-m", "maas-controller:openstack", "--pty=false", "vault/0", `export VAULT_ADDR=http://127.0.0.1:8220; ${script}`], { env, input, encoding: "utf8" });
  afterAll(() => cloud.dispose());

  it("vault operator unseal will not read a piped key (it prompts on a terminal only)", () => {
    cloud.change((w) => Object.assign(w.vault, { initialized: true, t: 1, n: 1 }));
    const run = onVault("vault operator unseal", "not-a-terminal\n");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("usually this is because you attempted to pipe a value into the unseal command");
    expect(run.stderr).toContain("file descriptor 0 is not a terminal");
  });

  it("vault operator init on an initialised Vault returns Vault's error, exit 2", () => {
    const run = onVault("vault operator init -key-shares=1 -key-threshold=1 -format=json");
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("Error initializing: Error making API request.\n\nURL: PUT http://127.0.0.1:8220/v1/sys/init\nCode: 400. Errors:\n\n* Vault is already initialized\n");
  });

  it("vault without VAULT_ADDR talks HTTPS to the charm's plain listener and fails", () => {
    const run = spawnSync("juju", ["ssh", "-m", "maas-controller:openstack", "--pty=false", "vault/0", "vault status -format=json"], { env, encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("http: server gave HTTP response to HTTPS client");
  });

  it("juju ssh carries none of our environment to the unit, only stdin", () => {
    const run = spawnSync("juju", ["ssh", "-m", "maas-controller:openstack", "--pty=false", "vault/0", 'echo "token=${VAULT_TOKEN:-unset}"; cat'], {
      env: { ...env, VAULT_TOKEN: "from-our-env" },
      input: "from-stdin",
      encoding: "utf8",
    });
    expect(run.stdout).toBe("token=unset\nfrom-stdin");
  });

  it("a juju action with an unknown parameter is not scheduled; Juju says so on stderr and exits 0", () => {
    const juju = new Juju(processRunner(env), "maas-controller:openstack");
    expect(() => juju.action("vault/0", "authorize-charm", { tokn: "x" })).toThrow(
      "juju run vault/0 authorize-charm did not run: Operation 1 failed to schedule any tasks: validation failed: (root): Additional property tokn is not allowed; (root): token is required",
    );
    const raw = spawnSync("juju", ["run", "-m", "maas-controller:openstack", "vault/0", "authorize-charm", "tokn=x", "--format", "json"], { env, encoding: "utf8" });
    expect([raw.status, raw.stdout]).toEqual([0, ""]);
  });

  it("juju run --params - is a file named '-', not stdin", () => {
    const run = spawnSync("juju", ["run", "-m", "maas-controller:openstack", "vault/0", "authorize-charm", "--params", "-"], { env, input: "token: x\n", encoding: "utf8", cwd: cloud.work });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`ERROR open ${cloud.work}/-: no such file or directory\n`);
  });

  it("a failing action exits 0 with status failed; the Juju client turns it into a message", () => {
    const juju = new Juju(processRunner(env), "maas-controller:openstack");
    expect(() => juju.action("vault/0", "authorize-charm", {}, { token: new Secret("hvs.not-a-real-token") })).toThrow(
      "the authorize-charm action on vault/0 failed: hvac.exceptions.VaultDown: Vault is sealed; see juju show-task for details",
    );
  });

  it("the runner refuses to put a known secret on a command line", () => {
    const secret = new Secret("canary-9f2c1d");
    expect(() => processRunner(env)({ program: "echo", args: ["canary-9f2c1d"] })).toThrow("refusing to run echo with a secret on its command line");
    expect(`${secret}`).toBe("[secret]");
    expect(JSON.stringify({ secret })).toBe('{"secret":"[secret]"}');
  });
});

/**
 * openrc prints export lines that a shell evaluates; the fake openstack client then authenticates with them.
 * The admin password appears only in that output (for the shell), never in a file or on a command line.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { main as openrc } from "../../tools/dayone/openrc";
import { FakeCloud } from "./fake-cloud";

describe("openrc", () => {
  let cloud: FakeCloud;
  beforeEach(() => {
    cloud = new FakeCloud();
    cloud.readyVault();
  });
  afterEach(() => cloud.dispose());

  it("prints the admin's environment, which eval turns into a working openstack client", async () => {
    const run = await cloud.run(openrc, []);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const caFile = path.join(cloud.root, "home", ".config", "openstack", "guia-implantacao-root-ca.pem");
    expect(run.stdout.split("\n")).toEqual(
      expect.arrayContaining([
        "# OpenStack admin as admin on site guia-implantacao (https://203.0.113.50:5000/v3)",
        "unset OS_CLOUD",
        "export OS_AUTH_URL='https://203.0.113.50:5000/v3'",
        "export OS_USERNAME='admin'",
        "export OS_USER_DOMAIN_NAME='admin_domain'",
        "export OS_PROJECT_NAME='admin'",
        "export OS_PROJECT_DOMAIN_NAME='admin_domain'",
        "unset OS_PROJECT_ID",
        `export OS_CACERT='${caFile}'`,
      ]),
    );
    expect(fs.readFileSync(caFile, "utf8")).toContain("BEGIN CERTIFICATE");
    const password = cloud.secrets().find((s) => run.stdout.includes(s))!;
    expect(run.stdout).toContain(`export OS_PASSWORD='${password}'`);

    const shell = spawnSync("bash", ["-c", 'eval "$OPENRC" && openstack endpoint list -f json'], {
      env: { ...cloud.env(cloud.keyring()), OPENRC: run.stdout, OS_PROJECT_ID: "left-over-from-another-openrc" },
      encoding: "utf8",
    });
    expect(shell.stderr).toBe("");
    expect(shell.status).toBe(0);
    // Nothing but our own output holds the password: no file, no command line.
    expect(cloud.leaks().filter((where) => !where.startsWith("output"))).toEqual([]);
  });

  it("for a tenant user, scopes to the project and leaves the password for the client to ask", async () => {
    const run = await cloud.run(openrc, ["--project", "demo", "--user", "alice", "--user-domain", "tenants", "--project-domain", "tenants"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("export OS_PROJECT_NAME='demo'\nexport OS_PROJECT_DOMAIN_NAME='tenants'\n");
    expect(run.stdout).toContain("export OS_USERNAME='alice'\nunset OS_PASSWORD  # the openstack client asks for alice's password\nexport OS_USER_DOMAIN_NAME='tenants'\n");
    expect(cloud.calls("juju").some((c) => c.argv.includes("get-admin-password"))).toBe(false);
    expect(cloud.leaks()).toEqual([]);
  });

  it("refuses to show the admin password on a terminal", async () => {
    const run = await cloud.run(openrc, [], ["alice"], true);
    expect(run).toEqual({ code: 2, stdout: "", stderr: 'openrc: openrc prints the admin password for your shell to read, not for the screen; run eval "$(npm run -s openrc)"\n' });
    expect(cloud.calls()).toEqual([]);
  });
});

/**
 * verify: is the deployed cloud working, and if not, which layer to look at?
 *
 *   npm run verify -- [--site NAME|PATH] [--external-network NAME] [--image NAME] [--flavor NAME]
 *                     [--tenant-cidr CIDR] [--reach-timeout SECONDS] [--interfaces public[,internal,admin]]
 *                     [--no-smoke] [--auth-url URL]
 *
 * Checks, bottom up: the machines (substrate), every planned application and every unit active/idle (Juju
 * and charms), Ceph healthy with every OSD the site gives it, the API endpoints answering and the compute
 * services and network agents up, then a tenant's smoke test (smoke-test.ts). Defaults follow the cloud
 * stack's contract: external network `external`, flavor `m1.small`, image `ubuntu-<version>` of the site's
 * `openstack.base`. Progress is printed as it goes and a summary table at the end. Exit 0 only when every
 * check passed, 1 when any failed (the summary names the layer to look at first), 2 on bad input.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { segmentsFor } from "../../constructs/site";
import { CIDR_PATTERN } from "../../constructs/site/ipv4";
import { Checks } from "./checks";
import { type Context, deploymentOf, EXIT_FAILED, EXIT_USAGE, positiveNumber, processContext, runWithFlags, SITE_OPTION, siteFor } from "./cli";
import { ADMIN_DOMAIN, adminCredentials, openstackEnv, writeRootCa, type AdminCredentials } from "./credentials";
import { endpointsAnswer } from "./endpoint-probe";
import { applicationsPresent, cephHealthy, computeServicesUp, machinesStarted, networkAgentsAlive, unitsReady, type Endpoint } from "./health";
import { Juju, type JujuStatus } from "./juju";
import { OpenStack } from "./openstack";
import { smokeTest } from "./smoke-test";
import { UserError } from "./user-error";

const USAGE =
  "usage: npm run verify -- [--site NAME|PATH] [--external-network NAME] [--image NAME] [--flavor NAME] [--tenant-cidr CIDR] [--reach-timeout SECONDS] [--interfaces public[,internal,admin]] [--no-smoke] [--auth-url URL]";
const OPTIONS = {
  ...SITE_OPTION,
  "external-network": { type: "string", default: "external" },
  image: { type: "string" },
  flavor: { type: "string", default: "m1.small" },
  "tenant-cidr": { type: "string", default: "192.168.199.0/24" },
  "reach-timeout": { type: "string", default: "180" },
  interfaces: { type: "string", default: "public" },
  "no-smoke": { type: "boolean" },
  "auth-url": { type: "string" },
} as const;
const INTERFACES = ["public", "internal", "admin"];

export function main(argv: readonly string[], ctx: Context = processContext()): Promise<number> {
  return runWithFlags("verify", argv, OPTIONS, USAGE, ctx, async (values) => {
    const interfaces = values.interfaces.split(",").map((i) => i.trim());
    if (interfaces.some((i) => !INTERFACES.includes(i))) throw new UserError(`--interfaces takes ${INTERFACES.join(", ")} (comma-separated), got ${values.interfaces}`, EXIT_USAGE);
    if (!CIDR_PATTERN.test(values["tenant-cidr"])) throw new UserError(`--tenant-cidr must be an IPv4 CIDR such as 192.168.199.0/24, got ${values["tenant-cidr"]}`, EXIT_USAGE);
    const reachTimeoutSec = positiveNumber("reach-timeout", values["reach-timeout"])!;
    const site = siteFor(values.site, ctx);
    const plan = deploymentOf(site);
    const juju = new Juju(ctx.run, `${site.openstack.controller.name}:${site.openstack.model.name}`);
    const checks = new Checks(ctx.out);
    ctx.out(`verify: site ${site.name}, model ${juju.model}\n`);

    let status: JujuStatus | undefined;
    await checks.run("juju", "juju status from the controller", () => {
      status = juju.status();
      return `${Object.keys(status.applications).length} applications, ${Object.keys(status.machines).length} machines`;
    });
    const tmp = fs.mkdtempSync(path.join(ctx.env.TMPDIR ?? os.tmpdir(), "verify-"));
    try {
      if (!status) {
        for (const [layer, check] of [["substrate", "machines"], ["juju", "units"], ["ceph", "health"], ["api", "OpenStack APIs"], ["network", "tenant networking"]] as const) {
          checks.skip(layer, check, "needs juju status");
        }
      } else {
        const seen = status;
        await checks.run("substrate", "machines and containers started", () => machinesStarted(seen));
        await checks.run("juju", "planned applications deployed", () => applicationsPresent(seen, plan));
        await checks.run("juju", "units active/idle", () => unitsReady(seen));
        await checks.run("ceph", "cluster healthy, every OSD up and in", () => cephHealthy(juju, site));

        let creds: AdminCredentials | undefined;
        let caFile = "";
        await checks.run("api", "admin credentials and root CA from Juju", () => {
          creds = adminCredentials(juju, site, values["auth-url"]);
          caFile = writeRootCa(juju, path.join(tmp, "root-ca.pem"));
          return `admin at ${creds.authUrl}`;
        });
        if (!creds) {
          checks.skip("api", "OpenStack APIs", "needs the admin credentials");
          checks.skip("network", "tenant networking", "needs the admin credentials");
        } else {
          const admin = new OpenStack(ctx.run, openstackEnv(creds, caFile));
          let endpoints: Endpoint[] | undefined;
          await checks.run("api", "keystone catalog", () => {
            endpoints = admin.json<Endpoint[]>("endpoint", "list");
            return `${endpoints.length} endpoints`;
          });
          if (endpoints) await checks.run("api", "endpoints answer", () => endpointsAnswer(endpoints!, interfaces, fs.readFileSync(caFile, "utf8")));
          else checks.skip("api", "endpoints answer", "needs the catalog");
          await checks.run("api", "compute services up", () => computeServicesUp(admin));
          await checks.run("network", "network agents alive", () => networkAgentsAlive(admin));
          if (values["no-smoke"]) checks.skip("network", "smoke test", "--no-smoke");
          else {
            const adminCreds = creds;
            await smokeTest(
              checks,
              {
                admin,
                tenant: (projectId) => new OpenStack(ctx.run, openstackEnv(adminCreds, caFile, { projectId })),
                ping: (address) => ctx.run({ program: "ping", args: ["-c", "1", "-W", "2", address] }).status === 0,
                sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
              },
              {
                prefix: `verify-${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}-${randomBytes(2).toString("hex")}`,
                externalNetwork: values["external-network"],
                image: values.image ?? `ubuntu-${site.openstack.base.split("@")[1]}`,
                flavor: values.flavor,
                tenantCidr: values["tenant-cidr"],
                reachTimeoutSec,
                pools: segmentsFor(site, "external").flatMap((s) => (s.floating ? [s.floating] : [])),
                adminUser: adminCreds.username,
                adminDomain: ADMIN_DOMAIN,
              },
            );
          }
        }
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    ctx.out("\n" + checks.summary());
    return checks.passed ? 0 : EXIT_FAILED;
  });
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));

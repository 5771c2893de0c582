/**
 * redactShowJson on the hand-written plans (secrets Terraform does not mark, under secret-like names) and on the parts
 * of the JSON format the real plans of the artifact test exercise less: variables, prior state, outputs, configuration.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parsePlan } from "../../tools/reports/plan-json";
import { redactShowJson, scrubSecrets } from "../../tools/reports/redact";
import { main } from "../../tools/reports/plan-redact";
import { captureIo, FIXTURES, secretValues } from "./helpers";

const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith(".json"));

test.each(fixtures)("%s: no value marked sensitive or named like a secret is left, and the markers stay", (file) => {
  const text = readFileSync(join(FIXTURES, file), "utf8");
  const secrets = secretValues(parsePlan(text, file));
  expect(secrets.length).toBeGreaterThan(0);
  const redacted = JSON.stringify(redactShowJson(JSON.parse(text)));
  // A whole value, not a prefix of a longer one (10.10.0.1 of 10.10.0.10).
  const found = (secret: string) => new RegExp(`(^|[^\\w.])${secret.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w.])`).test(redacted);
  expect(secrets.filter(found)).toEqual([]);
  const markers = (doc: string) => (parsePlan(doc, file).resource_changes.map((rc) => [rc.change.before_sensitive, rc.change.after_sensitive]));
  expect(markers(redacted)).toEqual(markers(text));
});

const plan = {
  format_version: "1.2",
  variables: { ipmi_password: { value: "var-secret-1" }, mtu: { value: "9000" }, db: { value: "var-secret-2" } },
  configuration: {
    root_module: {
      variables: { ipmi_password: { sensitive: true }, mtu: {}, db: { sensitive: true, default: "default-secret-3" } },
      resources: [{ address: "x.y", expressions: { admin_password: { constant_value: "literal-secret-4" }, name: { constant_value: "node03" } } }],
    },
  },
  prior_state: {
    values: {
      outputs: { password: { sensitive: true, value: "output-secret-5" }, api: { sensitive: false, value: "10.0.0.1" } },
      root_module: {
        resources: [{ address: "maas_machine.w", values: { power_parameters: "power-secret-6", hostname: "w1" }, sensitive_values: { power_parameters: true } }],
        child_modules: [{ resources: [{ address: "module.m.lxd_trust_token.t", values: { token: "token-secret-7", name: "t" }, sensitive_values: {} }] }],
      },
    },
  },
  resource_changes: [],
  output_changes: { password: { actions: ["update"], before: "output-secret-5", after: "output-secret-8", before_sensitive: true, after_sensitive: true } },
};

test("masks sensitive variables (value and default), secrets in the code, the prior state and outputs", () => {
  const out = JSON.stringify(redactShowJson(plan));
  for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) expect(out).not.toMatch(new RegExp(`-secret-${n}\\b`));
  for (const kept of ['"9000"', '"node03"', '"10.0.0.1"', '"w1"']) expect(out).toContain(kept);
});

test("names: false masks only what Terraform marks, so a test can find what a provider failed to mark", () => {
  const out = JSON.stringify(redactShowJson(plan, { names: false }));
  expect(out).toContain("token-secret-7");
  expect(out).toContain("literal-secret-4");
  expect(out).not.toContain("power-secret-6");
});

test("with env, the value of a secret-looking variable is scrubbed wherever a string holds it", () => {
  const doc = { resource_changes: [{ change: { after: { description: "key is k-0123456789 here", mtu: "1500" }, after_sensitive: {} } }] };
  const env = { MAAS_API_KEY: "k-0123456789", HOME: "1500" };
  expect(JSON.stringify(redactShowJson(doc, { env }))).toBe('{"resource_changes":[{"change":{"after":{"description":"key is *** here","mtu":"1500"},"after_sensitive":{}}}]}');
  expect(scrubSecrets("dial k-0123456789 failed", env)).toBe("dial *** failed");
});

test("plan-redact writes the masked document, and refuses what it cannot read with the reason", () => {
  const c = captureIo();
  expect(main([join(FIXTURES, "sensitive.json"), "--out", "masked.json"], c.io, {})).toBe(0);
  expect(c.files.get("masked.json")).toBe(JSON.stringify(redactShowJson(JSON.parse(readFileSync(join(FIXTURES, "sensitive.json"), "utf8")))) + "\n");
  const bad = captureIo();
  expect(main(["nowhere.json"], bad.io, {})).toBe(1);
  expect(bad.stderr.join("")).toBe("plan-redact: nowhere.json: no such file; expected the output of `terraform show -json`\n");
});

/**
 * "Every OpenStack service endpoint answering": an HTTP GET on each catalog URL, checked against vault's root
 * CA. Any HTTP answer below 500 counts (a 300 version list, a 401 asking for a token): the service is up and
 * its certificate is good. A refused connection, a timeout, a bad certificate or a 5xx does not. URL
 * templates such as /v3/$(project_id)s are cut at the template, which is the service's version root.
 */
import * as http from "node:http";
import * as https from "node:https";
import { CheckFailed } from "./layers";
import type { Endpoint } from "./health";
import { some } from "./health";

export async function endpointsAnswer(endpoints: readonly Endpoint[], interfaces: readonly string[], caPem: string): Promise<string> {
  const chosen = endpoints.filter((e) => interfaces.includes(e.Interface) && e.Enabled !== false);
  if (chosen.length === 0) throw new CheckFailed(`the catalog has no ${interfaces.join("/")} endpoints`, "check keystone's relations in juju status");
  const results = await Promise.all(chosen.map(async (e) => ({ e, error: await probe(e.URL, caPem) })));
  const failing = results.filter((r) => r.error).map((r) => `${r.e["Service Name"]} ${r.e.Interface} ${r.e.URL}: ${r.error}`);
  if (failing.length > 0) throw new CheckFailed(`${failing.length} of ${chosen.length} not answering: ${some(failing, 3)}`);
  return `${chosen.length} ${interfaces.join("/")} endpoints answer (${new Set(chosen.map((e) => e["Service Type"])).size} services)`;
}

/** undefined when the URL answers, else why not. */
export function probe(rawUrl: string, caPem: string, timeoutMs = 10_000): Promise<string | undefined> {
  const url = new URL(rawUrl.replace(/\/?[$%]\([^)]*\)s.*$/, "") || rawUrl);
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    const request = client.get(url, { ca: caPem, timeout: timeoutMs }, (response) => {
      response.resume();
      const code = response.statusCode ?? 0;
      resolve(code < 500 ? undefined : `HTTP ${code}`);
    });
    request.on("timeout", () => request.destroy(new Error(`no answer in ${timeoutMs / 1000} s`)));
    request.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** Synthesizes the substrate stack of a site and gives typed access to its cdk.tf.json. */
import { Testing } from "cdktf";
import { loadSite, type Site } from "../../constructs/site";
import { SubstrateStack } from "../../constructs/substrate";

export type Body = Record<string, any>;

export interface Synthesized {
  readonly json: Body;
  readonly text: string;
  /** Every instance of a resource type, keyed by logical id. */
  resources(type: string): Record<string, Body>;
  /** The single instance whose attribute `key` equals `value`. */
  resource(type: string, key: string, value: unknown): Body;
  /** The Terraform reference (without ${}) of the instance whose attribute `key` equals `value`. */
  ref(type: string, key: string, value: unknown): string;
}

export function synthSubstrate(site: Site = loadSite({ site: "default" })): Synthesized {
  const stack = new SubstrateStack(Testing.app(), "substrate", { site });
  const text = Testing.synth(stack);
  const json = JSON.parse(text) as Body;
  const resources = (type: string): Record<string, Body> => json.resource?.[type] ?? {};
  const find = (type: string, key: string, value: unknown): [string, Body] => {
    const matches = Object.entries(resources(type)).filter(([, body]) => body[key] === value);
    if (matches.length !== 1) throw new Error(`expected one ${type} with ${key}=${String(value)}, found ${matches.length}`);
    return matches[0];
  };
  return {
    json,
    text,
    resources,
    resource: (type, key, value) => find(type, key, value)[1],
    ref: (type, key, value) => `${type}.${find(type, key, value)[0]}`,
  };
}

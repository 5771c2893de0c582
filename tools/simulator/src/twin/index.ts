/** The twin's rule tables, one per provider; rules are on unless SIM_RULES_OFF names them. */
import { activeRules, type Rule } from "./rule";
import { MAAS_RULES } from "./maas";
import { LXD_RULES } from "./lxd";
import { JUJU_RULES } from "./juju";

export const RULE_TABLES: Readonly<Record<string, readonly Rule[]>> = { maas: MAAS_RULES, lxd: LXD_RULES, juju: JUJU_RULES };

export function twinRules(provider: string): Rule[] {
  return activeRules(RULE_TABLES[provider] ?? []);
}

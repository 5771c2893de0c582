/**
 * The simulator plugin process: go-plugin handshake, TLS, and the tfplugin6
 * gRPC service backed by {@link ProviderSim}.
 *
 * Started by Terraform through the wrapper script in the filesystem mirror,
 * which sets SIM_SCHEMA_FILE, SIM_META_FILE and SIM_PROVIDER, and defaults
 * SIM_WORLD_DIR. Anything going wrong before the handshake line is printed
 * is appended to `$SIM_WORLD_DIR/<provider>.log` (Terraform itself only says
 * "Failed to read any lines from plugin's stdout").
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { CtyType, Value, fromMsgpack, toMsgpack } from "./cty";
import { selfSignedLocalhost } from "./cert";
import { Diag, ProviderSim, decodePrivate, encodePrivate } from "./provider";
import { JsonSchema, ProviderMeta, SchemaFile, blockType, protoFunction, protoSchema, providerSchemaOf } from "./schema";
import { World } from "./world";
import { serviceDefinitions } from "./protos";
import { twinRules } from "./twin";

const MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

const providerName = process.env["SIM_PROVIDER"] ?? "sim";
const worldDir = process.env["SIM_WORLD_DIR"] ?? path.join(process.cwd(), ".sim", "world");
const logFile = process.env["SIM_LOG_FILE"] ?? path.join(worldDir, `${providerName}.log`);
const debug = !!process.env["SIM_DEBUG"];
/**
 * Long-lived mode for TF_REATTACH_PROVIDERS (used by the test bench): no TLS
 * (Terraform does not negotiate it when reattaching) and Shutdown requests
 * are ignored; the process ends when its parent goes away or on SIGTERM.
 */
const reattach = process.env["SIM_REATTACH"] === "1";

function log(msg: string): void {
  try {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    fs.appendFileSync(logFile, `${new Date().toISOString()} [${process.pid}] ${msg}\n`);
  } catch {
    /* nowhere left to report */
  }
}

function fatal(msg: string): never {
  log(`FATAL ${msg}`);
  process.stderr.write(`provider simulator (${providerName}): ${msg}\n`);
  process.exit(1);
}

type Callback = (err: grpc.ServiceError | null, res?: object) => void;
type Handler = (req: any) => object; // eslint-disable-line @typescript-eslint/no-explicit-any

function main(): void {
  const t0 = performance.now();
  if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    process.stderr.write(
      "This binary is a Terraform provider plugin (simulator). It is started by Terraform, not run directly.\n",
    );
    process.exit(1);
  }
  const versions = (process.env["PLUGIN_PROTOCOL_VERSIONS"] ?? "6").split(",").map((s) => s.trim());
  if (!versions.includes("6")) fatal(`Terraform offers plugin protocol versions ${versions.join(",")}, the simulator speaks 6 only`);

  const schemaFile = process.env["SIM_SCHEMA_FILE"];
  const metaFile = process.env["SIM_META_FILE"];
  if (!schemaFile || !metaFile) fatal("SIM_SCHEMA_FILE and SIM_META_FILE must be set (the mirror's wrapper script sets them)");
  let sim: ProviderSim;
  try {
    const file = JSON.parse(fs.readFileSync(schemaFile, "utf8")) as SchemaFile;
    const meta = JSON.parse(fs.readFileSync(metaFile, "utf8")) as ProviderMeta;
    sim = new ProviderSim(providerSchemaOf(file).schema, meta, new World(worldDir, providerName), {
      numericIds: process.env["SIM_NUMERIC_IDS"] === "1",
      rules: twinRules(providerName),
    });
  } catch (e) {
    fatal(`cannot load schema ${schemaFile} / meta ${metaFile}: ${(e as Error).message}`);
  }

  const services = serviceDefinitions();
  const service = (name: string): grpc.ServiceDefinition => {
    const def = services[name];
    if (!def) throw new Error(`service ${name} missing from the protocol definitions`);
    return def;
  };
  const server = new grpc.Server({ "grpc.max_receive_message_length": 256 * 1024 * 1024, "grpc.max_send_message_length": 256 * 1024 * 1024 });

  let stopping = false;
  const openStreams = new Set<grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>>();
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    for (const s of openStreams) {
      try {
        s.end();
      } catch {
        /* already gone */
      }
    }
    server.tryShutdown(() => process.exit(0));
    setTimeout(() => process.exit(0), 200).unref();
  };

  server.addService(service("plugin.GRPCStdio"), {
    StreamStdio: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      openStreams.add(call);
      call.on("cancelled", () => openStreams.delete(call));
    },
  });
  server.addService(service("plugin.GRPCBroker"), {
    StartStream: (call: grpc.ServerDuplexStream<unknown, unknown>) => {
      openStreams.add(call);
      call.on("data", () => undefined);
      call.on("end", () => {
        openStreams.delete(call);
        call.end();
      });
      call.on("cancelled", () => openStreams.delete(call));
    },
  });
  server.addService(service("plugin.GRPCController"), {
    Shutdown: (_call: unknown, cb: Callback) => {
      cb(null, {});
      if (!reattach) setImmediate(shutdown);
    },
  });
  server.addService(service("grpc.health.v1.Health"), {
    Check: (_call: unknown, cb: Callback) => cb(null, { status: "SERVING" }),
  });

  const wrap =
    (name: string, fn: Handler) =>
    (call: { request: unknown }, cb: Callback): void => {
      const started = performance.now();
      try {
        const res = fn(call.request);
        if (debug) log(`${name} ${JSON.stringify(summary(call.request))} ${(performance.now() - started).toFixed(1)}ms`);
        cb(null, res);
      } catch (e) {
        log(`${name} failed: ${(e as Error).stack ?? String(e)}`);
        cb(null, { diagnostics: [diag({ severity: "ERROR", summary: `Provider simulator: ${name} failed`, detail: (e as Error).message })] });
      }
    };

  server.addService(service("tfplugin6.Provider"), providerService(sim, wrap));

  const socketDir = process.env["PLUGIN_UNIX_SOCKET_DIR"] || os.tmpdir();
  const socket = path.join(socketDir, `plugin-sim-${providerName}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const cert = selfSignedLocalhost();
  const clientCert = process.env["PLUGIN_CLIENT_CERT"];
  const creds =
    clientCert && !reattach
      ? // Trusting Terraform's client certificate (instead of none) also spares loading the system CA store.
      grpc.ServerCredentials.createSsl(Buffer.from(clientCert), [{ private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) }], false)
    : grpc.ServerCredentials.createInsecure();
  server.bindAsync(`unix:${socket}`, creds, (e) => {
    if (e) fatal(`cannot listen on ${socket}: ${e.message}`);
    const certField = clientCert && !reattach ? cert.der.toString("base64").replace(/=+$/, "") : "";
    process.stdout.write(`1|6|unix|${socket}|grpc|${certField}\n`);
    // Build-time warm-up: live long enough for loader.cjs to write the code cache.
    if (process.env["SIM_WARMUP"] === "1") setTimeout(() => process.exit(0), 600);
    if (debug) log(`started in ${(performance.now() - t0).toFixed(1)}ms (process ${(performance.now()).toFixed(1)}ms)`);
  });
  const cleanup = (): void => {
    try {
      fs.rmSync(socket, { force: true });
    } catch {
      /* ignore */
    }
  };
  process.on("exit", cleanup);
  process.on("SIGTERM", () => process.exit(0));
  process.on("SIGINT", () => undefined); // Terraform forwards Ctrl-C; it will tell us to stop.
  // Exit should Terraform vanish without telling us.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1000).unref();
}

function summary(req: unknown): unknown {
  if (req && typeof req === "object" && "type_name" in req) return (req as { type_name: string }).type_name;
  return "";
}

function diag(d: Diag): object {
  return { severity: d.severity, summary: d.summary, detail: d.detail ?? "", attribute: d.attribute };
}

interface DynamicValue {
  msgpack?: Uint8Array;
  json?: Uint8Array;
}

function decodeDV(dv: DynamicValue | null | undefined, t: CtyType): Value {
  if (!dv) return null;
  if (dv.msgpack && dv.msgpack.length) return fromMsgpack(dv.msgpack, t);
  if (dv.json && dv.json.length) throw new Error("JSON-encoded DynamicValue is not supported by the simulator");
  return null;
}

function encodeDV(v: Value, t: CtyType): DynamicValue {
  return { msgpack: Buffer.from(toMsgpack(v, t)) };
}

function providerService(sim: ProviderSim, wrap: (name: string, fn: Handler) => grpc.UntypedHandleCall): grpc.UntypedServiceImplementation {
  const s = sim.schema;
  const rType = (t: string): CtyType => blockType(sim.resourceSchema(t).block);
  const dType = (t: string): CtyType => blockType(sim.dataSourceSchema(t).block);
  const eType = (t: string): CtyType => blockType(sim.ephemeralSchema(t).block);
  const names = (m?: Record<string, unknown>): string[] => Object.keys(m ?? {});
  const schemas = (m?: Record<string, JsonSchema>): Record<string, object> =>
    Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, protoSchema(v)]));
  let schemaResponse: object | undefined;
  // SDKv2 providers answer with the legacy type system flag, under which Terraform tolerates planned values
  // that differ from the configuration (schema defaults) as it does for the real ones.
  const legacy = sim.meta.framework === "sdkv2";
  const capabilities = { plan_destroy: false, get_provider_schema_optional: false, move_resource_state: false };

  const handlers: Record<string, Handler> = {
    GetMetadata: () => ({
      server_capabilities: capabilities,
      diagnostics: [],
      resources: names(s.resource_schemas).map((type_name) => ({ type_name })),
      data_sources: names(s.data_source_schemas).map((type_name) => ({ type_name })),
      ephemeral_resources: names(s.ephemeral_resource_schemas).map((type_name) => ({ type_name })),
      functions: names(s.functions).map((name) => ({ name })),
    }),
    GetProviderSchema: () =>
      (schemaResponse ??= {
        provider: protoSchema(s.provider),
        resource_schemas: schemas(s.resource_schemas),
        data_source_schemas: schemas(s.data_source_schemas),
        ephemeral_resource_schemas: schemas(s.ephemeral_resource_schemas),
        functions: Object.fromEntries(Object.entries(s.functions ?? {}).map(([k, f]) => [k, protoFunction(f)])),
        diagnostics: [],
        server_capabilities: capabilities,
      }),
    ValidateProviderConfig: (req) => ({
      diagnostics: sim.validate(sim.providerBlock(), decodeDV(req.config, blockType(sim.providerBlock()))).map(diag),
    }),
    ValidateResourceConfig: (req) => ({
      diagnostics: sim.validate(sim.resourceSchema(req.type_name).block, decodeDV(req.config, rType(req.type_name))).map(diag),
    }),
    ValidateDataResourceConfig: (req) => ({
      diagnostics: sim.validate(sim.dataSourceSchema(req.type_name).block, decodeDV(req.config, dType(req.type_name))).map(diag),
    }),
    ValidateEphemeralResourceConfig: (req) => ({
      diagnostics: sim.validate(sim.ephemeralSchema(req.type_name).block, decodeDV(req.config, eType(req.type_name))).map(diag),
    }),
    UpgradeResourceState: (req) => {
      const raw = req.raw_state ?? {};
      if ((!raw.json || raw.json.length === 0) && raw.flatmap && Object.keys(raw.flatmap).length) {
        return { diagnostics: [diag({ severity: "ERROR", summary: "Legacy flatmap state is not supported by the simulator" })] };
      }
      const state = sim.upgradeResourceState(req.type_name, raw.json);
      return { upgraded_state: encodeDV(state, rType(req.type_name)), diagnostics: [] };
    },
    ConfigureProvider: (req) => ({ diagnostics: sim.configure(decodeDV(req.config, blockType(sim.providerBlock()))).map(diag) }),
    ReadResource: (req) => {
      const t = rType(req.type_name);
      const r = sim.readResource(req.type_name, decodeDV(req.current_state, t), decodePrivate(req.private));
      return { new_state: encodeDV(r.newState, t), private: encodePrivate(r.private), diagnostics: r.diags.map(diag) };
    },
    PlanResourceChange: (req) => {
      const t = rType(req.type_name);
      const r = sim.planResourceChange(req.type_name, decodeDV(req.prior_state, t), decodeDV(req.proposed_new_state, t));
      return {
        planned_state: encodeDV(r.planned, t),
        requires_replace: r.requiresReplace.map((steps) => ({ steps })),
        planned_private: req.prior_private ?? Buffer.alloc(0),
        diagnostics: r.diags.map(diag),
        legacy_type_system: legacy,
      };
    },
    ApplyResourceChange: (req) => {
      const t = rType(req.type_name);
      const r = sim.applyResourceChange(
        req.type_name,
        decodeDV(req.prior_state, t),
        decodeDV(req.planned_state, t),
        decodePrivate(req.planned_private),
      );
      return { new_state: encodeDV(r.newState, t), private: encodePrivate(r.private), diagnostics: r.diags.map(diag), legacy_type_system: legacy };
    },
    ImportResourceState: (req) => {
      const t = rType(req.type_name);
      const r = sim.importResourceState(req.type_name, req.id);
      return {
        imported_resources: r.state === null ? [] : [{ type_name: req.type_name, state: encodeDV(r.state, t), private: encodePrivate(r.private) }],
        diagnostics: r.diags.map(diag),
      };
    },
    MoveResourceState: (req) => ({
      diagnostics: [
        diag({
          severity: "ERROR",
          summary: "Move resource state is not supported by the simulator",
          detail: `cannot move ${req.source_type_name} to ${req.target_type_name}`,
        }),
      ],
    }),
    ReadDataSource: (req) => {
      const t = dType(req.type_name);
      const r = sim.readDataSource(req.type_name, decodeDV(req.config, t));
      return { state: r.state === null ? undefined : encodeDV(r.state, t), diagnostics: r.diags.map(diag) };
    },
    OpenEphemeralResource: (req) => {
      const t = eType(req.type_name);
      const r = sim.readDataSource(req.type_name, decodeDV(req.config, t), "ephemeral resource");
      return { result: r.state === null ? undefined : encodeDV(r.state, t), diagnostics: r.diags.map(diag) };
    },
    RenewEphemeralResource: () => ({ diagnostics: [] }),
    CloseEphemeralResource: () => ({ diagnostics: [] }),
    GetFunctions: () => ({
      functions: Object.fromEntries(Object.entries(s.functions ?? {}).map(([k, f]) => [k, protoFunction(f)])),
      diagnostics: [],
    }),
    CallFunction: (req) => ({ error: { text: `provider function ${req.name} is not simulated` } }),
    // Terraform asks to cancel in-flight work (Ctrl-C); nothing here runs long.
    StopProvider: () => ({ Error: "" }),
  };
  return Object.fromEntries(Object.entries(handlers).map(([name, fn]) => [name, wrap(name, fn)]));
}

try {
  main();
} catch (e) {
  fatal(`start-up failed: ${(e as Error).stack ?? String(e)}`);
}

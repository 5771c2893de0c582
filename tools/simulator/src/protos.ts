/**
 * The protocol definitions (tfplugin6.proto, goplugin.proto, health.proto)
 * as a protobufjs JSON descriptor. The bundle built by build.ts has it
 * inlined (parsing .proto text at every plugin start costs time); run from
 * source it is parsed on the fly.
 */
import * as path from "node:path";

declare const __SIM_PROTO_JSON__: object | undefined;

export const PROTO_FILES = ["tfplugin6.proto", "goplugin.proto", "health.proto"];

export function loadProtoJson(): object {
  if (typeof __SIM_PROTO_JSON__ !== "undefined") return __SIM_PROTO_JSON__;
  return parseProtoFiles(path.resolve(__dirname, ".."));
}

export function parseProtoFiles(dir: string): object {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const protobuf = require("protobufjs") as typeof import("protobufjs");
  const root = new protobuf.Root();
  root.loadSync(
    PROTO_FILES.map((f) => path.join(dir, f)),
    { keepCase: true },
  );
  return root.toJSON();
}

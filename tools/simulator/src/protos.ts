/**
 * gRPC service definitions for grpc-js, made from the protocol files
 * (tfplugin6.proto, goplugin.proto, health.proto) without @grpc/proto-loader:
 * the bundle built by ../build.ts carries them as an inlined protobufjs JSON
 * descriptor, and encoders/decoders come from protobufjs' light build. Both
 * save plugin start-up time, which every Terraform command pays.
 */
import type * as grpc from "@grpc/grpc-js";
import * as protobuf from "protobufjs/light";

declare const __SIM_PROTO_JSON__: protobuf.INamespace;

const toObjectOptions: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };

/** Service definitions keyed by full service name, e.g. "tfplugin6.Provider". */
export function serviceDefinitions(json: protobuf.INamespace = __SIM_PROTO_JSON__): Record<string, grpc.ServiceDefinition> {
  const root = protobuf.Root.fromJSON(json);
  const out: Record<string, grpc.ServiceDefinition> = {};
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const o of ns.nestedArray) {
      if (o instanceof protobuf.Service) {
        const name = o.fullName.replace(/^\./, "");
        const def: Record<string, grpc.MethodDefinition<object, object>> = {};
        for (const m of o.methodsArray) {
          m.resolve();
          const req = m.resolvedRequestType!;
          const res = m.resolvedResponseType!;
          def[m.name] = {
            path: `/${name}/${m.name}`,
            requestStream: !!m.requestStream,
            responseStream: !!m.responseStream,
            requestSerialize: (v) => Buffer.from(req.encode(req.fromObject(v)).finish()),
            requestDeserialize: (b) => req.toObject(req.decode(b), toObjectOptions),
            responseSerialize: (v) => Buffer.from(res.encode(res.fromObject(v)).finish()),
            responseDeserialize: (b) => res.toObject(res.decode(b), toObjectOptions),
            originalName: m.name,
          };
        }
        out[name] = def;
      } else if (o instanceof protobuf.Namespace) {
        walk(o);
      }
    }
  };
  walk(root);
  return out;
}

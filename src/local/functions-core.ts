// A stand-in for `@azure/functions-core`, the module the Azure Functions Node.js worker supplies at
// run time (it answers `require("@azure/functions-core")` by wrapping Module.prototype.require, and
// so does this). `@azure/functions` registers every `app.*` function through it and hands it the
// programming model; the stand-in records both, so the local host and the tests see exactly what
// the worker would index, and invoke a function the worker's way: programming model → invocation
// model → arguments from RPC typed data → handler → RPC response.
import Module from "node:module";
import { randomUUID } from "node:crypto";

/** RPC typed data (the subset the worker exchanges for these triggers). */
export interface TypedData {
  string?: string;
  json?: string;
  bytes?: Uint8Array;
  int?: number;
  http?: HttpData;
}

export interface HttpData {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  params?: Record<string, string>;
  body?: TypedData;
  statusCode?: string;
}

/** A binding as the worker receives it: the options given to `app.*` plus direction and type. */
export interface BindingInfo {
  type: string;
  direction: "in" | "out";
  [option: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, BindingInfo>;
  retryOptions?: unknown;
}

type FunctionCallback = (...args: unknown[]) => unknown;

interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<{ returnValue?: TypedData | null; outputData?: { name: string; data: TypedData }[] }>;
}

interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreCtx: unknown): InvocationModel;
}

export interface Registration {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

export type CoreLog = (level: string, category: string, message: string) => void;

class Disposable {
  constructor(private readonly onDispose: () => void) {}
  dispose(): void {
    this.onDispose();
  }
}

export class FunctionsCoreStandIn {
  readonly registrations = new Map<string, Registration>();
  programmingModel?: ProgrammingModel;
  /** Where system and user logs of invocations go (the worker sends them to the host). */
  log: CoreLog = () => {};

  /** The module object `require("@azure/functions-core")` answers. */
  readonly api = {
    version: "local-stand-in",
    hostVersion: "local-stand-in",
    Disposable,
    registerFunction: (metadata: FunctionMetadata, callback: FunctionCallback) => {
      // The worker refuses a second function of the same name; so does the stand-in.
      if (this.registrations.has(metadata.name)) throw new Error(`A function with the name "${metadata.name}" has already been registered.`);
      this.registrations.set(metadata.name, { metadata, callback });
      return new Disposable(() => this.registrations.delete(metadata.name));
    },
    registerHook: () => new Disposable(() => {}),
    setProgrammingModel: (model: ProgrammingModel) => {
      this.programmingModel = model;
    },
    getProgrammingModel: () => this.programmingModel,
    log: (level: string, category: string, message: string) => this.log(level, category, message),
  };

  /** The trigger binding of a registered function (name and options). */
  trigger(functionName: string): { name: string; binding: BindingInfo } {
    const reg = this.registrations.get(functionName);
    if (!reg) throw new Error(`no function ${functionName} is registered`);
    const [name, binding] = Object.entries(reg.metadata.bindings).find(([, b]) => b.direction === "in" && /Trigger$/.test(b.type))!;
    return { name, binding };
  }

  /** Functions whose trigger is of `type` (`httpTrigger`, `serviceBusTrigger`, …). */
  byTrigger(type: string): { functionName: string; bindingName: string; binding: BindingInfo }[] {
    return [...this.registrations.keys()]
      .map((functionName) => ({ functionName, ...this.trigger(functionName) }))
      .filter((f) => f.binding.type === type)
      .map(({ functionName, name, binding }) => ({ functionName, bindingName: name, binding }));
  }

  /**
   * Invokes a function the way the worker does. `trigger` is the trigger's input as RPC typed data,
   * `triggerMetadata` the host's binding data (PascalCase keys, as the host sends them).
   * Resolves to the function's return value as RPC typed data (an HTTP response for HTTP triggers).
   */
  async invoke(functionName: string, trigger: TypedData, triggerMetadata: Record<string, TypedData> = {}, log?: CoreLog): Promise<TypedData | null | undefined> {
    const reg = this.registrations.get(functionName);
    if (!reg || !this.programmingModel) throw new Error(`no function ${functionName} is registered`);
    const invocationId = randomUUID();
    const model = this.programmingModel.getInvocationModel({
      invocationId,
      request: { invocationId, functionId: functionName, inputData: [{ name: this.trigger(functionName).name, data: trigger }], triggerMetadata },
      metadata: reg.metadata,
      state: "invocation",
      log: log ?? this.log,
    });
    const { context, inputs } = await model.getArguments();
    const result = await model.invokeFunction(context, inputs, reg.callback);
    return (await model.getResponse(context, result)).returnValue;
  }
}

const standIn = new FunctionsCoreStandIn();
let installed = false;

/**
 * Makes `require("@azure/functions-core")` answer the stand-in in this process, as the worker does,
 * and returns it (one per process). Call it before anything registers a function: `@azure/functions`
 * looks the module up once and, not finding it, runs in test mode and skips every registration.
 */
export function installFunctionsCore(): FunctionsCoreStandIn {
  if (!installed) {
    const original = Module.prototype.require;
    Module.prototype.require = new Proxy(original, {
      apply(target, thisArg, args: [string]) {
        return args[0] === "@azure/functions-core" ? standIn.api : Reflect.apply(target, thisArg, args);
      },
    }) as typeof original;
    installed = true;
  }
  return standIn;
}

/** RPC typed data of a message body or event, as the host sends it: objects as JSON, text as a string. */
export function toTypedData(value: unknown): TypedData {
  if (typeof value === "string") return { string: value };
  if (value instanceof Uint8Array) return { bytes: value };
  if (typeof value === "number" && Number.isInteger(value)) return { int: value };
  return { json: JSON.stringify(value) };
}

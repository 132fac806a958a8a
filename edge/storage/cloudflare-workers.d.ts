// The few members of the Workers runtime module `cloudflare:workers` that bank-object.workers.ts
// uses, so the project type-checks without @cloudflare/workers-types. wrangler leaves the
// import to workerd, which provides the module.
declare module 'cloudflare:workers' {
  export interface SqlCursor<T> {
    toArray(): T[];
  }
  export interface SqlStorage {
    exec<T = Record<string, unknown>>(query: string, ...bindings: unknown[]): SqlCursor<T>;
  }
  export interface DurableObjectStorage {
    sql: SqlStorage;
    transactionSync<T>(fn: () => T): T;
  }
  export interface DurableObjectState {
    storage: DurableObjectStorage;
  }
  export abstract class DurableObject<Env = unknown> {
    protected ctx: DurableObjectState;
    protected env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
}

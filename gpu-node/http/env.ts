// Hono context typing shared by the node's middleware and routes.
export interface NodeEnv {
  Variables: {
    requestId: string;
  };
}

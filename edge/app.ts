// The edge: one Hono app on Web-standard APIs only, built from its dependencies. Runtime
// adapters (edge/adapters/) make the storage, gpu pool and config, and hand `app.fetch` to
// their server; nothing here knows which runtime it is on.
import { Hono } from 'hono';
import { createServices } from './context.ts';
import type { EdgeDeps, EdgeEnv, EdgeServices } from './context.ts';
import { corsFor } from './middleware/cors.ts';
import { problemResponse, routeNotFound } from './middleware/problem.ts';
import { requestId } from './middleware/request-id.ts';
import { requestLog } from './middleware/request-log.ts';
import { bankRoutes } from './routes/banks.ts';
import { deviceRoutes } from './routes/device.ts';
import { docsRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';
import { imageRoutes } from './routes/images.ts';
import { infoRoutes } from './routes/info.ts';
import { keyRoutes } from './routes/keys.ts';
import { maskRoutes } from './routes/masks.ts';
import { referenceRoutes } from './routes/references.ts';
import { createRouter } from './routes/router.ts';
import { segmentRoutes } from './routes/segment.ts';
import { segmentCandidatesRoutes } from './routes/segment-candidates.ts';
import { webRoutes } from './routes/web.ts';

export interface EdgeApp {
  app: Hono<EdgeEnv>;
  services: EdgeServices;
}

export function createEdgeApp(deps: EdgeDeps): EdgeApp {
  const services = createServices(deps);
  const app = new Hono<EdgeEnv>();
  app.use(requestId());
  app.use(requestLog(services));
  const cors = corsFor(services.config.corsOrigins);
  if (cors) app.use(cors);
  app.onError((err, c) => problemResponse(c, err));
  app.notFound(routeNotFound);

  const router = createRouter(app, services);
  healthRoutes(router, services);
  keyRoutes(router, services);
  bankRoutes(router, services);
  referenceRoutes(router, services);
  imageRoutes(router, services);
  segmentRoutes(router, services);
  segmentCandidatesRoutes(router, services);
  maskRoutes(router, services);
  infoRoutes(router, services);
  webRoutes(router, services.config.device);
  deviceRoutes(router, services.config.device, deps.deviceFiles);
  docsRoutes(router, services.config.publicUrl);
  return { app, services };
}

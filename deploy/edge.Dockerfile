# syntax=docker/dockerfile:1
# The refseg edge on Node (edge/adapters/node.ts): banks, keys and the candidate-set cache in one
# SQLite file on the volume /data, a non-root user. Build from the repository root (docs/deploy.md):
#
#   docker build -f deploy/edge.Dockerfile -t refseg-edge .
#
# The build needs HTTPS access to registry.npmjs.org only.
ARG NODE_IMAGE=node:20-bookworm
ARG NODE_RUNTIME_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Node 20's npm 10 ignores package.json allowScripts: skip onnxruntime-node's CUDA download by name.
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund

FROM ${NODE_RUNTIME_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 refseg \
 && useradd --system --uid 10001 --gid refseg --home-dir /app --shell /usr/sbin/nologin refseg \
 && mkdir -p /data \
 && chown refseg:refseg /data
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json tsconfig.json ./
COPY shared shared
COPY edge edge
ENV NODE_ENV=production \
    REFSEG_EDGE_HOST=0.0.0.0 \
    REFSEG_EDGE_PORT=8787 \
    REFSEG_DB=/data/refseg-edge.sqlite
VOLUME /data
EXPOSE 8787
USER refseg
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8787/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Needs REFSEG_GPU_NODES and REFSEG_GPU_SECRET (edge/config.ts lists every variable).
ENTRYPOINT ["tini", "--", "node", "--import", "tsx", "edge/adapters/node.ts"]

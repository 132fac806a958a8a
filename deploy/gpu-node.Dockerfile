# syntax=docker/dockerfile:1
# The refseg gpu-node: onnxruntime-node with its CUDA 12 provider on NVIDIA's CUDA 12 + cuDNN 9
# runtime image, Node 20, models on a volume at /models, a non-root user. Build from the
# repository root (docs/deploy.md):
#
#   docker build -f deploy/gpu-node.Dockerfile -t refseg-gpu-node .
#
# The build needs HTTPS access to registry.npmjs.org and to api.nuget.org (the CUDA provider).
# CUDA_IMAGE must stay a CUDA 12.x image with cuDNN 9: what onnxruntime-node 1.30's CUDA provider links.
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
ARG NODE_IMAGE=node:20-bookworm

# Dependencies, built where compilers are at hand (better-sqlite3 may build from source).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY scripts/install-cuda.mjs scripts/
# Node 20's npm 10 ignores package.json allowScripts, so the CPU-only install is asked for by
# name; the CUDA provider is then fetched on purpose, and the script checks it landed.
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund \
 && node scripts/install-cuda.mjs

FROM ${NODE_IMAGE} AS node

FROM ${CUDA_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates libstdc++6 \
 && rm -rf /var/lib/apt/lists/*
# Node's official linux-x64 build runs on the CUDA image's glibc.
COPY --from=node /usr/local/bin/node /usr/local/bin/node
RUN groupadd --system --gid 10001 refseg \
 && useradd --system --uid 10001 --gid refseg --home-dir /app --shell /usr/sbin/nologin refseg \
 && mkdir -p /models \
 && chown refseg:refseg /models
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY package.json tsconfig.json ./
COPY bin bin
COPY shared shared
COPY gpu-node gpu-node
ENV NODE_ENV=production \
    REFSEG_MODELS_DIR=/models
VOLUME /models
EXPOSE 8700
USER refseg
# Healthy = ready: /readyz answers 200 once the models are loaded (they take a while on first start).
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8700/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["tini", "--", "node", "bin/refseg.mjs"]
# The shared secret comes from the environment (REFSEG_GPU_SECRET); models from /models.
CMD ["serve-gpu", "--host", "0.0.0.0", "--port", "8700", "--provider", "cuda", "--workers", "1", "--max-queued", "8"]

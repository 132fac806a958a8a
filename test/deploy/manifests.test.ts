// The deployment files under deploy/: every Kubernetes object validated against the Kubernetes
// 1.27 schemas shipped by kubernetes-models (and prometheus-operator's, for the PodMonitor), and
// every name, port, path, flag and variable they use checked against the code that serves it.
// Nothing here runs Docker, Kubernetes or a GPU.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { configFromEnv } from '../../edge/config.ts';
import type { Command } from '../../gpu-node/cli/command.ts';
import { modelsPull } from '../../gpu-node/cli/commands/models-pull.ts';
import { serveGpu } from '../../gpu-node/cli/commands/serve-gpu.ts';
import { createNodeMetrics } from '../../gpu-node/http/node-metrics.ts';
import { GPU_NODE_PATHS } from '../../shared/api/gpu-node.ts';
import { typeErrors } from './strict-fields.ts';
import type { TypedDocument } from './strict-fields.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const K8S = join(ROOT, 'deploy', 'kubernetes');

// Plain objects as parsed from YAML; the schemas have been checked before fields are read.
type Obj = any;

/** Schema validation and the TypeScript interface (module, name) of every kind the manifests use. */
const MODELS: Record<string, { validate(o: Obj): void; module: string; type: string }> = {
  'apps/v1/Deployment': { validate: (o) => new Deployment(o).validate(), module: 'kubernetes-models/apps/v1', type: 'IDeployment' },
  'v1/Service': { validate: (o) => new Service(o).validate(), module: 'kubernetes-models/v1', type: 'IService' },
  'v1/PersistentVolumeClaim': { validate: (o) => new PersistentVolumeClaim(o).validate(), module: 'kubernetes-models/v1', type: 'IPersistentVolumeClaim' },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    validate: (o) => new HorizontalPodAutoscaler(o).validate(),
    module: 'kubernetes-models/autoscaling/v2',
    type: 'IHorizontalPodAutoscaler',
  },
  'monitoring.coreos.com/v1/PodMonitor': {
    validate: (o) => new PodMonitor(o).validate(),
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
    type: 'IPodMonitor',
  },
};

function typed(label: string, obj: Obj): TypedDocument {
  const model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  return { label, module: model.module, type: model.type, object: obj };
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );
}

const documents: { file: string; obj: Obj }[] = yamlFiles(K8S).flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
    return { file: file.slice(ROOT.length + 1), obj: d.toJS() as Obj };
  }),
);

function find(kind: string, name: string): Obj {
  const found = documents.find((d) => d.obj.kind === kind && d.obj.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  return found.obj;
}

/** Parses a command's arguments as the refseg CLI does (strict: an unknown flag throws). */
function parseCommand(command: Command, args: string[]) {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(command.options ?? {})) options[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}) };
  return parseArgs({ args, options, allowPositionals: true, strict: true });
}

/** `["serve-gpu", …flags]` → the flag values of serve-gpu. */
function serveGpuValues(argv: string[]): Record<string, unknown> {
  expect(argv[0]).toBe('serve-gpu');
  const { values, positionals } = parseCommand(serveGpu as unknown as Command, argv.slice(1));
  expect(positionals).toEqual([]);
  return values;
}

function container(deployment: Obj, name: string): Obj {
  return deployment.spec.template.spec.containers.find((c: Obj) => c.name === name);
}

describe('Kubernetes manifests', () => {
  it('holds the objects this guide applies', () => {
    expect(documents.map((d) => `${d.file}: ${d.obj.kind}/${d.obj.metadata.name}`).sort()).toEqual([
      'deploy/kubernetes/autoscaling/gpu-node-autoscaler.yaml: HorizontalPodAutoscaler/refseg-gpu-node',
      'deploy/kubernetes/autoscaling/gpu-node-autoscaler.yaml: PodMonitor/refseg-gpu-node',
      'deploy/kubernetes/edge.yaml: Deployment/refseg-edge',
      'deploy/kubernetes/edge.yaml: PersistentVolumeClaim/refseg-edge-data',
      'deploy/kubernetes/edge.yaml: Service/refseg-edge',
      'deploy/kubernetes/gpu-node.yaml: Deployment/refseg-gpu-node',
      'deploy/kubernetes/gpu-node.yaml: PersistentVolumeClaim/refseg-models',
      'deploy/kubernetes/gpu-node.yaml: Service/refseg-gpu-node',
    ]);
  });

  it.each(documents.map((d) => [`${d.file} ${d.obj.kind}/${d.obj.metadata?.name}`, d.obj]))('%s is valid against its schema', (_name, obj) => {
    const model = MODELS[`${obj.apiVersion}/${obj.kind}`];
    expect(model, `no schema for ${obj.apiVersion} ${obj.kind}`).toBeDefined();
    expect(() => model.validate(obj)).not.toThrow();
  });

  it('no object has a field its kind does not define (TypeScript excess-property check on the kubernetes-models types)', () => {
    expect(typeErrors(documents.map((d) => typed(`${d.file} ${d.obj.kind}`, d.obj)))).toEqual([]);
  });

  it('the field check names a misspelt field and a wrong type', () => {
    const gpu = structuredClone(find('Deployment', 'refseg-gpu-node'));
    const c = container(gpu, 'gpu-node');
    c.readinesProbe = c.readinessProbe;
    const svc = structuredClone(find('Service', 'refseg-gpu-node'));
    svc.spec.ports[0].port = '8700';
    const errors = typeErrors([typed('gpu', gpu), typed('svc', svc)]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBe(`gpu: Object literal may only specify known properties, and '"readinesProbe"' does not exist in type 'IContainer'.`);
    expect(errors[1]).toMatch(/^svc: Type 'string' is not assignable to type 'number'/);
  });

  it('the validation rejects what a cluster would (the check is live)', () => {
    const gpu = structuredClone(find('Deployment', 'refseg-gpu-node'));
    gpu.spec.replicas = 'two';
    expect(() => MODELS['apps/v1/Deployment'].validate(gpu)).toThrow(/spec\/replicas must be integer/);
    const probe = structuredClone(find('Deployment', 'refseg-gpu-node'));
    container(probe, 'gpu-node').readinessProbe.httpGet.port = { name: 'http' };
    expect(() => MODELS['apps/v1/Deployment'].validate(probe)).toThrow();
    const hpa = structuredClone(find('HorizontalPodAutoscaler', 'refseg-gpu-node'));
    delete hpa.spec.scaleTargetRef.kind;
    expect(() => MODELS['autoscaling/v2/HorizontalPodAutoscaler'].validate(hpa)).toThrow(/kind/);
  });

  describe('gpu-node', () => {
    const deployment = find('Deployment', 'refseg-gpu-node');
    const pod = deployment.spec.template.spec;
    const main = container(deployment, 'gpu-node');

    it('asks for one GPU and runs serve-gpu on CUDA, on the port it exposes, as a non-root user', () => {
      expect(main.resources.limits['nvidia.com/gpu']).toBe(1);
      const v = serveGpuValues(main.args);
      expect(v.provider).toBe('cuda');
      expect(v.host).toBe('0.0.0.0');
      expect(main.ports).toEqual([{ name: 'http', containerPort: Number(v.port) }]);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    });

    it('is ready on /readyz and alive on /healthz, the gpu-node paths', () => {
      expect(main.readinessProbe.httpGet).toEqual({ path: GPU_NODE_PATHS.readyz, port: 'http' });
      expect(main.livenessProbe.httpGet).toEqual({ path: GPU_NODE_PATHS.healthz, port: 'http' });
    });

    it('reads its models from the shared volume that its init container fills with `refseg models pull`', () => {
      const init = pod.initContainers[0];
      expect(init.image).toBe(main.image);
      expect(init.args[0] + ' ' + init.args[1]).toBe('models pull');
      expect(() => parseCommand(modelsPull as unknown as Command, init.args.slice(2))).not.toThrow();
      const volume = pod.volumes.find((v: Obj) => v.name === 'models');
      expect(find('PersistentVolumeClaim', volume.persistentVolumeClaim.claimName).spec.accessModes).toEqual(['ReadWriteMany']);
      expect(main.volumeMounts).toContainEqual({ name: 'models', mountPath: '/models', readOnly: true });
      expect(init.volumeMounts).toContainEqual({ name: 'models', mountPath: '/models' });
    });

    it('its Service selects its pods on its port', () => {
      const service = find('Service', 'refseg-gpu-node');
      expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
      expect(service.spec.ports[0].targetPort).toBe('http');
    });
  });

  describe('autoscaler', () => {
    const hpa = find('HorizontalPodAutoscaler', 'refseg-gpu-node');
    const monitor = find('PodMonitor', 'refseg-gpu-node');
    const deployment = find('Deployment', 'refseg-gpu-node');
    const adapter = parse(readFileSync(join(ROOT, 'deploy', 'prometheus-adapter-values.yaml'), 'utf8'));
    const rule = adapter.rules.custom[0];

    it('scales the gpu-node Deployment on the metric the adapter makes from the gpu-node queue gauge', () => {
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
      expect(hpa.spec.metrics[0].pods.metric.name).toBe(rule.name.as);
      expect(rule.seriesQuery).toMatch(/^refseg_gpu_queue_depth\{queue="requests",/);
      expect(rule.name.matches).toBe('^refseg_gpu_queue_depth$');
      expect(rule.metricsQuery).toContain('queue="requests"');
    });

    it('the gauge exists in the gpu-node /metrics output with those labels', () => {
      const m = createNodeMetrics({ admission: () => ({ running: 1, waiting: 3, cancelled: 0 }), models: () => undefined });
      const text = m.registry.render();
      expect(text).toContain('refseg_gpu_queue_depth{queue="requests",state="running"} 1');
      expect(text).toContain('refseg_gpu_queue_depth{queue="requests",state="waiting"} 3');
    });

    it('Prometheus scrapes the gpu-node pods on /metrics with the bearer secret the pods use', () => {
      expect(deployment.spec.template.metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
      const endpoint = monitor.spec.podMetricsEndpoints[0];
      expect(endpoint.path).toBe(GPU_NODE_PATHS.metrics);
      expect(endpoint.port).toBe('http');
      const secretEnv = container(deployment, 'gpu-node').env.find((e: Obj) => e.name === 'REFSEG_GPU_SECRET');
      expect(endpoint.authorization.credentials).toEqual(secretEnv.valueFrom.secretKeyRef);
    });
  });

  describe('edge', () => {
    const deployment = find('Deployment', 'refseg-edge');
    const main = container(deployment, 'edge');

    it('its environment is a valid edge configuration that points at the gpu-node Service', () => {
      const env: Record<string, string> = {};
      for (const e of main.env) env[e.name] = e.value ?? `secret-${'x'.repeat(40)}`;
      const config = configFromEnv(env);
      const gpuService = find('Service', 'refseg-gpu-node');
      expect(config.gpu.urls).toEqual([`http://${gpuService.metadata.name}:${gpuService.spec.ports[0].port}`]);
      const gpuSecret = container(find('Deployment', 'refseg-gpu-node'), 'gpu-node').env.find((e: Obj) => e.name === 'REFSEG_GPU_SECRET');
      expect(main.env.find((e: Obj) => e.name === 'REFSEG_GPU_SECRET').valueFrom).toEqual(gpuSecret.valueFrom);
    });

    it('keeps one pod on its SQLite volume, probed on /readyz and /healthz', () => {
      expect(deployment.spec.replicas).toBe(1);
      expect(deployment.spec.strategy.type).toBe('Recreate');
      expect(main.readinessProbe.httpGet.path).toBe('/readyz');
      expect(main.livenessProbe.httpGet.path).toBe('/healthz');
      const claim = deployment.spec.template.spec.volumes.find((v: Obj) => v.name === 'data').persistentVolumeClaim.claimName;
      expect(find('PersistentVolumeClaim', claim).spec.accessModes).toEqual(['ReadWriteOnce']);
      const service = find('Service', 'refseg-edge');
      expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    });
  });
});

describe('Docker Compose file', () => {
  const compose = parse(readFileSync(join(ROOT, 'deploy', 'compose.yaml'), 'utf8'), { merge: true });
  const gpuNodes = Object.keys(compose.services).filter((n) => n.startsWith('gpu-node-'));

  it('runs N gpu-nodes, one GPU each, on the models volume read-only, after the models are pulled', () => {
    expect(gpuNodes).toEqual(['gpu-node-1', 'gpu-node-2']);
    const devices = gpuNodes.map((n) => compose.services[n].deploy.resources.reservations.devices[0]);
    expect(devices.map((d: Obj) => d.device_ids)).toEqual([['0'], ['1']]);
    for (const n of gpuNodes) {
      const s = compose.services[n];
      expect(s.volumes).toEqual(['models:/models:ro']);
      expect(s.depends_on.models.condition).toBe('service_completed_successfully');
      expect(serveGpuValues(s.command).provider).toBe('cuda');
    }
    expect(compose.services.models.command.slice(0, 2)).toEqual(['models', 'pull']);
  });

  it("the edge's default REFSEG_GPU_NODES lists exactly those services on their ports", () => {
    const env = compose.services.edge.environment;
    const nodes = /^\$\{REFSEG_GPU_NODES:-(.*)\}$/.exec(env.REFSEG_GPU_NODES)![1];
    const expected = gpuNodes.map((n) => `http://${n}:${serveGpuValues(compose.services[n].command).port}`);
    expect(nodes.split(',')).toEqual(expected);
    const config = configFromEnv({ ...env, REFSEG_GPU_NODES: nodes, REFSEG_GPU_SECRET: 's', REFSEG_ADMIN_KEY: '' });
    expect(config.gpu.timeoutMs).toBe(120_000);
  });
});

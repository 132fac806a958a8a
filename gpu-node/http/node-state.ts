// Whether the node can serve: the pipeline arrives when its models have loaded (which can take a
// while for real weights); until then model routes and /readyz answer 503.
import { ServiceUnavailableError } from '../../shared/errors.ts';
import type { GpuPipeline } from '../pipeline/index.ts';

/** Seconds a client should wait before asking a loading node again. */
const LOADING_RETRY_SECONDS = 5;

export class NodeState {
  private current?: GpuPipeline;
  private failure?: unknown;

  constructor(source: GpuPipeline | Promise<GpuPipeline>) {
    if (!(source instanceof Promise)) {
      this.current = source;
      return;
    }
    source.then(
      (p) => {
        this.current = p;
      },
      (err) => {
        this.failure = err;
      },
    );
  }

  get pipeline(): GpuPipeline | undefined {
    return this.current;
  }

  /** Why the models failed to load, if they did. */
  get loadError(): unknown {
    return this.failure;
  }

  require(): GpuPipeline {
    if (this.current) return this.current;
    if (this.failure !== undefined) throw new ServiceUnavailableError('The models failed to load; see the node\'s log.', 60);
    throw new ServiceUnavailableError('The models are still loading.', LOADING_RETRY_SECONDS);
  }
}

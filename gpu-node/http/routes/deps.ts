// What the routes need from the app.
import type { ImageOptions, StageObserver } from '../../pipeline/index.ts';
import type { NodeState } from '../node-state.ts';

export interface RouteDeps {
  state: NodeState;
  /** Limits and the metrics observer, passed with every pipeline call. */
  imageOptions: Pick<ImageOptions, 'maxPixels'> & { observe: StageObserver };
}

// pycocotools' walk over two run lists of one mask in step, shared by its rleIou and rleMerge
// (maskApi.c): each step covers the longest stretch over which neither list changes value. Kept
// as pycocotools has it rather than a plain interval walk: it stops early when both lists reach a
// zero-length run at the same pixel, and parity includes that.
export class RunPairWalk {
  /** Whether each list is inside its mask over the stretch the next step covers. */
  va = false;
  vb = false;
  /** Pixels left in the two current runs after the last step; the walk is over at 0. */
  left = 1;
  private ca: number;
  private cb: number;
  private ia = 1;
  private ib = 1;

  constructor(
    private readonly a: ArrayLike<number>,
    private readonly b: ArrayLike<number>,
  ) {
    this.ca = a.length > 0 ? a[0] : 0;
    this.cb = b.length > 0 ? b[0] : 0;
  }

  /** Covers the next stretch and returns its length. */
  step(): number {
    const c = this.ca < this.cb ? this.ca : this.cb;
    this.ca -= c;
    if (this.ca === 0 && this.ia < this.a.length) {
      this.ca = this.a[this.ia++];
      this.va = !this.va;
    }
    this.cb -= c;
    if (this.cb === 0 && this.ib < this.b.length) {
      this.cb = this.b[this.ib++];
      this.vb = !this.vb;
    }
    this.left = this.ca + this.cb;
    return c;
  }
}

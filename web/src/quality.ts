// The quality feedback of a reference in plain words, naming the reference it is about (its
// number in the bank's list and the image it came from, when this browser saw that image).
import type { ReferenceView } from '../../shared/client/index.ts';

export type Tone = 'ok' | 'warn' | 'info';

export interface QualityNote {
  tone: Tone;
  /** One short sentence for the list. */
  summary: string;
  /** What it means and what to do. */
  detail: string;
}

const pct = (cosine: number) => `${Math.round(cosine * 100)}%`;

/** "Reference 3 (box on shelf.jpg)". */
export function referenceName(ref: ReferenceView, position: number, imageName: string | undefined): string {
  const how = ref.source.annotation === 'imported' ? 'imported from a bank file' : `${ref.source.annotation}${imageName ? ` on ${imageName}` : ''}`;
  return `Reference ${position} (${ref.negative ? 'negative, ' : ''}${how})`;
}

/**
 * `peers`: names of the other positive references of the same class, when known. With a single
 * peer an outlier is a disagreement of two, so both are named: either may be the wrong one.
 */
export function qualityNote(ref: ReferenceView, name: string, peers: readonly string[] = []): QualityNote {
  const q = ref.quality;
  const cls = `"${ref.className}"`;
  if (ref.negative) {
    const against = q.classCosine === null ? '' : ` It is ${pct(q.classCosine)} similar to the ${cls} examples.`;
    return {
      tone: 'info',
      summary: `Negative example of ${cls}.`,
      detail: `${name} shows what ${cls} is not: things that look like it get lower ${cls} scores.${against}`,
    };
  }
  if (q.outlier && peers.length === 1) {
    return {
      tone: 'warn',
      summary: `Disagrees with the other ${cls} example.`,
      detail:
        `${name} and ${peers[0]} are the only examples of ${cls} and look unlike each other (${q.classCosine === null ? 'weak agreement' : pct(q.classCosine)}). ` +
        'One of them probably shows another object or has a bad mask: check both, delete the wrong one, or add more examples.',
    };
  }
  if (q.outlier) {
    return {
      tone: 'warn',
      summary: `Looks unlike the other ${cls} examples.`,
      detail:
        `${name} agrees only ${q.classCosine === null ? 'weakly' : pct(q.classCosine)} with the rest of ${cls}. ` +
        'It may show a different object or have a mask that misses the object; check it, or delete it if it is wrong.',
    };
  }
  if (q.confusable && q.nearestOtherClass) {
    const other = `"${q.nearestOtherClass.className}"`;
    return {
      tone: 'warn',
      summary: `Easily confused with ${other}.`,
      detail:
        `${name} is about as close to ${other} (${pct(q.nearestOtherClass.cosine)}) as to ${cls}` +
        `${q.classCosine === null ? '' : ` (${pct(q.classCosine)})`}, so the two classes may be mixed up in results. ` +
        `Add clearer examples of both, or check that this one is labelled ${cls}.`,
    };
  }
  if (q.basis === 'single-shot' || q.classCosine === null) {
    return {
      tone: 'info',
      summary: `Only example of ${cls} so far.`,
      detail: `${name} has nothing to be compared with yet; a few more examples of ${cls} make results steadier.`,
    };
  }
  return {
    tone: 'ok',
    summary: `Agrees with the other ${cls} examples (${pct(q.classCosine)}).`,
    detail: `${name} looks like the rest of ${cls}${q.nearestOtherClass ? ` and clearly unlike "${q.nearestOtherClass.className}" (${pct(q.nearestOtherClass.cosine)})` : ''}.`,
  };
}

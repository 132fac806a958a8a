// Types of web/dist/assets.js, which web/build.ts generates (npm run build:web).
export interface WebAsset {
  type: string;
  body: string;
}

export declare const WEB_PAGE: {
  html: string;
  /** `assets/<name>-<hash>.<ext>` → asset. */
  assets: Record<string, WebAsset>;
};

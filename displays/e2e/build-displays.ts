// @ts-expect-error: a plain .mjs script shared with `pnpm build`; it has no type declarations
import { buildIfStale } from '../../scripts/build-if-stale.mjs';

/** Browser tests run against the built screens, exactly as the server serves them. */
export default function setup(): void {
  (buildIfStale as (name: string) => boolean)('displays');
}

/** Built-in blind solver for wide fields (placeholder until the global pattern index lands). */
import type { StarCatalog } from '../catalog/starCatalog.ts';
import type { ImageStars, PositionHint, ScaleHint, Solution, SolverBudget } from './types.ts';

export interface BlindOptions {
  scale: ScaleHint | null;
  position: PositionHint | null;
  budget: SolverBudget;
  minFovDeg: number;
}

export function solveBlind(_cat: StarCatalog, _stars: ImageStars, _opts: BlindOptions): { solution: Solution | null; reason: string } {
  return { solution: null, reason: 'built-in blind solving not available yet' };
}

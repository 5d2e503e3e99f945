// The identity, φ(z) = z: the activation of a linear network (an MLP with activation 'identity').
import type { ActivationUnit } from './unit.js';

export const identityUnit: ActivationUnit<'identity'> = {
  name: 'identity',
  rule: 'closed',
  parameters: [],
  phi: () => (z) => z,
  slope: () => () => 1,
  dual: () => (_q1, _q2, c) => [c, 1],
  partials: () => (_q1, _q2, _c, _k, _slope, out) => {
    out.fill(0);
    out[2] = 1;
  },
};

// fanInProd (src/ops/fanInProd.ts): neural-tangents' FanInProd. At infinite width against its kernel_fn's rule (the
// product of the branches' NNGPs, the NTK by the product rule) in neural-tangents' layer recursion written out in
// numpy; at finite width against PyTorch autograd (test/fixtures/make_fan_in_prod.py); the passes on positions and
// across thread counts; the checks.
import { expect, it } from 'vitest';
import { Network, conv, dense, empiricalNtk, fanInProd, fanOut, flatten, identity, infinite, network, parallel, relu, serial } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

interface Fixture {
  x: number[][];
  layers: Record<'first' | 'a' | 'b' | 'readout', [number, number]>;
  infinite: { nngp: number[][]; ntk: number[][] };
  finite: { weights: { W: number[][]; b: number[] }[]; apply: number[]; ntk: number[][] };
}
const fixture = await loadFixture<Fixture>('fanInProd');

/** The fixture's model: dense → fanOut(2) → parallel(dense, serial(relu, dense)) → fanInProd → dense. */
function model(width: number) {
  const layer = (name: keyof Fixture['layers'], out = width) => dense(out, { wStd: fixture.layers[name][0], bStd: fixture.layers[name][1] });
  return serial(layer('first'), fanOut(2), parallel(layer('a'), serial(relu(), layer('b'))), fanInProd(), layer('readout', 1));
}

describeEachBackend('fanInProd', () => {
  it("gives neural-tangents' NNGP and NTK of a product of branches at infinite width (4 × 4, opposite inputs among them)", () => {
    const { nngp, ntk } = infinite(model(1), { inputShape: [3] }).kernels(fixture.x);
    expectClose(nngp.data, fixture.infinite.nngp.flat(), 1e-13, 'nngp 4 × 4');
    expectClose(ntk.data, fixture.infinite.ntk.flat(), 1e-13, 'ntk 4 × 4');
  });

  it('computes the outputs and the empirical NTK of a finite network as PyTorch autograd does (width 5)', () => {
    const net = Network.fromWeights(model(5), { inputShape: [3], weights: fixture.finite.weights });
    expectClose(net.apply(fixture.x).data, fixture.finite.apply, 1e-13, 'apply 4 × 1');
    expectClose(empiricalNtk(net, fixture.x).data, fixture.finite.ntk.flat(), 1e-12, 'empirical NTK 4 × 4');
    expectClose(
      empiricalNtk(net, fixture.x, undefined, { implementation: 'ntkVectorProducts' }).data,
      fixture.finite.ntk.flat(),
      1e-12,
      'empirical NTK by vector products',
    );
  });

  it('is the same product rule on positions (conv branches, flatten) as on vectors (one position)', () => {
    const branches = (c: number) => serial(fanOut(2), parallel(conv(c, [1]), serial(relu(), conv(c, [1], { bStd: 0.3 }))), fanInProd());
    const x = [
      [0.2, -1, 0.5],
      [1.5, 0.3, -0.4],
    ];
    const onPositions = infinite(serial(conv(2, [1], { wStd: 1.2 }), branches(2), flatten(), dense(1)), { inputShape: [1, 3] }).kernels(x);
    const onVectors = infinite(serial(dense(2, { wStd: 1.2 }), fanOut(2), parallel(dense(2), serial(relu(), dense(2, { bStd: 0.3 }))), fanInProd(), dense(1)), {
      inputShape: [3],
    }).kernels(x);
    expectClose(onPositions.ntk.data, onVectors.ntk.data, 1e-14, 'ntk 2 × 2');
    expectClose(onPositions.nngp.data, onVectors.nngp.data, 1e-14, 'nngp 2 × 2');
  });

  it('multiplies three branches, leaves one as it is, and refuses branches of different shapes', () => {
    const three = serial(dense(4), fanOut(3), parallel(dense(4), dense(4, { bStd: 0.5 }), identity()), fanInProd(), dense(1));
    const net = network(three, { inputShape: [2], seed: 1 });
    expect(net.apply([[0.5, -1]]).rows).toBe(1);
    const one = infinite(serial(dense(4), fanInProd(), relu(), dense(1)), { inputShape: [2] })
      .ntk([[0.5, -1]])
      .get(0, 0);
    expect(one).toBe(
      infinite(serial(dense(4), relu(), dense(1)), { inputShape: [2] })
        .ntk([[0.5, -1]])
        .get(0, 0),
    );
    expect(() => network(serial(fanOut(2), parallel(dense(3), dense(4)), fanInProd()), { inputShape: [2] })).toThrow(
      new RangeError('network: model.serial[2] (fanInProd) multiplies branches of different shapes: [3], [4]'),
    );
    // A product is not Gaussian: a nonlinearity needs a dense layer after it.
    expect(() => infinite(serial(fanOut(2), parallel(dense(3), dense(3)), fanInProd(), relu()), { inputShape: [2] })).toThrow(/needs a Gaussian input/);
  });
});

// The part of the untyped `mnist` package the examples and the demo use: one entry per digit class 0–9.
declare module 'mnist' {
  interface DigitClass {
    /** Number of digits of this class. */
    length: number;
    /** Digit i as 784 intensities in [0, 1], row-major 28×28. */
    get(i: number): number[];
  }
  const digits: DigitClass[];
  export default digits;
}

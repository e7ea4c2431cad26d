/**
 * Layouts: which real encoder's bytes to reproduce (FACTS §3). A layout is a name or a set of
 * options over a base layout; `resolveLayout` gives the full options.
 */
import { DocumentError } from '../model/errors.ts';

export type LayoutName = 'c-sdk' | 'docs' | 'python' | 'compact';
export const LAYOUT_NAMES: readonly LayoutName[] = ['c-sdk', 'docs', 'python', 'compact'];

export type TopKey = 'protected' | 'signature' | 'payload';

export interface LayoutOptions {
  /** Layout these options start from (default 'compact'). */
  base?: LayoutName;
  /** Order of the three top-level keys. */
  keyOrder?: readonly TopKey[];
  /** Order of `ver` and `alg` when the encoder adds them (caller-given fields keep their order). */
  addedProtectedOrder?: 'ver-alg' | 'alg-ver';
  /**
   * CBOR numbers of the payload (interval_ms and values): 'float64' every number 0xfb;
   * 'shortest' integers as integers, others the shortest float keeping the value;
   * 'float32-shortest' rounded to float32 (in JSON too), then in the width QCBOR's preferred
   * serialisation gives (the C SDK's): half for ±0, NaN, ±Infinity and normal halves that keep
   * it, single for normal float32, double for float32 subnormals.
   */
  numbers?: 'float64' | 'shortest' | 'float32-shortest';
  /** CBOR `values` as an indefinite-length array (0x9f … 0xff). Pull sources always are. */
  valuesIndefinite?: boolean;
  /**
   * Single-sensor rows as bare numbers. Undefined: as given (number[] stays flat, number[][]
   * stays rows, typed arrays of width 1 are flat).
   */
  flattenSingleAxis?: boolean;
  /** Add this `exp` to protected when alg is none, as the C SDK does (the c-sdk preset: 1564127560). */
  noneExp?: number;
}

export type ResolvedLayout = Required<Omit<LayoutOptions, 'flattenSingleAxis' | 'noneExp' | 'base'>> & {
  name: LayoutName | 'custom';
  flattenSingleAxis: boolean | undefined;
  noneExp: number | undefined;
};

/** The `exp` the C SDK's none signer always writes after ver and alg (FACTS §3). */
export const CSDK_NONE_EXP = 1564127560;

const PRESETS: Record<LayoutName, ResolvedLayout> = {
  // Edge Impulse C SDK (QCBOR): floats only, float32, indefinite values, flattened single axis,
  // and its none signer's fixed exp.
  'c-sdk': {
    name: 'c-sdk',
    keyOrder: ['protected', 'signature', 'payload'],
    addedProtectedOrder: 'ver-alg',
    numbers: 'float32-shortest',
    valuesIndefinite: true,
    flattenSingleAxis: true,
    noneExp: CSDK_NONE_EXP,
  },
  // The docs' CBOR example: integers as integers, shortest floats, indefinite values.
  docs: {
    name: 'docs',
    keyOrder: ['protected', 'signature', 'payload'],
    addedProtectedOrder: 'ver-alg',
    numbers: 'shortest',
    valuesIndefinite: true,
    flattenSingleAxis: undefined,
    noneExp: undefined,
  },
  // The seed's Python client: payload first, alg before ver, float64 everywhere, definite arrays.
  python: {
    name: 'python',
    keyOrder: ['payload', 'protected', 'signature'],
    addedProtectedOrder: 'alg-ver',
    numbers: 'float64',
    valuesIndefinite: false,
    flattenSingleAxis: undefined,
    noneExp: undefined,
  },
  // Ours: protected first, JSON identical to JSON.stringify, CBOR shortest numbers, definite.
  compact: {
    name: 'compact',
    keyOrder: ['protected', 'signature', 'payload'],
    addedProtectedOrder: 'ver-alg',
    numbers: 'shortest',
    valuesIndefinite: false,
    flattenSingleAxis: undefined,
    noneExp: undefined,
  },
};

/**
 * Full options of a layout name or options object.
 * @throws DocumentError EI_DOC_OPTION on an unknown name or bad option
 */
export function resolveLayout(layout: LayoutName | LayoutOptions | undefined): ResolvedLayout {
  if (layout === undefined) return PRESETS.compact;
  if (typeof layout === 'string') {
    const p = PRESETS[layout as LayoutName];
    if (!p || !Object.hasOwn(PRESETS, layout)) throw new DocumentError('EI_DOC_OPTION', 'options.layout', `unknown layout '${layout}' (${LAYOUT_NAMES.join(', ')})`);
    return p;
  }
  const base = resolveLayout(layout.base ?? 'compact');
  const r: ResolvedLayout = {
    name: 'custom',
    keyOrder: layout.keyOrder ?? base.keyOrder,
    addedProtectedOrder: layout.addedProtectedOrder ?? base.addedProtectedOrder,
    numbers: layout.numbers ?? base.numbers,
    valuesIndefinite: layout.valuesIndefinite ?? base.valuesIndefinite,
    flattenSingleAxis: 'flattenSingleAxis' in layout ? layout.flattenSingleAxis : base.flattenSingleAxis,
    noneExp: layout.noneExp ?? base.noneExp,
  };
  const k = r.keyOrder;
  if (k.length !== 3 || !k.includes('protected') || !k.includes('signature') || !k.includes('payload')) {
    throw new DocumentError('EI_DOC_OPTION', 'options.layout.keyOrder', 'expected a permutation of protected, signature, payload');
  }
  if (!['float64', 'shortest', 'float32-shortest'].includes(r.numbers)) {
    throw new DocumentError('EI_DOC_OPTION', 'options.layout.numbers', `unknown number policy '${String(r.numbers)}'`);
  }
  if (r.noneExp !== undefined && (!Number.isSafeInteger(r.noneExp) || r.noneExp < 0)) {
    throw new DocumentError('EI_DOC_OPTION', 'options.layout.noneExp', 'expected a non-negative integer');
  }
  return r;
}

/**
 * Checks JSON values against the Studio API models that the generated client `edge-impulse-api`
 * declares in `build/library/sdk/model/*.d.ts`, read with the TypeScript compiler API: every
 * required field present with the declared type (string/number/boolean, string-literal enums,
 * arrays, nested models, Date as ISO string or Date, `T | null`), optional fields typed when
 * present. Fields the model does not declare are reported as `extras` (not errors), so a test can
 * hold them to a documented list.
 */
import ts from 'typescript';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const MODEL_DIR = resolve('node_modules/edge-impulse-api/build/library/sdk/model');

export interface ModelCheck {
  errors: string[];
  extras: string[];
}

/** File name of a model: `GetSampleResponse` → `getSampleResponse.d.ts`. */
function fileOf(model: string): string {
  return join(MODEL_DIR, `${model[0]!.toLowerCase()}${model.slice(1)}.d.ts`);
}

export class ModelChecker {
  private readonly program: ts.Program;
  private readonly checker: ts.TypeChecker;

  constructor(models: string[]) {
    const files = models.map(fileOf);
    for (const f of files) if (!existsSync(f)) throw new Error(`edge-impulse-api has no model file ${f}`);
    this.program = ts.createProgram(files, { strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['lib.es2022.d.ts'] });
    this.checker = this.program.getTypeChecker();
  }

  /** The declared type of `export type <model> = …` in its file. */
  typeOf(model: string): ts.Type {
    const sf = this.program.getSourceFile(fileOf(model));
    if (!sf) throw new Error(`model file for ${model} not loaded`);
    for (const st of sf.statements) {
      if ((ts.isTypeAliasDeclaration(st) || ts.isInterfaceDeclaration(st)) && st.name.text === model) {
        return this.checker.getTypeAtLocation(st.name);
      }
    }
    throw new Error(`${fileOf(model)} declares no ${model}`);
  }

  /** Names of the model's required top-level properties (for tests that list them). */
  requiredFields(model: string): string[] {
    return this.checker
      .getPropertiesOfType(this.typeOf(model))
      .filter((p) => !(p.flags & ts.SymbolFlags.Optional))
      .map((p) => p.name);
  }

  check(model: string, value: unknown): ModelCheck {
    const out: ModelCheck = { errors: [], extras: [] };
    this.walk(value, this.typeOf(model), model, out, 0);
    return out;
  }

  private describe(t: ts.Type): string {
    return this.checker.typeToString(t);
  }

  private walk(v: unknown, t: ts.Type, path: string, out: ModelCheck, depth: number): void {
    if (depth > 12) return;
    const f = t.flags;
    if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    if (t.isUnion()) {
      const members = t.types.filter((m) => !(m.flags & ts.TypeFlags.Undefined));
      if (v === null && members.some((m) => m.flags & ts.TypeFlags.Null)) return;
      // Booleans are the union true | false.
      if (typeof v === 'boolean' && members.some((m) => m.flags & ts.TypeFlags.BooleanLiteral)) return;
      for (const m of members) {
        const trial: ModelCheck = { errors: [], extras: [] };
        this.walk(v, m, path, trial, depth);
        if (trial.errors.length === 0) {
          out.extras.push(...trial.extras);
          return;
        }
      }
      out.errors.push(`${path}: ${JSON.stringify(v)?.slice(0, 80)} is not ${this.describe(t)}`);
      return;
    }
    const bad = (want: string): void => void out.errors.push(`${path}: expected ${want}, got ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}${typeof v === 'string' || typeof v === 'number' ? ` ${JSON.stringify(v).slice(0, 60)}` : ''}`);
    if (f & ts.TypeFlags.StringLiteral) {
      if (v !== (t as ts.StringLiteralType).value) bad(`"${(t as ts.StringLiteralType).value}"`);
      return;
    }
    if (f & ts.TypeFlags.NumberLiteral) {
      if (v !== (t as ts.NumberLiteralType).value) bad(String((t as ts.NumberLiteralType).value));
      return;
    }
    if (f & ts.TypeFlags.String) {
      if (typeof v !== "string") bad("string");
      return;
    }
    if (f & ts.TypeFlags.Number) return void ((typeof v !== 'number' || !Number.isFinite(v)) && bad('finite number'));
    if (f & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return void (typeof v !== 'boolean' && bad('boolean'));
    if (f & ts.TypeFlags.Null) return void (v !== null && bad('null'));
    if (f & ts.TypeFlags.NonPrimitive) return void ((typeof v !== 'object' || v === null) && bad('object'));
    const sym = t.getSymbol();
    if (sym?.name === 'Date') {
      const ok = v instanceof Date ? !Number.isNaN(v.getTime()) : typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v);
      if (!ok) bad('Date (ISO 8601 string)');
      return;
    }
    if (sym?.name === 'Buffer') return void (!Buffer.isBuffer(v) && bad('Buffer'));
    if (this.checker.isArrayType(t)) {
      if (!Array.isArray(v)) return bad('array');
      const el = this.checker.getTypeArguments(t as ts.TypeReference)[0];
      if (el) v.forEach((x, i) => this.walk(x, el, `${path}[${i}]`, out, depth + 1));
      return;
    }
    if (f & ts.TypeFlags.Object || t.isIntersection()) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('object');
      const obj = v as Record<string, unknown>;
      const props = this.checker.getPropertiesOfType(t);
      const known = new Set<string>();
      for (const p of props) {
        known.add(p.name);
        const optional = (p.flags & ts.SymbolFlags.Optional) !== 0;
        const pv = obj[p.name];
        if (pv === undefined) {
          if (!optional) out.errors.push(`${path}.${p.name}: required field missing`);
          continue;
        }
        this.walk(pv, this.checker.getTypeOfSymbol(p), `${path}.${p.name}`, out, depth + 1);
      }
      const index = this.checker.getIndexInfosOfType(t)[0];
      for (const k of Object.keys(obj)) {
        if (known.has(k)) continue;
        if (index) this.walk(obj[k], index.type, `${path}.${k}`, out, depth + 1);
        else out.extras.push(`${path}.${k}`);
      }
      return;
    }
    out.errors.push(`${path}: cannot check type ${this.describe(t)}`);
  }
}

/**
 * General AT commands of the simulated nRF91: `AT`, `+CMEE`, `+CEREG`, `+CGSN`, `+CFUN`, the
 * identification commands and the application version commands that tell the dialects apart
 * (`#XSMVER` exists only in the new Serial Modem, `#XSLMVER` only in the old SLM).
 */
import { intParam } from './at-args.ts';
import { ERROR, OK, ok, type CommandHandler } from './command-types.ts';

/** Version strings reported by the simulated firmware. */
export const SM_VERSION = '"1.0.0","3.1.0"';
export const SLM_VERSION = '"2.9.0"';

export const basicCommands: Record<string, CommandHandler> = {
  '': (_ctx, cmd) => (cmd.kind === 'action' ? OK : ERROR),

  '+CMEE': (_ctx, cmd) => {
    if (cmd.kind === 'read') return ok('+CMEE: 1');
    if (cmd.kind !== 'set') return ERROR;
    const v = intParam(cmd.params, 0);
    return v === 0 || v === 1 ? OK : ERROR;
  },

  '+CEREG': (ctx, cmd) => {
    const reg = ctx.registration;
    if (cmd.kind === 'read') return ok(reg.format(true));
    if (cmd.kind === 'test') return ok('+CEREG: (0-5)');
    if (cmd.kind !== 'set') return ERROR;
    const n = intParam(cmd.params, 0);
    if (n < 0 || n > 5) return ERROR;
    reg.n = n;
    return OK;
  },

  '+CGSN': (ctx, cmd) => {
    if (cmd.kind === 'action') return ok(ctx.imei);
    if (cmd.kind !== 'set') return ERROR;
    const t = intParam(cmd.params, 0);
    if (t === 0) return ok(ctx.imei);
    if (t === 1) return ok(`+CGSN: "${ctx.imei}"`);
    return ERROR;
  },

  '+CFUN': (ctx, cmd) => {
    if (cmd.kind === 'read') return ok(`+CFUN: ${ctx.registration.cfun}`);
    if (cmd.kind !== 'set') return ERROR;
    return ctx.registration.setCfun(intParam(cmd.params, 0)) ? OK : ERROR;
  },

  '+CGMI': (_ctx, cmd) => (cmd.kind === 'action' ? ok('Nordic Semiconductor ASA') : ERROR),
  '+CGMM': (_ctx, cmd) => (cmd.kind === 'action' ? ok('nRF9160-SICA') : ERROR),
  '+CGMR': (_ctx, cmd) => (cmd.kind === 'action' ? ok('mfw_nrf9160_1.3.7') : ERROR),

  '#XSMVER': (ctx, cmd) => (ctx.dialect === 'new' && cmd.kind === 'action' ? ok(`#XSMVER: ${SM_VERSION}`) : ERROR),
  '#XSLMVER': (ctx, cmd) => (ctx.dialect === 'old' && cmd.kind === 'action' ? ok(`#XSLMVER: ${SLM_VERSION}`) : ERROR),
};

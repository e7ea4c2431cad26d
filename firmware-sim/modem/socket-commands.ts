/**
 * Socket AT commands in both dialects (FACTS §7). New Serial Modem: every command names its
 * socket handle. Old SLM: commands act on the "selected" socket (the last opened, or the one
 * picked with `#XSOCKETSELECT`). TLS in the old dialect follows SLM's documented form
 * `AT#XSSOCKET=<op>,<type>,<role>,<sec_tag>[,<peer_verify>]` with the hostname set by
 * `AT#XSSOCKETOPT=1,2,"host"` on the selected socket.
 */
import { intParam, strParam, type ParsedCommand } from './at-args.ts';
import { ERROR, OK, ok, type CommandHandler, type CommandResult, type ModemContext } from './command-types.ts';
import { takeFault } from './faults.ts';
import { SimSocket } from './sim-socket.ts';

/** Largest `#XRECV` payload (the firmware's receive buffer). */
export const RECV_MAX = 2048;
const TLS_HOSTNAME = 2;
const TLS_PEER_VERIFY = 5;
const PROTO_TCP = 6;
const PROTO_TLS_1_2 = 258;

function openSocket(ctx: ModemContext, cmd: ParsedCommand, secure: boolean): SimSocket | undefined {
  const op = intParam(cmd.params, 0);
  const type = intParam(cmd.params, 1);
  const role = intParam(cmd.params, 2);
  // Only IPv4/IPv6 TCP clients are simulated.
  if ((op !== 1 && op !== 2) || type !== 1 || role !== 0) return undefined;
  const secTag = secure ? intParam(cmd.params, 3) : -1;
  const peerVerify = secure ? intParam(cmd.params, 4, 2) : 0;
  if (peerVerify < 0 || peerVerify > 2) return undefined;
  const handle = ctx.sockets.freeHandle();
  if (handle === undefined) {
    ctx.log(`socket limit (${ctx.sockets.size} open)`);
    return undefined;
  }
  const s = new SimSocket(handle, secure, secTag, peerVerify, ctx.net);
  ctx.sockets.add(s);
  return s;
}

async function connect(ctx: ModemContext, s: SimSocket, host: string, port: number): Promise<boolean> {
  if (!ctx.registration.registered) {
    ctx.log(`connect ${host}:${port} refused: not registered`);
    return false;
  }
  if (takeFault(ctx.faults, 'connectError')) {
    ctx.log(`connect ${host}:${port}: injected ERROR`);
    return false;
  }
  try {
    await s.connect(host, port);
    return true;
  } catch (err) {
    ctx.log(`connect ${host}:${port} failed: ${(err as Error).message}`);
    return false;
  }
}

async function recv(s: SimSocket, timeoutS: number, max: number, header: (n: number) => string): Promise<CommandResult> {
  try {
    const data = await s.recv(max, timeoutS * 1000);
    if (data === null) return OK; // peer closed: bare OK
    return { kind: 'raw', bytes: Buffer.concat([Buffer.from(`\r\n${header(data.length)}\r\n`, 'latin1'), data, Buffer.from('\r\nOK\r\n')]) };
  } catch {
    return ERROR;
  }
}

function setSecureOpt(s: SimSocket, cmd: ParsedCommand, at: number): CommandResult {
  const op = intParam(cmd.params, at);
  const name = intParam(cmd.params, at + 1);
  if (op !== 1) return ERROR;
  if (name === TLS_HOSTNAME) {
    const p = cmd.params[at + 2];
    s.hostname = p?.quoted && p.text !== '' ? p.text : undefined;
    return OK;
  }
  if (name === TLS_PEER_VERIFY) {
    const v = intParam(cmd.params, at + 2);
    if (v < 0 || v > 2) return ERROR;
    s.peerVerify = v;
    return OK;
  }
  return OK; // other options accepted and ignored
}

function handleOf(ctx: ModemContext, cmd: ParsedCommand): SimSocket | undefined {
  return ctx.sockets.get(intParam(cmd.params, 0));
}

/** New "Serial Modem" dialect: handle-based. */
export const newSocketCommands: Record<string, CommandHandler> = {
  '#XSOCKET': (ctx, cmd) => {
    if (cmd.kind !== 'set') return ERROR;
    const s = openSocket(ctx, cmd, false);
    return s ? ok(`#XSOCKET: ${s.handle},1,${PROTO_TCP}`) : ERROR;
  },
  '#XSSOCKET': (ctx, cmd) => {
    if (cmd.kind !== 'set') return ERROR;
    const s = openSocket(ctx, cmd, true);
    return s ? ok(`#XSSOCKET: ${s.handle},1,${PROTO_TLS_1_2}`) : ERROR;
  },
  '#XSSOCKETOPT': (ctx, cmd) => {
    const s = cmd.kind === 'set' ? handleOf(ctx, cmd) : undefined;
    return s?.secure ? setSecureOpt(s, cmd, 1) : ERROR;
  },
  '#XSOCKETOPT': (ctx, cmd) => (cmd.kind === 'set' && handleOf(ctx, cmd) ? OK : ERROR),
  '#XCONNECT': async (ctx, cmd) => {
    const s = cmd.kind === 'set' ? handleOf(ctx, cmd) : undefined;
    if (!s) return ERROR;
    const ok1 = await connect(ctx, s, strParam(cmd.params, 1), intParam(cmd.params, 2));
    return ok1 ? ok(`#XCONNECT: ${s.handle},1`) : ERROR;
  },
  '#XSEND': (ctx, cmd) => {
    const s = cmd.kind === 'set' ? handleOf(ctx, cmd) : undefined;
    if (!s?.connected) return ERROR;
    const mode = intParam(cmd.params, 1);
    intParam(cmd.params, 2); // flags
    if (mode !== 2) return ERROR; // only data mode is simulated
    const length = cmd.params.length > 3 ? intParam(cmd.params, 3) : undefined;
    if (length !== undefined && length < 0) return ERROR;
    return { kind: 'datamode', socket: s, length };
  },
  '#XRECV': (ctx, cmd) => {
    const s = cmd.kind === 'set' ? handleOf(ctx, cmd) : undefined;
    if (!s) return ERROR;
    const mode = intParam(cmd.params, 1);
    intParam(cmd.params, 2); // flags
    const timeout = intParam(cmd.params, 3);
    const len = intParam(cmd.params, 4, RECV_MAX);
    if (mode !== 0 || timeout < 0 || len <= 0 || len > RECV_MAX) return ERROR;
    return recv(s, timeout, len, (n) => `#XRECV: ${s.handle},0,${n}`);
  },
  '#XCLOSE': (ctx, cmd) => {
    const s = cmd.kind === 'set' ? handleOf(ctx, cmd) : undefined;
    if (!s) return ERROR;
    ctx.sockets.remove(s);
    return ok(`#XCLOSE: ${s.handle},0`);
  },
};

function closeSelected(ctx: ModemContext): CommandResult {
  const s = ctx.sockets.selected;
  if (!s) return ERROR;
  ctx.sockets.remove(s);
  return ok('#XSOCKET: 0,"closed"');
}

/** Old SLM dialect: the selected socket. */
export const oldSocketCommands: Record<string, CommandHandler> = {
  '#XSOCKET': (ctx, cmd) => {
    if (cmd.kind === 'read') {
      const s = ctx.sockets.selected;
      return s ? ok(`#XSOCKET: ${s.handle},1,0,1,0`) : ERROR;
    }
    if (cmd.kind !== 'set') return ERROR;
    if (intParam(cmd.params, 0) === 0) return closeSelected(ctx);
    const s = openSocket(ctx, cmd, false);
    return s ? ok(`#XSOCKET: ${s.handle},1,${PROTO_TCP}`) : ERROR;
  },
  '#XSSOCKET': (ctx, cmd) => {
    if (cmd.kind !== 'set') return ERROR;
    if (intParam(cmd.params, 0) === 0) return closeSelected(ctx);
    const s = openSocket(ctx, cmd, true);
    return s ? ok(`#XSSOCKET: ${s.handle},1,${PROTO_TLS_1_2}`) : ERROR;
  },
  '#XSOCKETSELECT': (ctx, cmd) => {
    if (cmd.kind === 'read') {
      const s = ctx.sockets.selected;
      return s ? ok(`#XSOCKETSELECT: ${s.handle}`) : ERROR;
    }
    const s = cmd.kind === 'set' ? handleOf(ctx, cmd) : undefined;
    if (!s) return ERROR;
    ctx.sockets.select(s);
    return ok(`#XSOCKETSELECT: ${s.handle}`);
  },
  '#XSSOCKETOPT': (ctx, cmd) => {
    const s = ctx.sockets.selected;
    return cmd.kind === 'set' && s && s.secure ? setSecureOpt(s, cmd, 0) : ERROR;
  },
  '#XSOCKETOPT': (ctx, cmd) => (cmd.kind === 'set' && ctx.sockets.selected ? OK : ERROR),
  '#XCONNECT': async (ctx, cmd) => {
    const s = ctx.sockets.selected;
    if (!s || cmd.kind !== 'set') return ERROR;
    const ok1 = await connect(ctx, s, strParam(cmd.params, 0), intParam(cmd.params, 1));
    return ok1 ? ok('#XCONNECT: 1') : ERROR;
  },
  '#XSEND': async (ctx, cmd) => {
    const s = ctx.sockets.selected;
    if (!s?.connected) return ERROR;
    if (cmd.kind === 'action') return { kind: 'datamode', socket: s };
    if (cmd.kind !== 'set') return ERROR;
    const data = Buffer.from(strParam(cmd.params, 0), 'latin1');
    try {
      await s.write(data);
    } catch {
      return ERROR;
    }
    return ok(`#XSEND: ${data.length}`);
  },
  '#XRECV': (ctx, cmd) => {
    const s = ctx.sockets.selected;
    if (!s || cmd.kind !== 'set') return ERROR;
    const timeout = intParam(cmd.params, 0);
    intParam(cmd.params, 1, 0); // flags
    if (timeout < 0) return ERROR;
    return recv(s, timeout, RECV_MAX, (n) => `#XRECV: ${n}`);
  },
};

import { EiError } from '../errors.ts';

/** The spool is at its count or byte cap and its policy is 'refuse'. The sample was not stored. */
export class SpoolFullError extends EiError {
  readonly count: number;
  readonly bytes: number;
  constructor(message: string, count: number, bytes: number) {
    super('EI_SPOOL_FULL', message);
    this.count = count;
    this.bytes = bytes;
  }
}

/** A record file on disk does not parse (bad magic, torn, hash mismatch). `.file` names it. */
export class SpoolRecordError extends EiError {
  readonly file: string;
  constructor(message: string, file: string, options?: { cause?: unknown }) {
    super('EI_SPOOL_CORRUPT', message, options);
    this.file = file;
  }
}

/** Another live process holds the spool's lock file. */
export class SpoolLockedError extends EiError {
  readonly pid: number;
  constructor(message: string, pid: number) {
    super('EI_SPOOL_LOCKED', message);
    this.pid = pid;
  }
}

/** A sample handed to the spool is unusable (empty body, bad spec field). `.field` names it. */
export class SpoolInputError extends EiError {
  readonly field: string;
  constructor(message: string, field: string) {
    super('EI_SPOOL_INPUT', message);
    this.field = field;
  }
}

/** The spool was used after close(). */
export class SpoolClosedError extends EiError {
  constructor() {
    super('EI_SPOOL_CLOSED', 'spool is closed');
  }
}

/**
 * How the device hands a recorded sample to the ingestion service. `sampleFinished` may only be
 * sent once `upload` resolved, so both implementations resolve only when the service stored the
 * sample: directly through the upload client (its retry policy applies), or through the durable
 * spool, waiting for the spool's sender to deliver that very record.
 */
import { bodyFromBytes } from '../encode/body.ts';
import type { EncodedBody } from '../encode/body.ts';
import { classifyError, classifyStatus, clientSend, SpoolSender } from '../spool/index.ts';
import type { DeadLetterPolicy, SampleSpec, SenderEvent, Spool, UploadClientLike } from '../spool/index.ts';
import { SampleUploadError } from './errors.ts';

export interface SampleToUpload {
  body: Uint8Array;
  contentType: string;
  signature: string;
  spec: SampleSpec;
}

export interface UploadReceipt {
  status: number;
  /** True when it went through the spool (and so survived a crash of this process). */
  spooled: boolean;
}

export interface SampleUploader {
  /**
   * Resolves once the service stored the sample (2xx or "duplicate").
   * @throws SampleUploadError `EI_DEVICE_UPLOAD_REFUSED` (the service refused it for good),
   *   `EI_DEVICE_UPLOAD_FAILED` (gave up), `EI_DEVICE_UPLOAD_PENDING` (spooled, not yet sent)
   */
  upload(sample: SampleToUpload): Promise<UploadReceipt>;
  close(): Promise<void>;
}

function specFor(s: SampleToUpload): Parameters<UploadClientLike['upload']>[1] {
  return { ...s.spec, disallowDuplicates: true, contentType: s.contentType };
}

/** Uploads straight through the client (no spool): the client's own retries apply. */
export function directUploader(client: UploadClientLike & { close?: () => Promise<void> | void }): SampleUploader {
  return {
    async upload(s) {
      let out;
      try {
        const body: EncodedBody = bodyFromBytes(s.body, s.contentType, s.signature);
        const res = await client.upload(body, specFor(s));
        out = classifyStatus(res.status, res.body);
      } catch (err) {
        out = classifyError(err);
      }
      if (out.kind === 'delivered' || out.kind === 'duplicate') return { status: out.status, spooled: false };
      if (out.kind === 'rejected') {
        throw new SampleUploadError('EI_DEVICE_UPLOAD_REFUSED', `${out.reason}: ${out.response.slice(0, 200)}`);
      }
      throw new SampleUploadError('EI_DEVICE_UPLOAD_FAILED', `upload failed: ${out.reason}`);
    },
    async close() {
      await client.close?.();
    },
  };
}

export interface SpoolUploaderOptions {
  spool: Spool;
  client: UploadClientLike;
  /** How long `upload` waits for delivery before reporting the sample as pending (default 60 s). */
  waitMs?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** When a sample failing on its own is dead-lettered (spool/policy.ts). */
  deadLetter?: Partial<DeadLetterPolicy>;
  onEvent?: (e: SenderEvent) => void;
}

type Waiter = { resolve: (r: UploadReceipt) => void; reject: (e: Error) => void };

/**
 * Spools every sample first (durable), and runs the spool's sender in the background. A sample
 * not delivered within `waitMs` is reported as pending: it stays queued and will still be sent,
 * but Studio is told the truth rather than "finished".
 */
export function spoolUploader(o: SpoolUploaderOptions): SampleUploader {
  const waiters = new Map<string, Waiter>();
  // Outcomes that arrived before anyone waited for them (bounded).
  const early = new Map<string, SenderEvent>();
  const lastReason = new Map<string, string>();
  const settle = (id: string, e: SenderEvent, w: Waiter) => {
    waiters.delete(id);
    if (e.type === 'delivered' || e.type === 'duplicate') w.resolve({ status: e.status, spooled: true });
    else if (e.type === 'dead') {
      w.reject(new SampleUploadError('EI_DEVICE_UPLOAD_REFUSED', `${e.reason}; kept in the spool's dead-letter folder`));
    }
  };
  const abort = new AbortController();
  const sender = new SpoolSender(o.spool, clientSend(o.client), {
    initialBackoffMs: o.initialBackoffMs,
    maxBackoffMs: o.maxBackoffMs,
    deadLetter: o.deadLetter,
    onEvent: (e) => {
      o.onEvent?.(e);
      if (e.type === 'probe') return;
      if (e.type === 'retry') {
        lastReason.set(e.id, e.reason);
        return;
      }
      lastReason.delete(e.id);
      const w = waiters.get(e.id);
      if (w) settle(e.id, e, w);
      else {
        early.set(e.id, e);
        if (early.size > 100) early.delete(early.keys().next().value!);
      }
    },
  });
  const running = sender.run({ signal: abort.signal });
  const stopping = () => new SampleUploadError('EI_DEVICE_UPLOAD_PENDING', 'device stopping; the sample is kept in the spool and will be sent later');
  return {
    async upload(s) {
      const { id } = await o.spool.enqueue(s.body, { spec: s.spec, contentType: s.contentType, signature: s.signature });
      // close() may have run while the enqueue was in flight: its sweep of the waiters missed
      // this one, which would otherwise wait out waitMs.
      if (abort.signal.aborted) throw stopping();
      return new Promise<UploadReceipt>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(id);
          const why = lastReason.get(id);
          reject(
            new SampleUploadError(
              'EI_DEVICE_UPLOAD_PENDING',
              `not uploaded yet${why ? ` (${why})` : ''}; the sample is kept in the spool and will be sent later`,
            ),
          );
        }, o.waitMs ?? 60_000);
        const w: Waiter = {
          resolve: (r) => (clearTimeout(timer), resolve(r)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        };
        const done = early.get(id);
        if (done) {
          early.delete(id);
          settle(id, done, w);
        } else waiters.set(id, w);
      });
    },
    async close() {
      abort.abort();
      await running;
      for (const [id, w] of waiters) {
        waiters.delete(id);
        w.reject(stopping());
      }
    },
  };
}

/**
 * Reads a multipart/form-data request with busboy, spooling every part (files to SpooledBody,
 * small fields as bytes) and enforcing the part, file and byte limits while the body streams.
 * Any violation fails the whole request: the caller answers 400 and nothing is stored.
 */
import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { BadRequestError, type ServiceRequestError } from './errors.ts';
import { SpooledBody } from './spooled-body.ts';
import type { ServiceLimits } from './limits.ts';

export interface Part {
  /** Form field name (`data`, `info.labels`, …). */
  name: string;
  fileName: string | undefined;
  contentType: string;
  body: SpooledBody;
}

export interface MultipartOptions {
  limits: ServiceLimits;
  tmpDir: string;
  /** Per-part byte limit by field name. */
  limitFor(name: string): number;
  /** Called per part as it starts, to count and refuse (e.g. too many `data` parts). */
  onPart?(name: string, index: number): void;
}

/**
 * Parses the body of `req` into parts.
 * @throws BadRequestError (400) on malformed framing or any limit; temp files are removed.
 */
export function readMultipart(req: IncomingMessage, opts: MultipartOptions): Promise<Part[]> {
  const { limits } = opts;
  return new Promise<Part[]>((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        defCharset: 'latin1', // fields decode byte-for-byte; we rebuild the bytes below
        defParamCharset: 'utf8',
        limits: {
          parts: limits.maxParts,
          files: limits.maxParts,
          fields: limits.maxParts,
          fieldSize: limits.maxLabelFileBytes,
          fieldNameSize: 200,
          headerPairs: 32,
        },
      });
    } catch (e) {
      reject(new BadRequestError('EI_SVC_MULTIPART', `Invalid multipart request: ${(e as Error).message}`, 'content-type'));
      return;
    }
    const parts: Part[] = [];
    const pending: Promise<void>[] = [];
    let failed: ServiceRequestError | undefined;
    let received = 0;
    const streams: NodeJS.ReadableStream[] = [];

    const fail = (err: ServiceRequestError): void => {
      if (failed) return;
      failed = err;
      req.unpipe(bb);
      req.off('data', onData);
      req.resume(); // discard the rest (the 400 goes out with a lingering close)
      bb.removeAllListeners();
      bb.on('error', () => {});
      // Unpiped, busboy feeds no more bytes: end the open part streams so their loops finish.
      for (const s of streams) (s as unknown as { destroy(): void }).destroy();
      // Let the parts' stream loops drain, then clean up whatever was spooled.
      void Promise.allSettled(pending).then(async () => {
        await Promise.all(parts.map((p) => p.body.discard()));
        reject(err);
      });
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limits.maxRequestBytes) {
        fail(new BadRequestError('EI_SVC_TOO_LARGE', `request body exceeds ${limits.maxRequestBytes} bytes`));
      }
    };
    req.on('data', onData);

    const start = (rawName: string | undefined, fileName: string | undefined, contentType: string): Part | undefined => {
      // A part without a name (busboy passes undefined) is kept as '' and refused by the route.
      const name = typeof rawName === 'string' ? rawName : '';
      try {
        opts.onPart?.(name, parts.length);
      } catch (e) {
        fail(e as ServiceRequestError);
        return undefined;
      }
      const part: Part = { name, fileName, contentType: contentType ?? 'application/octet-stream', body: new SpooledBody(opts.tmpDir, opts.limitFor(name), `part "${name.slice(0, 40)}"`) };
      parts.push(part);
      return part;
    };

    // A throw inside a busboy event would be an uncaught exception: turn it into a 400 instead.
    const guard =
      <A extends unknown[]>(fn: (...a: A) => void) =>
      (...a: A): void => {
        try {
          fn(...a);
        } catch {
          fail(new BadRequestError('EI_SVC_MULTIPART', 'Malformed multipart part'));
        }
      };
    bb.on('file', guard((name: string, stream: NodeJS.ReadableStream & { resume(): void }, info: busboy.FileInfo) => {
      const part = failed ? undefined : start(name, info.filename, info.mimeType);
      if (!part) {
        stream.resume();
        return;
      }
      streams.push(stream);
      pending.push(
        (async () => {
          try {
            for await (const chunk of stream) {
              if (failed) continue; // keep draining so busboy can finish
              await part.body.write(chunk as Buffer);
            }
            if (!failed) await part.body.finish();
          } catch (e) {
            fail(e instanceof BadRequestError ? e : new BadRequestError('EI_SVC_MULTIPART', 'part could not be read'));
          }
        })(),
      );
    }));
    bb.on('field', guard((name: string, value: string, info: busboy.FieldInfo) => {
      if (failed) return;
      if (info.valueTruncated) {
        fail(new BadRequestError('EI_SVC_TOO_LARGE', `part "${String(name ?? '').slice(0, 40)}" exceeds ${limits.maxLabelFileBytes} bytes`));
        return;
      }
      const part = start(name, undefined, info.mimeType);
      if (!part) return;
      pending.push(
        (async () => {
          try {
            await part.body.write(Buffer.from(value, 'latin1'));
            await part.body.finish();
          } catch (e) {
            fail(e instanceof BadRequestError ? e : new BadRequestError('EI_SVC_MULTIPART', 'part could not be read'));
          }
        })(),
      );
    }));
    const tooMany = (): void => fail(new BadRequestError('EI_SVC_TOO_MANY_PARTS', `more than ${limits.maxParts} parts in one request`));
    bb.on('partsLimit', tooMany);
    bb.on('filesLimit', tooMany);
    bb.on('fieldsLimit', tooMany);
    bb.on('error', (e: Error) => fail(new BadRequestError('EI_SVC_MULTIPART', `Malformed multipart body: ${e.message}`)));
    bb.on('close', () => {
      if (failed) return;
      void Promise.all(pending).then(() => {
        if (failed) return;
        req.off('data', onData);
        resolve(parts);
      });
    });
    req.on('aborted', () => fail(new BadRequestError('EI_SVC_ABORTED', 'request aborted')));
    req.on('close', () => {
      if (!req.complete) fail(new BadRequestError('EI_SVC_ABORTED', 'request aborted'));
    });
    req.pipe(bb);
  });
}

/**
 * A minimal ingestion peer for link-speed benches: answers `POST /api/{category}/files` with the
 * JSON shape of FACTS §4, one `{success: true}` per `data` part, counting the parts as the body
 * streams by (the multipart delimiter `\r\n--boundary` or the opening `--boundary`), and `/data`
 * with 200. It checks nothing and stores nothing: it measures the path, not a service.
 */
import http from 'node:http';

/** Counts multipart delimiters in a streamed body, across chunk boundaries. */
export class DelimiterCounter {
  private readonly pattern: Buffer;
  private tail = Buffer.alloc(0);
  count = 0;
  constructor(boundary: string) {
    this.pattern = Buffer.from(`--${boundary}`);
  }
  feed(chunk: Buffer): void {
    const buf = this.tail.length ? Buffer.concat([this.tail, chunk]) : chunk;
    let i = buf.indexOf(this.pattern);
    let last = -1;
    while (i >= 0) {
      this.count++;
      last = i;
      i = buf.indexOf(this.pattern, i + this.pattern.length);
    }
    const keep = Math.min(buf.length - (last >= 0 ? last + this.pattern.length : 0), this.pattern.length - 1);
    this.tail = Buffer.from(buf.subarray(buf.length - Math.max(0, keep)));
  }
}

export function startFilesSink(port = 0): Promise<{ url: string; port: number; files: () => number; close(): Promise<void> }> {
  let files = 0;
  const server = http.createServer((req, res) => {
    const m = /boundary=([^;]+)/.exec(req.headers['content-type'] ?? '');
    const counter = m ? new DelimiterCounter(m[1]!.replace(/^"|"$/g, '')) : null;
    req.on('data', (d: Buffer) => counter?.feed(d));
    req.on('end', () => {
      if (req.url?.endsWith('/files') && counter) {
        const n = Math.max(0, counter.count - 1); // the closing delimiter is not a part
        files += n;
        const body = JSON.stringify({ success: true, files: Array.from({ length: n }, (_, i) => ({ success: true, sampleId: files - n + i + 1, projectId: 1, fileName: `f${i}` })) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(body);
      } else {
        files++;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => {
      const p = (server.address() as { port: number }).port;
      resolve({ url: `http://127.0.0.1:${p}`, port: p, files: () => files, close: () => new Promise<void>((r) => server.close(() => r())) });
    }),
  );
}

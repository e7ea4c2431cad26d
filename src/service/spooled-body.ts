/**
 * One received file or body: hashed as it streams, kept in memory while small and spilled to a
 * temp file under the data directory beyond that, so a 100 MB part never sits in memory whole
 * while it is still arriving. Enforces the byte limit as the chunks come in.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { BadRequestError } from './errors.ts';
import { BufferSource, FileSource, type ByteSource } from './byte-source.ts';
import { noteReceived } from './memory-reducer.ts';

const MEMORY_LIMIT = 256 * 1024;

export class SpooledBody {
  size = 0;
  private readonly hash: Hash = createHash('sha256');
  private chunks: Buffer[] = [];
  private fh: FileHandle | undefined;
  private sha: string | undefined;
  /** Temp file path once spilled. */
  tmpPath: string | undefined;

  constructor(
    private readonly tmpDir: string,
    private readonly limit: number,
    private readonly what: string,
  ) {}

  /** Adds a chunk (the caller awaits it: that is the backpressure). */
  async write(chunk: Buffer): Promise<void> {
    this.size += chunk.length;
    if (this.size > this.limit) {
      throw new BadRequestError('EI_SVC_TOO_LARGE', `${this.what} exceeds the limit of ${this.limit} bytes`, this.what);
    }
    this.hash.update(chunk);
    noteReceived(chunk.length);
    if (this.fh) {
      await this.fh.write(chunk);
      return;
    }
    this.chunks.push(chunk);
    if (this.size > MEMORY_LIMIT) {
      this.tmpPath = join(this.tmpDir, `up-${randomUUID()}`);
      this.fh = await open(this.tmpPath, 'w', 0o600);
      for (const c of this.chunks) await this.fh.write(c);
      this.chunks = [];
    }
  }

  /** Ends input; returns the SHA-256 hex of everything written. */
  async finish(): Promise<string> {
    if (this.sha === undefined) {
      this.sha = this.hash.digest('hex');
      if (this.fh) {
        await this.fh.close();
        this.fh = undefined;
      }
    }
    return this.sha;
  }

  get sha256(): string {
    if (this.sha === undefined) throw new Error('SpooledBody not finished');
    return this.sha;
  }

  /** The whole content (read back from the temp file when spilled). */
  async bytes(): Promise<Buffer> {
    if (this.tmpPath) return readFile(this.tmpPath);
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
  }

  /**
   * The content for reading without loading it (after finish): the temp file through a window
   * when spilled. The caller closes it.
   */
  source(): ByteSource {
    if (this.tmpPath) return new FileSource(this.tmpPath);
    return new BufferSource(this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size));
  }

  /** Removes the temp file, if any (after it was moved into place or on failure). */
  async discard(): Promise<void> {
    if (this.fh) {
      await this.fh.close().catch(() => {});
      this.fh = undefined;
    }
    if (this.tmpPath) {
      await rm(this.tmpPath, { force: true }).catch(() => {});
      this.tmpPath = undefined;
    }
    this.chunks = [];
  }
}

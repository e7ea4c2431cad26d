/**
 * The sample index's schema (SQLite): samples, their hashes (for x-disallow-duplicates), labels
 * (plain and structured), and categories; plus the record types and the row mapping.
 */
export type SignatureStatusText = 'valid' | 'invalid' | 'none' | 'unverified';

/** What the pipeline hands to the store for one sample. */
export interface NewSample {
  projectId: number;
  category: string;
  filename: string;
  label: string | null;
  kind: string;
  format: string;
  contentType: string;
  size: number;
  sha256: string;
  signatureAlg: string | null;
  signatureStatus: SignatureStatusText;
  deviceName: string | null;
  deviceType: string | null;
  intervalMs: number | null;
  sensors: { name: string; units: string }[];
  rowCount: number | null;
  totalLengthMs: number | null;
  info: Record<string, unknown>;
  metadata: Record<string, string>;
  uploadSource: string | null;
  structuredLabels: { startIndex: number; endIndex: number; label: string }[] | null;
}

export interface SampleRecord extends NewSample {
  id: number;
  path: string;
  attachmentPath: string | null;
  added: number;
}

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS categories (name TEXT PRIMARY KEY);
INSERT OR IGNORE INTO categories(name) VALUES ('training'), ('testing'), ('anomaly');
CREATE TABLE IF NOT EXISTS samples (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  project_id INTEGER NOT NULL,
  category TEXT NOT NULL REFERENCES categories(name),
  filename TEXT NOT NULL,
  label TEXT,
  kind TEXT NOT NULL,
  format TEXT NOT NULL,
  content_type TEXT NOT NULL,
  path TEXT NOT NULL UNIQUE,
  attachment_path TEXT,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  signature_alg TEXT,
  signature_status TEXT NOT NULL,
  device_name TEXT,
  device_type TEXT,
  interval_ms REAL,
  sensors TEXT NOT NULL,
  row_count INTEGER,
  total_length_ms REAL,
  info TEXT NOT NULL,
  metadata TEXT NOT NULL,
  upload_source TEXT,
  added INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS samples_project_category ON samples(project_id, category);
CREATE TABLE IF NOT EXISTS hashes (
  project_id INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
  PRIMARY KEY (project_id, sha256, sample_id)
);
CREATE TABLE IF NOT EXISTS labels (
  sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  start_index INTEGER,
  end_index INTEGER
);
CREATE INDEX IF NOT EXISTS labels_sample ON labels(sample_id);
`;

export interface Row {
  id: number;
  project_id: number;
  category: string;
  filename: string;
  label: string | null;
  kind: string;
  format: string;
  content_type: string;
  path: string;
  attachment_path: string | null;
  size: number;
  sha256: string;
  signature_alg: string | null;
  signature_status: SignatureStatusText;
  device_name: string | null;
  device_type: string | null;
  interval_ms: number | null;
  sensors: string;
  row_count: number | null;
  total_length_ms: number | null;
  info: string;
  metadata: string;
  upload_source: string | null;
  added: number;
}

/** Index row → record (JSON columns parsed). */
export function rowToRecord(r: Row): SampleRecord {
  const info = JSON.parse(r.info) as Record<string, unknown>;
  const structuredLabels = (info.structuredLabels as SampleRecord['structuredLabels']) ?? null;
  delete info.structuredLabels;
  return {
    id: r.id,
    projectId: r.project_id,
    category: r.category,
    filename: r.filename,
    label: r.label,
    kind: r.kind,
    format: r.format,
    contentType: r.content_type,
    path: r.path,
    attachmentPath: r.attachment_path,
    size: r.size,
    sha256: r.sha256,
    signatureAlg: r.signature_alg,
    signatureStatus: r.signature_status,
    deviceName: r.device_name,
    deviceType: r.device_type,
    intervalMs: r.interval_ms,
    sensors: JSON.parse(r.sensors),
    rowCount: r.row_count,
    totalLengthMs: r.total_length_ms,
    info,
    metadata: JSON.parse(r.metadata),
    uploadSource: r.upload_source,
    structuredLabels,
    added: r.added,
  };
}

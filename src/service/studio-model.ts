/**
 * The Studio API's response models (as the generated clients in `edge-impulse-api` declare them:
 * Sample, GetSampleResponse, ProjectInfoResponse, Device) built from what the local service
 * stores. Pure: no I/O. `test/studio-contract.test.ts` checks every field against the package's
 * type declarations, so a field added upstream or dropped here fails a test.
 *
 * Values the local service cannot know get the constants in `STUDIO_CONSTANTS` (documented in
 * the README): e.g. no owner, no collaborators, no compute time, no DSP or training state.
 */
import type { SampleRecord } from './store.ts';
import type { DecodedPayload } from './sample-read.ts';

/** What the local service answers for things it has no notion of. */
export const STUDIO_CONSTANTS = {
  /** Project.owner, the owner of every local project. */
  owner: 'local',
  /** Project.created when the config gives no date: the Unix epoch. */
  projectCreated: new Date(0).toISOString(),
  /** Sample.deviceType / payload.device_type when neither the document nor x-device-type said one. */
  deviceType: 'UNKNOWN',
  /** Project.tier. */
  tier: 'free',
  /** Project.labelingMethod. */
  labelingMethod: 'single_label',
  /** ProjectInfoResponse.studioUrl: the local service has no Studio UI of its own. */
  studioUrl: '',
} as const;

/** Studio's categories (RawDataCategory); `anomaly` uploads are reported as `testing`. */
export function studioCategory(c: string): 'training' | 'testing' {
  return c === 'training' ? 'training' : 'testing';
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function chartType(kind: string): 'chart' | 'image' | 'video' | 'table' {
  if (kind === 'png' || kind === 'jpg') return 'image';
  if (kind === 'mp4' || kind === 'avi') return 'video';
  return 'chart';
}

function sensorsOf(r: { sensors: { name: string; units: string }[] }): { index: number; name: string; units: string }[] {
  return r.sensors.map((s, index) => ({ index, name: s.name, units: s.units }));
}

function signatureValidate(r: SampleRecord): boolean {
  return r.signatureStatus === 'valid';
}

/** The `Sample` model (list entries and `getSample().sample`), plus local extension fields. */
export function sampleModel(r: SampleRecord): Record<string, unknown> {
  const intervalMs = r.intervalMs ?? 0;
  const frequency = intervalMs > 0 ? 1000 / intervalMs : 0;
  const lastModified = typeof r.info.lastModified === 'number' ? r.info.lastModified : r.added;
  const image = r.kind === 'png' || r.kind === 'jpg' || r.info.width !== undefined;
  const out: Record<string, unknown> = {
    id: r.id,
    filename: r.filename,
    signatureValidate: signatureValidate(r),
    ...(r.signatureAlg ? { signatureMethod: r.signatureAlg } : {}),
    created: iso(r.added),
    lastModified: iso(lastModified),
    category: studioCategory(r.category),
    coldstorageFilename: r.path,
    label: r.label ?? '',
    intervalMs,
    frequency,
    originalIntervalMs: intervalMs,
    originalFrequency: frequency,
    ...(r.deviceName !== null ? { deviceName: r.deviceName } : {}),
    deviceType: r.deviceType ?? STUDIO_CONSTANTS.deviceType,
    sensors: sensorsOf(r),
    valuesCount: r.rowCount ?? (image ? 1 : 0),
    ...(r.totalLengthMs !== null ? { totalLengthMs: r.totalLengthMs } : {}),
    added: iso(r.added),
    boundingBoxes: (r.info.boundingBoxes as unknown[] | undefined) ?? [],
    boundingBoxesType: 'object_detection',
    chartType: chartType(r.kind),
    isDisabled: false,
    isProcessing: false,
    processingError: false,
    isCropped: false,
    metadata: r.metadata,
    projectId: r.projectId,
    sha256Hash: r.sha256,
    ...(r.structuredLabels ? { structuredLabels: r.structuredLabels, structuredLabelsList: [...new Set(r.structuredLabels.map((l) => l.label))] } : {}),
    ...(r.info.width !== undefined ? { imageDimensions: { width: r.info.width, height: r.info.height } } : {}),
    ...(r.info.labelMap ? { labelMap: r.info.labelMap } : {}),
    datastreams: [],
    // Local extensions (not in the model; listed in LOCAL_SAMPLE_FIELDS).
    signatureStatus: r.signatureStatus,
    storedCategory: r.category,
    kind: r.kind,
    format: r.format,
    size: r.size,
    uploadSource: r.uploadSource,
    ...(r.info.attachmentLabels ? { attachmentLabels: r.info.attachmentLabels } : {}),
  };
  return out;
}

/** Fields `sampleModel` adds beyond the Studio model, for tools that want the local detail. */
export const LOCAL_SAMPLE_FIELDS = ['signatureStatus', 'storedCategory', 'kind', 'format', 'size', 'uploadSource', 'protected', 'hasAttachment', 'attachmentLabels'] as const;

/** The `RawSamplePayload` model of `getSample().payload`. */
export function payloadModel(r: SampleRecord, p: DecodedPayload): Record<string, unknown> {
  const intervalMs = r.intervalMs ?? 0;
  return {
    ...(p.device_name !== undefined ? { device_name: p.device_name } : {}),
    device_type: p.device_type ?? STUDIO_CONSTANTS.deviceType,
    sensors: sensorsOf(p),
    values: p.values,
    intervalMs,
    frequencyHz: intervalMs > 0 ? 1000 / intervalMs : 0,
  };
}

export interface DataSummary {
  totalLengthMs: number;
  labels: string[];
  totalLabels: number;
  dataCount: number;
}

/** ProjectDataSummary over some samples. */
export function dataSummary(samples: SampleRecord[]): DataSummary {
  const labels = new Set<string>();
  let totalLengthMs = 0;
  for (const s of samples) {
    if (s.label) labels.add(s.label);
    for (const l of s.structuredLabels ?? []) labels.add(l.label);
    totalLengthMs += s.totalLengthMs ?? 0;
  }
  return { totalLengthMs, labels: [...labels].sort(), totalLabels: labels.size, dataCount: samples.length };
}

/** The `Project` model (project info, and the key's entry in `GET /v1/api/projects`). */
export function projectModel(project: { projectId: number; name: string }): Record<string, unknown> {
  return {
    id: project.projectId,
    name: project.name,
    description: '',
    created: STUDIO_CONSTANTS.projectCreated,
    owner: STUDIO_CONSTANTS.owner,
    ownerIsDeveloperProfile: false,
    collaborators: [],
    labelingMethod: STUDIO_CONSTANTS.labelingMethod,
    metadata: {},
    isEnterpriseProject: false,
    whitelabelId: null,
    tier: STUDIO_CONSTANTS.tier,
    hasPublicVersion: false,
    isPublic: false,
    allowsLivePublicAccess: false,
    indPauseProcessingSamples: false,
    publicProjectListed: false,
  };
}

/** `GET /v1/api/{projectId}` (ProjectInfoResponse). */
export function projectInfoModel(
  project: { projectId: number; name: string; hmacKey?: string | undefined },
  samples: SampleRecord[],
  devices: Record<string, unknown>[],
): Record<string, unknown> {
  const training = samples.filter((s) => s.category === 'training');
  const testing = samples.filter((s) => s.category !== 'training');
  const empty = dataSummary([]);
  return {
    success: true,
    project: projectModel(project),
    // The API key is never echoed; the HMAC key is what devices need (as Studio answers it).
    developmentKeys: project.hmacKey !== undefined ? { hmacKey: project.hmacKey } : {},
    impulse: { created: false, configured: false, complete: false },
    devices,
    dataSummary: dataSummary(samples),
    dataSummaryPerCategory: { training: dataSummary(training), testing: dataSummary(testing), validation: empty, postProcessing: empty },
    computeTime: { periodStartDate: STUDIO_CONSTANTS.projectCreated, periodEndDate: STUDIO_CONSTANTS.projectCreated, timeUsedMs: 0, timeLeftMs: 0 },
    acquisitionSettings: {
      intervalMs: 10,
      lengthMs: 10_000,
      segmentShift: false,
      defaultPageSize: 50,
      viewType: 'list',
      gridColumnCount: 4,
      gridColumnCountDetailed: 2,
      showExactSampleLength: false,
      inlineEditBoundingBoxes: false,
    },
    collaborators: [],
    deploySettings: { eonCompiler: true, sensor: 'unknown', arduinoLibraryName: '', tinkergenLibraryName: '', particleLibraryName: '' },
    experiments: [],
    latencyDevices: [],
    urls: {},
    showCreateFirstImpulse: false,
    showGettingStartedWizard: { showWizard: false, step: 0 },
    performance: { gpu: false, jobLimitM: 0, dspFileSizeMb: 0, enterprisePerformance: false, trainJobRamMb: 0 },
    trainJobNotificationUids: [],
    dspJobNotificationUids: [],
    modelTestingJobNotificationUids: [],
    exportJobNotificationUids: [],
    hasNewTrainingData: false,
    studioUrl: STUDIO_CONSTANTS.studioUrl,
    inPretrainedModelFlow: false,
    showSensorDataInAcquisitionGraph: true,
    notifications: [],
  };
}

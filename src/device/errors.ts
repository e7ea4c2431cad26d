/** Failure modes of the remote-management device client, each with a stable code. */
import { EiError } from '../errors.ts';

/** The server refused the hello (bad API key, unknown project): final, never retried. */
export class HelloRefusedError extends EiError {
  constructor(message: string) {
    super('EI_DEVICE_HELLO_REFUSED', message);
  }
}

/** A server message that is not valid remote-management protocol; `.path` names the field. */
export class DeviceProtocolError extends EiError {
  readonly path: string;
  constructor(message: string, path: string) {
    super('EI_DEVICE_PROTOCOL', message);
    this.path = path;
  }
}

/** A sample request the device cannot satisfy (unknown sensor, too long, busy, bad interval). */
export class SampleRejectedError extends EiError {
  constructor(message: string) {
    super('EI_DEVICE_SAMPLE_REJECTED', message);
  }
}

/** Recording from the sensor source failed (port closed, command died, too few readings). */
export class SensorError extends EiError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The sample was recorded but could not be uploaded (or its upload is still pending). */
export class SampleUploadError extends EiError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

import { EiError } from '../errors.ts';

/** Bad gateway configuration (port spec, sensors, keys). `.field` names the option at fault. */
export class GatewayConfigError extends EiError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('EI_GATEWAY_CONFIG', `${field}: ${message}`);
    this.field = field;
  }
}

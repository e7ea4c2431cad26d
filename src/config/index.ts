export {
  loadConfig,
  saveConfig,
  updateConfig,
  configDir,
  defaultConfigPath,
  DEFAULT_ENDPOINTS,
  ConfigError,
} from './config.ts';
export type { EiConfig, EndpointsConfig } from './config.ts';

export { ENVIRONMENTS, type Environment } from './environments.ts';
export {
  BootstrapError,
  ConfigError,
  GateJsError,
  MountTimeoutError,
  SecretKeyInBrowserError,
} from './errors.ts';
export type { Flow, InitConfig, WidgetMessage } from './protocol.ts';
export {
  createGateOffRamp,
  createGateOnRamp,
  createGateSwap,
  GateRamp,
  type GateRampOptions,
  MOUNT_TIMEOUT_MS,
  type MountCallbacks,
} from './ramp.ts';

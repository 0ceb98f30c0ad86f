export { Uplink, DEFAULT_MAX_IN_FLIGHT, type UplinkOptions, type UplinkStatus } from './uplink.ts';
export { clientOptions, DEFAULT_KEEPALIVE_SECONDS, type ConnectionSettings } from './client-options.ts';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';

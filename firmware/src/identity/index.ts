export { generateIdentity, loadIdentity, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, type DeviceIdentity } from './keys.ts';

export { startBrokerClient, type BrokerClientOptions } from './start.ts';
export { type BrokerLink, embeddedLink } from './link.ts';
export { brokerTarget, type BrokerTarget, readBrokerAccount, BrokerAccount, defaultClientId } from './target.ts';
export { AccountControl, DYNSEC_RESPONSE } from './account-control.ts';
export { mosquittoDeviceAccounts, type DeviceAccounts } from './device-accounts.ts';
export { senderOf, INGEST_TOPIC } from './topic-sender.ts';
export { openDeviceAccounts, type OpenAccounts } from './cli-accounts.ts';

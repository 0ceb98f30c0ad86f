/** The caseload dashboard and monitor health (issue 12). */
export { createDashboard, type Dashboard, type DashboardCase, type DashboardQuery, type OfficerLine } from './caseload.ts';
export { createMonitorHealth, OFFLINE_AFTER_MS, type MonitorHealth } from './monitor-health.ts';

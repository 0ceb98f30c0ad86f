/** The caseload dashboard and monitor health (issue 12). */
export { dashboardSteps, type Dashboard, type DashboardCase, type DashboardQuery, type OfficerLine } from './caseload.ts';
export { monitorHealthSteps, OFFLINE_AFTER_MS, type MonitorFilter, type MonitorHealth } from './monitor-health.ts';

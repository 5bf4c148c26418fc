/** Where each Helm chart comes from: stated in lib/pins.ts, which the policy pack reads too. */
export { chartSource, resolveChartRepository, UPSTREAM_CHART_REPOSITORIES, type ChartSource } from "../pins";

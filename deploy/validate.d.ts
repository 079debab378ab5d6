/** Every problem found in the deployment files; empty when they are valid. */
export function validateDeployFiles(options?: { k8sDir?: string; composeFile?: string; rulesFile?: string; metricNames?: Iterable<string> }): string[];
/** The metric names a PromQL expression reads. */
export function metricNamesIn(expr: string): string[];
/** The metric names declared in src/metrics/*.ts (histograms with their _bucket, _sum and _count series). */
export function exportedMetricNames(sourcesDir?: string): Set<string>;

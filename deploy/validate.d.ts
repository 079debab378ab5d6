/** Every problem found in the deployment files; empty when they are valid. */
export function validateDeployFiles(options?: { k8sDir?: string; composeFile?: string }): string[];
